// SPDX-License-Identifier: Apache-2.0
// complaint_rate_excess(): the ComplaintRate* rule of DESIGN §11, table-driven.
#include <catch2/catch.hpp>

#include "senders/complaint_rate.h"

namespace {

cm::Config rule(double limit, int min_volume, int window_days = 7) {
    cm::Config c;
    c.complaint_rate_limit = limit;
    c.complaint_rate_min_volume = min_volume;
    c.complaint_rate_window_days = window_days;
    return c;
}

}  // namespace

TEST_CASE("complaint rate: when the rule breaks", "[senders]") {
    struct Case {
        const char* name;
        cm::Config config;
        std::int64_t complaints, accepted;
        const char* want;  // "" = the rule holds
    };
    const Case cases[] = {
        {"above the limit", rule(0.3, 1000), 26, 5000,
         "complaint rate 0.52% (26 complaints / 5000 accepted recipients in 7 days) above ComplaintRateLimit 0.3%"},
        {"off by default", cm::Config{}, 500, 5000, ""},
        {"exactly at the limit holds", rule(0.5, 1000), 25, 5000, ""},
        {"just above the limit", rule(0.5, 1000), 26, 5000,
         "complaint rate 0.52% (26 complaints / 5000 accepted recipients in 7 days) above ComplaintRateLimit 0.5%"},
        {"below the minimum volume", rule(0.3, 1000), 500, 999, ""},
        {"at the minimum volume", rule(0.3, 1000), 500, 1000,
         "complaint rate 50% (500 complaints / 1000 accepted recipients in 7 days) above ComplaintRateLimit 0.3%"},
        {"no complaints", rule(0.1, 1), 0, 100000, ""},
        {"nothing accepted", rule(0.1, 1), 3, 0, ""},
        {"singular words", rule(0.1, 1, 1), 1, 1,
         "complaint rate 100% (1 complaint / 1 accepted recipient in 1 day) above ComplaintRateLimit 0.1%"},
        {"small rate", rule(0.01, 1000), 1, 3000,
         "complaint rate 0.0333% (1 complaint / 3000 accepted recipients in 7 days) above ComplaintRateLimit 0.01%"},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const auto got = cm::complaint_rate_excess(c.config, c.complaints, c.accepted);
        CHECK(got.value_or("") == c.want);
    }
}
