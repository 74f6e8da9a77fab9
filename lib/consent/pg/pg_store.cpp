// SPDX-License-Identifier: Apache-2.0
// pg_store.cpp - ConsentDatabase on PostgreSQL via libpq (see pg_store.h).
//
// Same tables, columns and rules as the SQLite store (sqlite_schema.h, consent_rules.h), so both
// backends pass one test suite. Text columns use COLLATE "C": equality and ORDER BY are
// bytewise, as in SQLite, whatever the database's default collation. A change to one key runs
// in one transaction holding a transaction-scoped advisory lock on that key, so two MTAs or
// consentctl runs changing the same key serialise (a missing row cannot be locked FOR UPDATE).
// Connections, prepared statements and reconnects: pg_connection.h.
#include "consent/pg/pg_store.h"

#include <map>
#include <optional>

#include "consent/consent_rules.h"
#include "consent/pg/pg_connection.h"

namespace cm {

namespace {

constexpr int kPgSchemaVersion = 1;
// pg_advisory_xact_lock key serialising schema creation/migration ("cm-schm").
constexpr const char* kSchemaLockSql = "SELECT pg_advisory_xact_lock(7164797395633517)";

// Migration N brings the schema from version N-1 to N. Never edit a shipped one; append.
constexpr const char* kPgMigrations[] = {
    R"SQL(
CREATE TABLE IF NOT EXISTS consent (
    scope        text COLLATE "C" NOT NULL,
    address      text COLLATE "C" NOT NULL,
    status       text NOT NULL CHECK (status IN ('confirmed', 'pending', 'revoked')),
    method       text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    granted_at   bigint NOT NULL DEFAULT 0,
    confirmed_at bigint NOT NULL DEFAULT 0,
    revoked_at   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
);
CREATE INDEX IF NOT EXISTS consent_by_address ON consent (address);

CREATE TABLE IF NOT EXISTS suppression (
    scope      text COLLATE "C" NOT NULL,
    address    text COLLATE "C" NOT NULL,
    reason     text NOT NULL,
    source     text NOT NULL DEFAULT '',
    created_at bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
);
CREATE INDEX IF NOT EXISTS suppression_by_address ON suppression (address);

CREATE TABLE IF NOT EXISTS history (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    scope   text COLLATE "C" NOT NULL,
    address text COLLATE "C" NOT NULL,
    event   text NOT NULL,
    detail  text NOT NULL DEFAULT '',
    ref     text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS history_by_address ON history (address, id);
CREATE INDEX IF NOT EXISTS history_by_ref ON history (ref);

CREATE OR REPLACE FUNCTION consent_history_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$BEGIN RAISE EXCEPTION 'history is append-only'; END$$;
DROP TRIGGER IF EXISTS history_append_only ON history;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION consent_history_append_only();
DROP TRIGGER IF EXISTS history_no_truncate ON history;
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION consent_history_append_only();
)SQL",
};

// ---- statements (prepared per connection on first use) ----


// One round trip for the whole list: one row per asked address, in the order asked. The
// scope's own suppression wins over the global one (two primary-key probes, as in SQLite).
const PgStatement kLookup{"cm_lookup",
    "SELECT c.status, c.granted_at, c.confirmed_at,"
    " COALESCE((SELECT reason FROM suppression WHERE scope = $1 AND address = k.address),"
    "          (SELECT reason FROM suppression WHERE scope = '*' AND address = k.address))"
    " FROM unnest($2::text[]) WITH ORDINALITY AS k(address, ord)"
    " LEFT JOIN consent c ON c.scope = $1 AND c.address = k.address"
    " ORDER BY k.ord"};
const PgStatement kLockKey{"cm_lock_key", "SELECT pg_advisory_xact_lock($1::bigint)"};
const PgStatement kGetRecord{"cm_get_record",
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE scope = $1 AND address = $2"};
const PgStatement kUpsertRecord{"cm_upsert_record",
    "INSERT INTO consent (scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (scope, address) DO UPDATE SET status = EXCLUDED.status, method = EXCLUDED.method,"
    " source = EXCLUDED.source, ip = EXCLUDED.ip, granted_at = EXCLUDED.granted_at,"
    " confirmed_at = EXCLUDED.confirmed_at, revoked_at = EXCLUDED.revoked_at"};
// Import: upsert only when the state differs, and append the history event only then; one
// round trip per row. Reports 1 (changed) or 0 rows affected.
const PgStatement kImportRow{"cm_import_row",
    "WITH up AS ("
    " INSERT INTO consent AS c (scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (scope, address) DO UPDATE SET status = EXCLUDED.status, method = EXCLUDED.method,"
    " source = EXCLUDED.source, ip = EXCLUDED.ip, granted_at = EXCLUDED.granted_at,"
    " confirmed_at = EXCLUDED.confirmed_at, revoked_at = EXCLUDED.revoked_at"
    " WHERE (c.status, c.method, c.source, c.ip, c.granted_at, c.confirmed_at, c.revoked_at)"
    " IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.method, EXCLUDED.source, EXCLUDED.ip,"
    " EXCLUDED.granted_at, EXCLUDED.confirmed_at, EXCLUDED.revoked_at)"
    " RETURNING 1)"
    " INSERT INTO history (at, scope, address, event, detail, ref)"
    " SELECT $10, $1, $2, 'import', $11, '' FROM up"};
const PgStatement kGetSuppression{"cm_get_suppression",
    "SELECT reason, source FROM suppression WHERE scope = $1 AND address = $2"};
const PgStatement kUpsertSuppression{"cm_upsert_suppression",
    "INSERT INTO suppression (scope, address, reason, source, created_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (scope, address) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source,"
    " created_at = EXCLUDED.created_at"};
const PgStatement kDeleteSuppression{"cm_delete_suppression",
    "DELETE FROM suppression WHERE scope = $1 AND address = $2"};
const PgStatement kRefSeen{"cm_ref_seen", "SELECT 1 FROM history WHERE ref = $1 LIMIT 1"};
const PgStatement kAppendHistory{"cm_append_history",
    "INSERT INTO history (at, scope, address, event, detail, ref) VALUES ($1, $2, $3, $4, $5, $6)"};
const PgStatement kExportAll{"cm_export_all",
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent ORDER BY scope, address"};
const PgStatement kExportScope{"cm_export_scope",
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE scope = $1 ORDER BY scope, address"};
const PgStatement kShowRecords{"cm_show_records",
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE address = $1 AND ($2 = '' OR scope = $2) ORDER BY scope"};
const PgStatement kShowSuppressions{"cm_show_suppressions",
    "SELECT scope, address, reason, source, created_at FROM suppression"
    " WHERE address = $1 AND ($2 = '' OR scope IN ($2, '*')) ORDER BY scope"};
const PgStatement kShowHistory{"cm_show_history",
    "SELECT id, at, scope, address, event, detail, ref FROM history"
    " WHERE address = $1 AND ($2 = '' OR scope IN ($2, '*')) ORDER BY id"};
const PgStatement kStats{"cm_stats",
    "SELECT COALESCE(c.scope, s.scope), COALESCE(c.confirmed, 0), COALESCE(c.pending, 0),"
    " COALESCE(c.revoked, 0), COALESCE(s.suppressed, 0)"
    " FROM (SELECT scope, count(*) FILTER (WHERE status = 'confirmed') AS confirmed,"
    "              count(*) FILTER (WHERE status = 'pending') AS pending,"
    "              count(*) FILTER (WHERE status = 'revoked') AS revoked"
    "       FROM consent GROUP BY scope) c"
    " FULL JOIN (SELECT scope, count(*) AS suppressed FROM suppression GROUP BY scope) s ON s.scope = c.scope"
    " ORDER BY 1"};

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

Result<ConsentRecord> read_record(const PgRows& rows, int i) {
    ConsentRecord r;
    r.scope = rows.text(i, 0);
    r.address = rows.text(i, 1);
    std::optional<ConsentStatus> s = parse_consent_status(rows.text(i, 2));
    if (!s) return Status::Corruption("consent store: unknown status '" + rows.text(i, 2) + "' for " + r.address);
    r.status = *s;
    r.method = rows.text(i, 3);
    r.source = rows.text(i, 4);
    r.ip = rows.text(i, 5);
    r.granted_at = rows.integer(i, 6);
    r.confirmed_at = rows.integer(i, 7);
    r.revoked_at = rows.integer(i, 8);
    return r;
}

std::vector<std::string> record_params(const ConsentRecord& r) {
    return {r.scope, r.address, consent_status_name(r.status), r.method, r.source, r.ip,
            num(r.granted_at), num(r.confirmed_at), num(r.revoked_at)};
}

// ---- the store ----

class PgConsentDatabase final : public ConsentDatabase {
public:
    PgConsentDatabase(const std::string& conninfo, const OpenOptions& options)
        : pool_(conninfo, options.pool_size, options.statement_timeout_ms) {}

    // Creates or migrates the schema (options.create), or checks it is current.
    Status prepare_schema(bool create);

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope,
                                              const std::vector<std::string>& addresses) override {
        std::vector<ConsentLookup> out;
        if (addresses.empty()) return out;
        std::vector<std::string> keys;
        keys.reserve(addresses.size());
        for (const std::string& a : addresses) keys.push_back(normalize_address(a));
        std::vector<std::string> params{std::string(scope), text_array(keys)};
        auto rows = run<PgRows>([&](PgSession& s) { return s.exec(kLookup, params); });
        if (!rows.ok()) return rows.status();
        if (rows->size() != static_cast<int>(addresses.size()))
            return Status::Internal("consent lookup: " + std::to_string(rows->size()) + " rows for " +
                                    std::to_string(addresses.size()) + " addresses");
        out.reserve(addresses.size());
        for (int i = 0; i < rows->size(); ++i) {
            ConsentLookup l;
            l.address = addresses[static_cast<size_t>(i)];
            if (!rows->is_null(i, 0)) {
                std::optional<ConsentStatus> st = parse_consent_status(rows->text(i, 0));
                if (!st) return Status::Corruption("consent store: unknown status '" + rows->text(i, 0) + "'");
                l.has_record = true;
                l.status = *st;
                l.granted_at = rows->integer(i, 1);
                l.confirmed_at = rows->integer(i, 2);
            }
            if (!rows->is_null(i, 3)) {
                l.suppressed = true;
                l.suppression_reason = rows->text(i, 3);
            }
            out.push_back(std::move(l));
        }
        return out;
    }

    Result<ChangeResult> grant(const ConsentRecord& record, std::int64_t now) override {
        ConsentRecord want = record;
        if (Status st = check_consent_key(want.scope, want.address, false); !st.ok()) return st;
        if (want.status == ConsentStatus::revoked)
            return Status::InvalidArgument("consent store: grant takes confirmed or pending; use revoke");
        return change(want.scope, want.address, [&](PgSession& s) -> Result<ChangeResult> {
            auto had = get_record(s, want.scope, want.address);
            if (!had.ok()) return had.status();
            ConsentRecord next = merge_grant(*had, want, now);
            if (*had && same_consent_state(**had, next)) return ChangeResult{false};
            if (auto r = s.exec(kUpsertRecord, record_params(next)); !r.ok()) return r.status();
            if (Status st = append(s, now, next.scope, next.address, "grant", record_detail(next), ""); !st.ok())
                return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> confirm(const std::string& scope, const std::string& address, std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, false); !st.ok()) return st;
        return change(scope, addr, [&](PgSession& s) -> Result<ChangeResult> {
            auto had = get_record(s, scope, addr);
            if (!had.ok()) return had.status();
            if (!*had) return Status::NotFound("no consent record for " + addr + " in scope " + scope);
            ConsentRecord r = **had;
            if (r.status == ConsentStatus::confirmed) return ChangeResult{false};
            if (r.status == ConsentStatus::revoked)
                return Status::InvalidArgument("consent for " + addr + " in scope " + scope +
                                               " was revoked; a new grant is needed");
            r.status = ConsentStatus::confirmed;
            r.confirmed_at = now;
            if (auto u = s.exec(kUpsertRecord, record_params(r)); !u.ok()) return u.status();
            if (Status st = append(s, now, scope, addr, "confirm", "", ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> revoke(const std::string& scope, const std::string& address, const std::string& source,
                                std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, false); !st.ok()) return st;
        return change(scope, addr, [&](PgSession& s) -> Result<ChangeResult> {
            auto had = get_record(s, scope, addr);
            if (!had.ok()) return had.status();
            if (!*had) return Status::NotFound("no consent record for " + addr + " in scope " + scope);
            ConsentRecord r = **had;
            if (r.status == ConsentStatus::revoked) return ChangeResult{false};
            r.status = ConsentStatus::revoked;
            r.revoked_at = now;
            if (auto u = s.exec(kUpsertRecord, record_params(r)); !u.ok()) return u.status();
            std::string detail;
            add_detail(detail, "source", source);
            if (Status st = append(s, now, scope, addr, "revoke", detail, ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> suppress(const Suppression& suppression, const std::string& ref, std::int64_t now) override {
        Suppression sup = suppression;
        if (Status st = check_suppression(sup); !st.ok()) return st;
        return change(sup.scope, sup.address, [&](PgSession& s) -> Result<ChangeResult> {
            if (!ref.empty()) {
                auto seen = s.exec(kRefSeen, {ref});
                if (!seen.ok()) return seen.status();
                if (seen->size() > 0) return ChangeResult{false};  // this report was already applied
            }
            auto old = s.exec(kGetSuppression, {sup.scope, sup.address});
            if (!old.ok()) return old.status();
            if (old->size() > 0 && old->text(0, 0) == sup.reason && (sup.source.empty() || old->text(0, 1) == sup.source))
                return ChangeResult{false};
            auto up = s.exec(kUpsertSuppression, {sup.scope, sup.address, sup.reason, sup.source, num(now)});
            if (!up.ok()) return up.status();
            std::string detail;
            add_detail(detail, "reason", sup.reason);
            add_detail(detail, "source", sup.source);
            if (Status st = append(s, now, sup.scope, sup.address, "suppress", detail, ref); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> unsuppress(const std::string& scope, const std::string& address, std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, true); !st.ok()) return st;
        return change(scope, addr, [&](PgSession& s) -> Result<ChangeResult> {
            auto del = s.exec(kDeleteSuppression, {scope, addr});
            if (!del.ok()) return del.status();
            if (del->affected() == 0) return ChangeResult{false};
            if (Status st = append(s, now, scope, addr, "unsuppress", "", ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<std::int64_t> import_records(const std::function<Result<bool>(ConsentRecord&)>& next,
                                        std::int64_t now) override {
        return transaction<std::int64_t>("BEGIN", [&](PgSession& s) -> Result<std::int64_t> {
            // Rows stream from `next` into a pipeline: one round trip per window of rows.
            PgBatch batch(s, kImportRow);
            for (std::int64_t row = 1;; ++row) {
                ConsentRecord r;
                s.forbid_retry();  // input consumed: a lost connection fails the import as a whole
                Result<bool> more = next(r);
                if (!more.ok()) return more.status();  // the transaction rolls back
                if (!*more) break;
                if (Status st = check_consent_key(r.scope, r.address, false); !st.ok())
                    return Status::InvalidArgument("import row " + std::to_string(row) + ": " + st.message());
                std::vector<std::string> params = record_params(r);
                params.push_back(num(now));
                params.push_back(record_detail(r));
                if (Status st = batch.add(params); !st.ok()) return st;
            }
            if (Status st = batch.finish(); !st.ok()) return st;
            return batch.affected();  // history rows appended = keys changed
        });
    }

    Status export_records(const std::string& scope, const std::function<void(const ConsentRecord&)>& out) override {
        auto done = run<bool>([&](PgSession& s) -> Result<bool> {
            auto emit = [&](const PgRows& rows) -> Status {
                auto r = read_record(rows, 0);
                if (!r.ok()) return r.status();
                s.forbid_retry();  // rows already handed out must not be repeated
                out(*r);
                return Status::OK();
            };
            Status st = scope.empty() ? s.stream(kExportAll, {}, emit) : s.stream(kExportScope, {scope}, emit);
            if (!st.ok()) return st;
            return true;
        });
        return done.ok() ? Status::OK() : done.status();
    }

    Result<AddressReport> show(const std::string& address, const std::string& scope) override {
        std::string addr = normalize_address(address);
        const char* begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";  // one snapshot for all three
        return transaction<AddressReport>(begin, [&](PgSession& s) -> Result<AddressReport> {
            AddressReport rep;
            auto recs = s.exec(kShowRecords, {addr, scope});
            if (!recs.ok()) return recs.status();
            for (int i = 0; i < recs->size(); ++i) {
                auto r = read_record(*recs, i);
                if (!r.ok()) return r.status();
                rep.records.push_back(std::move(r).value());
            }
            auto sups = s.exec(kShowSuppressions, {addr, scope});
            if (!sups.ok()) return sups.status();
            for (int i = 0; i < sups->size(); ++i)
                rep.suppressions.push_back(Suppression{sups->text(i, 0), sups->text(i, 1), sups->text(i, 2),
                                                       sups->text(i, 3), sups->integer(i, 4)});
            auto hist = s.exec(kShowHistory, {addr, scope});
            if (!hist.ok()) return hist.status();
            for (int i = 0; i < hist->size(); ++i)
                rep.history.push_back(HistoryEvent{hist->integer(i, 0), hist->integer(i, 1), hist->text(i, 2),
                                                   hist->text(i, 3), hist->text(i, 4), hist->text(i, 5),
                                                   hist->text(i, 6)});
            return rep;
        });
    }

    Result<std::vector<ScopeStats>> stats() override {
        auto rows = run<PgRows>([&](PgSession& s) { return s.exec(kStats, {}); });
        if (!rows.ok()) return rows.status();
        std::vector<ScopeStats> out;
        for (int i = 0; i < rows->size(); ++i)
            out.push_back(ScopeStats{rows->text(i, 0), rows->integer(i, 1), rows->integer(i, 2),
                                     rows->integer(i, 3), rows->integer(i, 4)});
        return out;
    }

private:
    template <class T>
    Result<T> run(const std::function<Result<T>(PgSession&)>& op) {
        return pool_.run<T>(op);
    }

    // Runs `body` between `begin` and COMMIT; any error leaves the database untouched (the
    // pool rolls back a connection returned inside a transaction).
    template <class T>
    Result<T> transaction(const char* begin, const std::function<Result<T>(PgSession&)>& body) {
        return pool_.run<T>([&](PgSession& s) -> Result<T> {
            if (auto b = s.exec(begin); !b.ok()) return b.status();
            Result<T> result = body(s);
            if (!result.ok()) return result;
            if (auto c = s.exec("COMMIT"); !c.ok()) return c.status();
            return result;
        });
    }

    // A change to one (scope, address): a transaction holding that key's advisory lock.
    Result<ChangeResult> change(const std::string& scope, const std::string& address,
                                const std::function<Result<ChangeResult>(PgSession&)>& body) {
        std::string lock_id = key_lock_id(scope, address);
        return transaction<ChangeResult>("BEGIN", [&](PgSession& s) -> Result<ChangeResult> {
            if (auto l = s.exec(kLockKey, {lock_id}); !l.ok()) return l.status();
            return body(s);
        });
    }

    static Result<std::optional<ConsentRecord>> get_record(PgSession& s, const std::string& scope,
                                                           const std::string& address) {
        auto rows = s.exec(kGetRecord, {scope, address});
        if (!rows.ok()) return rows.status();
        if (rows->size() == 0) return std::optional<ConsentRecord>();
        auto r = read_record(*rows, 0);
        if (!r.ok()) return r.status();
        return std::optional<ConsentRecord>(std::move(r).value());
    }

    static Status append(PgSession& s, std::int64_t at, const std::string& scope, const std::string& address,
                         const char* event, const std::string& detail, const std::string& ref) {
        auto r = s.exec(kAppendHistory, {num(at), scope, address, event, detail, ref});
        return r.ok() ? Status::OK() : r.status();
    }

    PgPool pool_;
};

Status PgConsentDatabase::prepare_schema(bool create) {
    auto version = transaction<int>("BEGIN", [&](PgSession& s) -> Result<int> {
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
        if (v >= kPgSchemaVersion || !create) return v;
        if (auto c = s.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"); !c.ok())
            return c.status();
        for (int to = v + 1; to <= kPgSchemaVersion; ++to) {
            if (auto m = s.exec(kPgMigrations[to - 1]); !m.ok()) return m.status();
        }
        std::string set = "DELETE FROM schema_version; INSERT INTO schema_version VALUES (" +
                          std::to_string(kPgSchemaVersion) + ")";
        if (auto m = s.exec(set.c_str()); !m.ok()) return m.status();
        return kPgSchemaVersion;
    });
    if (!version.ok()) return version.status();
    if (*version > kPgSchemaVersion)
        return Status::Unavailable("consent store has schema version " + std::to_string(*version) +
                                   ", newer than this program's " + std::to_string(kPgSchemaVersion));
    if (*version < kPgSchemaVersion)
        return Status::Unavailable("consent store has schema version " + std::to_string(*version) + ", expected " +
                                   std::to_string(kPgSchemaVersion) + " (initialise or migrate it with consentctl)");
    return Status::OK();
}

}  // namespace

Result<std::unique_ptr<ConsentDatabase>> open_pg_store(const std::string& conninfo, const OpenOptions& options) {
    if (Status st = PgPool::validate(conninfo); !st.ok()) return st;
    auto db = std::make_unique<PgConsentDatabase>(conninfo, options);
    if (Status st = db->prepare_schema(options.create); !st.ok()) return st;
    return std::unique_ptr<ConsentDatabase>(std::move(db));
}

}  // namespace cm
