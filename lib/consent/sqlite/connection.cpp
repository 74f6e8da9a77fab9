// SPDX-License-Identifier: Apache-2.0
// connection.cpp - RAII helpers over the SQLite C API (see connection.h).
#include "consent/sqlite/connection.h"

namespace cm {

Status sqlite_status(int rc, sqlite3* db, std::string_view what) {
    std::string msg(what);
    msg += ": ";
    // The connection's message is more specific, but only when it belongs to this code.
    msg += (db != nullptr && sqlite3_errcode(db) == rc) ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return Status::Unavailable(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return Status::Corruption(msg);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_AUTH: return Status::IOError(msg);
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: return Status::InvalidArgument(msg);
    default: return Status::Internal(msg);
    }
}

Result<std::unique_ptr<SqliteConn>> SqliteConn::open(const std::string& path, int busy_timeout_ms, int cache_kib) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        Status st = sqlite_status(rc, db, "cannot open consent store " + path);
        sqlite3_close(db);
        return st;
    }
    sqlite3_extended_result_codes(db, 1);
    std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
    rc = sqlite3_busy_timeout(db, busy_timeout_ms);
    if (rc != SQLITE_OK) return sqlite_status(rc, db, "busy_timeout on " + path);
    if (Status st = conn->exec("PRAGMA synchronous=NORMAL"); !st.ok()) return st;
    if (cache_kib > 0) {
        const std::string pragma = "PRAGMA cache_size=-" + std::to_string(cache_kib);
        if (Status st = conn->exec(pragma.c_str()); !st.ok()) return st;
    }
    return conn;
}

SqliteConn::~SqliteConn() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

Status SqliteConn::exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return sqlite_status(rc, db_, std::string("consent store: ") + sql);
    return Status::OK();
}

Result<sqlite3_stmt*> SqliteConn::prepared(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return sqlite_status(rc, db_, "consent store: preparing a statement");
    }
    cache_.emplace(sql, stmt);
    return stmt;
}

Stmt::~Stmt() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
}

Stmt& Stmt::bind(int index, std::string_view text) {
    // Bind errors (index out of range) are programming errors; step() reports them anyway.
    sqlite3_bind_text64(s_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(s_, index, value);
    return *this;
}

Result<bool> Stmt::step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_status(rc, sqlite3_db_handle(s_), "consent store query");
}

Status Stmt::run() {
    for (;;) {
        Result<bool> r = step();
        if (!r.ok()) return r.status();
        if (!*r) return Status::OK();
    }
}

std::string Stmt::text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    if (p == nullptr) return {};
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s_, col)));
}

std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(s_, col); }

bool Stmt::is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

Result<std::unique_ptr<Transaction>> Transaction::begin(SqliteConn& conn, Kind kind) {
    Status st = conn.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (!st.ok()) return st;
    return std::unique_ptr<Transaction>(new Transaction(conn));
}

Transaction::~Transaction() {
    if (open_) (void)conn_.exec("ROLLBACK");
}

Status Transaction::commit() {
    Status st = conn_.exec("COMMIT");
    if (st.ok()) open_ = false;
    return st;
}

Result<SqlitePool::Lease> SqlitePool::acquire() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!idle_.empty()) {
            std::unique_ptr<SqliteConn> conn = std::move(idle_.back());
            idle_.pop_back();
            return Lease(this, std::move(conn));
        }
    }
    // Opening happens outside the lock: it may wait on the file.
    Result<std::unique_ptr<SqliteConn>> conn = SqliteConn::open(path_, busy_timeout_ms_, cache_kib_);
    if (!conn.ok()) return conn.status();
    return Lease(this, std::move(conn).value());
}

void SqlitePool::release(std::unique_ptr<SqliteConn> conn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
    // else: conn closes here, under the lock (cheap: no I/O beyond releasing locks).
}

}  // namespace cm
