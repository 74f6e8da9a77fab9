// SPDX-License-Identifier: Apache-2.0
// sender_report.h - the per-sender compliance report of `consentctl report` (DESIGN §11).
//
// Plain values gathered from the consent store (traffic counters, complaints, suppressions,
// suspensions, consent history) for a window of UTC days, and three pure renderings of them:
// JSON (the DESIGN §11 shape; keys may be added, never renamed), a text table for the
// terminal, and one self-contained HTML page with inline SVG charts (no scripts, no outside
// resources) for the abuse desk. Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cm {

struct SenderDay {
    std::string day;                  // YYYY-MM-DD
    std::int64_t messages = 0;
    std::int64_t recipients = 0;
    std::int64_t accepted_recipients = 0;  // recipients of accepted or tagged messages
    std::int64_t complaints = 0;
};

struct SenderSummary {
    std::string scope;
    std::int64_t messages = 0;
    std::int64_t recipients = 0;
    std::map<std::string, std::int64_t> verdicts;   // verdict name -> messages
    std::map<std::string, std::int64_t> reasons;    // "check:code" -> messages
    std::int64_t complaints = 0;
    std::int64_t accepted_recipients = 0;
    bool suspended = false;
    std::string suspended_reason;
    std::int64_t suppressions = 0;                  // suppressions made in the window (by
                                                    // hand or by a complaint)
    std::map<std::string, std::int64_t> consent_changes;  // history event -> count in the window
    std::vector<SenderDay> daily;                   // every day of the window, oldest first

    // complaints / accepted recipients; 0 when nothing was accepted.
    double complaint_rate() const;
};

struct SenderReport {
    std::string since;  // first day, YYYY-MM-DD
    std::string until;  // last day
    std::vector<SenderSummary> scopes;  // ordered by scope
};

// complaints / accepted recipients, 0 when `accepted` is 0.
double complaint_rate(std::int64_t complaints, std::int64_t accepted);
// The rate as people read it: "0.060%", or "-" when nothing was accepted (no rate).
std::string complaint_rate_text(std::int64_t complaints, std::int64_t accepted);

std::string sender_report_json(const SenderReport& report);
// The daily table lists only the days with messages or complaints.
std::string sender_report_text(const SenderReport& report);
std::string sender_report_html(const SenderReport& report);

}  // namespace cm
