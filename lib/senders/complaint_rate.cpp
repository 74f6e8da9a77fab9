// SPDX-License-Identifier: Apache-2.0
#include "senders/complaint_rate.h"

#include <cstdio>

#include "senders/sender_report.h"

namespace cm {

namespace {

// A percentage as people write it: "0.52", "0.3", "12" (up to 4 decimals, no trailing zeros).
std::string percent(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", value);
    std::string s = buf;
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
}

}  // namespace

std::optional<std::string> complaint_rate_excess(const Config& config, std::int64_t complaints,
                                                 std::int64_t accepted_recipients) {
    if (config.complaint_rate_limit <= 0 || accepted_recipients < config.complaint_rate_min_volume)
        return std::nullopt;
    const double rate_percent = complaint_rate(complaints, accepted_recipients) * 100.0;
    if (!(rate_percent > config.complaint_rate_limit)) return std::nullopt;
    const int days = config.complaint_rate_window_days;
    return "complaint rate " + percent(rate_percent) + "% (" + std::to_string(complaints) + " complaint" +
           (complaints == 1 ? "" : "s") + " / " + std::to_string(accepted_recipients) + " accepted recipient" +
           (accepted_recipients == 1 ? "" : "s") + " in " + std::to_string(days) + " day" + (days == 1 ? "" : "s") +
           ") above ComplaintRateLimit " + percent(config.complaint_rate_limit) + "%";
}

}  // namespace cm
