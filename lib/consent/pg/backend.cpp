// SPDX-License-Identifier: Apache-2.0
// backend.cpp - the PostgreSQL consent backend: SQL, transactions, fast paths (backend.h).
//
// Same tables and columns as the SQLite backend (schema.h); the rules are the engine's
// (consent/engine.h). A change to one key runs in one transaction holding a
// transaction-scoped advisory lock on that key, so two MTAs or consentctl runs changing the
// same key serialise (a missing row cannot be locked FOR UPDATE). Fast paths: lookup and
// import's reads take one array query; import's writes go through a libpq pipeline.
// Connections, prepared statements and reconnects: connection.h.
#include "consent/pg/backend.h"

#include "consent/pg/change_watch.h"
#include "consent/pg/connection.h"
#include "consent/pg/schema.h"

namespace cm {

namespace {

// pg_advisory_xact_lock key serialising schema creation/migration ("cm-schm").
constexpr const char* kSchemaLockSql = "SELECT pg_advisory_xact_lock(7164797395633517)";
constexpr const char* kReadOnlyBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";  // one snapshot

// ---- statements (prepared per connection on first use); column orders: consent/backend.h ----

// One round trip for the whole list: one row per asked address, in the order asked. The
// scope's own suppression wins over the global one (two primary-key probes).
const PgStatement kLookup{"cm_lookup",
    "SELECT c.status, c.granted_at, c.confirmed_at,"
    " COALESCE((SELECT reason FROM suppression WHERE scope = $1 AND address = k.address),"
    "          (SELECT reason FROM suppression WHERE scope = '*' AND address = k.address))"
    " FROM unnest($2::text[]) WITH ORDINALITY AS k(address, ord)"
    " LEFT JOIN consent c ON c.scope = $1 AND c.address = k.address"
    " ORDER BY k.ord"};
const PgStatement kLockKey{"cm_lock_key", "SELECT pg_advisory_xact_lock($1::bigint)"};
#define CM_RECORD_COLUMNS "scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
const PgStatement kGetRecord{"cm_get_record",
    "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE scope = $1 AND address = $2"};
// The records of many keys, one row per key in the order given; NULL columns where none.
const PgStatement kGetRecords{"cm_get_records",
    "SELECT c.scope, c.address, c.status, c.method, c.source, c.ip, c.granted_at, c.confirmed_at, c.revoked_at"
    " FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(scope, address, ord)"
    " LEFT JOIN consent c ON c.scope = k.scope AND c.address = k.address ORDER BY k.ord"};
#define CM_UPSERT_RECORD \
    "INSERT INTO consent (" CM_RECORD_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)" \
    " ON CONFLICT (scope, address) DO UPDATE SET status = EXCLUDED.status, method = EXCLUDED.method," \
    " source = EXCLUDED.source, ip = EXCLUDED.ip, granted_at = EXCLUDED.granted_at," \
    " confirmed_at = EXCLUDED.confirmed_at, revoked_at = EXCLUDED.revoked_at"
const PgStatement kUpsertRecord{"cm_upsert_record", CM_UPSERT_RECORD};
// A record and its history event in one statement, so a pipeline sends one per change.
const PgStatement kWriteRecord{"cm_write_record",
    "WITH up AS (" CM_UPSERT_RECORD " RETURNING 1)"
    " INSERT INTO history (at, scope, address, event, detail, ref) SELECT $10, $1, $2, $11, $12, $13 FROM up"};
const PgStatement kExportAll{"cm_export_all", "SELECT " CM_RECORD_COLUMNS " FROM consent ORDER BY scope, address"};
const PgStatement kExportScope{"cm_export_scope",
    "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE scope = $1 ORDER BY scope, address"};
const PgStatement kShowRecords{"cm_show_records",
    "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE address = $1 AND ($2 = '' OR scope = $2) ORDER BY scope"};
#undef CM_UPSERT_RECORD
#undef CM_RECORD_COLUMNS
const PgStatement kGetSuppression{"cm_get_suppression",
    "SELECT scope, address, reason, source, created_at FROM suppression WHERE scope = $1 AND address = $2"};
const PgStatement kUpsertSuppression{"cm_upsert_suppression",
    "INSERT INTO suppression (scope, address, reason, source, created_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (scope, address) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source,"
    " created_at = EXCLUDED.created_at"};
const PgStatement kDeleteSuppression{"cm_delete_suppression",
    "DELETE FROM suppression WHERE scope = $1 AND address = $2"};
const PgStatement kShowSuppressions{"cm_show_suppressions",
    "SELECT scope, address, reason, source, created_at FROM suppression"
    " WHERE address = $1 AND ($2 = '' OR scope IN ($2, '*')) ORDER BY scope"};
const PgStatement kRefSeen{"cm_ref_seen", "SELECT 1 FROM history WHERE ref = $1 LIMIT 1"};
const PgStatement kAppendHistory{"cm_append_history",
    "INSERT INTO history (at, scope, address, event, detail, ref) VALUES ($1, $2, $3, $4, $5, $6)"};
const PgStatement kShowHistory{"cm_show_history",
    "SELECT id, at, scope, address, event, detail, ref FROM history"
    " WHERE address = $1 AND ($2 = '' OR scope IN ($2, '*')) ORDER BY id"};
const PgStatement kScopeCounts{"cm_scope_counts",
    "SELECT COALESCE(c.scope, s.scope), COALESCE(c.confirmed, 0), COALESCE(c.pending, 0),"
    " COALESCE(c.revoked, 0), COALESCE(s.suppressed, 0)"
    " FROM (SELECT scope, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,"
    "              count(*) FILTER (WHERE status = 'pending') AS pending,"
    "              count(*) FILTER (WHERE status = 'revoked') AS revoked"
    "       FROM consent GROUP BY scope) c"
    " FULL JOIN (SELECT scope, count(*) AS suppressed FROM suppression GROUP BY scope) s ON s.scope = c.scope"};
const PgStatement kGetSuspension{"cm_get_suspension",
    "SELECT scope, reason, source, created_at FROM suspension WHERE scope = $1"};
const PgStatement kUpsertSuspension{"cm_upsert_suspension",
    "INSERT INTO suspension (scope, reason, source, created_at) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (scope) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source,"
    " created_at = EXCLUDED.created_at"};
const PgStatement kDeleteSuspension{"cm_delete_suspension", "DELETE FROM suspension WHERE scope = $1"};
const PgStatement kAllSuspensions{"cm_all_suspensions",
    "SELECT scope, reason, source, created_at FROM suspension ORDER BY scope"};
// Parameters: the record's (record_params), then received_at, report_ref, source, has_consent.
const PgStatement kInsertComplaint{"cm_insert_complaint",
    "INSERT INTO complaint (scope, address, consent_status, consent_method, consent_source, consent_ip,"
    " consent_granted_at, consent_confirmed_at, consent_revoked_at, received_at, report_ref, source, has_consent)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"};
#define CM_COMPLAINT_COLUMNS \
    "id, received_at, report_ref, source, has_consent, scope, address, consent_status, consent_method," \
    " consent_source, consent_ip, consent_granted_at, consent_confirmed_at, consent_revoked_at"
const PgStatement kComplaintsAll{"cm_complaints_all",
    "SELECT " CM_COMPLAINT_COLUMNS " FROM complaint WHERE received_at >= $1 ORDER BY received_at, id"};
const PgStatement kComplaintsScope{"cm_complaints_scope",
    "SELECT " CM_COMPLAINT_COLUMNS " FROM complaint WHERE scope = $1 AND received_at >= $2 ORDER BY received_at, id"};
#undef CM_COMPLAINT_COLUMNS
const PgStatement kCountComplaints{"cm_count_complaints",
    "SELECT count(*) FROM complaint WHERE scope = $1 AND received_at >= $2"};
// Concurrent writers of one row serialise on its row lock and each adds its own counts.
const PgStatement kAddTraffic{"cm_add_traffic",
    "INSERT INTO traffic AS t (scope, day, kind, key, messages, recipients) VALUES ($1, $2, $3, $4, $5, $6)"
    " ON CONFLICT (scope, day, kind, key) DO UPDATE SET messages = t.messages + EXCLUDED.messages,"
    " recipients = t.recipients + EXCLUDED.recipients"};
const PgStatement kTraffic{"cm_traffic",
    "SELECT scope, day, kind, key, messages, recipients FROM traffic WHERE day BETWEEN $1 AND $2"
    " ORDER BY scope, day, kind, key"};
const PgStatement kVerdictTotals{"cm_verdict_totals",
    "SELECT scope, '', kind, key, sum(messages)::bigint, sum(recipients)::bigint FROM traffic"
    " WHERE scope = $1 AND day >= $2 AND kind = 'verdict' GROUP BY scope, kind, key ORDER BY key"};
const PgStatement kHistoryBetween{"cm_history_between",
    "SELECT id, at, scope, address, event, detail, ref FROM history WHERE at >= $1 AND at < $2 ORDER BY at, id"};

// ---- helpers ----

std::string num(std::int64_t v) { return std::to_string(v); }

// A PostgreSQL text[] literal: {"a","b"} with " and \ escaped.
std::string text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ',';
        out += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

// 64-bit FNV-1a of scope NUL address: the advisory lock id of one key.
std::string key_lock_id(const std::string& scope, const std::string& address) {
    std::uint64_t h = 14695981039346656037ull;
    auto mix = [&](unsigned char c) {
        h ^= c;
        h *= 1099511628211ull;
    };
    for (char c : scope) mix(static_cast<unsigned char>(c));
    mix(0);
    for (char c : address) mix(static_cast<unsigned char>(c));
    return num(static_cast<std::int64_t>(h));
}

// Row `i` of a result, as the engine reads rows.
class PgRow final : public Row {
public:
    PgRow(const PgRows& rows, int i) : rows_(rows), i_(i) {}
    std::string text(int col) const override { return rows_.text(i_, col); }
    std::int64_t integer(int col) const override { return rows_.integer(i_, col); }
    bool is_null(int col) const override { return rows_.is_null(i_, col); }

private:
    const PgRows& rows_;
    int i_;
};

std::vector<std::string> record_params(const ConsentRecord& r) {
    return {r.scope, r.address, consent_status_name(r.status), r.method, r.source, r.ip,
            num(r.granted_at), num(r.confirmed_at), num(r.revoked_at)};
}

Status status_of(const Result<PgRows>& r) { return r.ok() ? Status::OK() : r.status(); }

// Runs `stmt` and hands each row, decoded by `decode`, to `out`.
template <class T, class Decode>
Status each(PgSession& s, const PgStatement& stmt, const std::vector<std::string>& params, Decode decode,
            const Each<T>& out) {
    auto rows = s.exec(stmt, params);
    if (!rows.ok()) return rows.status();
    for (int i = 0; i < rows->size(); ++i) {
        Result<T> item = decode(PgRow(*rows, i));
        if (!item.ok()) return item.status();
        if (Status st = out(*item); !st.ok()) return st;
    }
    return Status::OK();
}

// Streams `stmt`'s rows, decoded by `decode`, to `out` (a large result is never held in
// memory). Once a row is handed out the operation is not repeated after a lost connection.
template <class T, class Decode>
Status stream_each(PgSession& s, const PgStatement& stmt, const std::vector<std::string>& params, Decode decode,
                   const Each<T>& out) {
    return s.stream(stmt, params, [&](const PgRows& rows) -> Status {
        Result<T> item = decode(PgRow(rows, 0));
        if (!item.ok()) return item.status();
        s.forbid_retry();
        return out(*item);
    });
}

// The first row `stmt` finds, if any.
template <class T, class Decode>
Result<std::optional<T>> first(PgSession& s, const PgStatement& stmt, const std::vector<std::string>& params,
                               Decode decode) {
    auto rows = s.exec(stmt, params);
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return std::optional<T>();
    Result<T> item = decode(PgRow(*rows, 0));
    if (!item.ok()) return item.status();
    return std::optional<T>(std::move(item).value());
}

class PgTxn final : public ConsentTxn {
public:
    explicit PgTxn(PgSession& s) : s_(s) {}

    Result<std::optional<ConsentRecord>> get_record(const std::string& scope, const std::string& address) override {
        return first<ConsentRecord>(s_, kGetRecord, {scope, address}, record_from_row);
    }
    Status put_record(const ConsentRecord& r) override { return status_of(s_.exec(kUpsertRecord, record_params(r))); }
    Result<std::optional<Suppression>> get_suppression(const std::string& scope, const std::string& address) override {
        return first<Suppression>(s_, kGetSuppression, {scope, address}, suppression_from_row);
    }
    Status put_suppression(const Suppression& p) override {
        return status_of(s_.exec(kUpsertSuppression, {p.scope, p.address, p.reason, p.source, num(p.created_at)}));
    }
    Result<bool> delete_suppression(const std::string& scope, const std::string& address) override {
        auto del = s_.exec(kDeleteSuppression, {scope, address});
        if (!del.ok()) return del.status();
        return del->affected() > 0;
    }
    Result<bool> ref_seen(const std::string& ref) override {
        auto seen = s_.exec(kRefSeen, {ref});
        if (!seen.ok()) return seen.status();
        return seen->size() > 0;
    }
    Status append_history(const HistoryEvent& e) override {
        return status_of(s_.exec(kAppendHistory, {num(e.at), e.scope, e.address, e.event, e.detail, e.ref}));
    }

    // One array query for the whole chunk.
    Status get_records(const std::vector<std::pair<std::string, std::string>>& keys,
                       std::vector<std::optional<ConsentRecord>>& found) override {
        std::vector<std::string> scopes, addresses;
        for (const auto& [scope, address] : keys) {
            scopes.push_back(scope);
            addresses.push_back(address);
        }
        found.clear();
        // Probe each key by primary key. An import grows the table inside its one transaction,
        // unseen by ANALYZE: the planner would keep hash-joining a full scan of it per chunk,
        // and a large import would go quadratic. Once per transaction (SET LOCAL ends with it);
        // the import's other statements are keyed writes.
        if (!seqscan_off_) {
            if (auto p = s_.exec("SET LOCAL enable_seqscan = off"); !p.ok()) return p.status();
            seqscan_off_ = true;
        }
        auto rows = s_.exec(kGetRecords, {text_array(scopes), text_array(addresses)});
        if (!rows.ok()) return rows.status();
        if (rows->size() != static_cast<int>(keys.size()))
            return Status::Internal("consent import: " + std::to_string(rows->size()) + " rows for " +
                                    std::to_string(keys.size()) + " keys");
        for (int i = 0; i < rows->size(); ++i) {
            if (rows->is_null(i, 0)) {
                found.emplace_back();
                continue;
            }
            auto r = record_from_row(PgRow(*rows, i));
            if (!r.ok()) return r.status();
            found.emplace_back(std::move(r).value());
        }
        return Status::OK();
    }

    // Pipelined: one round trip per window of changes, not per change.
    Status put_records(const std::vector<RecordWrite>& writes) override {
        PgBatch batch(s_, kWriteRecord);
        for (const RecordWrite& w : writes) {
            std::vector<std::string> params = record_params(w.record);
            params.insert(params.end(), {num(w.event.at), w.event.event, w.event.detail, w.event.ref});
            if (Status st = batch.add(params); !st.ok()) return st;
        }
        return batch.finish();
    }

    Status each_record(const std::string& scope, const Each<ConsentRecord>& out) override {
        if (scope.empty()) return stream_each<ConsentRecord>(s_, kExportAll, {}, record_from_row, out);
        return stream_each<ConsentRecord>(s_, kExportScope, {scope}, record_from_row, out);
    }
    Status records_of(const std::string& address, const std::string& scope,
                      const Each<ConsentRecord>& out) override {
        return each<ConsentRecord>(s_, kShowRecords, {address, scope}, record_from_row, out);
    }
    Status suppressions_of(const std::string& address, const std::string& scope,
                           const Each<Suppression>& out) override {
        return each<Suppression>(s_, kShowSuppressions, {address, scope}, suppression_from_row, out);
    }
    Status history_of(const std::string& address, const std::string& scope,
                      const Each<HistoryEvent>& out) override {
        return each<HistoryEvent>(s_, kShowHistory, {address, scope}, history_from_row, out);
    }
    Status scope_counts(const Each<ScopeStats>& out) override {
        return each<ScopeStats>(s_, kScopeCounts, {}, scope_count_from_row, out);
    }

    Result<std::optional<Suspension>> get_suspension(const std::string& scope) override {
        return first<Suspension>(s_, kGetSuspension, {scope}, suspension_from_row);
    }
    Status put_suspension(const Suspension& p) override {
        return status_of(s_.exec(kUpsertSuspension, {p.scope, p.reason, p.source, num(p.created_at)}));
    }
    Result<bool> delete_suspension(const std::string& scope) override {
        auto del = s_.exec(kDeleteSuspension, {scope});
        if (!del.ok()) return del.status();
        return del->affected() > 0;
    }
    Status each_suspension(const Each<Suspension>& out) override {
        return each<Suspension>(s_, kAllSuspensions, {}, suspension_from_row, out);
    }
    Status insert_complaint(const Complaint& c) override {
        ConsentRecord key;
        key.scope = c.scope;
        key.address = c.address;
        std::vector<std::string> params = record_params(c.consent ? *c.consent : key);
        if (!c.consent) params[2].clear();  // no status: there was no record
        params.insert(params.end(), {num(c.received_at), c.report_ref, c.source, c.consent ? "1" : "0"});
        return status_of(s_.exec(kInsertComplaint, params));
    }
    Status each_complaint(const std::string& scope, std::int64_t since, const Each<Complaint>& out) override {
        if (scope.empty()) return stream_each<Complaint>(s_, kComplaintsAll, {num(since)}, complaint_from_row, out);
        return stream_each<Complaint>(s_, kComplaintsScope, {scope, num(since)}, complaint_from_row, out);
    }
    Result<std::int64_t> count_complaints(const std::string& scope, std::int64_t since) override {
        auto n = s_.exec(kCountComplaints, {scope, num(since)});
        if (!n.ok()) return n.status();
        return n->integer(0, 0);
    }
    // Pipelined like put_records.
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        PgBatch batch(s_, kAddTraffic);
        for (const TrafficRow& r : rows)
            if (Status st = batch.add({r.scope, r.day, traffic_kind_name(r.kind), r.key, num(r.messages),
                                       num(r.recipients)});
                !st.ok())
                return st;
        return batch.finish();
    }
    Status each_traffic(const std::string& since_day, const std::string& until_day,
                        const Each<TrafficRow>& out) override {
        return stream_each<TrafficRow>(s_, kTraffic, {since_day, until_day}, traffic_from_row, out);
    }
    Status verdict_totals(const std::string& scope, const std::string& since_day,
                          const Each<TrafficRow>& out) override {
        return each<TrafficRow>(s_, kVerdictTotals, {scope, since_day}, traffic_from_row, out);
    }
    Status history_between(std::int64_t since, std::int64_t until, const Each<HistoryEvent>& out) override {
        return stream_each<HistoryEvent>(s_, kHistoryBetween, {num(since), num(until)}, history_from_row, out);
    }

private:
    PgSession& s_;
    bool seqscan_off_ = false;  // get_records has set enable_seqscan off in this transaction
};

// ---- the backend ----

class PgBackend final : public ConsentBackend {
public:
    PgBackend(const std::string& conninfo, const OpenOptions& options)
        : pool_(conninfo, options.pool_size, options.statement_timeout_ms) {}

    // Creates or migrates the schema (`create`), or checks that it is current.
    Status prepare_schema(bool create);

    Status write(std::optional<ConsentKey> key, const std::function<Status(ConsentTxn&)>& body,
                 Notify notify) override {
        std::string lock_id = key ? key_lock_id(key->scope, key->address) : "";
        // A change's NOTIFY reaches the listeners (pg/change_watch.h) only if, and once, the
        // transaction commits; one round trip for both.
        const std::string commit = notify == Notify::change ? std::string("NOTIFY ") + kChangeChannel + "; COMMIT"
                                                            : "COMMIT";
        return transaction("BEGIN", commit.c_str(), [&](PgSession& s) -> Status {
            if (key) {
                if (auto l = s.exec(kLockKey, {lock_id}); !l.ok()) return l.status();
            } else {
                s.forbid_retry();  // a bulk change consumes its input: a lost connection fails it
            }
            PgTxn txn(s);
            return body(txn);
        });
    }

    Status read(const std::function<Status(ConsentTxn&)>& body) override {
        return transaction(kReadOnlyBegin, "COMMIT", [&](PgSession& s) {
            PgTxn txn(s);
            return body(txn);
        });
    }

    Status lookup(std::string_view scope, const std::vector<std::string>& keys, const Each<Row>& out) override {
        std::vector<std::string> params{std::string(scope), text_array(keys)};
        auto rows = pool_.run<PgRows>([&](PgSession& s) { return s.exec(kLookup, params); });
        if (!rows.ok()) return rows.status();
        for (int i = 0; i < rows->size(); ++i)
            if (Status st = out(PgRow(*rows, i)); !st.ok()) return st;
        return Status::OK();
    }

private:
    // Runs `body` between `begin` and `commit` on a pooled connection; any error leaves the
    // database untouched (the pool rolls back a connection returned inside a transaction).
    Status transaction(const char* begin, const char* commit, const std::function<Status(PgSession&)>& body) {
        auto done = pool_.run<bool>([&](PgSession& s) -> Result<bool> {
            if (auto b = s.exec(begin); !b.ok()) return b.status();
            if (Status st = body(s); !st.ok()) return st;
            if (auto c = s.exec(commit); !c.ok()) return c.status();
            return true;
        });
        return done.ok() ? Status::OK() : done.status();
    }

    PgPool pool_;
};

Status PgBackend::prepare_schema(bool create) {
    return transaction("BEGIN", "COMMIT", [&](PgSession& s) -> Status {
        // Several MTAs starting at once: the first creates, the others wait here, then see it.
        if (auto l = s.exec(kSchemaLockSql); !l.ok()) return l.status();
        auto exists = s.exec("SELECT to_regclass('schema_version') IS NOT NULL");
        if (!exists.ok()) return exists.status();
        int v = 0;
        if (exists->text(0, 0) == "t") {
            auto got = s.exec("SELECT COALESCE(max(version), 0) FROM schema_version");
            if (!got.ok()) return got.status();
            v = static_cast<int>(got->integer(0, 0));
        }
        if (Status st = check_schema_version("consent store", v, kPgSchemaVersion, create); !st.ok()) return st;
        if (v == kPgSchemaVersion) return Status::OK();
        if (auto c = s.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"); !c.ok())
            return c.status();
        for (int to = v + 1; to <= kPgSchemaVersion; ++to)
            if (auto m = s.exec(kPgMigrations[to - 1]); !m.ok()) return m.status();
        std::string set = "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                          std::to_string(kPgSchemaVersion) + ")";
        return status_of(s.exec(set.c_str()));
    });
}

}  // namespace

Result<std::unique_ptr<ConsentBackend>> open_pg_backend(const std::string& conninfo, const OpenOptions& options) {
    if (Status st = PgPool::validate(conninfo); !st.ok()) return st;
    auto backend = std::make_unique<PgBackend>(conninfo, options);
    if (Status st = backend->prepare_schema(options.create); !st.ok()) return st;
    return std::unique_ptr<ConsentBackend>(std::move(backend));
}

}  // namespace cm
