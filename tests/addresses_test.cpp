// SPDX-License-Identifier: Apache-2.0
// Tests for address lists and the header sender rule (lib/mime/addresses.h), the one rule
// that `--test` and ARF ingestion share.
#include <catch2/catch.hpp>

#include "mime/addresses.h"
#include "util/text_util.h"

using namespace cm;

namespace {

std::vector<Header> headers(std::initializer_list<std::pair<const char*, const char*>> fields) {
    std::vector<Header> out;
    for (const auto& [name, value] : fields) out.push_back(Header{name, value, value});
    return out;
}

}  // namespace

TEST_CASE("addresses: address lists flatten groups and keep order", "[addresses]") {
    CHECK(parse_address_list("Ann <ann@a.example>, bob@b.example") ==
          std::vector<std::string>{"ann@a.example", "bob@b.example"});
    CHECK(parse_address_list("team: c@c.example, d@d.example;, e@e.example") ==
          std::vector<std::string>{"c@c.example", "d@d.example", "e@e.example"});
    CHECK(parse_address_list("").empty());
    CHECK(parse_address_list("undisclosed-recipients:;").empty());
}

TEST_CASE("addresses: the sender is Return-Path, then the envelope hint, then From", "[addresses]") {
    struct Case {
        const char* name;
        std::vector<Header> fields;
        const char* envelope;
        std::vector<std::string> want;
    };
    auto c = GENERATE(values<Case>({
        {"return-path first", headers({{"From", "f@from.example"}, {"Return-Path", "<rp@bounce.example>"}}), "",
         {"rp@bounce.example", "f@from.example"}},
        {"null return-path skipped", headers({{"Return-Path", "<>"}, {"From", "f@from.example"}}), "",
         {"f@from.example"}},
        {"envelope hint before From", headers({{"From", "f@from.example"}}), " env@mail.example ",
         {"env@mail.example", "f@from.example"}},
        {"Sender is not the envelope", headers({{"Sender", "s@sender.example"}}), "", {}},
        {"no '@' is no sender", headers({{"From", "postmaster"}}), "nobody", {}},
    }));
    INFO(c.name);
    CHECK(sender_candidates(c.fields, c.envelope) == c.want);
}

TEST_CASE("addresses: recipients are To then Cc", "[addresses]") {
    ParsedMessage m;
    m.headers = headers({{"Cc", "cc@c.example"}, {"To", "a@a.example, b@b.example"}, {"Bcc", "x@x.example"}});
    CHECK(recipients_from_headers(m) == std::vector<std::string>{"a@a.example", "b@b.example", "cc@c.example"});
    CHECK(sender_from_headers(m).empty());
}

TEST_CASE("text_util: one definition of the small string helpers", "[text_util]") {
    CHECK(trim(" \t\r\n\f\vx y\v\f\n\r\t ") == "x y");
    CHECK(iequals("List-Unsubscribe", "list-UNSUBSCRIBE"));
    CHECK_FALSE(iequals("\xC3\x84", "\xC3\xA4"));  // ASCII only: UTF-8 bytes are compared as they are
    CHECK(istarts_with("HTTPS://x", "https://"));
    CHECK(icontains("background: URL(x)", "url("));
    CHECK_FALSE(icontains("abc", "abcd"));
    CHECK(percent_decode("%2Flogin%3f%zz%4") == "/login?%zz%4");
    CHECK(percent_decode("a+b") == "a+b");
    CHECK(ascii_lower("ÄBC") == "Äbc");
}
