// SPDX-License-Identifier: Apache-2.0
// sender_report_source.h - the sender report (senders/sender_report.h) gathered from the store.
//
// One definition of what `consentctl report` counts (DESIGN §11), per scope, for a window of
// UTC days: the milter's traffic counters of those days, the complaints received in them,
// the history events (suppressions, consent changes, suspensions) made in them, and whether
// the scope is suspended now. Reads the store only; no clock (days and `now` come in).
// Thread-safe as the store is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consent/consent_db.h"
#include "senders/sender_report.h"
#include "util/status.h"

namespace cm {

// The longest window gather_sender_report() accepts, in days.
constexpr int kMaxReportDays = 366;

// since_day .. until_day (YYYY-MM-DD, both included). InvalidArgument for a bad or reversed
// window or one longer than kMaxReportDays; a store failure as the store reports it.
Result<SenderReport> gather_sender_report(ConsentDatabase& db, const std::string& since_day,
                                          const std::string& until_day);

// A day given on the command line: "YYYY-MM-DD" or an ISO 8601 timestamp (its UTC day), or
// "Nd" = the first of the last N days up to the day of `now` ("1d" = today).
// InvalidArgument names what is wrong.
Result<std::string> parse_report_day(std::string_view text, std::int64_t now);

}  // namespace cm
