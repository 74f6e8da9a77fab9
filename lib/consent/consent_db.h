// SPDX-License-Identifier: Apache-2.0
// consent_db.h - the administrable consent store: records, suppressions, append-only history.
//
// ConsentDatabase extends the read-only ConsentStore (consent_store.h) with the changes
// consentctl makes. Semantics (DESIGN §7): keyed by (scope, normalize_address(address));
// suppressions per scope or global "*" override any consent; every change is one transaction
// and appends one history event per changed key; history is never deleted or rewritten.
// Time comes in as `now` (unix seconds). One implementation, the engine (engine.h), over two
// backends (sqlite/, pg/); both are safe to use from several threads at once and both pass
// tests/consent_backend_suite.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "consent/consent_store.h"
#include "util/status.h"

namespace cm {

const char* consent_status_name(ConsentStatus s);                 // confirmed, pending, revoked
std::optional<ConsentStatus> parse_consent_status(std::string_view s);

struct ConsentRecord {
    std::string scope;
    std::string address;             // normalised
    ConsentStatus status = ConsentStatus::pending;
    std::string method;              // double-opt-in, single-opt-in, import
    std::string source;              // free text: form URL, list name, file name
    std::string ip;                  // where consent was given
    std::int64_t granted_at = 0;     // unix seconds, 0 = none
    std::int64_t confirmed_at = 0;
    std::int64_t revoked_at = 0;
};

struct Suppression {
    std::string scope;               // a scope or "*"
    std::string address;
    std::string reason;              // complaint, bounce, unsubscribe, manual, spamtrap
    std::string source;
    std::int64_t created_at = 0;
};

struct HistoryEvent {
    std::int64_t id = 0;             // increasing
    std::int64_t at = 0;
    std::string scope;
    std::string address;
    std::string event;               // grant, confirm, revoke, suppress, unsuppress, import,
                                     // complaint, suspend, unsuspend
    std::string detail;              // human-readable: "method=double-opt-in source=... ip=..."
    std::string ref;                 // external reference (ARF report id), "" when none
};

// One complaint about one message: from an ARF report, a forwarded spam or by hand.
struct Complaint {
    std::int64_t id = 0;             // increasing, assigned by the store
    std::string scope;
    std::string address;             // the complained-about recipient, normalised
    std::int64_t received_at = 0;    // when the complaint was made (Arrival-Date, --at), unix s
    std::string report_ref;          // external id (ARF report), "" when none
    std::string source;              // "arf:FILE", "forwarded:FILE", "manual:TEXT"
    // The recipient's consent record as it stood when the complaint was recorded; none =
    // no record at all (a bought or harvested list).
    std::optional<ConsentRecord> consent;
};

// Everything known about one address: for `consentctl show`, the proof of consent.
struct AddressReport {
    std::vector<ConsentRecord> records;
    std::vector<Suppression> suppressions;
    std::vector<HistoryEvent> history;  // oldest first
};

struct ScopeStats {
    std::string scope;
    std::int64_t confirmed = 0, pending = 0, revoked = 0, suppressed = 0;
};

class ConsentDatabase : public ConsentStore {
public:
    // Creates or updates the record; `confirmed` sets status confirmed (confirmed_at = at),
    // else pending. A grant on a revoked record re-opts in.
    virtual Result<ChangeResult> grant(const ConsentRecord& record, std::int64_t now) = 0;
    // NotFound when there is no record.
    virtual Result<ChangeResult> confirm(const std::string& scope, const std::string& address, std::int64_t now) = 0;
    virtual Result<ChangeResult> revoke(const std::string& scope, const std::string& address,
                                        const std::string& source, std::int64_t now) = 0;
    // `ref` (e.g. an ARF report's id) makes the call idempotent: a ref already in the history
    // changes nothing.
    virtual Result<ChangeResult> suppress(const Suppression& suppression, const std::string& ref,
                                          std::int64_t now) = 0;
    virtual Result<ChangeResult> unsuppress(const std::string& scope, const std::string& address,
                                            std::int64_t now) = 0;

    // Bulk load in ONE transaction: `next` fills a record and returns true until the input is
    // exhausted; each record is upserted as given (status and timestamps taken verbatim),
    // history appended only for keys whose state changed. Either all rows land or none.
    virtual Result<std::int64_t> import_records(const std::function<Result<bool>(ConsentRecord&)>& next,
                                                std::int64_t now) = 0;
    // Streams records (all scopes when `scope` is empty), ordered by scope, address.
    virtual Status export_records(const std::string& scope,
                                  const std::function<void(const ConsentRecord&)>& out) = 0;

    // `scope` empty = every scope.
    virtual Result<AddressReport> show(const std::string& address, const std::string& scope) = 0;
    virtual Result<std::vector<ScopeStats>> stats() = 0;

    // Sender accountability (DESIGN §11). Every change below appends history (address "" for
    // a scope-wide event) and is one transaction. suspend() is ConsentStore's.
    virtual Result<ChangeResult> unsuspend(const std::string& scope, const std::string& source,
                                           std::int64_t now) = 0;
    virtual Result<std::vector<Suspension>> suspensions() = 0;  // ordered by scope
    // Records the complaint with the recipient's consent record read in the same transaction,
    // suppresses the address for the scope (reason "complaint") and appends history. A
    // non-empty report_ref already recorded makes it a no-op.
    virtual Result<ChangeResult> record_complaint(const Complaint& complaint, std::int64_t now) = 0;
    // Complaints of one scope (all when empty) with received_at >= since, oldest first.
    virtual Status each_complaint(const std::string& scope, std::int64_t since,
                                  const std::function<Status(const Complaint&)>& out) = 0;
    // Stored traffic rows with since_day <= day <= until_day, ordered by scope, day, kind, key.
    virtual Status each_traffic(const std::string& since_day, const std::string& until_day,
                                const std::function<Status(const TrafficRow&)>& out) = 0;
    // History events (all scopes and addresses) with since <= at < until, oldest first.
    virtual Status each_history(std::int64_t since, std::int64_t until,
                                const std::function<Status(const HistoryEvent&)>& out) = 0;
};

struct OpenOptions {
    bool create = true;      // create the file/schema when missing (consentctl); the milter
                             // opens an existing store and reports it missing otherwise
    int busy_timeout_ms = 5000;  // SQLite: how long to wait for a lock held by a writer
    int pool_size = 4;       // PostgreSQL connections kept
    int statement_timeout_ms = 0;  // PostgreSQL: cancel a statement running longer; 0 = never
    int sqlite_cache_kib = 0;      // SQLite page cache per pooled connection; 0 = SQLite's 2 MiB
};

// "sqlite:/path/consent.db" or "postgresql://..." / "postgres://...". A missing, corrupt or
// unreachable store is a Status (Unavailable / Corruption / IOError), never a crash.
Result<std::unique_ptr<ConsentDatabase>> open_consent_database(const std::string& uri,
                                                               const OpenOptions& options = {});

// The file path of a "sqlite:" URI; "" for any other URI (or a sqlite: one without a path).
std::string sqlite_store_path(std::string_view uri);

}  // namespace cm
