// SPDX-License-Identifier: Apache-2.0
// Tests for dkim_coverage.h: RFC 6376 tag-list parsing, h= extraction and coverage.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "checks/dkim_coverage.h"

namespace {

// A complete, syntactically valid signature with the given h= value.
std::string signature(const std::string& h) {
    return "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;\r\n\th=" + h +
           ";\r\n\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=dGVzdA==";
}

cm::ParsedMessage with_signatures(const std::vector<std::string>& raws) {
    cm::ParsedMessage m;
    m.headers.push_back({"From", " a@example.com", "a@example.com"});
    for (const std::string& raw : raws) m.headers.push_back({"DKIM-Signature", raw, raw});
    return m;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : "|") + s;
    return out;
}

}  // namespace

TEST_CASE("parse_dkim_tag_list accepts RFC 6376 tag-lists", "[dkim]") {
    struct Case { const char* text; const char* want; };  // want: "name=value|..." or "error"
    auto c = GENERATE(values<Case>({
        {"v=1; a=rsa-sha256", "v=1|a=rsa-sha256"},
        {"v=1;a=rsa-sha256;", "v=1|a=rsa-sha256"},
        {" v = 1 ;\r\n\ta=rsa-sha256 ; \r\n ", "v=1|a=rsa-sha256"},
        {"b=abc\r\n  def==; x_1=2", "b=abc\r\n  def==|x_1=2"},
        {"v=", "v="},
        {"", "error"},
        {"v=1;; a=x", "error"},
        {"v=1; a", "error"},
        {"v=1; 1a=x", "error"},
        {"v=1; v=1", "error"},
        {";", "error"},
    }));
    INFO("tag-list: " << c.text);
    auto got = cm::parse_dkim_tag_list(c.text);
    std::string got_text = "error";
    if (got.ok()) {
        std::vector<std::string> parts;
        for (const cm::DkimTag& t : *got) parts.push_back(t.name + "=" + t.value);
        got_text = join(parts);
    }
    INFO("got " << got_text << ", want " << c.want);
    CHECK(got_text == c.want);
}

TEST_CASE("dkim_signed_headers reads h=", "[dkim]") {
    struct Case { std::string value; const char* want; };
    auto c = GENERATE(values<Case>({
        {signature("from:to:list-unsubscribe"), "from|to|list-unsubscribe"},
        {signature("From : To:\r\n\tList-Unsubscribe:\r\n List-Unsubscribe-Post"),
         "From|To|List-Unsubscribe|List-Unsubscribe-Post"},
        {signature("from::to"), "error"},
        {signature("from:"), "error"},
        {"v=1; a=rsa-sha256; d=example.com; s=s1; bh=x; b=y", "error"},               // no h=
        {"v=2; a=rsa-sha256; d=example.com; s=s1; h=from; bh=x; b=y", "error"},       // version
        {"v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=x", "error"},            // no b=
        {"v=1; a=rsa-sha256; d=example.com; s=s1; h=from; h=to; bh=x; b=y", "error"}, // dup
    }));
    INFO("value: " << c.value);
    auto got = cm::dkim_signed_headers(c.value);
    std::string got_text = got.ok() ? join(*got) : "error";
    INFO("got " << got_text << ", want " << c.want);
    CHECK(got_text == c.want);
}

TEST_CASE("dkim_covers needs one signature listing every name", "[dkim]") {
    const std::vector<std::string_view> both = {"List-Unsubscribe", "List-Unsubscribe-Post"};
    const std::vector<std::string_view> lu = {"List-Unsubscribe"};

    SECTION("both names in one signature, any case, folded") {
        auto m = with_signatures({signature("FROM:LIST-UNSUBSCRIBE:\r\n\tlist-unsubscribe-post")});
        CHECK(cm::dkim_covers(m, both));
        CHECK(cm::dkim_covers(m, lu));
    }
    SECTION("only List-Unsubscribe signed") {
        auto m = with_signatures({signature("from:list-unsubscribe:subject")});
        CHECK_FALSE(cm::dkim_covers(m, both));
        CHECK(cm::dkim_covers(m, lu));
    }
    SECTION("the names split over two signatures do not count") {
        auto m = with_signatures({signature("from:list-unsubscribe"), signature("from:list-unsubscribe-post")});
        CHECK_FALSE(cm::dkim_covers(m, both));
    }
    SECTION("a second signature may be the covering one") {
        auto m = with_signatures({signature("from"), signature("from:list-unsubscribe:list-unsubscribe-post")});
        CHECK(cm::dkim_covers(m, both));
    }
    SECTION("a prefix of a name is not the name") {
        auto m = with_signatures({signature("from:list-unsubscribe-postx:list-unsubscribe2")});
        CHECK_FALSE(cm::dkim_covers(m, lu));
    }
    SECTION("a malformed signature covers nothing") {
        auto m = with_signatures({"v=1; h=list-unsubscribe:list-unsubscribe-post"});
        CHECK_FALSE(cm::dkim_covers(m, lu));
    }
    SECTION("no signature at all") {
        auto m = with_signatures({});
        CHECK_FALSE(cm::dkim_covers(m, lu));
    }
    SECTION("the unfolded value is used when raw is empty") {
        cm::ParsedMessage m;
        m.headers.push_back({"dkim-signature", "", signature("from:list-unsubscribe")});
        CHECK(cm::dkim_covers(m, lu));
    }
}
