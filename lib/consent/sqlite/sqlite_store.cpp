// SPDX-License-Identifier: Apache-2.0
// sqlite_store.cpp - ConsentDatabase on one SQLite file (see sqlite_store.h).
//
// Threading model: a SqlitePool of connections opened SQLITE_OPEN_NOMUTEX; each call leases
// one connection for its duration, so concurrent lookups run in parallel under WAL (readers
// never block the writer nor each other) and no connection is ever shared between threads.
// Writes use BEGIN IMMEDIATE plus busy_timeout, so a concurrent writer (consentctl in another
// process) makes us wait, not fail.
#include "consent/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "consent/consent_rules.h"
#include "consent/sqlite/sqlite_conn.h"
#include "consent/sqlite/sqlite_schema.h"

namespace cm {

namespace {

// ---- statements (cached per connection, keyed by text) ----

// Always exactly one row; the scope's own suppression reason wins over the global one. Two
// primary-key probes instead of "ORDER BY ... LIMIT 1", whose sorter cost 7x per call.
constexpr const char* kLookupSql =
    "SELECT c.status, c.granted_at, c.confirmed_at,"
    " COALESCE((SELECT reason FROM suppression WHERE scope = ?1 AND address = ?2),"
    "          (SELECT reason FROM suppression WHERE scope = '*' AND address = ?2))"
    " FROM (SELECT 1) LEFT JOIN consent AS c ON c.scope = ?1 AND c.address = ?2";
constexpr const char* kGetRecordSql =
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE scope = ?1 AND address = ?2";
constexpr const char* kUpsertRecordSql =
    "INSERT INTO consent (scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (scope, address) DO UPDATE SET status = excluded.status, method = excluded.method,"
    " source = excluded.source, ip = excluded.ip, granted_at = excluded.granted_at,"
    " confirmed_at = excluded.confirmed_at, revoked_at = excluded.revoked_at";
constexpr const char* kGetSuppressionSql =
    "SELECT reason, source FROM suppression WHERE scope = ?1 AND address = ?2";
constexpr const char* kUpsertSuppressionSql =
    "INSERT INTO suppression (scope, address, reason, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (scope, address) DO UPDATE SET reason = excluded.reason, source = excluded.source,"
    " created_at = excluded.created_at";
constexpr const char* kDeleteSuppressionSql = "DELETE FROM suppression WHERE scope = ?1 AND address = ?2";
constexpr const char* kRefSeenSql = "SELECT 1 FROM history WHERE ref = ?1 LIMIT 1";
constexpr const char* kAppendHistorySql =
    "INSERT INTO history (at, scope, address, event, detail, ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kExportAllSql =
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent ORDER BY scope, address";
constexpr const char* kExportScopeSql =
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE scope = ?1 ORDER BY scope, address";
constexpr const char* kShowRecordsSql =
    "SELECT scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
    " FROM consent WHERE address = ?1 AND (?2 = '' OR scope = ?2) ORDER BY scope";
constexpr const char* kShowSuppressionsSql =
    "SELECT scope, address, reason, source, created_at FROM suppression"
    " WHERE address = ?1 AND (?2 = '' OR scope IN (?2, '*')) ORDER BY scope";
constexpr const char* kShowHistorySql =
    "SELECT id, at, scope, address, event, detail, ref FROM history"
    " WHERE address = ?1 AND (?2 = '' OR scope IN (?2, '*')) ORDER BY id";
constexpr const char* kStatsRecordsSql =
    "SELECT scope, SUM(status = 'confirmed'), SUM(status = 'pending'), SUM(status = 'revoked')"
    " FROM consent GROUP BY scope";
constexpr const char* kStatsSuppressionsSql = "SELECT scope, COUNT(*) FROM suppression GROUP BY scope";

// ---- small helpers (the change rules themselves live in consent_rules.h) ----

Result<ConsentRecord> read_record(const Stmt& q) {
    ConsentRecord r;
    r.scope = q.text(0);
    r.address = q.text(1);
    std::optional<ConsentStatus> s = parse_consent_status(q.text(2));
    if (!s) return Status::Corruption("consent store: unknown status '" + q.text(2) + "' for " + r.address);
    r.status = *s;
    r.method = q.text(3);
    r.source = q.text(4);
    r.ip = q.text(5);
    r.granted_at = q.int64(6);
    r.confirmed_at = q.int64(7);
    r.revoked_at = q.int64(8);
    return r;
}

// ---- schema ----

Result<int> user_version(SqliteConn& conn) {
    Result<sqlite3_stmt*> s = conn.prepared("PRAGMA user_version");
    if (!s.ok()) return s.status();
    Stmt q(*s);
    Result<bool> row = q.step();
    if (!row.ok()) return row.status();
    return *row ? static_cast<int>(q.int64(0)) : 0;
}

// Brings the schema to kSqliteSchemaVersion, one migration step per version, in one
// write transaction (two processes creating the store at once: the second sees v1).
Status migrate(SqliteConn& conn) {
    auto tx = Transaction::begin(conn, Transaction::Kind::write);
    if (!tx.ok()) return tx.status();
    Result<int> v = user_version(conn);
    if (!v.ok()) return v.status();
    for (const SqliteMigration& m : kSqliteMigrations) {
        if (m.to_version <= *v) continue;
        if (Status st = conn.exec(m.sql); !st.ok()) return st;
        std::string set = "PRAGMA user_version = " + std::to_string(m.to_version);
        if (Status st = conn.exec(set.c_str()); !st.ok()) return st;
    }
    return (*tx)->commit();
}

// Creates the file with mode 0640 when missing (never touching the process umask).
Status ensure_file(const std::string& path, bool create) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return Status::IOError("consent store " + path + " is a directory");
        return Status::OK();
    }
    if (errno != ENOENT) return Status::IOError("consent store " + path + ": " + std::strerror(errno));
    if (!create)
        return Status::Unavailable("consent store " + path + " does not exist (create it with consentctl)");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0 && errno == EEXIST) return Status::OK();  // another process created it just now
    if (fd < 0) return Status::IOError("cannot create consent store " + path + ": " + std::strerror(errno));
    int rc = ::fchmod(fd, 0640);  // the umask may have removed group read
    int saved = errno;
    ::close(fd);
    if (rc != 0) return Status::IOError("cannot set mode 0640 on " + path + ": " + std::strerror(saved));
    return Status::OK();
}

// ---- the store ----

class SqliteConsentDatabase final : public ConsentDatabase {
public:
    // Connections are cheap but carry their own page cache; keep enough idle ones that a
    // busy milter does not reopen the file per message.
    explicit SqliteConsentDatabase(std::string path, const OpenOptions& options)
        : pool_(std::move(path), options.busy_timeout_ms, options.sqlite_cache_kib,
                static_cast<std::size_t>(options.pool_size > 16 ? options.pool_size : 16)) {}

    SqlitePool& pool() { return pool_; }

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope,
                                              const std::vector<std::string>& addresses) override {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        // One read transaction: one consistent snapshot for the whole list, and one
        // prepared statement stepped per address (no SQL text built per call).
        auto tx = Transaction::begin(**conn, Transaction::Kind::read);
        if (!tx.ok()) return tx.status();
        Result<sqlite3_stmt*> s = (*conn)->prepared(kLookupSql);
        if (!s.ok()) return s.status();
        std::vector<ConsentLookup> out;
        out.reserve(addresses.size());
        for (const std::string& a : addresses) {
            ConsentLookup l;
            l.address = a;
            Stmt q(*s);
            q.bind(1, scope).bind(2, normalize_address(a));
            Result<bool> row = q.step();
            if (!row.ok()) return row.status();
            if (*row && !q.is_null(0)) {
                std::optional<ConsentStatus> st = parse_consent_status(q.text(0));
                if (!st) return Status::Corruption("consent store: unknown status '" + q.text(0) + "'");
                l.has_record = true;
                l.status = *st;
                l.granted_at = q.int64(1);
                l.confirmed_at = q.int64(2);
            }
            if (*row && !q.is_null(3)) {
                l.suppressed = true;
                l.suppression_reason = q.text(3);
            }
            out.push_back(std::move(l));
        }
        if (Status st = (*tx)->commit(); !st.ok()) return st;
        return out;
    }

    Result<ChangeResult> grant(const ConsentRecord& record, std::int64_t now) override {
        ConsentRecord want = record;
        if (Status st = check_consent_key(want.scope, want.address, false); !st.ok()) return st;
        if (want.status == ConsentStatus::revoked)
            return Status::InvalidArgument("consent store: grant takes confirmed or pending; use revoke");
        return write([&](SqliteConn& c) -> Result<ChangeResult> {
            auto old = get_record(c, want.scope, want.address);
            if (!old.ok()) return old.status();
            const std::optional<ConsentRecord>& had = *old;
            want = merge_grant(had, std::move(want), now);
            if (had && same_consent_state(*had, want)) return ChangeResult{false};
            if (Status st = put_record(c, want); !st.ok()) return st;
            if (Status st = append(c, now, want.scope, want.address, "grant", record_detail(want), ""); !st.ok())
                return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> confirm(const std::string& scope, const std::string& address, std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, false); !st.ok()) return st;
        return write([&](SqliteConn& c) -> Result<ChangeResult> {
            auto old = get_record(c, scope, addr);
            if (!old.ok()) return old.status();
            if (!*old) return Status::NotFound("no consent record for " + addr + " in scope " + scope);
            ConsentRecord r = **old;
            if (r.status == ConsentStatus::confirmed) return ChangeResult{false};
            if (r.status == ConsentStatus::revoked)
                return Status::InvalidArgument("consent for " + addr + " in scope " + scope +
                                               " was revoked; a new grant is needed");
            r.status = ConsentStatus::confirmed;
            r.confirmed_at = now;
            if (Status st = put_record(c, r); !st.ok()) return st;
            if (Status st = append(c, now, scope, addr, "confirm", "", ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> revoke(const std::string& scope, const std::string& address, const std::string& source,
                                std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, false); !st.ok()) return st;
        return write([&](SqliteConn& c) -> Result<ChangeResult> {
            auto old = get_record(c, scope, addr);
            if (!old.ok()) return old.status();
            if (!*old) return Status::NotFound("no consent record for " + addr + " in scope " + scope);
            ConsentRecord r = **old;
            if (r.status == ConsentStatus::revoked) return ChangeResult{false};
            r.status = ConsentStatus::revoked;
            r.revoked_at = now;
            if (Status st = put_record(c, r); !st.ok()) return st;
            std::string detail;
            add_detail(detail, "source", source);
            if (Status st = append(c, now, scope, addr, "revoke", detail, ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> suppress(const Suppression& suppression, const std::string& ref, std::int64_t now) override {
        Suppression s = suppression;
        if (Status st = check_suppression(s); !st.ok()) return st;
        return write([&](SqliteConn& c) -> Result<ChangeResult> {
            if (!ref.empty()) {
                auto seen = exists(c, kRefSeenSql, ref);
                if (!seen.ok()) return seen.status();
                if (*seen) return ChangeResult{false};  // this report was already applied
            }
            auto gs = c.prepared(kGetSuppressionSql);
            if (!gs.ok()) return gs.status();
            {
                Stmt q(*gs);
                q.bind(1, s.scope).bind(2, s.address);
                auto row = q.step();
                if (!row.ok()) return row.status();
                if (*row && q.text(0) == s.reason && (s.source.empty() || q.text(1) == s.source))
                    return ChangeResult{false};
            }
            auto us = c.prepared(kUpsertSuppressionSql);
            if (!us.ok()) return us.status();
            Stmt q(*us);
            q.bind(1, s.scope).bind(2, s.address).bind(3, s.reason).bind(4, s.source).bind(5, now);
            if (Status st = q.run(); !st.ok()) return st;
            std::string detail;
            add_detail(detail, "reason", s.reason);
            add_detail(detail, "source", s.source);
            if (Status st = append(c, now, s.scope, s.address, "suppress", detail, ref); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<ChangeResult> unsuppress(const std::string& scope, const std::string& address, std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, true); !st.ok()) return st;
        return write([&](SqliteConn& c) -> Result<ChangeResult> {
            auto ds = c.prepared(kDeleteSuppressionSql);
            if (!ds.ok()) return ds.status();
            Stmt q(*ds);
            q.bind(1, scope).bind(2, addr);
            if (Status st = q.run(); !st.ok()) return st;
            if (sqlite3_changes(c.handle()) == 0) return ChangeResult{false};
            if (Status st = append(c, now, scope, addr, "unsuppress", "", ""); !st.ok()) return st;
            return ChangeResult{true};
        });
    }

    Result<std::int64_t> import_records(const std::function<Result<bool>(ConsentRecord&)>& next,
                                        std::int64_t now) override {
        return write([&](SqliteConn& c) -> Result<std::int64_t> {
            std::int64_t changed = 0;
            for (std::int64_t row = 1;; ++row) {
                ConsentRecord r;
                Result<bool> more = next(r);
                if (!more.ok()) return more.status();  // the transaction rolls back
                if (!*more) break;
                if (Status st = check_consent_key(r.scope, r.address, false); !st.ok())
                    return Status::InvalidArgument("import row " + std::to_string(row) + ": " + st.message());
                auto old = get_record(c, r.scope, r.address);
                if (!old.ok()) return old.status();
                if (*old && same_consent_state(**old, r)) continue;
                if (Status st = put_record(c, r); !st.ok()) return st;
                if (Status st = append(c, now, r.scope, r.address, "import", record_detail(r), ""); !st.ok())
                    return st;
                ++changed;
            }
            return changed;
        });
    }

    Status export_records(const std::string& scope, const std::function<void(const ConsentRecord&)>& out) override {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, Transaction::Kind::read);
        if (!tx.ok()) return tx.status();
        auto s = (*conn)->prepared(scope.empty() ? kExportAllSql : kExportScopeSql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        if (!scope.empty()) q.bind(1, scope);
        for (;;) {
            auto row = q.step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            auto r = read_record(q);
            if (!r.ok()) return r.status();
            out(*r);
        }
        return (*tx)->commit();
    }

    Result<AddressReport> show(const std::string& address, const std::string& scope) override {
        std::string addr = normalize_address(address);
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, Transaction::Kind::read);
        if (!tx.ok()) return tx.status();
        AddressReport rep;
        Status st = each_row(**conn, kShowRecordsSql, addr, scope, [&](const Stmt& q) -> Status {
            auto r = read_record(q);
            if (!r.ok()) return r.status();
            rep.records.push_back(std::move(r).value());
            return Status::OK();
        });
        if (!st.ok()) return st;
        st = each_row(**conn, kShowSuppressionsSql, addr, scope, [&](const Stmt& q) -> Status {
            rep.suppressions.push_back(Suppression{q.text(0), q.text(1), q.text(2), q.text(3), q.int64(4)});
            return Status::OK();
        });
        if (!st.ok()) return st;
        st = each_row(**conn, kShowHistorySql, addr, scope, [&](const Stmt& q) -> Status {
            rep.history.push_back(
                HistoryEvent{q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
            return Status::OK();
        });
        if (!st.ok()) return st;
        if (Status c = (*tx)->commit(); !c.ok()) return c;
        return rep;
    }

    Result<std::vector<ScopeStats>> stats() override {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, Transaction::Kind::read);
        if (!tx.ok()) return tx.status();
        std::map<std::string, ScopeStats> by_scope;
        for (const char* sql : {kStatsRecordsSql, kStatsSuppressionsSql}) {
            auto s = (*conn)->prepared(sql);
            if (!s.ok()) return s.status();
            Stmt q(*s);
            for (;;) {
                auto row = q.step();
                if (!row.ok()) return row.status();
                if (!*row) break;
                ScopeStats& st = by_scope[q.text(0)];
                st.scope = q.text(0);
                if (sql == kStatsRecordsSql) {
                    st.confirmed = q.int64(1);
                    st.pending = q.int64(2);
                    st.revoked = q.int64(3);
                } else {
                    st.suppressed = q.int64(1);
                }
            }
        }
        if (Status c = (*tx)->commit(); !c.ok()) return c;
        std::vector<ScopeStats> out;
        for (auto& [scope, st] : by_scope) out.push_back(std::move(st));
        return out;
    }

private:
    // Runs `fn` inside BEGIN IMMEDIATE ... COMMIT on a leased connection; any error status
    // from `fn` (or from COMMIT) leaves the database untouched.
    template <class Fn>
    auto write(Fn&& fn) -> decltype(fn(std::declval<SqliteConn&>())) {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, Transaction::Kind::write);
        if (!tx.ok()) return tx.status();
        auto result = fn(**conn);
        if (!result.ok()) return result;
        if (Status st = (*tx)->commit(); !st.ok()) return st;
        return result;
    }

    static Result<std::optional<ConsentRecord>> get_record(SqliteConn& c, const std::string& scope,
                                                           const std::string& address) {
        auto s = c.prepared(kGetRecordSql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        q.bind(1, scope).bind(2, address);
        auto row = q.step();
        if (!row.ok()) return row.status();
        if (!*row) return std::optional<ConsentRecord>();
        auto r = read_record(q);
        if (!r.ok()) return r.status();
        return std::optional<ConsentRecord>(std::move(r).value());
    }

    static Status put_record(SqliteConn& c, const ConsentRecord& r) {
        auto s = c.prepared(kUpsertRecordSql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        q.bind(1, r.scope).bind(2, r.address).bind(3, consent_status_name(r.status)).bind(4, r.method);
        q.bind(5, r.source).bind(6, r.ip).bind(7, r.granted_at).bind(8, r.confirmed_at).bind(9, r.revoked_at);
        return q.run();
    }

    static Status append(SqliteConn& c, std::int64_t at, const std::string& scope, const std::string& address,
                         const char* event, const std::string& detail, const std::string& ref) {
        auto s = c.prepared(kAppendHistorySql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        q.bind(1, at).bind(2, scope).bind(3, address).bind(4, event).bind(5, detail).bind(6, ref);
        return q.run();
    }

    static Result<bool> exists(SqliteConn& c, const char* sql, const std::string& arg) {
        auto s = c.prepared(sql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        q.bind(1, arg);
        return q.step();
    }

    template <class RowFn>
    static Status each_row(SqliteConn& c, const char* sql, const std::string& address, const std::string& scope,
                           RowFn&& fn) {
        auto s = c.prepared(sql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        q.bind(1, address).bind(2, scope);
        for (;;) {
            auto row = q.step();
            if (!row.ok()) return row.status();
            if (!*row) return Status::OK();
            if (Status st = fn(q); !st.ok()) return st;
        }
    }

    SqlitePool pool_;
};

}  // namespace

Result<std::unique_ptr<ConsentDatabase>> open_sqlite_store(const std::string& path, const OpenOptions& options) {
    if (path.empty()) return Status::InvalidArgument("consent store: empty SQLite file path");
    if (Status st = ensure_file(path, options.create); !st.ok()) return st;
    auto conn = SqliteConn::open(path, options.busy_timeout_ms, options.sqlite_cache_kib);
    if (!conn.ok()) return conn.status();
    SqliteConn& c = **conn;
    // WAL is persistent in the file; asking again on an existing WAL file is a cheap read.
    // This is also the first read of the header, so a file that is not a database fails here.
    {
        auto s = c.prepared("PRAGMA journal_mode=WAL");
        if (!s.ok()) return s.status();
        Stmt q(*s);
        auto row = q.step();
        if (!row.ok()) return row.status();
        if (!*row || q.text(0) != "wal")
            return Status::IOError("consent store " + path + ": cannot enable WAL mode (journal_mode=" +
                                   (*row ? q.text(0) : std::string("?")) + ")");
    }
    auto v = user_version(c);
    if (!v.ok()) return v.status();
    if (*v > kSqliteSchemaVersion)
        return Status::Unavailable("consent store " + path + " has schema version " + std::to_string(*v) +
                                   ", newer than this program's " + std::to_string(kSqliteSchemaVersion));
    if (*v < kSqliteSchemaVersion) {
        if (!options.create)
            return Status::Unavailable("consent store " + path + " has schema version " + std::to_string(*v) +
                                       ", expected " + std::to_string(kSqliteSchemaVersion) +
                                       " (initialise or migrate it with consentctl)");
        if (Status st = migrate(c); !st.ok()) return st;
    }
    auto db = std::make_unique<SqliteConsentDatabase>(path, options);
    db->pool().add_idle(std::move(conn).value());
    return std::unique_ptr<ConsentDatabase>(std::move(db));
}

}  // namespace cm
