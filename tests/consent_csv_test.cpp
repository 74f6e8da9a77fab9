// SPDX-License-Identifier: Apache-2.0
// Tests for consent records <-> CSV rows and ISO 8601 timestamps (lib/consent/consent_csv.h).
#include <catch2/catch.hpp>

#include "consent/consent_csv.h"

using namespace cm;

namespace {
using Fields = std::vector<std::string>;

ConsentCsvLayout full_layout() {
    auto layout = parse_consent_csv_header(consent_csv_columns());
    REQUIRE(layout.ok());
    return *layout;
}
}  // namespace

TEST_CASE("iso8601 timestamps parse in every accepted form", "[consent_csv]") {
    struct Case {
        const char* text;
        std::int64_t want;
    };
    auto c = GENERATE(values<Case>({
        {"2024-05-01T12:00:00Z", 1714564800},
        {"2024-05-01t12:00:00z", 1714564800},
        {"2024-05-01 12:00:00Z", 1714564800},
        {"2024-05-01T12:00Z", 1714564800},
        {"2024-05-01T12:00:00.750Z", 1714564800},
        {"2024-05-01T14:00:00+02:00", 1714564800},
        {"2024-05-01T14:00:00+0200", 1714564800},
        {"2024-05-01T07:00:00-05", 1714564800},
        {"2024-05-01T12:00:00", 1714564800},  // no zone: UTC
        {"2024-05-01", 1714521600},
        {"1970-01-01T00:00:01Z", 1},
        {"2000-02-29T00:00:00Z", 951782400},
        {"2038-01-19T03:14:08Z", 2147483648LL},
        {" 2024-05-01 ", 1714521600},
    }));
    CAPTURE(c.text);
    auto got = parse_iso8601(c.text);
    REQUIRE(got.ok());
    CHECK(*got == c.want);
}

TEST_CASE("iso8601 rejects malformed and impossible dates", "[consent_csv]") {
    auto text = GENERATE(as<std::string>{}, "", "yesterday", "2024-5-1", "2024-13-01", "2023-02-29",
                         "2024-04-31", "2024-05-01T25:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:00Q",
                         "2024-05-01T12", "1969-12-31T23:59:59Z", "2024-05-01T12:00:00+2", "2024-05-01T12:00:00Zjunk");
    CAPTURE(text);
    CHECK_FALSE(parse_iso8601(text).ok());
}

TEST_CASE("iso8601 formats UTC and round-trips", "[consent_csv]") {
    CHECK(format_iso8601(0) == "");
    CHECK(format_iso8601(1714564800) == "2024-05-01T12:00:00Z");
    CHECK(format_iso8601(951782400) == "2000-02-29T00:00:00Z");
    for (std::int64_t t : {1LL, 86399LL, 86400LL, 951868799LL, 1709251199LL, 1735689599LL, 4102444800LL}) {
        auto back = parse_iso8601(format_iso8601(t));
        REQUIRE(back.ok());
        CHECK(*back == t);
    }
}

TEST_CASE("csv header: any order, required columns, no unknown or duplicate names", "[consent_csv]") {
    auto ok = parse_consent_csv_header({" Address ", "STATUS", "scope"});
    REQUIRE(ok.ok());
    CHECK(ok->index[ConsentCsvLayout::address] == 0);
    CHECK(ok->index[ConsentCsvLayout::scope] == 2);
    CHECK(ok->index[ConsentCsvLayout::ip] == -1);

    auto unknown = parse_consent_csv_header({"scope", "address", "status", "email"});
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.status().message().find("unknown column \"email\"") == 0);
    auto dup = parse_consent_csv_header({"scope", "address", "status", "scope"});
    REQUIRE_FALSE(dup.ok());
    CHECK(dup.status().message() == "column \"scope\" appears twice in header");
    auto missing = parse_consent_csv_header({"scope", "address"});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.status().message() == "header lacks the required column \"status\"");
}

TEST_CASE("csv row -> record", "[consent_csv]") {
    auto layout = full_layout();
    auto r = consent_record_from_csv({"shop.example", " Alice@Example.NET ", "confirmed", "double-opt-in",
                                      "https://shop.example/signup", "192.0.2.7", "2024-05-01T12:00:00Z",
                                      "2024-05-01T12:05:00Z", ""},
                                     layout);
    REQUIRE(r.ok());
    CHECK(r->scope == "shop.example");
    CHECK(r->address == "alice@example.net");
    CHECK(r->status == ConsentStatus::confirmed);
    CHECK(r->method == "double-opt-in");
    CHECK(r->source == "https://shop.example/signup");
    CHECK(r->ip == "192.0.2.7");
    CHECK(r->granted_at == 1714564800);
    CHECK(r->confirmed_at == 1714565100);
    CHECK(r->revoked_at == 0);

    // Optional columns left out: method defaults to import.
    auto narrow = parse_consent_csv_header({"scope", "address", "status"});
    REQUIRE(narrow.ok());
    auto n = consent_record_from_csv({"Shop.Example", "bob@example.org", "pending"}, *narrow);
    REQUIRE(n.ok());
    CHECK(n->scope == "shop.example");
    CHECK(n->method == "import");
    CHECK(n->ip == "");
}

TEST_CASE("csv row errors name the column", "[consent_csv]") {
    auto layout = full_layout();
    Fields good = {"shop.example", "a@example.net", "confirmed", "import", "", "", "", "", ""};
    struct Case {
        std::size_t column;
        const char* value;
        const char* want;
    };
    auto c = GENERATE(values<Case>({
        {0, "", "scope: empty scope"},
        {0, "*", "scope: scope \"*\" is only for suppressions"},
        {1, "not-an-address", "address: invalid address \"not-an-address\" (want local@domain)"},
        {1, "a b@example.net", "address: invalid address \"a b@example.net\" (want local@domain)"},
        {2, "maybe", "status: unknown value \"maybe\" (want confirmed, pending or revoked)"},
        {3, "opt-in", "method: unknown method \"opt-in\" (want double-opt-in, single-opt-in or import)"},
        {5, "300.1.1.1", "ip: invalid IP address \"300.1.1.1\""},
        {6, "May 1st", "granted_at: invalid timestamp \"May 1st\" (want ISO 8601 like 2024-05-01T12:00:00Z)"},
        {8, "2024-02-30", "revoked_at: invalid date \"2024-02-30\""},
    }));
    Fields row = good;
    row[c.column] = c.value;
    auto r = consent_record_from_csv(row, layout);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == c.want);

    auto short_row = consent_record_from_csv({"shop.example", "a@example.net"}, layout);
    REQUIRE_FALSE(short_row.ok());
    CHECK(short_row.status().message() == "expected 9 fields, found 2");
}

TEST_CASE("record -> csv row -> record is the identity", "[consent_csv]") {
    ConsentRecord r;
    r.scope = "shop.example";
    r.address = "alice@example.net";
    r.status = ConsentStatus::revoked;
    r.method = "single-opt-in";
    r.source = "form \"winter\", page 2";
    r.ip = "2001:db8::1";
    r.granted_at = 1714564800;
    r.confirmed_at = 1714565100;
    r.revoked_at = 1717000000;
    auto row = consent_record_to_csv(r);
    CHECK(row.size() == consent_csv_columns().size());
    CHECK(row[2] == "revoked");
    CHECK(row[6] == "2024-05-01T12:00:00Z");
    auto back = consent_record_from_csv(row, full_layout());
    REQUIRE(back.ok());
    CHECK(back->scope == r.scope);
    CHECK(back->address == r.address);
    CHECK(back->status == r.status);
    CHECK(back->method == r.method);
    CHECK(back->source == r.source);
    CHECK(back->ip == r.ip);
    CHECK(back->granted_at == r.granted_at);
    CHECK(back->confirmed_at == r.confirmed_at);
    CHECK(back->revoked_at == r.revoked_at);
}

TEST_CASE("admin input checks", "[consent_csv]") {
    CHECK(check_suppression_reason("complaint").ok());
    CHECK(check_suppression_reason("spamtrap").ok());
    CHECK(check_suppression_reason("annoyed").message() ==
          "unknown reason \"annoyed\" (want complaint, bounce, unsubscribe, manual or spamtrap)");
    CHECK(check_ip("192.0.2.1").ok());
    CHECK(check_ip("::1").ok());
    CHECK_FALSE(check_ip("example.com").ok());
    CHECK(check_address("a@b").ok());
    CHECK_FALSE(check_address("@b").ok());
    CHECK_FALSE(check_address("a@").ok());
    CHECK_FALSE(check_address("<a@b>").ok());
}
