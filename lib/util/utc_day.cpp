// SPDX-License-Identifier: Apache-2.0
#include "util/utc_day.h"

#include <cstdio>

namespace cm {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;
constexpr std::int64_t kDaysPer400Years = 146097;
// Days from 0000-03-01 to 1970-01-01, in a calendar whose years start on March 1st (so the
// leap day is the last day of a year).
constexpr std::int64_t kEpochShift = 719468;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of year-month-day (month 1-12, day 1-31; not range-checked here).
std::int64_t days_from_date(std::int64_t year, int month, int day) {
    std::int64_t march_year = month <= 2 ? year - 1 : year;
    std::int64_t era = floor_div(march_year, 400);
    std::int64_t year_of_era = march_year - era * 400;                   // 0..399
    int month_from_march = month <= 2 ? month + 9 : month - 3;            // 0..11
    std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;  // 0..365
    std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * kDaysPer400Years + day_of_era - kEpochShift;
}

struct Date {
    std::int64_t year;
    int month, day;
};

Date date_from_days(std::int64_t days) {
    std::int64_t shifted = days + kEpochShift;
    std::int64_t era = floor_div(shifted, kDaysPer400Years);
    std::int64_t day_of_era = shifted - era * kDaysPer400Years;  // 0..146096
    std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / (kDaysPer400Years - 1)) / 365;
    std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int month_from_march = static_cast<int>((5 * day_of_year + 2) / 153);
    int day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    int month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
    return Date{era * 400 + year_of_era + (month <= 2 ? 1 : 0), month, day};
}

// The digits of s[pos, pos+n) as a number; -1 if any is not a digit.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

}  // namespace

std::optional<std::int64_t> utc_day_start(std::string_view day) {
    if (day.size() != 10 || day[4] != '-' || day[7] != '-') return std::nullopt;
    int y = digits(day, 0, 4), m = digits(day, 5, 2), d = digits(day, 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    std::int64_t days = days_from_date(y, m, d);
    Date back = date_from_days(days);
    if (back.month != m || back.day != d) return std::nullopt;  // e.g. 02-30 rolled into March
    return days * kSecondsPerDay;
}

std::string utc_day(std::int64_t unix_seconds) {
    Date d = date_from_days(floor_div(unix_seconds, kSecondsPerDay));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(d.year), d.month, d.day);
    return buf;
}

}  // namespace cm
