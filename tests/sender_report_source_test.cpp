// SPDX-License-Identifier: Apache-2.0
// Tests for gathering the sender report from a real SQLite store
// (lib/consent/sender_report_source.h): window edges, per-day figures, suspensions.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "consent/consent_db.h"
#include "consent/sender_report_source.h"

using namespace cm;

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1796385600;         // 2026-12-04T12:00:00Z
constexpr std::int64_t kDec2 = 1796205600;        // 2026-12-02T10:00:00Z
constexpr std::int64_t kBeforeWindow = 1796083199; // 2026-11-30T23:59:59Z
constexpr std::int64_t kLastSecond = 1796342399;  // 2026-12-03T23:59:59Z
constexpr std::int64_t kAfterWindow = 1796342400; // 2026-12-04T00:00:00Z

// A fresh SQLite store in a private directory, removed afterwards.
struct TempStore {
    fs::path dir;
    std::unique_ptr<ConsentDatabase> db;
    TempStore() {
        std::string tmpl = (fs::temp_directory_path() / "sender-report-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
        auto opened = open_consent_database("sqlite:" + (dir / "consent.db").string());
        INFO(opened.status().ToString());
        REQUIRE(opened.ok());
        db = std::move(opened).value();
    }
    ~TempStore() {
        db.reset();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

TrafficRow verdict(const std::string& scope, const std::string& day, const std::string& key, std::int64_t m,
                   std::int64_t r) {
    return TrafficRow{scope, day, TrafficRow::Kind::verdict, key, m, r};
}

void complain(ConsentDatabase& db, const std::string& scope, const std::string& address, std::int64_t at,
              const std::string& ref) {
    Complaint c;
    c.scope = scope;
    c.address = address;
    c.received_at = at;
    c.report_ref = ref;
    c.source = "manual:test";
    auto r = db.record_complaint(c, at);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
}

const SenderSummary* find_scope(const SenderReport& report, const std::string& scope) {
    for (const SenderSummary& s : report.scopes)
        if (s.scope == scope) return &s;
    return nullptr;
}

}  // namespace

TEST_CASE("report days from the command line", "[sender_report]") {
    struct Case {
        const char* text;
        const char* want;
    };
    auto c = GENERATE(values<Case>({
        {"2026-11-01", "2026-11-01"},
        {"2026-11-30T23:30:00-01:00", "2026-12-01"},
        {"30d", "2026-11-05"},
        {"1d", "2026-12-04"},
    }));
    auto got = parse_report_day(c.text, kNow);
    INFO(c.text);
    REQUIRE(got.ok());
    CHECK(*got == c.want);
    for (const char* bad : {"0d", "d", "xd", "yesterday", "2026-13-01", "99999d"}) {
        INFO(bad);
        CHECK_FALSE(parse_report_day(bad, kNow).ok());
    }
}

TEST_CASE("the report of a window: traffic, complaints, history and suspensions per scope", "[sender_report]") {
    TempStore store;
    ConsentDatabase& db = *store.db;
    ConsentRecord rec;
    rec.scope = "shop.example";
    rec.address = "a@example.net";
    rec.status = ConsentStatus::confirmed;
    rec.method = "double-opt-in";
    rec.granted_at = rec.confirmed_at = kDec2;
    REQUIRE(db.grant(rec, kDec2).ok());
    REQUIRE(db.add_traffic({verdict("shop.example", "2026-11-30", "accept", 1000, 1000),  // before the window
                            verdict("shop.example", "2026-12-01", "accept", 90, 400),
                            verdict("shop.example", "2026-12-01", "tag", 10, 100),
                            verdict("shop.example", "2026-12-02", "reject", 5, 20),
                            {"shop.example", "2026-12-02", TrafficRow::Kind::reason, "body_link:hidden", 5, 20},
                            verdict("news.example", "2026-12-03", "accept", 7, 7),
                            verdict("news.example", "2026-12-04", "accept", 70, 70)})  // after it
                .ok());
    complain(db, "shop.example", "a@example.net", kDec2, "<r1@isp>");
    complain(db, "shop.example", "b@example.net", kLastSecond, "<r2@isp>");
    complain(db, "shop.example", "c@example.net", kBeforeWindow, "<r0@isp>");
    complain(db, "shop.example", "d@example.net", kAfterWindow, "<r3@isp>");
    Suppression global{"*", "trap@example.org", "spamtrap", "test", kDec2};
    REQUIRE(db.suppress(global, "", kDec2).ok());
    REQUIRE(db.suspend(Suspension{"spam.example", "purchased list", "consentctl", kDec2}, kDec2).ok());

    auto got = gather_sender_report(db, "2026-12-01", "2026-12-03");
    INFO(got.status().ToString());
    REQUIRE(got.ok());
    const SenderReport& report = *got;
    CHECK(report.since == "2026-12-01");
    CHECK(report.until == "2026-12-03");
    REQUIRE(report.scopes.size() == 3);
    CHECK(report.scopes[0].scope == "news.example");  // ordered by scope; no "*"

    const SenderSummary* shop = find_scope(report, "shop.example");
    REQUIRE(shop);
    CHECK(shop->messages == 105);
    CHECK(shop->recipients == 520);
    CHECK(shop->verdicts == std::map<std::string, std::int64_t>{{"accept", 90}, {"reject", 5}, {"tag", 10}});
    CHECK(shop->reasons == std::map<std::string, std::int64_t>{{"body_link:hidden", 5}});
    CHECK(shop->accepted_recipients == 500);
    CHECK(shop->complaints == 2);
    CHECK(shop->complaint_rate() == Approx(2.0 / 500));
    CHECK_FALSE(shop->suspended);
    CHECK(shop->consent_changes.count("grant") == 1);
    CHECK(shop->consent_changes.count("complaint") == 1);
    REQUIRE(shop->daily.size() == 3);
    CHECK(shop->daily[0].day == "2026-12-01");
    CHECK(shop->daily[0].messages == 100);
    CHECK(shop->daily[0].accepted_recipients == 500);
    CHECK(shop->daily[1].complaints == 1);
    CHECK(shop->daily[1].accepted_recipients == 0);
    CHECK(shop->daily[2].complaints == 1);

    const SenderSummary* news = find_scope(report, "news.example");
    REQUIRE(news);
    CHECK(news->messages == 7);
    CHECK(news->daily[2].messages == 7);

    const SenderSummary* spam = find_scope(report, "spam.example");
    REQUIRE(spam);
    CHECK(spam->suspended);
    CHECK(spam->suspended_reason == "purchased list");
    CHECK(spam->messages == 0);
    CHECK(spam->daily.size() == 3);
}

TEST_CASE("a bad window is refused before the store is read", "[sender_report]") {
    TempStore store;
    auto reversed = gather_sender_report(*store.db, "2026-12-03", "2026-12-01");
    REQUIRE_FALSE(reversed.ok());
    CHECK(reversed.status().message() == "the window ends (2026-12-01) before it starts (2026-12-03)");
    auto long_window = gather_sender_report(*store.db, "2025-01-01", "2026-12-01");
    REQUIRE_FALSE(long_window.ok());
    CHECK(long_window.status().message() == "a window of at most 366 days, please");
    auto not_a_day = gather_sender_report(*store.db, "2026-12-01T10:00:00Z", "2026-12-03");
    REQUIRE_FALSE(not_a_day.ok());
    CHECK(not_a_day.status().message() == "since: not a day (YYYY-MM-DD): \"2026-12-01T10:00:00Z\"");
    auto empty = gather_sender_report(*store.db, "2026-12-01", "2026-12-01");
    INFO(empty.status().ToString());
    REQUIRE(empty.ok());
    CHECK(empty->scopes.empty());
}
