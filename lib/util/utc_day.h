// SPDX-License-Identifier: Apache-2.0
// utc_day.h - UTC calendar days ("YYYY-MM-DD") and unix seconds, converted by arithmetic.
//
// No time zone, locale or C library time state is involved: pure functions, thread-safe.
// Days are proleptic Gregorian, years 0000-9999.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cm {

// Unix seconds of 00:00:00 UTC on `day`; nullopt unless `day` is exactly "YYYY-MM-DD" and a
// real date (no 2026-02-30).
std::optional<std::int64_t> utc_day_start(std::string_view day);

// The UTC day that contains `unix_seconds` (negative = before 1970), as "YYYY-MM-DD".
std::string utc_day(std::int64_t unix_seconds);

}  // namespace cm
