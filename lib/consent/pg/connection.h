// SPDX-License-Identifier: Apache-2.0
// connection.h - libpq plumbing for the PostgreSQL consent store: a small connection pool,
// statements prepared lazily per connection, and one reconnect-and-retry after a lost server.
//
// PgPool owns at most `size` connections, opened on demand. PgPool::run() borrows one for the
// duration of one operation; when the operation fails because the connection was lost (server
// restart, network), the connection is re-established once and the operation is run once more
// unless it said it cannot be repeated (PgSession::forbid_retry). A borrowed connection is given
// back idle (an open transaction is rolled back) or dropped when broken. PgPool is thread-safe;
// a PgSession belongs to the one thread running the operation. Every failure is a
// Status::Unavailable("store unavailable: <libpq message>"), never containing the password,
// except data the server refuses (SQLSTATE class 22, e.g. invalid UTF-8): InvalidArgument.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cm {

// A named SQL statement; prepared on a connection the first time that connection runs it.
// Instances are static constants: the pool remembers them by address.
struct PgStatement {
    const char* name;
    const char* sql;
};

// A successful query's rows (text format). Owns the PGresult.
class PgRows {
public:
    explicit PgRows(PGresult* res) : res_(res, &PQclear) {}
    int size() const { return PQntuples(res_.get()); }
    bool is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
    std::string text(int row, int col) const { return PQgetvalue(res_.get(), row, col); }
    std::int64_t integer(int row, int col) const;  // NULL or empty = 0
    // Rows touched by an INSERT/UPDATE/DELETE without RETURNING.
    std::int64_t affected() const;

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

// One PGconn and the statements prepared on it (owned by PgPool, lent to one PgSession).
struct PgConnection {
    PGconn* pg = nullptr;
    std::set<const PgStatement*> prepared;

    PgConnection() = default;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;
    ~PgConnection() {
        if (pg) PQfinish(pg);
    }
};
class PgPool;

// One borrowed connection, for one operation.
class PgSession {
public:
    PgSession(PgConnection& conn, const PgPool& pool) : conn_(conn), pool_(pool) {}
    // Runs a prepared statement with text parameters (all non-NULL).
    Result<PgRows> exec(const PgStatement& stmt, const std::vector<std::string>& params);
    // Runs plain SQL without parameters (BEGIN, COMMIT, DDL); may hold several statements.
    Result<PgRows> exec(const char* sql);
    // Runs a prepared statement and hands each row to `row` as it arrives (single-row mode),
    // so a large result is never held in memory. `row` gets a one-row PgRows.
    Status stream(const PgStatement& stmt, const std::vector<std::string>& params,
                  const std::function<Status(const PgRows&)>& row);
    // The last failure was a lost connection (the only kind worth a reconnect).
    bool connection_lost() const { return lost_; }
    // Call once the operation has consumed input it cannot replay (a streamed import).
    void forbid_retry() { retry_allowed_ = false; }
    bool retry_allowed() const { return retry_allowed_; }

private:
    friend class PgBatch;
    Result<PgRows> check(PGresult* res, const char* what);
    Status prepare(const PgStatement& stmt);

    PgConnection& conn_;
    const PgPool& pool_;
    bool lost_ = false;
    bool retry_allowed_ = true;
};

// Many executions of one prepared statement in libpq pipeline mode: up to `window` are sent
// before their answers are read, so a bulk load costs a round trip per window, not per row.
// Use inside an explicit transaction (a pipeline sync does not commit it). The first error
// fails the batch; the destructor drains anything outstanding and leaves pipeline mode, so
// the session is usable (or rolled back) afterwards.
class PgBatch {
public:
    PgBatch(PgSession& session, const PgStatement& stmt, int window = 256);
    ~PgBatch();
    PgBatch(const PgBatch&) = delete;
    PgBatch& operator=(const PgBatch&) = delete;

    Status add(const std::vector<std::string>& params);
    Status finish();                                  // sends the rest, waits for all answers
    std::int64_t affected() const { return affected_; }  // rows affected by answered executions

private:
    Status flush();

    PgSession& session_;
    const PgStatement& stmt_;
    int window_;
    int pending_ = 0;
    bool started_ = false;
    std::int64_t affected_ = 0;
    Status error_;
};

class PgPool {
public:
    // `conninfo` is a libpq URI or key=value string; connect_timeout=5 unless it sets one.
    // statement_timeout_ms > 0: the server cancels a statement running longer (a locked table
    // becomes an error instead of a wait without end), unless conninfo sets its own `options`.
    PgPool(std::string conninfo, int size, int statement_timeout_ms = 0);
    ~PgPool();
    PgPool(const PgPool&) = delete;
    PgPool& operator=(const PgPool&) = delete;

    // Checks that `conninfo` parses; InvalidArgument otherwise (libpq's text is not repeated,
    // since it may quote the password).
    static Status validate(const std::string& conninfo);

    // Runs `op` on a borrowed connection, with one reconnect-and-retry on a lost connection.
    template <class T>
    Result<T> run(const std::function<Result<T>(PgSession&)>& op);

    // "store unavailable: <message>" with the password (if any) blanked out.
    Status unavailable(std::string_view message) const;

    // A new connection with the pool's settings that the pool neither counts nor takes back:
    // for a session held for long, e.g. the change watch's LISTEN (pg/change_watch.h).
    Result<std::unique_ptr<PgConnection>> open_connection() const;

private:
    std::unique_ptr<PgConnection> acquire(Status& error);
    void release(std::unique_ptr<PgConnection> conn);
    Status reconnect(PgConnection& conn);

    std::string conninfo_;
    std::string server_options_;  // libpq `options`: "-c statement_timeout=N" or empty
    std::string password_;  // only to scrub it from messages
    int size_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    int open_ = 0;  // idle + borrowed
};

template <class T>
Result<T> PgPool::run(const std::function<Result<T>(PgSession&)>& op) {
    Status error;
    std::unique_ptr<PgConnection> conn = acquire(error);
    if (!conn) return error;
    for (int attempt = 0;; ++attempt) {
        PgSession session(*conn, *this);
        Result<T> result = op(session);
        if (result.ok() || attempt > 0 || !session.connection_lost() || !session.retry_allowed()) {
            release(std::move(conn));
            return result;
        }
        if (Status st = reconnect(*conn); !st.ok()) {
            release(std::move(conn));
            return st;
        }
    }
}

}  // namespace cm
