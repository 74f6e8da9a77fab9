// SPDX-License-Identifier: Apache-2.0
// backend.cpp - the SQLite consent backend: SQL, a connection pool, transactions (backend.h).
//
// Threading model: a SqlitePool of connections opened SQLITE_OPEN_NOMUTEX; each call leases
// one connection for its duration, so concurrent lookups run in parallel under WAL (readers
// never block the writer nor each other) and no connection is ever shared between threads.
// Writes use BEGIN IMMEDIATE plus busy_timeout, so a concurrent writer (consentctl in another
// process) makes us wait, not fail. The rules are the engine's (consent/engine.h).
#include "consent/sqlite/backend.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "consent/sqlite/connection.h"

namespace cm {

namespace {

// ---- statements (cached per connection, keyed by text); column orders: consent/backend.h ----

// Always exactly one row; the scope's own suppression reason wins over the global one. Two
// primary-key probes instead of "ORDER BY ... LIMIT 1", whose sorter cost 7x per call.
constexpr const char* kLookupSql =
    "SELECT c.status, c.granted_at, c.confirmed_at,"
    " COALESCE((SELECT reason FROM suppression WHERE scope = ?1 AND address = ?2),"
    "          (SELECT reason FROM suppression WHERE scope = '*' AND address = ?2))"
    " FROM (SELECT 1) LEFT JOIN consent AS c ON c.scope = ?1 AND c.address = ?2";
#define CM_RECORD_COLUMNS "scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at"
constexpr const char* kGetRecordSql = "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE scope = ?1 AND address = ?2";
constexpr const char* kUpsertRecordSql =
    "INSERT INTO consent (" CM_RECORD_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (scope, address) DO UPDATE SET status = excluded.status, method = excluded.method,"
    " source = excluded.source, ip = excluded.ip, granted_at = excluded.granted_at,"
    " confirmed_at = excluded.confirmed_at, revoked_at = excluded.revoked_at";
constexpr const char* kExportAllSql = "SELECT " CM_RECORD_COLUMNS " FROM consent ORDER BY scope, address";
constexpr const char* kExportScopeSql =
    "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE scope = ?1 ORDER BY scope, address";
constexpr const char* kShowRecordsSql =
    "SELECT " CM_RECORD_COLUMNS " FROM consent WHERE address = ?1 AND (?2 = '' OR scope = ?2) ORDER BY scope";
#undef CM_RECORD_COLUMNS
constexpr const char* kGetSuppressionSql =
    "SELECT scope, address, reason, source, created_at FROM suppression WHERE scope = ?1 AND address = ?2";
constexpr const char* kUpsertSuppressionSql =
    "INSERT INTO suppression (scope, address, reason, source, created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (scope, address) DO UPDATE SET reason = excluded.reason, source = excluded.source,"
    " created_at = excluded.created_at";
constexpr const char* kDeleteSuppressionSql = "DELETE FROM suppression WHERE scope = ?1 AND address = ?2";
constexpr const char* kShowSuppressionsSql =
    "SELECT scope, address, reason, source, created_at FROM suppression"
    " WHERE address = ?1 AND (?2 = '' OR scope IN (?2, '*')) ORDER BY scope";
constexpr const char* kRefSeenSql = "SELECT 1 FROM history WHERE ref = ?1 LIMIT 1";
constexpr const char* kAppendHistorySql =
    "INSERT INTO history (at, scope, address, event, detail, ref) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kShowHistorySql =
    "SELECT id, at, scope, address, event, detail, ref FROM history"
    " WHERE address = ?1 AND (?2 = '' OR scope IN (?2, '*')) ORDER BY id";
constexpr const char* kCountRecordsSql =
    "SELECT scope, SUM(status = 'confirmed'), SUM(status = 'pending'), SUM(status = 'revoked'), 0"
    " FROM consent GROUP BY scope";
constexpr const char* kCountSuppressionsSql = "SELECT scope, 0, 0, 0, COUNT(*) FROM suppression GROUP BY scope";
constexpr const char* kGetSuspensionSql = "SELECT scope, reason, source, created_at FROM suspension WHERE scope = ?1";
constexpr const char* kUpsertSuspensionSql =
    "INSERT INTO suspension (scope, reason, source, created_at) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (scope) DO UPDATE SET reason = excluded.reason, source = excluded.source,"
    " created_at = excluded.created_at";
constexpr const char* kDeleteSuspensionSql = "DELETE FROM suspension WHERE scope = ?1";
constexpr const char* kAllSuspensionsSql = "SELECT scope, reason, source, created_at FROM suspension ORDER BY scope";
#define CM_COMPLAINT_COLUMNS \
    "id, received_at, report_ref, source, has_consent, scope, address, consent_status, consent_method," \
    " consent_source, consent_ip, consent_granted_at, consent_confirmed_at, consent_revoked_at"
constexpr const char* kInsertComplaintSql =
    "INSERT INTO complaint (" CM_COMPLAINT_COLUMNS ")"
    " VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
constexpr const char* kComplaintsAllSql =
    "SELECT " CM_COMPLAINT_COLUMNS " FROM complaint WHERE received_at >= ?1 ORDER BY received_at, id";
constexpr const char* kComplaintsScopeSql =
    "SELECT " CM_COMPLAINT_COLUMNS " FROM complaint WHERE scope = ?1 AND received_at >= ?2 ORDER BY received_at, id";
#undef CM_COMPLAINT_COLUMNS
constexpr const char* kCountComplaintsSql = "SELECT count(*) FROM complaint WHERE scope = ?1 AND received_at >= ?2";
constexpr const char* kAddTrafficSql =
    "INSERT INTO traffic (scope, day, kind, key, messages, recipients) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (scope, day, kind, key) DO UPDATE SET messages = messages + excluded.messages,"
    " recipients = recipients + excluded.recipients";
constexpr const char* kTrafficSql =
    "SELECT scope, day, kind, key, messages, recipients FROM traffic WHERE day BETWEEN ?1 AND ?2"
    " ORDER BY scope, day, kind, key";
constexpr const char* kVerdictTotalsSql =
    "SELECT scope, '', kind, key, sum(messages), sum(recipients) FROM traffic"
    " WHERE scope = ?1 AND day >= ?2 AND kind = 'verdict' GROUP BY scope, kind, key ORDER BY key";
constexpr const char* kHistoryBetweenSql =
    "SELECT id, at, scope, address, event, detail, ref FROM history WHERE at >= ?1 AND at < ?2 ORDER BY at, id";

// A stepped statement's current row, as the engine reads rows.
class SqliteRow final : public Row {
public:
    explicit SqliteRow(const Stmt& q) : q_(q) {}
    std::string text(int col) const override { return q_.text(col); }
    std::int64_t integer(int col) const override { return q_.int64(col); }
    bool is_null(int col) const override { return q_.is_null(col); }

private:
    const Stmt& q_;
};

template <class... Args>
void bind_all(Stmt& q, const Args&... args) {
    int i = 0;
    (q.bind(++i, args), ...);
}

// Runs the prepared statement `s` with `args` bound to ?1, ?2, ... and hands every row to `out`.
template <class... Args>
Status query(sqlite3_stmt* s, const Each<Row>& out, const Args&... args) {
    Stmt q(s);
    bind_all(q, args...);
    for (;;) {
        Result<bool> row = q.step();
        if (!row.ok()) return row.status();
        if (!*row) return Status::OK();
        if (Status st = out(SqliteRow(q)); !st.ok()) return st;
    }
}

template <class... Args>
Status query(SqliteConn& c, const char* sql, const Each<Row>& out, const Args&... args) {
    auto s = c.prepared(sql);
    return s.ok() ? query(*s, out, args...) : s.status();
}

template <class... Args>
Status run(SqliteConn& c, const char* sql, const Args&... args) {
    auto s = c.prepared(sql);
    if (!s.ok()) return s.status();
    Stmt q(*s);
    bind_all(q, args...);
    return q.run();
}

// Hands each row, decoded by `decode`, to `out`.
template <class T, class Decode, class... Args>
Status each(SqliteConn& c, const char* sql, Decode decode, const Each<T>& out, const Args&... args) {
    return query(c, sql, [&](const Row& row) -> Status {
        Result<T> item = decode(row);
        return item.ok() ? out(*item) : item.status();
    }, args...);
}

// The row `sql` finds, if any.
template <class T, class Decode, class... Args>
Result<std::optional<T>> first(SqliteConn& c, const char* sql, Decode decode, const Args&... args) {
    std::optional<T> found;
    Status st = each<T>(c, sql, decode, Each<T>([&](const T& item) {
        if (!found) found = item;
        return Status::OK();
    }), args...);
    if (!st.ok()) return st;
    return found;
}

class SqliteTxn final : public ConsentTxn {
public:
    explicit SqliteTxn(SqliteConn& c) : c_(c) {}

    Result<std::optional<ConsentRecord>> get_record(const std::string& scope, const std::string& address) override {
        return first<ConsentRecord>(c_, kGetRecordSql, record_from_row, scope, address);
    }
    Status put_record(const ConsentRecord& r) override {
        return run(c_, kUpsertRecordSql, r.scope, r.address, std::string_view(consent_status_name(r.status)),
                   r.method, r.source, r.ip, r.granted_at, r.confirmed_at, r.revoked_at);
    }
    Result<std::optional<Suppression>> get_suppression(const std::string& scope, const std::string& address) override {
        return first<Suppression>(c_, kGetSuppressionSql, suppression_from_row, scope, address);
    }
    Status put_suppression(const Suppression& s) override {
        return run(c_, kUpsertSuppressionSql, s.scope, s.address, s.reason, s.source, s.created_at);
    }
    Result<bool> delete_suppression(const std::string& scope, const std::string& address) override {
        if (Status st = run(c_, kDeleteSuppressionSql, scope, address); !st.ok()) return st;
        return sqlite3_changes(c_.handle()) > 0;
    }
    Result<bool> ref_seen(const std::string& ref) override {
        bool seen = false;
        Status st = query(c_, kRefSeenSql, [&](const Row&) {
            seen = true;
            return Status::OK();
        }, ref);
        if (!st.ok()) return st;
        return seen;
    }
    Status append_history(const HistoryEvent& e) override {
        return run(c_, kAppendHistorySql, e.at, e.scope, e.address, e.event, e.detail, e.ref);
    }

    Status each_record(const std::string& scope, const Each<ConsentRecord>& out) override {
        if (scope.empty()) return each<ConsentRecord>(c_, kExportAllSql, record_from_row, out);
        return each<ConsentRecord>(c_, kExportScopeSql, record_from_row, out, scope);
    }
    Status records_of(const std::string& address, const std::string& scope,
                      const Each<ConsentRecord>& out) override {
        return each<ConsentRecord>(c_, kShowRecordsSql, record_from_row, out, address, scope);
    }
    Status suppressions_of(const std::string& address, const std::string& scope,
                           const Each<Suppression>& out) override {
        return each<Suppression>(c_, kShowSuppressionsSql, suppression_from_row, out, address, scope);
    }
    Status history_of(const std::string& address, const std::string& scope,
                      const Each<HistoryEvent>& out) override {
        return each<HistoryEvent>(c_, kShowHistorySql, history_from_row, out, address, scope);
    }
    Status scope_counts(const Each<ScopeStats>& out) override {
        if (Status st = each<ScopeStats>(c_, kCountRecordsSql, scope_count_from_row, out); !st.ok()) return st;
        return each<ScopeStats>(c_, kCountSuppressionsSql, scope_count_from_row, out);
    }

    Result<std::optional<Suspension>> get_suspension(const std::string& scope) override {
        return first<Suspension>(c_, kGetSuspensionSql, suspension_from_row, scope);
    }
    Status put_suspension(const Suspension& s) override {
        return run(c_, kUpsertSuspensionSql, s.scope, s.reason, s.source, s.created_at);
    }
    Result<bool> delete_suspension(const std::string& scope) override {
        if (Status st = run(c_, kDeleteSuspensionSql, scope); !st.ok()) return st;
        return sqlite3_changes(c_.handle()) > 0;
    }
    Status each_suspension(const Each<Suspension>& out) override {
        return each<Suspension>(c_, kAllSuspensionsSql, suspension_from_row, out);
    }
    Status insert_complaint(const Complaint& c) override {
        const ConsentRecord none;
        const ConsentRecord& r = c.consent ? *c.consent : none;
        return run(c_, kInsertComplaintSql, c.received_at, c.report_ref, c.source, std::int64_t{c.consent ? 1 : 0},
                   c.scope, c.address, std::string_view(c.consent ? consent_status_name(r.status) : ""), r.method,
                   r.source, r.ip, r.granted_at, r.confirmed_at, r.revoked_at);
    }
    Status each_complaint(const std::string& scope, std::int64_t since, const Each<Complaint>& out) override {
        if (scope.empty()) return each<Complaint>(c_, kComplaintsAllSql, complaint_from_row, out, since);
        return each<Complaint>(c_, kComplaintsScopeSql, complaint_from_row, out, scope, since);
    }
    Result<std::int64_t> count_complaints(const std::string& scope, std::int64_t since) override {
        std::int64_t n = 0;
        Status st = query(c_, kCountComplaintsSql, [&](const Row& row) {
            n = row.integer(0);
            return Status::OK();
        }, scope, since);
        if (!st.ok()) return st;
        return n;
    }
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        for (const TrafficRow& r : rows)
            if (Status st = run(c_, kAddTrafficSql, r.scope, r.day, std::string_view(traffic_kind_name(r.kind)), r.key,
                                r.messages, r.recipients);
                !st.ok())
                return st;
        return Status::OK();
    }
    Status each_traffic(const std::string& since_day, const std::string& until_day,
                        const Each<TrafficRow>& out) override {
        return each<TrafficRow>(c_, kTrafficSql, traffic_from_row, out, since_day, until_day);
    }
    Status verdict_totals(const std::string& scope, const std::string& since_day,
                          const Each<TrafficRow>& out) override {
        return each<TrafficRow>(c_, kVerdictTotalsSql, traffic_from_row, out, scope, since_day);
    }
    Status history_between(std::int64_t since, std::int64_t until, const Each<HistoryEvent>& out) override {
        return each<HistoryEvent>(c_, kHistoryBetweenSql, history_from_row, out, since, until);
    }

private:
    SqliteConn& c_;
};

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
    for (int to = *v + 1; to <= kSqliteSchemaVersion; ++to) {
        if (Status st = conn.exec(kSqliteMigrations[to - 1]); !st.ok()) return st;
        std::string set = "PRAGMA user_version = " + std::to_string(to);
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

// ---- the backend ----

class SqliteBackend final : public ConsentBackend {
public:
    // Connections are cheap but carry their own page cache; keep enough idle ones that a
    // busy milter does not reopen the file per message.
    SqliteBackend(std::string path, const OpenOptions& options)
        : pool_(std::move(path), options.busy_timeout_ms, options.sqlite_cache_kib,
                static_cast<std::size_t>(options.pool_size > 16 ? options.pool_size : 16)) {}

    SqlitePool& pool() { return pool_; }

    // Every key a write touches is serialised by SQLite's one write lock (BEGIN IMMEDIATE).
    // Nothing to notify: watchers see commits through PRAGMA data_version (sqlite/change_watch.h).
    Status write(std::optional<ConsentKey>, const std::function<Status(ConsentTxn&)>& body, Notify) override {
        return transaction(Transaction::Kind::write, body);
    }
    Status read(const std::function<Status(ConsentTxn&)>& body) override {
        return transaction(Transaction::Kind::read, body);
    }

    // One read transaction (one snapshot for the whole list) and one prepared statement
    // stepped per address: no SQL text built per call.
    Status lookup(std::string_view scope, const std::vector<std::string>& keys, const Each<Row>& out) override {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, Transaction::Kind::read);
        if (!tx.ok()) return tx.status();
        Result<sqlite3_stmt*> s = (*conn)->prepared(kLookupSql);
        if (!s.ok()) return s.status();
        for (const std::string& key : keys)
            if (Status st = query(*s, out, scope, key); !st.ok()) return st;
        return (*tx)->commit();
    }

private:
    // Runs `body` between BEGIN and COMMIT on a leased connection; an error rolls back.
    Status transaction(Transaction::Kind kind, const std::function<Status(ConsentTxn&)>& body) {
        auto conn = pool_.acquire();
        if (!conn.ok()) return conn.status();
        auto tx = Transaction::begin(**conn, kind);
        if (!tx.ok()) return tx.status();
        SqliteTxn txn(**conn);
        if (Status st = body(txn); !st.ok()) return st;
        return (*tx)->commit();
    }

    SqlitePool pool_;
};

}  // namespace

Result<std::unique_ptr<ConsentBackend>> open_sqlite_backend(const std::string& path, const OpenOptions& options) {
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
    if (Status st = check_schema_version("consent store " + path, *v, kSqliteSchemaVersion, options.create); !st.ok())
        return st;
    if (*v < kSqliteSchemaVersion)
        if (Status st = migrate(c); !st.ok()) return st;
    auto backend = std::make_unique<SqliteBackend>(path, options);
    backend->pool().add_idle(std::move(conn).value());
    return std::unique_ptr<ConsentBackend>(std::move(backend));
}

}  // namespace cm
