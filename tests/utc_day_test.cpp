// SPDX-License-Identifier: Apache-2.0
// Tests for UTC day conversion (lib/util/utc_day.h).
#include <catch2/catch.hpp>

#include <ctime>

#include "util/utc_day.h"

using cm::utc_day;
using cm::utc_day_start;

TEST_CASE("utc_day_start: known days, leap years and the epoch", "[utc_day]") {
    struct Case {
        const char* day;
        std::int64_t want;
    };
    auto c = GENERATE(values<Case>({
        {"1970-01-01", 0},
        {"1969-12-31", -86400},
        {"2000-02-29", 951782400},
        {"2000-03-01", 951868800},
        {"2023-11-14", 1699920000},
        {"2026-12-04", 1796342400},
        {"2024-12-31", 1735603200},
        {"0000-03-01", -62162035200},
    }));
    INFO(c.day);
    auto got = utc_day_start(c.day);
    REQUIRE(got.has_value());
    CHECK(*got == c.want);
    CHECK(utc_day(c.want) == c.day);
    CHECK(utc_day(c.want + 86399) == c.day);
}

TEST_CASE("utc_day_start refuses what is not exactly a real YYYY-MM-DD", "[utc_day]") {
    for (const char* bad : {"", "2026-1-01", "2026-01-1", "2026/01/01", "2026-13-01", "2026-00-10", "2026-02-29",
                            "1900-02-29", "2026-04-31", "2026-01-32", "2026-01-00", " 2026-01-01", "2026-01-01 ",
                            "20a6-01-01", "+026-01-01", "2026-01-01T00"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(utc_day_start(bad).has_value());
    }
}

TEST_CASE("utc_day agrees with gmtime_r for every day over 600 years", "[utc_day]") {
    int mismatches = 0;
    for (std::int64_t t = -10'000'000'000LL; t < 9'000'000'000LL; t += 86400 - 7) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        REQUIRE(gmtime_r(&tt, &tm) != nullptr);
        char want[32];
        std::strftime(want, sizeof want, "%Y-%m-%d", &tm);
        std::string got = utc_day(t);
        auto start = utc_day_start(got);
        bool ok = got == want && start && *start <= t && t < *start + 86400;
        if (!ok && ++mismatches < 5) UNSCOPED_INFO("t=" << t << " got " << got << " want " << want);
    }
    CHECK(mismatches == 0);
}
