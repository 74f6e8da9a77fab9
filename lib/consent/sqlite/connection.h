// SPDX-License-Identifier: Apache-2.0
// connection.h - thin RAII helpers over the SQLite C API used by the SQLite backend.
//
// SqliteConn is one connection (opened SQLITE_OPEN_NOMUTEX) with its prepared statements
// cached; it must be used by one thread at a time - SqlitePool hands each caller its own
// and takes it back. Stmt borrows a cached statement and resets it when it goes out of scope;
// Transaction rolls back unless committed. Every failure is a Status (see sqlite_status()).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/status.h"

namespace cm {

// Maps an SQLite result code to our Status: busy/locked -> Unavailable, corrupt/not-a-db ->
// Corruption, I/O, permission and cannot-open -> IOError, constraint -> InvalidArgument.
Status sqlite_status(int rc, sqlite3* db, std::string_view what);

class SqliteConn {
public:
    // Opens an existing file read-write (never creates it) and sets busy_timeout,
    // synchronous=NORMAL and, when cache_kib > 0, a page cache of that size on this connection.
    static Result<std::unique_ptr<SqliteConn>> open(const std::string& path, int busy_timeout_ms, int cache_kib = 0);
    ~SqliteConn();
    SqliteConn(const SqliteConn&) = delete;
    SqliteConn& operator=(const SqliteConn&) = delete;

    Status exec(const char* sql);                    // statements without results
    Result<sqlite3_stmt*> prepared(const char* sql); // cached per connection, keyed by text
    sqlite3* handle() const { return db_; }

private:
    explicit SqliteConn(sqlite3* db) : db_(db) {}
    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// A borrowed prepared statement: bind, step, read columns; reset on destruction.
class Stmt {
public:
    explicit Stmt(sqlite3_stmt* s) : s_(s) {}
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& bind(int index, std::string_view text);   // 1-based, copied by SQLite
    Stmt& bind(int index, std::int64_t value);
    Result<bool> step();                             // true: a row is ready; false: done
    Status run();                                    // step to completion, no rows expected
    std::string text(int col) const;                 // 0-based; NULL reads as ""
    std::int64_t int64(int col) const;
    bool is_null(int col) const;

private:
    sqlite3_stmt* s_;
};

// BEGIN (deferred, for reads) or BEGIN IMMEDIATE (for writes: takes the write lock up front
// so busy_timeout applies instead of a failing read-to-write upgrade).
class Transaction {
public:
    enum class Kind { read, write };
    static Result<std::unique_ptr<Transaction>> begin(SqliteConn& conn, Kind kind);
    ~Transaction();
    Status commit();

private:
    explicit Transaction(SqliteConn& conn) : conn_(conn) {}
    SqliteConn& conn_;
    bool open_ = true;
};

// Connections for one file. acquire() reuses an idle connection or opens a new one; the
// lease gives it back on destruction (keeping at most `max_idle`). Thread-safe.
class SqlitePool {
public:
    class Lease {
    public:
        Lease(SqlitePool* pool, std::unique_ptr<SqliteConn> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) = default;
        ~Lease() { if (conn_) pool_->release(std::move(conn_)); }
        SqliteConn& operator*() const { return *conn_; }
        SqliteConn* operator->() const { return conn_.get(); }
    private:
        SqlitePool* pool_;
        std::unique_ptr<SqliteConn> conn_;
    };

    SqlitePool(std::string path, int busy_timeout_ms, int cache_kib, std::size_t max_idle)
        : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), cache_kib_(cache_kib), max_idle_(max_idle) {}
    Result<Lease> acquire();
    void add_idle(std::unique_ptr<SqliteConn> conn) { release(std::move(conn)); }

private:
    void release(std::unique_ptr<SqliteConn> conn);
    const std::string path_;
    const int busy_timeout_ms_;
    const int cache_kib_;
    const std::size_t max_idle_;
    std::mutex mu_;
    std::vector<std::unique_ptr<SqliteConn>> idle_;
};

}  // namespace cm
