// SPDX-License-Identifier: Apache-2.0
// consent_store.h - the consent store interface and the pure per-recipient judgement.
//
// A ConsentStore answers, for one scope (the ESP customer) and a list of recipient
// addresses, what is recorded about each: consent status and timestamps, and whether a
// suppression (for this scope or global '*') applies; for a sender scope, its suspension and
// traffic (DESIGN §11). Implementations must be safe to call
// from several threads at once. Time never comes from inside a check: judge_consent() takes
// `now` from its caller.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/findings.h"
#include "senders/traffic.h"
#include "util/status.h"

namespace cm {

enum class ConsentStatus { confirmed, pending, revoked };

// What the store knows about one (scope, address).
struct ConsentLookup {
    std::string address;            // as asked
    bool has_record = false;
    ConsentStatus status = ConsentStatus::pending;
    std::int64_t granted_at = 0;    // unix seconds, 0 = unknown
    std::int64_t confirmed_at = 0;
    bool suppressed = false;        // per-scope or global suppression in force
    std::string suppression_reason; // complaint, bounce, unsubscribe, manual, spamtrap
};

// What the store knows about a sender scope (DESIGN §11): whether it is suspended, and its
// accepted recipients and complaints over a window of UTC days.
struct SenderState {
    bool suspended = false;
    std::string suspension_reason;        // as given to `consentctl suspend` (or automatic)
    std::int64_t accepted_recipients = 0; // recipients of accepted or tagged messages
    std::int64_t complaints = 0;
};

// An excluded sender scope (DESIGN §11). At most one per scope.
struct Suspension {
    std::string scope;
    std::string reason;              // free text; an automatic one states the figures
    std::string source;              // who or what: "consentctl", "complaint-rate"
    std::int64_t created_at = 0;
};

// What a change did: false when it was a no-op (same state already, or `ref` already seen).
struct ChangeResult {
    bool changed = false;
};

struct ConsentPolicy {
    bool require_confirmed = true;  // RequireConfirmedConsent
    int max_age_days = 0;           // ConsentMaxAge, 0 = never stale
};

class ConsentStore {
public:
    virtual ~ConsentStore() = default;
    // One entry per address, same order, in one round trip. Status::Unavailable when the
    // store cannot be reached (the caller applies OnError).
    virtual Result<std::vector<ConsentLookup>> lookup(std::string_view scope,
                                                      const std::vector<std::string>& addresses) = 0;
    // The scope's suspension, and its totals over the UTC days since_day .. today
    // (since_day "YYYY-MM-DD"). Status::Unavailable as for lookup().
    virtual Result<SenderState> sender_state(std::string_view scope, std::string_view since_day) = 0;
    // Adds the milter's traffic counters (traffic.h) in ONE transaction; rows of the same
    // (scope, day, kind, key) already stored are added to, so several MTAs add up. On error
    // nothing was written (the caller restores the rows and retries later).
    virtual Status add_traffic(const std::vector<TrafficRow>& rows) = 0;
    // Suspends the scope (one transaction, with a history event); a no-op when it is already
    // suspended. Here rather than in ConsentDatabase because the milter records automatic
    // suspensions (ComplaintRateAction suspend).
    virtual Result<ChangeResult> suspend(const Suspension& suspension, std::int64_t now) = 0;
};

// pass, or fail with no-record / revoked / unconfirmed / expired / suppressed.
RecipientConsent judge_consent(const ConsentLookup& found, const ConsentPolicy& policy, std::int64_t now);

// Canonical form used as the store key: trimmed, lower-cased (local part and domain).
std::string normalize_address(std::string_view address);

}  // namespace cm
