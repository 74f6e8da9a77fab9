// SPDX-License-Identifier: Apache-2.0
// consent_rules.h - the pure rules every ConsentDatabase backend applies to a change.
//
// Key validation, how a grant merges with an existing record, when two records are the same
// state (no-op), and the text of history details. No I/O: a backend reads the old state, calls
// these, and writes what they return, so SQLite and PostgreSQL agree by construction.
// Plain functions on values; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consent/consent_db.h"
#include "util/status.h"

namespace cm {

// Rejects an empty scope, '*' where not allowed (consent records never use it), and an empty
// address; normalises `address` in place (normalize_address).
Status check_consent_key(const std::string& scope, std::string& address, bool allow_star);

// A suppression's key (scope or '*', address normalised in place) and its reason: complaint,
// bounce, unsubscribe, manual or spamtrap.
Status check_suppression(Suppression& suppression);

// The record a grant of `want` leaves, given what was stored (`had`). Unset method/source/ip
// keep the stored values; an unset granted_at keeps a live record's, else `now`; confirmed_at
// likewise for a confirmed grant and 0 for a pending one; revoked_at is cleared.
ConsentRecord merge_grant(const std::optional<ConsentRecord>& had, ConsentRecord want, std::int64_t now);

// Same status, method, source, ip and timestamps (the key is not compared).
bool same_consent_state(const ConsentRecord& a, const ConsentRecord& b);

// History detail: space-separated key=value pairs, empty values omitted, values with spaces
// or quotes double-quoted with backslash escapes.
void add_detail(std::string& out, std::string_view key, std::string_view value);
void add_detail(std::string& out, std::string_view key, std::int64_t value);  // 0 omitted
std::string record_detail(const ConsentRecord& r);  // status, method, source, ip, timestamps

}  // namespace cm
