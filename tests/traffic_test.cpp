// SPDX-License-Identifier: Apache-2.0
// Tests for the milter's per-sender traffic counters (lib/senders/traffic.h).
#include <catch2/catch.hpp>

#include <thread>

#include "senders/traffic.h"

using namespace cm;
using Kind = TrafficRow::Kind;

TEST_CASE("traffic: messages and recipients add up per scope, day, verdict and reason", "[traffic]") {
    TrafficCounters counters;
    counters.add({"shop.example", "2026-12-01", "accept", 3, {}});
    counters.add({"shop.example", "2026-12-01", "accept", 2, {{"consent:no-record", 1}}});
    counters.add({"shop.example", "2026-12-01", "reject", 4, {{"body_link:hidden", 4}}});
    counters.add({"shop.example", "2026-12-02", "accept", 1, {}});
    counters.add({"", "2026-12-02", "tag", 1, {}});

    const std::vector<TrafficRow> want = {
        {"-", "2026-12-02", Kind::verdict, "tag", 1, 1},
        {"shop.example", "2026-12-01", Kind::verdict, "accept", 2, 5},
        {"shop.example", "2026-12-01", Kind::verdict, "reject", 1, 4},
        {"shop.example", "2026-12-01", Kind::reason, "body_link:hidden", 1, 4},
        {"shop.example", "2026-12-01", Kind::reason, "consent:no-record", 1, 1},
        {"shop.example", "2026-12-02", Kind::verdict, "accept", 1, 1},
    };
    CHECK(counters.drain() == want);
    CHECK(counters.drain().empty());  // a drain resets the counters
}

TEST_CASE("traffic: rows given back after a failed write are drained again, added to new counts", "[traffic]") {
    TrafficCounters counters;
    counters.add({"a.example", "2026-12-01", "accept", 2, {}});
    auto rows = counters.drain();
    counters.add({"a.example", "2026-12-01", "accept", 1, {}});
    counters.restore(rows);
    auto again = counters.drain();
    REQUIRE(again.size() == 1);
    CHECK(again[0].messages == 2);
    CHECK(again[0].recipients == 3);
}

TEST_CASE("traffic: concurrent adds lose nothing", "[traffic]") {
    TrafficCounters counters;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5000; ++i) counters.add({"a.example", "2026-12-01", "accept", 2, {}});
        });
    std::int64_t drained = 0;
    for (int i = 0; i < 50; ++i)
        for (const TrafficRow& row : counters.drain()) drained += row.messages;
    for (auto& t : threads) t.join();
    for (const TrafficRow& row : counters.drain()) drained += row.messages;
    CHECK(drained == 20000);
}

TEST_CASE("traffic: kind names round-trip; only accept and tag deliver", "[traffic]") {
    for (Kind k : {Kind::verdict, Kind::reason}) CHECK(parse_traffic_kind(traffic_kind_name(k)) == k);
    CHECK_FALSE(parse_traffic_kind("Verdict").has_value());
    CHECK_FALSE(parse_traffic_kind("").has_value());
    for (const char* v : {"accept", "tag"}) CHECK(is_delivered_verdict(v));
    for (const char* v : {"quarantine", "reject", "tempfail", "remove-recipient", "Accept", ""}) {
        INFO(v);
        CHECK_FALSE(is_delivered_verdict(v));
    }
}
