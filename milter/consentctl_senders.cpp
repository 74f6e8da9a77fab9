// SPDX-License-Identifier: Apache-2.0
// consentctl_senders.cpp - sender accountability (DESIGN §11): suspend, unsuspend, suspended,
// complaint, complaints, report.
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "consent/consent_csv.h"
#include "consent/sender_report_source.h"
#include "util/utc_day.h"
#include "consentctl.h"

namespace cm::ctl {

namespace {

using json = nlohmann::ordered_json;

constexpr const char* kNoRecord = "no consent record (bought or harvested list?)";

void print_json(Ctl& ctl, const json& value) {
    *ctl.out << value.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

// ISO 8601 UTC, or null for "none".
json time_json(std::int64_t t) { return t ? json(format_iso8601(t)) : json(nullptr); }

// --NAME as a day (YYYY-MM-DD, ISO 8601 or Nd), `fallback` when absent.
bool day_option(Ctl& ctl, const Args& args, const std::string& name, const std::string& fallback, std::string& out) {
    out = fallback;
    if (!args.has(name)) return true;
    auto day = parse_report_day(args.get(name), ctl.now);
    if (!day.ok()) {
        *ctl.err << "consentctl: " << name << ": " << day.status().message() << "\n";
        return false;
    }
    out = *day;
    return true;
}

}  // namespace

int cmd_suspend(Ctl& ctl, const Args& args) {
    Suspension s;
    if (!scope_operand(ctl, args, 0, s.scope)) return EX_USAGE;
    s.reason = args.get("--reason");
    if (s.reason.empty()) {
        *ctl.err << "consentctl: suspend needs --reason TEXT (why the sender is excluded)\n";
        return EX_USAGE;
    }
    s.source = "consentctl";
    s.created_at = ctl.now;
    return report_change(ctl, ctl.db->suspend(s, ctl.now), "suspend " + s.scope, "suspended " + s.scope,
                         s.scope + " is already suspended, nothing changed");
}

int cmd_unsuspend(Ctl& ctl, const Args& args) {
    std::string scope;
    if (!scope_operand(ctl, args, 0, scope)) return EX_USAGE;
    return report_change(ctl, ctl.db->unsuspend(scope, "consentctl", ctl.now), "unsuspend " + scope,
                         "unsuspended " + scope, scope + " was not suspended, nothing changed");
}

int cmd_suspended(Ctl& ctl, const Args& args) {
    auto list = ctl.db->suspensions();
    if (!list.ok()) return store_failure(ctl, "suspended", list.status());
    if (args.has("--json")) {
        json out = json::array();
        for (const Suspension& s : *list)
            out.push_back({{"scope", s.scope}, {"reason", s.reason}, {"source", s.source},
                           {"created_at", time_json(s.created_at)}});
        print_json(ctl, {{"suspensions", out}});
        return EX_OK;
    }
    if (list->empty()) {
        *ctl.out << "no sender is suspended\n";
        return EX_OK;
    }
    std::vector<std::vector<std::string>> rows = {{"SCOPE", "SINCE", "SOURCE", "REASON"}};
    for (const Suspension& s : *list) rows.push_back({s.scope, when(s.created_at), or_dash(s.source), s.reason});
    print_table(*ctl.out, rows, "");
    return EX_OK;
}

int cmd_complaint(Ctl& ctl, const Args& args) {
    Complaint c;
    if (!key_operands(ctl, args, false, c.scope, c.address)) return EX_USAGE;
    if (!time_option(ctl, args, "--at", ctl.now, c.received_at)) return EX_USAGE;
    c.source = "manual:" + args.get("--source", "consentctl");
    return report_change(ctl, ctl.db->record_complaint(c, ctl.now), "complaint about " + c.address + " for " + c.scope,
                         "recorded complaint about " + c.address + " for " + c.scope + " (suppressed)",
                         "complaint about " + c.address + " for " + c.scope + " already recorded, nothing changed");
}

int cmd_complaints(Ctl& ctl, const Args& args) {
    std::string scope;
    if (!args.operands.empty() && !scope_operand(ctl, args, 0, scope)) return EX_USAGE;
    std::string since_day;
    if (!day_option(ctl, args, "--since", "", since_day)) return EX_USAGE;
    std::int64_t since = 0;
    if (!since_day.empty()) since = *utc_day_start(since_day);

    const bool as_json = args.has("--json");
    json list = json::array();
    std::vector<std::vector<std::string>> rows = {
        {"RECEIVED", "SCOPE", "ADDRESS", "VIA", "REF", "CONSENT", "METHOD", "CONFIRMED", "IP", "SOURCE"}};
    Status st = ctl.db->each_complaint(scope, since, [&](const Complaint& c) -> Status {
        if (as_json) {
            json consent = nullptr;
            if (c.consent) {
                const ConsentRecord& r = *c.consent;
                consent = {{"status", consent_status_name(r.status)}, {"method", r.method}, {"source", r.source},
                           {"ip", r.ip}, {"confirmed_at", time_json(r.confirmed_at)}};
            }
            list.push_back({{"scope", c.scope}, {"address", c.address}, {"received_at", time_json(c.received_at)},
                            {"report_ref", c.report_ref}, {"source", c.source}, {"consent", consent}});
            return Status::OK();
        }
        std::vector<std::string> row = {when(c.received_at), c.scope, c.address, or_dash(c.source), or_dash(c.report_ref)};
        if (c.consent) {
            const ConsentRecord& r = *c.consent;
            row.insert(row.end(), {consent_status_name(r.status), or_dash(r.method), when(r.confirmed_at), or_dash(r.ip),
                                   or_dash(r.source)});
        } else {
            row.push_back(kNoRecord);
        }
        rows.push_back(std::move(row));
        return Status::OK();
    });
    if (!st.ok()) return store_failure(ctl, "complaints", st);
    if (as_json) print_json(ctl, {{"complaints", list}});
    else if (rows.size() == 1) *ctl.out << "no complaints\n";
    else print_table(*ctl.out, rows, "");
    return EX_OK;
}

int cmd_report(Ctl& ctl, const Args& args) {
    const std::string format = args.get("--format", "text");
    if (format != "text" && format != "json" && format != "html") {
        *ctl.err << "consentctl: --format: unknown format \"" << format << "\" (want text, json or html)\n";
        return EX_USAGE;
    }
    std::string since, until;
    if (!day_option(ctl, args, "--since", *parse_report_day("30d", ctl.now), since) ||
        !day_option(ctl, args, "--until", utc_day(ctl.now), until))
        return EX_USAGE;
    auto report = gather_sender_report(*ctl.db, since, until);
    if (!report.ok()) {
        if (report.status().code() != Status::Code::invalid_argument) return store_failure(ctl, "report", report.status());
        *ctl.err << "consentctl: report: " << report.status().message() << "\n";
        return EX_USAGE;
    }
    const std::string text = format == "json"   ? sender_report_json(*report)
                             : format == "html" ? sender_report_html(*report)
                                                : sender_report_text(*report);
    if (!args.has("-o")) {
        *ctl.out << text;
        return EX_OK;
    }
    const std::string path = args.get("-o");
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file) {
        *ctl.err << "consentctl: cannot write " << path << "\n";
        return EX_CANTCREAT;
    }
    return EX_OK;
}

}  // namespace cm::ctl
