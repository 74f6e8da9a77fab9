// SPDX-License-Identifier: Apache-2.0
// Tests for list_unsubscribe.h: RFC 2369 parsing and every DESIGN §5 reason code, each
// with a failing and a passing neighbour. Messages are built directly (no MIME parser).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "checks/list_unsubscribe.h"

namespace {

using Headers = std::vector<cm::Header>;

// A header whose raw and decoded value are the same text (no encoded words).
cm::Header h(std::string name, std::string value) {
    return {std::move(name), " " + value, std::move(value)};
}

const char* kHttps = "<https://x.example/u/1>";
const char* kMailto = "<mailto:u@x.example?subject=unsubscribe>";
const char* kOneClick = "List-Unsubscribe=One-Click";

std::string dkim(const std::string& h_tag) {
    return "v=1; a=rsa-sha256; c=relaxed/relaxed; d=x.example; s=s1;\r\n\th=" + h_tag +
           ";\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdA==";
}

cm::Header dkim_header(const std::string& h_tag) {
    std::string v = dkim(h_tag);
    return {"DKIM-Signature", " " + v, v};
}

struct Case {
    const char* name;
    Headers headers;
    bool one_click_required;
    bool dkim_required;
    const char* want_reason;  // "" = pass
};

cm::ListUnsubscribeFinding run(const Headers& headers, bool one_click, bool dkim_required) {
    cm::ParsedMessage m;
    m.headers.push_back(h("From", "a@x.example"));
    for (const cm::Header& hd : headers) m.headers.push_back(hd);
    cm::ListUnsubscribeOptions options;
    options.require_one_click = one_click;
    options.require_dkim_coverage = dkim_required;
    return cm::check_list_unsubscribe(m, options);
}

}  // namespace

TEST_CASE("check_list_unsubscribe gives one reason, in priority order", "[list_unsubscribe]") {
    const std::string both = "from:list-unsubscribe:list-unsubscribe-post";
    auto c = GENERATE_COPY(values<Case>({
        // missing
        {"no header", {}, false, false, "missing"},
        {"only the Post header", {h("List-Unsubscribe-Post", kOneClick)}, true, false, "missing"},
        {"plain https, no options", {h("List-Unsubscribe", kHttps)}, false, false, ""},
        // multiple (beats malformed and merge tags)
        {"two fields", {h("List-Unsubscribe", kHttps), h("list-unsubscribe", kMailto)}, false, false, "multiple"},
        {"two fields, one malformed", {h("List-Unsubscribe", "garbage"), h("List-Unsubscribe", kHttps)}, false, false, "multiple"},
        {"one field with two URIs", {h("List-Unsubscribe", std::string(kMailto) + ", " + kHttps)}, false, false, ""},
        // malformed (beats merge tags and no-http-uri)
        {"empty value", {h("List-Unsubscribe", "")}, false, false, "malformed"},
        {"no brackets", {h("List-Unsubscribe", "https://x.example/u")}, false, false, "malformed"},
        {"one element without brackets", {h("List-Unsubscribe", std::string(kHttps) + ", mailto:u@x.example")}, false, false, "malformed"},
        {"no scheme", {h("List-Unsubscribe", "<x.example/unsubscribe>")}, false, false, "malformed"},
        {"empty brackets", {h("List-Unsubscribe", "<>")}, false, false, "malformed"},
        {"unclosed bracket", {h("List-Unsubscribe", "<https://x.example/u")}, false, false, "malformed"},
        {"trailing comma", {h("List-Unsubscribe", std::string(kHttps) + ",")}, false, false, "malformed"},
        {"missing comma", {h("List-Unsubscribe", std::string(kHttps) + " " + kMailto)}, false, false, "malformed"},
        {"unterminated comment", {h("List-Unsubscribe", std::string(kHttps) + " (web")}, false, false, "malformed"},
        {"malformed with a tag elsewhere", {h("List-Unsubscribe", "<{{unsub}}>, <nothing>")}, false, false, "malformed"},
        {"comments and folding", {cm::Header{"List-Unsubscribe",
            " (Use this command to get off the list)\r\n\t<mailto:u@x.example?subject=unsubscribe>,\r\n (or the web)\r\n <https://x.example/u/1>",
            "(Use this command to get off the list) <mailto:u@x.example?subject=unsubscribe>, (or the web) <https://x.example/u/1>"}},
            false, false, ""},
        // unresolved-merge-tag (beats no-http-uri: "<*|UNSUB|*>" has no scheme and no http)
        {"mailchimp tag alone", {h("List-Unsubscribe", "<*|UNSUB|*>")}, false, false, "unresolved-merge-tag"},
        {"handlebars in path", {h("List-Unsubscribe", "<https://x.example/u/{{unsubscribe_url}}>")}, false, false, "unresolved-merge-tag"},
        {"percent-encoded handlebars", {h("List-Unsubscribe", "<https://x.example/u/%7B%7Bunsubscribe_url%7D%7D>")}, false, false, "unresolved-merge-tag"},
        {"percent-encoded mailchimp", {h("List-Unsubscribe", "<https://x.example/u?%2A%7CUNSUB%7C%2A>")}, false, false, "unresolved-merge-tag"},
        {"tag in the mailto only", {h("List-Unsubscribe", "<mailto:u@x.example?subject=%%unsub%%>, <https://x.example/u/1>")}, false, false, "unresolved-merge-tag"},
        {"percent-encoded real URL", {h("List-Unsubscribe", "<https://x.example/u?e=a%40b.example&n=%C3%A9t%C3%A9>")}, false, false, ""},
        {"SendGrid tag as the whole URI", {h("List-Unsubscribe", "<[Unsubscribe]>")}, false, false, "unresolved-merge-tag"},
        {"Mailgun tag in the query", {h("List-Unsubscribe", "<https://x.example/u?a=%unsubscribe_url%>")}, false, false, "unresolved-merge-tag"},
        {"list subject tag in a mailto", {h("List-Unsubscribe", "<mailto:l-request@x.example?subject=[Announce]%20unsubscribe>, <https://x.example/u/1>")}, false, false, ""},
        {"IPv6 literal host", {h("List-Unsubscribe", "<https://[2001:db8::1]/u>")}, false, false, ""},
        // no-http-uri (beats no-one-click)
        {"mailto only", {h("List-Unsubscribe", kMailto)}, false, false, "no-http-uri"},
        {"mailto only with One-Click", {h("List-Unsubscribe", kMailto), h("List-Unsubscribe-Post", kOneClick)}, true, false, "no-http-uri"},
        {"ftp only", {h("List-Unsubscribe", "<ftp://x.example/u>")}, false, false, "no-http-uri"},
        {"https without authority", {h("List-Unsubscribe", "<https:/x.example/u>")}, false, false, "no-http-uri"},
        {"http only, one-click off", {h("List-Unsubscribe", "<http://x.example/u>")}, false, false, ""},
        {"upper-case scheme", {h("List-Unsubscribe", "<HTTP://x.example/u>")}, false, false, ""},
        // no-one-click
        {"no Post header", {h("List-Unsubscribe", kHttps)}, true, false, "no-one-click"},
        {"Post header missing the hyphen", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", "ListUnsubscribe=One-Click")}, true, false, "no-one-click"},
        {"Post header in lower case", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", "list-unsubscribe=one-click")}, true, false, "no-one-click"},
        {"Post header with extra pair", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click; x=y")}, true, false, "no-one-click"},
        {"http only with One-Click", {h("List-Unsubscribe", "<http://x.example/u>"), h("List-Unsubscribe-Post", kOneClick)}, true, false, "no-one-click"},
        {"exact One-Click with https", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick)}, true, false, ""},
        {"One-Click with surrounding white space", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", " List-Unsubscribe=One-Click\t")}, true, false, ""},
        {"inexact Post, one-click not required", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", "ListUnsubscribe=One-Click")}, false, false, ""},
        // not-dkim-covered
        {"dkim required, no signature", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick)}, true, true, "not-dkim-covered"},
        {"dkim signs List-Unsubscribe only", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick), dkim_header("from:list-unsubscribe")}, true, true, "not-dkim-covered"},
        {"dkim signs both", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick), dkim_header(both)}, true, true, ""},
        {"dkim signs both, upper case, folded", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick), dkim_header("FROM:LIST-UNSUBSCRIBE:\r\n\tLIST-UNSUBSCRIBE-POST")}, true, true, ""},
        {"no one-click, no Post header: List-Unsubscribe alone suffices", {h("List-Unsubscribe", kHttps), dkim_header("from:list-unsubscribe")}, false, true, ""},
        {"no one-click, but a Post header present must be signed", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick), dkim_header("from:list-unsubscribe")}, false, true, "not-dkim-covered"},
        {"dkim not required", {h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick)}, true, false, ""},
    }));
    INFO("case: " << c.name);
    cm::ListUnsubscribeFinding got = run(c.headers, c.one_click_required, c.dkim_required);
    INFO("got reason \"" << cm::reason_code(got.reason) << "\", want \"" << c.want_reason << "\"");
    CHECK(cm::reason_code(got.reason) == c.want_reason);
    CHECK(got.pass == (std::string(c.want_reason).empty()));
}

TEST_CASE("check_list_unsubscribe reports the URIs and one_click", "[list_unsubscribe]") {
    SECTION("several URIs in order, white space inside brackets dropped") {
        auto got = run({cm::Header{"List-Unsubscribe", " <mailto:u@x.example>,\r\n <https://x.example/\r\n long/path>",
                                   "<mailto:u@x.example>, <https://x.example/ long/path>"}},
                       false, false);
        CHECK(got.pass);
        CHECK(got.uris == std::vector<std::string>{"mailto:u@x.example", "https://x.example/long/path"});
    }
    SECTION("RFC 2047 encoded field: the decoded value is what counts") {
        auto got = run({cm::Header{"List-Unsubscribe",
                                   " =?us-ascii?Q?<https://x.example/lists/=3Fp?=\r\n =?us-ascii?Q?=3Dunsubscribe&uid=3Dab>?=",
                                   "<https://x.example/lists/?p=unsubscribe&uid=ab>"},
                        h("List-Unsubscribe-Post", kOneClick)},
                       true, false);
        CHECK(got.pass);
        CHECK(got.one_click);
        CHECK(got.uris == std::vector<std::string>{"https://x.example/lists/?p=unsubscribe&uid=ab"});
    }
    SECTION("one_click is reported even when not required") {
        auto got = run({h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", kOneClick)}, false, false);
        CHECK(got.pass);
        CHECK(got.one_click);
    }
    SECTION("one_click is false without an https URI") {
        auto got = run({h("List-Unsubscribe", "<http://x.example/u>"), h("List-Unsubscribe-Post", kOneClick)}, false, false);
        CHECK(got.pass);
        CHECK_FALSE(got.one_click);
    }
    SECTION("one_click is false for an inexact Post value") {
        auto got = run({h("List-Unsubscribe", kHttps), h("List-Unsubscribe-Post", "ListUnsubscribe=One-Click")}, false, false);
        CHECK_FALSE(got.one_click);
    }
    SECTION("multiple fields: the URIs of all of them") {
        auto got = run({h("List-Unsubscribe", kHttps), h("List-Unsubscribe", kMailto)}, false, false);
        CHECK(got.reason == cm::Reason::list_unsubscribe_multiple);
        CHECK(got.uris == std::vector<std::string>{"https://x.example/u/1", "mailto:u@x.example?subject=unsubscribe"});
    }
    SECTION("missing: no URIs") {
        auto got = run({}, true, false);
        CHECK(got.uris.empty());
        CHECK_FALSE(got.pass);
    }
}

TEST_CASE("parse_list_unsubscribe_value reads RFC 2369 lists", "[list_unsubscribe]") {
    struct ParseCase {
        const char* value;
        bool want_ok;
        std::vector<std::string> want_uris;
    };
    auto c = GENERATE(values<ParseCase>({
        {"<https://a.example/u>", true, {"https://a.example/u"}},
        {"  <https://a.example/u>  ", true, {"https://a.example/u"}},
        {"<mailto:a@b.example>,<https://a.example/u>", true, {"mailto:a@b.example", "https://a.example/u"}},
        {"(comment) <https://a.example/u> (another (nested) one), <mailto:a@b.example>", true,
         {"https://a.example/u", "mailto:a@b.example"}},
        {"(a \\) quoted paren) <https://a.example/u>", true, {"https://a.example/u"}},
        {"<https://a.example/u>,\r\n\t<mailto:a@b.example>", true, {"https://a.example/u", "mailto:a@b.example"}},
        {"<https://a.example/(paren)/u>", true, {"https://a.example/(paren)/u"}},
        {"", false, {}},
        {"   ", false, {}},
        {"(only a comment)", false, {}},
        {"https://a.example/u", false, {}},
        {"<https://a.example/u>, , <mailto:a@b.example>", false, {"https://a.example/u"}},
        {"<https://a.example/u> junk", false, {"https://a.example/u"}},
        {"<a.example/u>", false, {"a.example/u"}},
        {"<https:>", false, {"https:"}},
        {"<1http://a.example/>", false, {"1http://a.example/"}},
        {"<https://a.example/<u>", false, {}},
        {"\"<https://a.example/u>\"", false, {}},
    }));
    INFO("value: " << c.value);
    std::vector<std::string> got_uris;
    bool got_ok = cm::parse_list_unsubscribe_value(c.value, got_uris);
    INFO("got ok=" << got_ok << ", want ok=" << c.want_ok);
    CHECK(got_ok == c.want_ok);
    CHECK(got_uris == c.want_uris);
}
