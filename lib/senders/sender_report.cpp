// SPDX-License-Identifier: Apache-2.0
// The JSON and text renderings of the sender report (the HTML page: sender_report_html.cpp).
#include "senders/sender_report.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace cm {

double complaint_rate(std::int64_t complaints, std::int64_t accepted) {
    return accepted > 0 ? static_cast<double>(complaints) / static_cast<double>(accepted) : 0.0;
}

std::string complaint_rate_text(std::int64_t complaints, std::int64_t accepted) {
    if (accepted <= 0) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f%%", complaint_rate(complaints, accepted) * 100.0);
    return buf;
}

double SenderSummary::complaint_rate() const { return cm::complaint_rate(complaints, accepted_recipients); }

std::string sender_report_json(const SenderReport& report) {
    using json = nlohmann::ordered_json;
    json scopes = json::array();
    for (const SenderSummary& s : report.scopes) {
        json daily = json::array();
        for (const SenderDay& d : s.daily)
            daily.push_back({{"day", d.day},
                             {"messages", d.messages},
                             {"recipients", d.recipients},
                             {"complaints", d.complaints},
                             {"complaint_rate", complaint_rate(d.complaints, d.accepted_recipients)}});
        json scope = {{"scope", s.scope},
                      {"messages", s.messages},
                      {"recipients", s.recipients},
                      {"verdicts", s.verdicts},
                      {"reasons", s.reasons},
                      {"complaints", s.complaints},
                      {"complaint_rate", s.complaint_rate()},
                      {"suspended", s.suspended},
                      {"suppressions", s.suppressions},
                      {"consent_changes", s.consent_changes},
                      {"daily", daily}};
        if (s.suspended) scope["suspended_reason"] = s.suspended_reason;
        scopes.push_back(std::move(scope));
    }
    json out = {{"since", report.since}, {"until", report.until}, {"scopes", scopes}};
    return out.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {

std::string joined(const std::map<std::string, std::int64_t>& counts) {
    std::string out;
    for (const auto& [key, n] : counts) out += (out.empty() ? "" : ", ") + key + "=" + std::to_string(n);
    return out.empty() ? "-" : out;
}

}  // namespace

std::string sender_report_text(const SenderReport& report) {
    std::string out = "Sender report " + report.since + " .. " + report.until + "\n";
    if (report.scopes.empty()) return out + "no traffic, complaints or changes in this window\n";
    for (const SenderSummary& s : report.scopes) {
        out += "\n" + s.scope + (s.suspended ? "  [SUSPENDED: " + s.suspended_reason + "]" : "") + "\n";
        out += "  messages " + std::to_string(s.messages) + ", recipients " + std::to_string(s.recipients) +
               ", complaints " + std::to_string(s.complaints) + ", complaint rate " +
               complaint_rate_text(s.complaints, s.accepted_recipients) + "\n";
        out += "  verdicts: " + joined(s.verdicts) + "\n";
        out += "  reasons: " + joined(s.reasons) + "\n";
        out += "  suppressions: " + std::to_string(s.suppressions) + ", consent changes: " + joined(s.consent_changes) +
               "\n";
        std::string days;
        for (const SenderDay& d : s.daily) {
            if (d.messages == 0 && d.complaints == 0) continue;
            char line[160];
            std::snprintf(line, sizeof line, "  %-10s  %8lld  %10lld  %10lld  %s\n", d.day.c_str(),
                          static_cast<long long>(d.messages), static_cast<long long>(d.recipients),
                          static_cast<long long>(d.complaints),
                          complaint_rate_text(d.complaints, d.accepted_recipients).c_str());
            days += line;
        }
        if (!days.empty()) out += "  day         messages  recipients  complaints  rate\n" + days;
    }
    return out;
}

}  // namespace cm
