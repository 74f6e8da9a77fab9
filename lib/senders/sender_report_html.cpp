// SPDX-License-Identifier: Apache-2.0
// The HTML rendering of the sender report: one page, inline CSS and SVG, no scripts and no
// outside resources, so it opens the same from a mail attachment, a file or a ticket.
#include <algorithm>
#include <cstdio>

#include "senders/sender_report.h"

namespace cm {

namespace {

std::string escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string number(double v, const char* format) {
    char buf[48];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

constexpr int kWidth = 720, kHeight = 180, kLeft = 56, kBottom = 24, kTop = 12;

// Daily bars of `value(day)`, labelled with the first and last day and the maximum.
template <typename Value>
std::string bar_chart(const std::vector<SenderDay>& days, const std::string& title, const char* colour,
                      const char* format, Value value) {
    double max = 0;
    for (const SenderDay& d : days) max = std::max(max, value(d));
    const double plot_w = kWidth - kLeft - 8, plot_h = kHeight - kTop - kBottom;
    const double slot = days.empty() ? plot_w : plot_w / static_cast<double>(days.size());
    std::string svg = "<figure><figcaption>" + escaped(title) + "</figcaption>\n<svg width=\"" +
                      std::to_string(kWidth) + "\" height=\"" + std::to_string(kHeight) + "\" role=\"img\" aria-label=\"" +
                      escaped(title) + "\">\n";
    svg += "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(kHeight - kBottom) + "\" x2=\"" +
           std::to_string(kWidth - 8) + "\" y2=\"" + std::to_string(kHeight - kBottom) + "\" class=\"axis\"/>\n";
    svg += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + std::to_string(kTop + 10) +
           "\" text-anchor=\"end\">" + number(max, format) + "</text>\n";
    svg += "<text x=\"" + std::to_string(kLeft - 6) + "\" y=\"" + std::to_string(kHeight - kBottom) +
           "\" text-anchor=\"end\">0</text>\n";
    for (std::size_t i = 0; i < days.size(); ++i) {
        const double v = value(days[i]);
        const double h = max > 0 ? v / max * plot_h : 0;
        const double x = kLeft + slot * static_cast<double>(i) + slot * 0.1;
        svg += "<rect x=\"" + number(x, "%.1f") + "\" y=\"" + number(kHeight - kBottom - h, "%.1f") + "\" width=\"" +
               number(std::max(slot * 0.8, 1.0), "%.1f") + "\" height=\"" + number(h, "%.1f") + "\" fill=\"" + colour +
               "\"><title>" + escaped(days[i].day) + ": " + number(v, format) + "</title></rect>\n";
    }
    if (!days.empty()) {
        svg += "<text x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(kHeight - 6) + "\">" +
               escaped(days.front().day) + "</text>\n";
        svg += "<text x=\"" + std::to_string(kWidth - 8) + "\" y=\"" + std::to_string(kHeight - 6) +
               "\" text-anchor=\"end\">" + escaped(days.back().day) + "</text>\n";
    }
    return svg + "</svg></figure>\n";
}

std::string count_table(const std::map<std::string, std::int64_t>& counts, const char* what) {
    if (counts.empty()) return "<p class=\"none\">No " + std::string(what) + ".</p>\n";
    std::string out = "<table><tr><th>" + std::string(what) + "</th><th>count</th></tr>\n";
    for (const auto& [key, n] : counts)
        out += "<tr><td>" + escaped(key) + "</td><td class=\"n\">" + std::to_string(n) + "</td></tr>\n";
    return out + "</table>\n";
}

}  // namespace

std::string sender_report_html(const SenderReport& report) {
    const std::string period = escaped(report.since) + " &ndash; " + escaped(report.until);
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>consent-milter sender report " +
        period +
        "</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222}\n"
        "section{border-top:2px solid #ccc;margin-top:2em}\n"
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}\n"
        "td.n{text-align:right}.suspended{color:#b00;font-weight:bold}.none{color:#777}\n"
        "figure{margin:1em 0}figcaption{font-weight:bold}svg text{font-size:11px;fill:#444}.axis{stroke:#888}\n"
        "</style></head><body>\n<h1>Sender report " +
        period + "</h1>\n";
    if (report.scopes.empty()) out += "<p class=\"none\">No traffic, complaints or changes in this window.</p>\n";
    out += "<table><tr><th>sender</th><th>messages</th><th>recipients</th><th>complaints</th><th>complaint rate</th>"
           "<th>state</th></tr>\n";
    for (const SenderSummary& s : report.scopes)
        out += "<tr><td><a href=\"#scope-" + escaped(s.scope) + "\">" + escaped(s.scope) + "</a></td><td class=\"n\">" +
               std::to_string(s.messages) + "</td><td class=\"n\">" + std::to_string(s.recipients) +
               "</td><td class=\"n\">" + std::to_string(s.complaints) + "</td><td class=\"n\">" +
               complaint_rate_text(s.complaints, s.accepted_recipients) + "</td><td" +
               (s.suspended ? " class=\"suspended\">suspended" : ">active") + "</td></tr>\n";
    out += "</table>\n";
    for (const SenderSummary& s : report.scopes) {
        out += "<section id=\"scope-" + escaped(s.scope) + "\"><h2>" + escaped(s.scope) + "</h2>\n";
        if (s.suspended) out += "<p class=\"suspended\">Suspended: " + escaped(s.suspended_reason) + "</p>\n";
        out += "<p>" + std::to_string(s.messages) + " messages to " + std::to_string(s.recipients) + " recipients, " +
               std::to_string(s.complaints) + " complaints (rate " + complaint_rate_text(s.complaints, s.accepted_recipients) +
               "), " + std::to_string(s.suppressions) + " suppressions.</p>\n";
        out += bar_chart(s.daily, "Messages per day", "#4a78b5", "%.0f",
                         [](const SenderDay& d) { return static_cast<double>(d.messages); });
        out += bar_chart(s.daily, "Complaint rate per day (%)", "#c0392b", "%.3f", [](const SenderDay& d) {
            return complaint_rate(d.complaints, d.accepted_recipients) * 100.0;
        });
        out += "<h3>Verdicts</h3>\n" + count_table(s.verdicts, "verdicts");
        out += "<h3>Reasons</h3>\n" + count_table(s.reasons, "reasons");
        out += "<h3>Consent changes</h3>\n" + count_table(s.consent_changes, "consent changes");
        out += "</section>\n";
    }
    return out + "</body></html>\n";
}

}  // namespace cm
