// SPDX-License-Identifier: Apache-2.0
// Gathers the sender report from the store's traffic, complaints, history and suspensions.
#include "consent/sender_report_source.h"

#include <cctype>
#include <map>

#include "consent/consent_csv.h"
#include "util/utc_day.h"

namespace cm {

namespace {

constexpr std::int64_t kDay = 86400;

Result<std::int64_t> day_start(const std::string& day, const char* what) {
    auto t = utc_day_start(day);
    if (!t) return Status::InvalidArgument(std::string(what) + ": not a day (YYYY-MM-DD): \"" + day + "\"");
    return *t;
}

// Per-scope summaries, each with one SenderDay per day of the window.
class Builder {
public:
    Builder(std::int64_t since, std::int64_t end) : since_(since), end_(end) {
        for (std::int64_t t = since; t < end; t += kDay) days_.push_back(SenderDay{utc_day(t), 0, 0, 0, 0});
    }
    bool in_window(std::int64_t t) const { return t >= since_ && t < end_; }
    SenderSummary& scope(const std::string& name) {
        SenderSummary& s = scopes_[name];
        if (s.scope.empty()) {
            s.scope = name;
            s.daily = days_;
        }
        return s;
    }
    // nullptr for a day outside the window.
    SenderDay* day(SenderSummary& s, const std::string& day) {
        auto t = utc_day_start(day);
        if (!t || !in_window(*t)) return nullptr;
        return &s.daily[static_cast<std::size_t>((*t - since_) / kDay)];
    }
    std::vector<SenderSummary> take() {
        std::vector<SenderSummary> out;
        for (auto& [name, s] : scopes_) out.push_back(std::move(s));
        return out;
    }

private:
    std::int64_t since_, end_;
    std::vector<SenderDay> days_;
    std::map<std::string, SenderSummary> scopes_;
};

}  // namespace

Result<std::string> parse_report_day(std::string_view text, std::int64_t now) {
    if (text.size() >= 2 && text.back() == 'd') {
        std::string_view n = text.substr(0, text.size() - 1);
        bool digits = n.size() <= 4;
        for (char c : n) digits = digits && std::isdigit(static_cast<unsigned char>(c));
        int days = digits ? std::stoi(std::string(n)) : 0;
        if (days < 1) return Status::InvalidArgument("\"" + std::string(text) + "\": want a number of days such as 30d");
        return utc_day(now - (days - 1) * kDay);
    }
    auto t = parse_iso8601(text);
    if (!t.ok()) return t.status();
    return utc_day(*t);
}

Result<SenderReport> gather_sender_report(ConsentDatabase& db, const std::string& since_day,
                                          const std::string& until_day) {
    auto since = day_start(since_day, "since");
    if (!since.ok()) return since.status();
    auto until = day_start(until_day, "until");
    if (!until.ok()) return until.status();
    if (*until < *since) return Status::InvalidArgument("the window ends (" + until_day + ") before it starts (" + since_day + ")");
    if ((*until - *since) / kDay + 1 > kMaxReportDays)
        return Status::InvalidArgument("a window of at most " + std::to_string(kMaxReportDays) + " days, please");
    const std::int64_t end = *until + kDay;
    Builder b(*since, end);

    Status st = db.each_traffic(since_day, until_day, [&](const TrafficRow& row) -> Status {
        SenderSummary& s = b.scope(row.scope);
        SenderDay* d = b.day(s, row.day);
        if (!d) return Status::OK();
        if (row.kind == TrafficRow::Kind::reason) {
            s.reasons[row.key] += row.messages;
            return Status::OK();
        }
        s.verdicts[row.key] += row.messages;
        s.messages += row.messages;
        s.recipients += row.recipients;
        d->messages += row.messages;
        d->recipients += row.recipients;
        if (is_delivered_verdict(row.key)) {
            s.accepted_recipients += row.recipients;
            d->accepted_recipients += row.recipients;
        }
        return Status::OK();
    });
    if (!st.ok()) return st;

    st = db.each_complaint("", *since, [&](const Complaint& c) -> Status {
        if (!b.in_window(c.received_at)) return Status::OK();
        SenderSummary& s = b.scope(c.scope);
        ++s.complaints;
        if (SenderDay* d = b.day(s, utc_day(c.received_at))) ++d->complaints;
        return Status::OK();
    });
    if (!st.ok()) return st;

    // Scope-wide events and per-address changes alike; global ("*") suppressions belong to
    // no sender. A complaint suppresses too (record_complaint).
    st = db.each_history(*since, end, [&](const HistoryEvent& e) -> Status {
        if (e.scope.empty() || e.scope == "*") return Status::OK();
        SenderSummary& s = b.scope(e.scope);
        ++s.consent_changes[e.event];
        if (e.event == "suppress" || e.event == "complaint") ++s.suppressions;
        return Status::OK();
    });
    if (!st.ok()) return st;

    auto suspended = db.suspensions();
    if (!suspended.ok()) return suspended.status();
    for (const Suspension& x : *suspended) {
        SenderSummary& s = b.scope(x.scope);
        s.suspended = true;
        s.suspended_reason = x.reason;
    }

    SenderReport report;
    report.since = since_day;
    report.until = until_day;
    report.scopes = b.take();
    return report;
}

}  // namespace cm
