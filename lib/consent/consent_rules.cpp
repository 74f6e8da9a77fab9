// SPDX-License-Identifier: Apache-2.0
// consent_rules.cpp - see consent_rules.h.
#include "consent/consent_rules.h"

namespace cm {

Status check_consent_key(const std::string& scope, std::string& address, bool allow_star) {
    if (scope.empty()) return Status::InvalidArgument("consent store: empty scope");
    if (scope == "*" && !allow_star) return Status::InvalidArgument("consent store: scope '*' is for suppressions only");
    address = normalize_address(address);
    if (address.empty()) return Status::InvalidArgument("consent store: empty address");
    return Status::OK();
}

Status check_suppression(Suppression& suppression) {
    if (Status st = check_consent_key(suppression.scope, suppression.address, true); !st.ok()) return st;
    const std::string& r = suppression.reason;
    if (r == "complaint" || r == "bounce" || r == "unsubscribe" || r == "manual" || r == "spamtrap") return Status::OK();
    return Status::InvalidArgument("suppression reason '" + r +
                                   "': expected complaint, bounce, unsubscribe, manual or spamtrap");
}

ConsentRecord merge_grant(const std::optional<ConsentRecord>& had, ConsentRecord want, std::int64_t now) {
    bool live = had && had->status != ConsentStatus::revoked;
    if (had && want.method.empty()) want.method = had->method;
    if (had && want.source.empty()) want.source = had->source;
    if (had && want.ip.empty()) want.ip = had->ip;
    if (want.granted_at == 0) want.granted_at = live ? had->granted_at : now;
    if (want.status == ConsentStatus::confirmed) {
        if (want.confirmed_at == 0)
            want.confirmed_at = (live && had->status == ConsentStatus::confirmed) ? had->confirmed_at : now;
    } else {
        want.confirmed_at = 0;
    }
    want.revoked_at = 0;
    return want;
}

bool same_consent_state(const ConsentRecord& a, const ConsentRecord& b) {
    return a.status == b.status && a.method == b.method && a.source == b.source && a.ip == b.ip &&
           a.granted_at == b.granted_at && a.confirmed_at == b.confirmed_at && a.revoked_at == b.revoked_at;
}

void add_detail(std::string& out, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!out.empty()) out += ' ';
    out.append(key).append("=");
    if (value.find_first_of(" \t\"") == std::string_view::npos) {
        out.append(value);
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

void add_detail(std::string& out, std::string_view key, std::int64_t value) {
    if (value != 0) add_detail(out, key, std::to_string(value));
}

std::string record_detail(const ConsentRecord& r) {
    std::string d;
    add_detail(d, "status", consent_status_name(r.status));
    add_detail(d, "method", r.method);
    add_detail(d, "source", r.source);
    add_detail(d, "ip", r.ip);
    add_detail(d, "granted_at", r.granted_at);
    add_detail(d, "confirmed_at", r.confirmed_at);
    add_detail(d, "revoked_at", r.revoked_at);
    return d;
}

}  // namespace cm
