// SPDX-License-Identifier: Apache-2.0
// engine.h - the consent engine: ConsentDatabase written once over a ConsentBackend.
//
// Every rule of DESIGN §7 lives here: key validation, how a grant merges with what is stored,
// when a change is a no-op, history details, ref idempotency, import's all-or-nothing. The
// backend (backend.h) only stores and fetches. The engine owns its backend; it is as
// thread-safe as the backend (both shipped backends are safe from several threads at once).
#pragma once

#include <memory>

#include "consent/backend.h"
#include "consent/consent_db.h"

namespace cm {

std::unique_ptr<ConsentDatabase> make_consent_engine(std::unique_ptr<ConsentBackend> backend);

// The rules, exposed for tests. Rejects an empty scope, '*' where not allowed (consent records
// never use it) and an empty address; normalises `address` in place (normalize_address).
Status check_consent_key(const std::string& scope, std::string& address, bool allow_star);

// The record a grant of `want` leaves, given what was stored (`had`). Unset method/source/ip
// keep the stored values; an unset granted_at keeps a live record's, else `now`; confirmed_at
// likewise for a confirmed grant and 0 for a pending one; revoked_at is cleared.
ConsentRecord merge_grant(const std::optional<ConsentRecord>& had, ConsentRecord want, std::int64_t now);

// History detail: space-separated key=value pairs, empty values omitted, values with spaces
// or quotes double-quoted with backslash escapes.
std::string record_detail(const ConsentRecord& r);  // status, method, source, ip, timestamps

}  // namespace cm
