// SPDX-License-Identifier: Apache-2.0
#include "policy/report_text.h"

#include <cstdio>

#include "policy/verdict.h"

namespace cm {

namespace {

std::string check_state(bool pass, Reason reason) {
    return pass ? "pass" : "fail (" + std::string(reason_code(reason)) + ")";
}

std::string consent_state(const ConsentFinding& consent) {
    if (consent.result == "skipped") return "skipped";
    std::size_t passed = 0;
    for (const auto& r : consent.recipients) passed += r.pass;
    return consent.result + " (" + std::to_string(passed) + "/" + std::to_string(consent.recipients.size()) + ")";
}

}  // namespace

std::string escape_for_log(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string tag_header_value(const Report& report) {
    if (report.exempt) return std::string("verdict=accept; exempt");
    std::string out = std::string("verdict=") + verdict_name(report.verdict);
    out += "; list_unsubscribe=" + check_state(report.list_unsubscribe.pass, report.list_unsubscribe.reason);
    out += "; body_link=" + check_state(report.body_link.pass, report.body_link.reason);
    out += "; consent=" + consent_state(report.consent);
    // Only when failing, so that the header of every other message keeps its form.
    if (report.sender.reason != Reason::none) out += "; sender=" + check_state(false, report.sender.reason);
    return out;
}

std::string log_line(const LogContext& context, const Report& report) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f", context.ms);
    std::string out = escape_for_log(context.queue_id.empty() ? "NOQUEUE" : context.queue_id);
    out += ": verdict=";
    out += verdict_name(report.verdict);
    if (report.exempt) out += " exempt=\"" + escape_for_log(report.exempt_why) + "\"";
    out += " reasons=" + (report.reasons.empty() ? std::string("-") : reasons_text(report));
    out += " rcpts=" + std::to_string(context.rcpts);
    out += " removed=" + std::to_string(report.removed_recipients.size());
    out += " scope=" + (report.scope.empty() ? std::string("-") : escape_for_log(report.scope));
    out += " size=" + std::to_string(context.size);
    out += " ms=" + std::string(ms);
    if (report.truncated) out += " truncated=yes";
    if (!report.error.empty()) out += " error=\"" + escape_for_log(report.error) + "\"";
    return out;
}

std::string human_report(const Report& report) {
    std::string out = std::string("verdict: ") + verdict_name(report.verdict) + "\n";
    if (report.exempt)
        return out + "exempt: " + report.exempt_why + "\n" + (report.error.empty() ? "" : "error: " + report.error + "\n");
    if (!report.reasons.empty()) out += "reasons: " + reasons_text(report) + "\n";
    if (!report.error.empty()) out += "error: " + report.error + "\n";

    const auto& lu = report.list_unsubscribe;
    out += "list_unsubscribe: " + check_state(lu.pass, lu.reason) +
           (report.list_unsubscribe_checked ? "" : " [not required]") + "\n";
    for (const auto& uri : lu.uris) out += "  uri: " + escape_for_log(uri) + "\n";
    out += std::string("  one-click: ") + (lu.one_click ? "yes" : "no") + "\n";

    const auto& body = report.body_link;
    out += "body_link: " + check_state(body.pass, body.reason) +
           (report.body_link_checked ? "" : " [not required]") + "\n";
    for (const auto& link : body.links) {
        out += "  " + link.part + " " + escape_for_log(link.url) + " \"" + escape_for_log(link.text) + "\"";
        out += link.visible ? " visible" : " hidden";
        if (!link.why.empty()) out += " (" + link.why + ")";
        out += "\n";
    }
    for (const auto& p : body.parts) out += "  part " + p.part + ": " + check_state(p.pass, p.reason) + "\n";

    out += "sender: " + (report.sender.reason != Reason::none ? check_state(false, report.sender.reason)
                                                               : report.sender.result) + "\n";
    if (!report.sender.detail.empty()) out += "  " + escape_for_log(report.sender.detail) + "\n";
    if (report.sender.suspend) out += "  the scope is to be suspended (ComplaintRateAction suspend)\n";
    if (!report.exempt_why.empty()) out += "  exemption void, the scope is suspended: " + report.exempt_why + "\n";
    out += "consent: " + consent_state(report.consent) + (report.scope.empty() ? "" : " scope " + report.scope) + "\n";
    for (const auto& r : report.consent.recipients)
        out += "  " + escape_for_log(r.address) + ": " + check_state(r.pass, r.reason) + "\n";
    for (const auto& r : report.removed_recipients) out += "removed: " + escape_for_log(r) + "\n";
    if (report.truncated) out += "truncated: yes (only a prefix of the message was scanned)\n";
    for (const auto& n : report.notes) out += "note: " + n + "\n";
    return out;
}

}  // namespace cm
