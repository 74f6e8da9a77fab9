// SPDX-License-Identifier: Apache-2.0
#include "policy/verdict.h"

#include <algorithm>
#include <cctype>

namespace cm {

const char* verdict_name(Verdict v) {
    switch (v) {
    case Verdict::accept: return "accept";
    case Verdict::tag: return "tag";
    case Verdict::quarantine: return "quarantine";
    case Verdict::reject: return "reject";
    case Verdict::tempfail: return "tempfail";
    }
    return "accept";
}

namespace {

int severity(Verdict v) {
    switch (v) {
    case Verdict::accept: return 0;
    case Verdict::tag: return 1;
    case Verdict::quarantine: return 2;
    case Verdict::tempfail: return 3;  // a definite reject beats "try again later"
    case Verdict::reject: return 4;
    }
    return 0;
}

Verdict verdict_of(Action action) {
    switch (action) {
    case Action::accept: return Verdict::accept;
    case Action::tag: return Verdict::tag;
    case Action::quarantine: return Verdict::quarantine;
    case Action::reject: return Verdict::reject;
    case Action::remove_recipient: return Verdict::accept;  // handled per recipient
    }
    return Verdict::accept;
}

void raise(Verdict& current, Verdict candidate) {
    if (severity(candidate) > severity(current)) current = candidate;
}

void add_reason(Report& report, const std::string& reason) {
    if (std::find(report.reasons.begin(), report.reasons.end(), reason) == report.reasons.end())
        report.reasons.push_back(reason);
}

}  // namespace

void choose_verdict(const Config& config, bool consent_ran, Report& report) {
    Verdict verdict = Verdict::accept;
    report.reasons.clear();
    report.removed_recipients.clear();
    if (report.exempt) {
        report.verdict = Verdict::accept;
        return;
    }

    if (report.list_unsubscribe_checked && !report.list_unsubscribe.pass) {
        add_reason(report, "list_unsubscribe:" + report.list_unsubscribe.reason);
        raise(verdict, verdict_of(config.list_unsubscribe_action));
    }
    if (report.body_link_checked && !report.body_link.pass) {
        add_reason(report, "body_link:" + report.body_link.reason);
        Action action = report.body_link.reason == "truncated" ? config.oversize_action : config.body_link_action;
        raise(verdict, verdict_of(action));
    }

    if (!consent_ran) {
        report.consent.result = "skipped";
        if (config.on_error == OnErrorAction::tempfail) raise(verdict, Verdict::tempfail);
    } else {
        std::size_t failed = 0;
        for (const RecipientConsent& r : report.consent.recipients) {
            if (r.pass) continue;
            ++failed;
            add_reason(report, "consent:" + r.reason);
            if (config.consent_action == Action::remove_recipient && !config.monitor)
                report.removed_recipients.push_back(r.address);
            else
                raise(verdict, verdict_of(config.consent_action));
        }
        if (config.consent_action == Action::remove_recipient && failed > 0 && !config.monitor &&
            failed == report.consent.recipients.size()) {
            raise(verdict, Verdict::reject);  // nobody left to deliver to
            report.removed_recipients.clear();
        }
    }

    if (config.monitor && severity(verdict) > severity(Verdict::tag)) verdict = Verdict::tag;
    if (config.monitor && !report.reasons.empty()) raise(verdict, Verdict::tag);
    if (verdict == Verdict::reject || verdict == Verdict::tempfail) report.removed_recipients.clear();
    report.verdict = verdict;
}

std::string reasons_text(const Report& report) {
    std::string out;
    for (const std::string& r : report.reasons) {
        if (!out.empty()) out += ',';
        out += r;
    }
    return out;
}

SmtpReply smtp_reply(const Config& config, const Report& report) {
    if (report.verdict == Verdict::tempfail)
        return {"451", "4.3.0", "Sending policy check temporarily unavailable, try again later"};
    if (report.verdict != Verdict::reject) return {};

    // RejectReply is "CODE [X.Y.Z] text" (validated by the config parser).
    std::string tmpl = config.reject_reply;
    SmtpReply reply;
    std::size_t pos = tmpl.find(' ');
    reply.code = tmpl.substr(0, pos);
    std::string rest = pos == std::string::npos ? std::string() : tmpl.substr(pos + 1);
    std::size_t end = rest.find(' ');
    std::string second = rest.substr(0, end);
    if (!second.empty() && std::isdigit(static_cast<unsigned char>(second[0])) &&
        std::count(second.begin(), second.end(), '.') == 2) {
        reply.xcode = second;
        rest = end == std::string::npos ? std::string() : rest.substr(end + 1);
    }
    const std::string reasons = reasons_text(report);
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '%' && i + 1 < rest.size() && rest[i + 1] == 'r') {
            reply.text += reasons;
            ++i;
        } else if (rest[i] == '%' && i + 1 < rest.size() && rest[i + 1] == '%') {
            reply.text += '%';
            ++i;
        } else {
            reply.text += rest[i];
        }
    }
    return reply;
}

}  // namespace cm
