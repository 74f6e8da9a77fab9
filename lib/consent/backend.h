// SPDX-License-Identifier: Apache-2.0
// backend.h - what a consent storage backend implements: transactions over a few primitives.
//
// The engine (engine.h) owns every rule; a backend (sqlite/, pg/) owns only its SQL dialect,
// connections and transactions, as LevelDB's DB is written once over Env. A ConsentTxn is valid
// only inside the write()/read() callback that received it, on that one thread; a
// ConsentBackend is safe from several threads at once. Rows are decoded here, once (see Row).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consent/consent_db.h"
#include "util/status.h"

namespace cm {

// One result row as a backend's driver presents it; columns are 0-based, NULL reads as ""/0.
class Row {
public:
    virtual std::string text(int col) const = 0;
    virtual std::int64_t integer(int col) const = 0;
    virtual bool is_null(int col) const = 0;

protected:
    ~Row() = default;
};

// The column orders of the backends' queries, and their one decoder each.
// record:      scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at
// suppression: scope, address, reason, source, created_at
// history:     id, at, scope, address, event, detail, ref
// lookup:      record status or NULL, granted_at, confirmed_at, suppression reason or NULL
// scope count: scope, confirmed, pending, revoked, suppressed
// suspension:  scope, reason, source, created_at
// complaint:   id, received_at, report_ref, source, has_consent (0/1), then the record as it
//              stood, in record order from scope (its status etc. ignored when has_consent is 0)
// traffic:     scope, day, kind ("verdict" / "reason"), key, messages, recipients
Result<ConsentRecord> record_from_row(const Row& row);
Suppression suppression_from_row(const Row& row);
HistoryEvent history_from_row(const Row& row);
Status lookup_from_row(const Row& row, ConsentLookup& out);  // fills all but `address`
ScopeStats scope_count_from_row(const Row& row);
Suspension suspension_from_row(const Row& row);
Result<Complaint> complaint_from_row(const Row& row);
Result<TrafficRow> traffic_from_row(const Row& row);

// What one backend call hands on, one item at a time; an error stops the query.
template <class T>
using Each = std::function<Status(const T&)>;

// A record change together with the history event that records it.
struct RecordWrite {
    ConsentRecord record;
    HistoryEvent event;
};

// One open transaction. Keys passed in are already validated and normalised by the engine.
class ConsentTxn {
public:
    virtual ~ConsentTxn() = default;

    virtual Result<std::optional<ConsentRecord>> get_record(const std::string& scope, const std::string& address) = 0;
    virtual Status put_record(const ConsentRecord& record) = 0;  // insert or replace
    virtual Result<std::optional<Suppression>> get_suppression(const std::string& scope,
                                                               const std::string& address) = 0;
    virtual Status put_suppression(const Suppression& suppression) = 0;  // insert or replace
    // True when there was one to delete.
    virtual Result<bool> delete_suppression(const std::string& scope, const std::string& address) = 0;
    // Whether any history event carries this (non-empty) external reference.
    virtual Result<bool> ref_seen(const std::string& ref) = 0;
    virtual Status append_history(const HistoryEvent& event) = 0;  // event.id is assigned by the store

    // Bulk forms for import. The defaults loop over the single-key primitives; a backend with
    // a faster path (one array query, a pipeline) overrides them. `found` is in `keys` order.
    virtual Status get_records(const std::vector<std::pair<std::string, std::string>>& keys,
                               std::vector<std::optional<ConsentRecord>>& found);
    virtual Status put_records(const std::vector<RecordWrite>& writes);

    // Queries for export, show and stats.
    // Records of one scope (all scopes when empty), ordered by scope then address.
    virtual Status each_record(const std::string& scope, const Each<ConsentRecord>& out) = 0;
    // What is stored about one address; `scope` empty = every scope, else that scope (records)
    // or that scope and '*' (suppressions, history). History oldest first, the rest by scope.
    virtual Status records_of(const std::string& address, const std::string& scope,
                              const Each<ConsentRecord>& out) = 0;
    virtual Status suppressions_of(const std::string& address, const std::string& scope,
                                   const Each<Suppression>& out) = 0;
    virtual Status history_of(const std::string& address, const std::string& scope,
                              const Each<HistoryEvent>& out) = 0;
    // Partial counts per scope (the engine adds up rows of the same scope).
    virtual Status scope_counts(const Each<ScopeStats>& out) = 0;

    // Sender accountability (DESIGN §11). A suspension is keyed by scope alone.
    virtual Result<std::optional<Suspension>> get_suspension(const std::string& scope) = 0;
    virtual Status put_suspension(const Suspension& suspension) = 0;  // insert or replace
    virtual Result<bool> delete_suspension(const std::string& scope) = 0;  // true when there was one
    virtual Status each_suspension(const Each<Suspension>& out) = 0;  // ordered by scope
    // Stores a new complaint (complaint.id is assigned by the store), its consent snapshot too.
    virtual Status insert_complaint(const Complaint& complaint) = 0;
    // Complaints of `scope` (all when empty) with received_at >= since, by received_at then id.
    virtual Status each_complaint(const std::string& scope, std::int64_t since, const Each<Complaint>& out) = 0;
    // How many complaints of `scope` have received_at >= since.
    virtual Result<std::int64_t> count_complaints(const std::string& scope, std::int64_t since) = 0;
    // Adds each row's messages and recipients to the stored row of its (scope, day, kind, key),
    // which starts at 0 when missing. Rows are distinct keys, in a fixed (sorted) order.
    virtual Status add_traffic(const std::vector<TrafficRow>& rows) = 0;
    // Stored rows with since_day <= day <= until_day, ordered by scope, day, kind name, key.
    virtual Status each_traffic(const std::string& since_day, const std::string& until_day,
                                const Each<TrafficRow>& out) = 0;
    // The verdict rows of `scope` with day >= since_day, summed per verdict (day ""), by key.
    virtual Status verdict_totals(const std::string& scope, const std::string& since_day,
                                  const Each<TrafficRow>& out) = 0;
    // History events (every scope and address) with since <= at < until, by at then id.
    virtual Status history_between(std::int64_t since, std::int64_t until, const Each<HistoryEvent>& out) = 0;
};

// Identifies the one key a write touches, so the backend can serialise writers of that key.
struct ConsentKey {
    const std::string& scope;
    const std::string& address;
};

// Whether a write tells every milter sharing the store to drop its cache (DESIGN §11, see
// consent/change_watch.h): every change of consent, suppressions or suspensions must; a write
// of traffic counters alone (add_traffic, every 10 s per milter) must not.
enum class Notify { change, quiet };

class ConsentBackend {
public:
    virtual ~ConsentBackend() = default;

    // Runs `body` in one write transaction and commits when it returns OK; any error (from
    // `body` or the commit) leaves the store untouched. `key`: the single key the change
    // touches; nullopt for a bulk change that consumes its input as it goes, which therefore
    // must never be replayed (e.g. after a reconnect). `notify`: see Notify; the notification
    // is part of the transaction (sent only if it commits).
    virtual Status write(std::optional<ConsentKey> key, const std::function<Status(ConsentTxn&)>& body,
                         Notify notify = Notify::change) = 0;
    // Runs `body` in one read-only transaction: one consistent snapshot.
    virtual Status read(const std::function<Status(ConsentTxn&)>& body) = 0;

    // The milter's hot path: one row per key (lookup column order), in `keys` order, from one
    // consistent snapshot. `keys` are normalised addresses.
    virtual Status lookup(std::string_view scope, const std::vector<std::string>& keys, const Each<Row>& out) = 0;
};

// The schema version check both backends apply at open: `found` is the store's version and
// `latest` the number of migrations this build knows. OK when equal or when `can_migrate`;
// Unavailable otherwise, naming `store` ("consent store /path" or "consent store").
Status check_schema_version(const std::string& store, int found, int latest, bool can_migrate);

}  // namespace cm
