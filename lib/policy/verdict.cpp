// SPDX-License-Identifier: Apache-2.0
#include "policy/verdict.h"

#include <algorithm>

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

void add_reason(Report& report, Reason reason) {
    if (std::find(report.reasons.begin(), report.reasons.end(), reason) == report.reasons.end())
        report.reasons.push_back(reason);
}

}  // namespace

Action configured_action(const Config& config, Reason reason) {
    switch (reason_info(reason).action) {
    case ActionSetting::list_unsubscribe_action: return config.list_unsubscribe_action;
    case ActionSetting::body_link_action: return config.body_link_action;
    case ActionSetting::oversize_action: return config.oversize_action;
    case ActionSetting::consent_action: return config.consent_action;
    case ActionSetting::suspended_action: return config.suspended_action;
    case ActionSetting::complaint_rate_action:
        switch (config.complaint_rate_action) {
        case ComplaintRateAction::reject: return Action::reject;
        case ComplaintRateAction::tag: return Action::tag;
        case ComplaintRateAction::suspend: return config.suspended_action;  // the message is sender:suspended
        }
    }
    return Action::reject;
}

void choose_verdict(const Config& config, bool store_answered, Report& report) {
    Verdict verdict = Verdict::accept;
    report.reasons.clear();
    report.removed_recipients.clear();
    const Verdict on_error = config.on_error == OnErrorAction::tempfail ? Verdict::tempfail : Verdict::accept;
    if (report.exempt) {
        report.verdict = store_answered ? Verdict::accept : on_error;
        return;
    }

    if (report.sender.reason != Reason::none) {
        add_reason(report, report.sender.reason);
        raise(verdict, verdict_of(configured_action(config, report.sender.reason)));
    }
    if (report.list_unsubscribe_checked && !report.list_unsubscribe.pass) {
        add_reason(report, report.list_unsubscribe.reason);
        raise(verdict, verdict_of(configured_action(config, report.list_unsubscribe.reason)));
    }
    if (report.body_link_checked && !report.body_link.pass) {
        add_reason(report, report.body_link.reason);
        raise(verdict, verdict_of(configured_action(config, report.body_link.reason)));
    }

    if (!store_answered) {
        report.consent.result = "skipped";
        raise(verdict, on_error);
    } else {
        std::size_t failed = 0;
        for (const RecipientConsent& r : report.consent.recipients) {
            if (r.pass) continue;
            ++failed;
            add_reason(report, r.reason);
            const Action action = configured_action(config, r.reason);
            if (action == Action::remove_recipient && !config.monitor)
                report.removed_recipients.push_back(r.address);
            else
                raise(verdict, verdict_of(action));
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
    for (Reason r : report.reasons) {
        if (!out.empty()) out += ',';
        out += qualified_code(r);
    }
    return out;
}

SmtpReply smtp_reply(const Config& config, const Report& report) {
    if (report.verdict == Verdict::tempfail)
        return {"451", "4.3.0", "Sending policy check temporarily unavailable, try again later"};
    if (report.verdict != Verdict::reject) return {};

    const ReplyTemplate& t = config.reject_reply;
    SmtpReply reply{t.code, t.xcode, {}};
    const std::string reasons = reasons_text(report);
    for (std::size_t i = 0; i < t.text.size(); ++i) {
        if (i > 0) reply.text += reasons;
        reply.text += t.text[i];
    }
    return reply;
}

}  // namespace cm
