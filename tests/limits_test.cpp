// SPDX-License-Identifier: Apache-2.0
// Tests for the limits on attacker-controlled input (issue 7, item 1), at their DEFAULT values:
// each limit is probed just below and just above its default, the breach must become a
// finding (a ParseNote or an HtmlScan note with a stable code) and never a crash or a hang,
// and the message must still get a verdict. The modules' own tests cover the same limits
// with small, hand-set values; these pin the defaults the documentation promises.
//
//   limit                         default     finding
//   ParseLimits::max_headers      10,000      limit:headers
//   ParseLimits::max_header_bytes 1 MiB       limit:header-bytes
//   ParseLimits::max_mime_depth   32          limit:mime-depth
//   ParseLimits::max_parts        1,000       limit:part-count
//   ParseLimits::max_text_bytes   16 MiB      limit:text-bytes
//   VisibilityOptions::max_depth  256         limit:html-depth
//   VisibilityOptions::max_elements 200,000   limit:html-elements
//   VisibilityOptions::max_css_rules 5,000    limit:css-rules
//   VisibilityOptions::max_links  5,000       limit:links
//   CSS selector length           512 bytes   rule dropped
//   PCRE2 match limit             200,000     a user pattern that backtracks does not match;
//                                             it is spent for the message: limit:pattern
//   Config::max_scan_size         4 MiB       body_link:truncated (OversizeAction)
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "cpu_stopwatch.h"
#include "policy/evaluate.h"
#include "html/html_visibility.h"
#include "mime/mime_walk.h"
#include "util/pattern_budget.h"
#include "checks/phrases.h"
#include "mime/message_buffer.h"

namespace {

using cm::test::CpuStopwatch;

const char kUnsubHtml[] = "<p><a href=\"https://example.com/u?id=1\">Unsubscribe</a></p>";

// A newsletter with `extra` header fields before the body, total field count = 5 + extra's.
std::string newsletter(const std::string& extra_headers, const std::string& content_type, const std::string& body) {
    return "From: News <news@example.com>\r\n"
           "To: reader@example.org\r\n"
           "List-Unsubscribe: <https://example.com/u?id=1>\r\n"
           "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
           extra_headers + "Content-Type: " + content_type + "\r\n\r\n" + body;
}

std::string filler_headers(int n) {
    std::string h;
    for (int i = 0; i < n; ++i) h += "X-F" + std::to_string(i) + ": v\r\n";
    return h;
}

// `levels` multipart/mixed containers, one inside the other, around one HTML leaf.
std::string nested_multiparts(int levels) {
    std::string open, close;
    for (int i = 0; i < levels; ++i) {
        if (i > 0) open += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\r\n\r\n";
        open += "--b" + std::to_string(i) + "\r\n";
        close = "--b" + std::to_string(i) + "--\r\n" + close;
    }
    open += std::string("Content-Type: text/html\r\n\r\n") + kUnsubHtml + "\r\n";
    return newsletter("", "multipart/mixed; boundary=\"b0\"", open + close);
}

std::string many_leaves(int n) {
    std::string body;
    for (int i = 0; i < n; ++i) body += "--p\r\nContent-Type: text/plain\r\n\r\nleaf " + std::to_string(i) + "\r\n";
    return newsletter("", "multipart/mixed; boundary=\"p\"", body + "--p--\r\n");
}

bool has_note(const cm::HtmlScan& scan, const std::string& code) {
    for (const std::string& n : scan.notes)
        if (n == code) return true;
    return false;
}

const cm::Policy& default_policy() {
    static const std::shared_ptr<const cm::Policy> policy = [] {
        auto p = cm::Policy::create(cm::Config{});
        REQUIRE(p.ok());
        return *p;
    }();
    return *policy;
}

cm::Report judge(const std::string& raw) {
    const cm::Policy& policy = default_policy();
    cm::MessageBuffer buffer(policy.config().max_scan_size);
    cm::add_raw_message(buffer, raw);
    cm::ParsedMessage m = buffer.finish();
    cm::Envelope envelope{"news@example.com", {"reader@example.org"}, "", "192.0.2.1"};
    return cm::evaluate(m, envelope, policy, nullptr, 1700000000);
}

}  // namespace

TEST_CASE("the documented limit defaults", "[limits]") {
    const cm::ParseLimits parse;
    CHECK(parse.max_headers == 10000);
    CHECK(parse.max_header_bytes == 1u << 20);
    CHECK(parse.max_mime_depth == 32);
    CHECK(parse.max_parts == 1000);
    CHECK(parse.max_text_bytes == 16u << 20);
    const cm::VisibilityOptions html;
    CHECK(html.max_depth == 256);
    CHECK(html.max_elements == 200000);
    CHECK(html.max_css_rules == 5000);
    CHECK(html.max_links == 5000);
    CHECK(cm::Config{}.max_scan_size == 4u << 20);
}

TEST_CASE("header field count: 10,000 kept, the 10,001st is a finding", "[limits][headers]") {
    SECTION("at the limit") {
        auto m = cm::parse_message(newsletter(filler_headers(10000 - 5), "text/html", kUnsubHtml));
        CHECK_FALSE(m.has_note("limit:headers"));
        CHECK(m.headers.size() == 10000);
    }
    SECTION("one over: fields past the limit are dropped, the body is still read") {
        auto m = cm::parse_message(newsletter(filler_headers(10000 - 4), "text/html", kUnsubHtml));
        CHECK(m.has_note("limit:headers"));
        CHECK(m.headers.size() == 10000);
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text.find("Unsubscribe") != std::string::npos);
    }
    SECTION("100,000 fields are cut before the MIME parser builds them") {
        CpuStopwatch t0;
        cm::Report r = judge(newsletter(filler_headers(100000), "text/html", kUnsubHtml));
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 2.0);
        CHECK(r.list_unsubscribe.pass);
    }
}

TEST_CASE("header bytes: 1 MiB of fields, then a finding", "[limits][headers]") {
    SECTION("just under the limit") {
        std::string big = "X-Big: " + std::string((1u << 20) - 4096, 'a') + "\r\n";
        auto m = cm::parse_message(newsletter(big, "text/html", kUnsubHtml));
        CHECK_FALSE(m.has_note("limit:header-bytes"));
        CHECK(m.find("X-Big") != nullptr);
    }
    SECTION("a field that crosses the limit is dropped with every field after it") {
        std::string big = "X-Big: " + std::string(1u << 20, 'a') + "\r\nX-After: 1\r\n";
        auto m = cm::parse_message(newsletter(big, "text/html", kUnsubHtml));
        CHECK(m.has_note("limit:header-bytes"));
        CHECK(m.find("X-Big") == nullptr);
        CHECK(m.find("X-After") == nullptr);
        CHECK(m.find("List-Unsubscribe") != nullptr);
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text.find("Unsubscribe") != std::string::npos);
    }
    SECTION("a folded field is cut at its first line, not between its lines") {
        std::string folded = "X-Folded: start\r\n";
        for (int i = 0; i < 20000; ++i) folded += " continuation line " + std::to_string(i) + " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n";
        auto m = cm::parse_message(newsletter(folded, "text/html", kUnsubHtml));
        CHECK(m.has_note("limit:header-bytes"));
        CHECK(m.find("X-Folded") == nullptr);
        CHECK(m.find("To") != nullptr);
    }
    SECTION("a 20 MB header line is judged quickly, headers before it count") {
        std::string huge = "X-Long: " + std::string(20u << 20, 'y') + "\r\n";
        CpuStopwatch t0;
        cm::Report r = judge(newsletter(huge, "text/html", kUnsubHtml));
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 2.0);
        CHECK(r.list_unsubscribe.pass);
    }
}

TEST_CASE("MIME depth: 32 levels are walked, deeper is a finding", "[limits][mime]") {
    SECTION("at the limit the leaf is read") {
        auto m = cm::parse_message(nested_multiparts(32));
        CHECK_FALSE(m.has_note("limit:mime-depth"));
        CHECK(m.parts.size() == 1);
    }
    SECTION("one level deeper the leaf is not read, and the verdict says so") {
        const std::string raw = nested_multiparts(33);
        auto m = cm::parse_message(raw);
        CHECK(m.has_note("limit:mime-depth"));
        CHECK(m.parts.empty());
        cm::Report r = judge(raw);
        CHECK_FALSE(r.body_link.pass);
        CHECK(r.verdict == cm::Verdict::reject);
    }
}

TEST_CASE("part count: 1,000 MIME entities, then a finding", "[limits][mime]") {
    SECTION("999 leaves + their multipart = 1,000 entities") {
        auto m = cm::parse_message(many_leaves(999));
        CHECK_FALSE(m.has_note("limit:part-count"));
        CHECK(m.parts.size() == 999);
    }
    SECTION("one more entity stops the walk") {
        auto m = cm::parse_message(many_leaves(1000));
        CHECK(m.has_note("limit:part-count"));
        CHECK(m.parts.size() == 999);
    }
    SECTION("100,000 parts are cut before the MIME parser builds them all") {
        const std::string raw = many_leaves(100000);
        CpuStopwatch t0;
        auto m = cm::parse_message(raw);
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 2.0);
        CHECK(m.has_note("limit:part-count"));
        CHECK(m.parts.size() == 999);
    }
}

TEST_CASE("decoded text: 16 MiB kept over all parts, then a finding", "[limits][mime]") {
    const std::string body(16u << 20, 'x');
    SECTION("exactly at the limit") {
        auto m = cm::parse_message(newsletter("", "text/plain", body));
        CHECK_FALSE(m.has_note("limit:text-bytes"));
    }
    SECTION("over the limit, the text is cut at the limit") {
        auto m = cm::parse_message(newsletter("", "text/plain", body + "yyyy"));
        CHECK(m.has_note("limit:text-bytes"));
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text.size() <= (16u << 20));
    }
}

TEST_CASE("HTML element depth: 256 levels, deeper content is ignored as hidden", "[limits][html]") {
    auto nested = [](int n) {
        std::string h;
        for (int i = 0; i < n; ++i) h += "<div>";
        return h + "<a href=\"https://example.com/u\">Unsubscribe</a>";
    };
    SECTION("well inside the limit the link is seen") {
        auto scan = cm::extract_html_links(nested(200));
        CHECK_FALSE(has_note(scan, "limit:html-depth"));
        REQUIRE(scan.links.size() == 1);
        CHECK(scan.links[0].visible);
    }
    SECTION("beyond it the link does not count") {
        auto scan = cm::extract_html_links(nested(300));
        CHECK(has_note(scan, "limit:html-depth"));
        for (const cm::HtmlLink& l : scan.links) CHECK_FALSE(l.visible);
    }
}

TEST_CASE("HTML element count: 200,000 elements, then a finding", "[limits][html]") {
    auto elements = [](int n) {
        std::string h = "<a href=\"https://example.com/u\">Unsubscribe</a>";
        for (int i = 1; i < n; ++i) h += "<b></b>";
        return h;
    };
    // libxml2 adds html/body (and p) around the fragment: stay a few elements clear of the edge.
    CHECK_FALSE(has_note(cm::extract_html_links(elements(199990)), "limit:html-elements"));
    auto over = cm::extract_html_links(elements(200001));
    CHECK(has_note(over, "limit:html-elements"));
    CHECK(over.links.size() == 1);  // what came before the cut is kept
}

TEST_CASE("CSS: 5,000 rules kept, later rules and overlong selectors are dropped", "[limits][css]") {
    auto sheet = [](int rules, const std::string& last) {
        std::string css = "<style>";
        for (int i = 0; i < rules - 1; ++i) css += ".c" + std::to_string(i) + "{color:red}";
        return css + last + "</style><div class=\"h\"><a href=\"https://example.com/u\">Unsubscribe</a></div>";
    };
    SECTION("the 5,000th rule applies") {
        auto scan = cm::extract_html_links(sheet(5000, ".h{display:none}"));
        CHECK_FALSE(has_note(scan, "limit:css-rules"));
        REQUIRE(scan.links.size() == 1);
        CHECK_FALSE(scan.links[0].visible);
    }
    SECTION("the 5,001st does not, and that is a finding") {
        auto scan = cm::extract_html_links(sheet(5001, ".h{display:none}"));
        CHECK(has_note(scan, "limit:css-rules"));
        REQUIRE(scan.links.size() == 1);
        CHECK(scan.links[0].visible);
    }
    SECTION("a selector longer than 512 bytes is dropped") {
        auto hidden_by = [](const std::string& cls) {
            auto scan = cm::extract_html_links("<style>." + cls + "{display:none}</style><div class=\"" + cls +
                                               "\"><a href=\"https://example.com/u\">Unsubscribe</a></div>");
            REQUIRE(scan.links.size() == 1);
            return !scan.links[0].visible;
        };
        CHECK(hidden_by(std::string(511, 'h')));        // ".hhh..." = 512 bytes
        CHECK_FALSE(hidden_by(std::string(512, 'h')));  // 513 bytes
        CHECK(has_note(cm::extract_html_links("<style>." + std::string(512, 'h') + "{color:red}</style>"),
                       "limit:css-rules"));
    }
    SECTION("past a CSS limit no link counts as visible: the dropped rules might hide it") {
        const std::string body = sheet(5001, ".other{color:red}");
        cm::Report over = judge(newsletter("", "text/html", body));
        CHECK(over.body_link.reason == cm::Reason::body_link_hidden);
        CHECK(over.notes == std::vector<std::string>{"limit:css-rules"});
        REQUIRE(over.body_link.links.size() == 1);
        CHECK(over.body_link.links[0].why == "limit:css-rules");
        cm::Report at = judge(newsletter("", "text/html", sheet(5000, ".other{color:red}")));
        CHECK(at.body_link.pass);
        CHECK(at.notes.empty());
    }
}

TEST_CASE("links: 5,000 per HTML part, then a finding", "[limits][html]") {
    auto links = [](int n) {
        std::string h;
        for (int i = 0; i < n; ++i) h += "<a href=\"https://example.com/" + std::to_string(i) + "\">x</a>";
        return h;
    };
    auto at = cm::extract_html_links(links(5000));
    CHECK_FALSE(has_note(at, "limit:links"));
    CHECK(at.links.size() == 5000);
    auto over = cm::extract_html_links(links(5001));
    CHECK(has_note(over, "limit:links"));
    CHECK(over.links.size() == 5000);
    // The note reaches the report.
    CHECK(judge(newsletter("", "text/html", links(5001) + kUnsubHtml)).notes ==
          std::vector<std::string>{"limit:links"});
}

TEST_CASE("a user pattern that backtracks catastrophically is cut off, not hung on", "[limits][pcre2]") {
    // (x+x+)+y against x...x needs 2^n steps without the match limit.
    const std::string evil = "(?:x+x+)+[^x]";
    const std::string text = std::string(40, 'x');

    SECTION("UnsubscribePhrases") {
        auto set = cm::PhraseSet::create({evil});
        REQUIRE(set.ok());
        CpuStopwatch t0;
        CHECK_FALSE((*set)->is_unsubscribe(text, cm::PhraseContext::html_link));
        CHECK_FALSE((*set)->is_unsubscribe(text, cm::PhraseContext::plain_text));
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 1.0);
        CHECK((*set)->is_unsubscribe("xxxy", cm::PhraseContext::html_link));  // the pattern still works
        CHECK((*set)->is_unsubscribe("Unsubscribe", cm::PhraseContext::html_link));
    }
    SECTION("ExemptHeader") {
        cm::Config config;
        config.exempt_headers.push_back({"X-Mailer", evil});
        auto policy = cm::Policy::create(config);
        REQUIRE(policy.ok());
        cm::PatternBudget budget;
        CpuStopwatch t0;
        CHECK((*policy)->header_exemption("X-Mailer", text, budget).empty());
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 1.0);
        CHECK(budget.any_spent());
        cm::PatternBudget fresh;  // the next message: the pattern runs again
        CHECK_FALSE((*policy)->header_exemption("X-Mailer", "xxxy", fresh).empty());
    }
}

TEST_CASE("a pattern that hits its limit is spent for the rest of the message", "[limits][pcre2]") {
    // Per call the match limit bounds (x+x+)+y, but 9,000 fields or 5,000 links would still
    // take (limit x calls), seconds to minutes, before the per-message PatternBudget.
    const std::string evil = "(?:x+x+)+[^x]";
    const std::string xs = std::string(40, 'x');
    auto judge_with = [](const cm::Config& config, const std::string& raw) {
        auto policy = cm::Policy::create(config);
        REQUIRE(policy.ok());
        cm::ParsedMessage m = cm::parse_message(raw, cm::ParseLimits{}, false);
        cm::Envelope envelope{"news@example.com", {"reader@example.org"}, "", "192.0.2.1"};
        return cm::evaluate(m, envelope, **policy, nullptr, 1700000000);
    };
    SECTION("ExemptHeader over 9,000 fields") {
        cm::Config config;
        config.exempt_headers.push_back({"X-Mailer", evil});
        std::string fields;
        for (int i = 0; i < 9000; ++i) fields += "X-Mailer: " + xs + "\r\n";
        CpuStopwatch t0;
        cm::Report r = judge_with(config, newsletter(fields, "text/html", kUnsubHtml));
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 1.0);
        CHECK_FALSE(r.exempt);  // fails closed: the checks run
        CHECK(r.notes == std::vector<std::string>{"limit:pattern"});
        CHECK(r.body_link.pass);
    }
    SECTION("UnsubscribePhrases over 4,000 link texts") {
        cm::Config config;
        config.unsubscribe_phrases = {evil};
        std::string links;
        for (int i = 0; i < 4000; ++i) links += "<a href=\"https://example.com/" + std::to_string(i) + "\">" + xs + "</a>";
        CpuStopwatch t0;
        cm::Report r = judge_with(config, newsletter("", "text/html", links + kUnsubHtml));
        INFO("took " << t0.seconds() << " s");
        CHECK(t0.seconds() < 1.0);
        CHECK(r.notes == std::vector<std::string>{"limit:pattern"});
    }
    SECTION("a pattern that never hits its limit costs nothing extra and leaves no note") {
        cm::Config config;
        config.exempt_headers.push_back({"X-Mailer", "^transactional$"});
        cm::Report r = judge_with(config, newsletter("X-Mailer: " + xs + "\r\n", "text/html", kUnsubHtml));
        CHECK(r.notes.empty());
    }
}

TEST_CASE("MaxScanSize: a link past the scanned prefix is body_link:truncated", "[limits][scan]") {
    const std::string filler = "<p>" + std::string(5u << 20, 'a') + "</p>";
    cm::Report r = judge(newsletter("", "text/html", filler + kUnsubHtml));
    CHECK(r.truncated);
    CHECK(r.body_link.reason == cm::Reason::body_link_truncated);
    CHECK(r.verdict == cm::Verdict::tag);  // OversizeAction tag
}
