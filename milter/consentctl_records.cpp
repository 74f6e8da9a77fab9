// SPDX-License-Identifier: Apache-2.0
// consentctl_records.cpp - the helpers the command files share, the single-record commands
// and the read-only reports: grant, confirm, revoke, suppress, unsuppress, show, stats, export.
#include <algorithm>
#include <iostream>

#include "consent/consent_csv.h"
#include "consentctl.h"
#include "util/csv.h"

namespace cm::ctl {

bool scope_operand(Ctl& ctl, const Args& args, std::size_t i, std::string& scope) {
    scope = normalize_scope(args.operands[i]);
    if (Status s = check_scope(scope); !s.ok()) {
        *ctl.err << "consentctl: " << s.message() << "\n";
        return false;
    }
    return true;
}

bool key_operands(Ctl& ctl, const Args& args, bool allow_global, std::string& scope, std::string& address) {
    if (allow_global && normalize_scope(args.operands[0]) == "*") scope.assign(1, '*');  // `= "*"` trips GCC 12 -Wrestrict
    else if (!scope_operand(ctl, args, 0, scope)) return false;
    if (Status s = check_address(args.operands[1]); !s.ok()) {
        *ctl.err << "consentctl: " << s.message() << "\n";
        return false;
    }
    address = normalize_address(args.operands[1]);
    return true;
}

bool time_option(Ctl& ctl, const Args& args, const std::string& name, std::int64_t fallback, std::int64_t& out) {
    out = fallback;
    if (!args.has(name)) return true;
    auto at = parse_iso8601(args.get(name));
    if (!at.ok()) {
        *ctl.err << "consentctl: " << name << ": " << at.status().message() << "\n";
        return false;
    }
    out = *at;
    return true;
}

int report_change(Ctl& ctl, const Result<ChangeResult>& r, const std::string& what, const std::string& done,
                  const std::string& unchanged) {
    if (!r.ok()) return store_failure(ctl, what, r.status());
    *ctl.out << (r->changed ? done : unchanged) << "\n";
    return EX_OK;
}

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const char* indent) {
    std::vector<std::size_t> width;
    for (const auto& row : rows) {
        if (width.size() < row.size()) width.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
    }
    for (const auto& row : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << "\n";
    }
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string when(std::int64_t t) { return t ? format_iso8601(t) : "-"; }

int store_failure(Ctl& ctl, const std::string& what, const Status& status) {
    *ctl.err << "consentctl: " << what << ": " << status.ToString() << "\n";
    switch (status.code()) {
    case Status::Code::invalid_argument:
    case Status::Code::not_found: return EX_DATAERR;
    case Status::Code::internal: return EX_SOFTWARE;
    default: return EX_TEMPFAIL;  // unavailable, I/O error, corruption: the store is not usable
    }
}

int cmd_grant(Ctl& ctl, const Args& args) {
    std::string scope, address;
    if (!key_operands(ctl, args, false, scope, address)) return EX_USAGE;
    ConsentRecord r;
    r.scope = scope;
    r.address = address;
    r.method = args.get("--method", "single-opt-in");
    if (Status s = check_method(r.method); !s.ok()) {
        *ctl.err << "consentctl: " << s.message() << "\n";
        return EX_USAGE;
    }
    r.source = args.get("--source");
    r.ip = args.get("--ip");
    if (!r.ip.empty()) {
        if (Status s = check_ip(r.ip); !s.ok()) {
            *ctl.err << "consentctl: " << s.message() << "\n";
            return EX_USAGE;
        }
    }
    if (!time_option(ctl, args, "--at", ctl.now, r.granted_at)) return EX_USAGE;
    if (args.has("--confirmed") && args.has("--pending")) {
        *ctl.err << "consentctl: --confirmed and --pending exclude each other\n";
        return EX_USAGE;
    }
    bool confirmed = args.has("--confirmed") || (!args.has("--pending") && r.method != "double-opt-in");
    r.status = confirmed ? ConsentStatus::confirmed : ConsentStatus::pending;
    if (confirmed) r.confirmed_at = r.granted_at;
    const std::string state = confirmed ? "confirmed" : "pending";
    return report_change(ctl, ctl.db->grant(r, ctl.now), "grant",
                         "granted " + address + " for " + scope + " (" + state + ")",
                         address + " for " + scope + ": already granted (" + state + "), nothing changed");
}

int cmd_confirm(Ctl& ctl, const Args& args) {
    std::string scope, address;
    if (!key_operands(ctl, args, false, scope, address)) return EX_USAGE;
    return report_change(ctl, ctl.db->confirm(scope, address, ctl.now), "confirm " + address + " for " + scope,
                         "confirmed " + address + " for " + scope,
                         address + " for " + scope + ": already confirmed, nothing changed");
}

int cmd_revoke(Ctl& ctl, const Args& args) {
    std::string scope, address;
    if (!key_operands(ctl, args, false, scope, address)) return EX_USAGE;
    return report_change(ctl, ctl.db->revoke(scope, address, args.get("--source", "consentctl"), ctl.now),
                         "revoke " + address + " for " + scope, "revoked " + address + " for " + scope,
                         address + " for " + scope + ": already revoked, nothing changed");
}

int cmd_suppress(Ctl& ctl, const Args& args) {
    std::string scope, address;
    if (!key_operands(ctl, args, true, scope, address)) return EX_USAGE;
    if (!args.has("--reason")) {
        *ctl.err << "consentctl: suppress needs --reason complaint|bounce|unsubscribe|manual|spamtrap\n";
        return EX_USAGE;
    }
    Suppression s;
    s.scope = scope;
    s.address = address;
    s.reason = args.get("--reason");
    if (Status st = check_suppression_reason(s.reason); !st.ok()) {
        *ctl.err << "consentctl: " << st.message() << "\n";
        return EX_USAGE;
    }
    s.source = args.get("--source", "consentctl");
    s.created_at = ctl.now;
    return report_change(ctl, ctl.db->suppress(s, "", ctl.now), "suppress " + address + " for " + scope,
                         "suppressed " + address + " for " + scope + " (" + s.reason + ")",
                         "already suppressed " + address + " for " + scope + ", nothing changed");
}

int cmd_unsuppress(Ctl& ctl, const Args& args) {
    std::string scope, address;
    if (!key_operands(ctl, args, true, scope, address)) return EX_USAGE;
    return report_change(ctl, ctl.db->unsuppress(scope, address, ctl.now), "unsuppress " + address + " for " + scope,
                         "unsuppressed " + address + " for " + scope,
                         address + " was not suppressed for " + scope + ", nothing changed");
}

int cmd_show(Ctl& ctl, const Args& args) {
    if (Status s = check_address(args.operands[0]); !s.ok()) {
        *ctl.err << "consentctl: " << s.message() << "\n";
        return EX_USAGE;
    }
    std::string address = normalize_address(args.operands[0]);
    std::string scope = args.operands.size() > 1 ? normalize_scope(args.operands[1]) : "";
    auto report = ctl.db->show(address, scope);
    if (!report.ok()) return store_failure(ctl, "show " + address, report.status());
    std::ostream& out = *ctl.out;
    out << address << (scope.empty() ? "" : " in scope " + scope) << "\n";
    if (report->records.empty() && report->suppressions.empty() && report->history.empty()) {
        out << "  no consent records, suppressions or history\n";
        return EX_OK;
    }
    out << "\nconsent:\n";
    if (report->records.empty()) out << "  (none)\n";
    std::vector<std::vector<std::string>> rows = {
        {"SCOPE", "STATUS", "METHOD", "GRANTED", "CONFIRMED", "REVOKED", "IP", "SOURCE"}};
    for (const ConsentRecord& r : report->records) {
        rows.push_back({r.scope, consent_status_name(r.status), or_dash(r.method), when(r.granted_at),
                        when(r.confirmed_at), when(r.revoked_at), or_dash(r.ip), or_dash(r.source)});
    }
    if (!report->records.empty()) print_table(out, rows);

    out << "\nsuppressions:\n";
    if (report->suppressions.empty()) out << "  (none)\n";
    rows = {{"SCOPE", "REASON", "SINCE", "SOURCE"}};
    for (const Suppression& s : report->suppressions)
        rows.push_back({s.scope, s.reason, when(s.created_at), or_dash(s.source)});
    if (!report->suppressions.empty()) print_table(out, rows);

    out << "\nhistory:\n";
    if (report->history.empty()) out << "  (none)\n";
    rows = {{"WHEN", "SCOPE", "EVENT", "DETAIL", "REF"}};
    for (const HistoryEvent& h : report->history)
        rows.push_back({when(h.at), h.scope, h.event, or_dash(h.detail), or_dash(h.ref)});
    if (!report->history.empty()) print_table(out, rows);
    return EX_OK;
}

int cmd_stats(Ctl& ctl, const Args&) {
    auto stats = ctl.db->stats();
    if (!stats.ok()) return store_failure(ctl, "stats", stats.status());
    std::vector<std::vector<std::string>> rows = {{"SCOPE", "CONFIRMED", "PENDING", "REVOKED", "SUPPRESSED"}};
    ScopeStats total;
    for (const ScopeStats& s : *stats) {
        rows.push_back({s.scope, std::to_string(s.confirmed), std::to_string(s.pending), std::to_string(s.revoked),
                        std::to_string(s.suppressed)});
        total.confirmed += s.confirmed;
        total.pending += s.pending;
        total.revoked += s.revoked;
        total.suppressed += s.suppressed;
    }
    rows.push_back({"total", std::to_string(total.confirmed), std::to_string(total.pending),
                    std::to_string(total.revoked), std::to_string(total.suppressed)});
    print_table(*ctl.out, rows, "");
    return EX_OK;
}

int cmd_export(Ctl& ctl, const Args& args) {
    std::string scope = args.operands.empty() ? "" : normalize_scope(args.operands[0]);
    CsvWriter writer(*ctl.out);
    writer.write_row(consent_csv_columns());
    Status s = ctl.db->export_records(scope, [&](const ConsentRecord& r) { writer.write_row(consent_record_to_csv(r)); });
    if (!s.ok()) return store_failure(ctl, "export", s);
    return EX_OK;
}

}  // namespace cm::ctl
