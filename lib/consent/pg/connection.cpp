// SPDX-License-Identifier: Apache-2.0
// connection.cpp - see connection.h.
#include "consent/pg/connection.h"

#include <cstdlib>

namespace cm {

namespace {

// libpq messages end in a newline and may span lines; keep them on one line.
std::string one_line(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

// SQLSTATE class 08 (connection exception) and the shutdown family 57P01..57P03 mean the
// server went away. An error without SQLSTATE was made by libpq itself: "server closed the
// connection unexpectedly" arrives that way, before PQstatus() turns CONNECTION_BAD.
// 25006 (read-only transaction) is a connection that failed over to a standby: connecting
// again reaches the primary once it is back (multi-host conninfo, README "Running a fleet").
// Everything else is an answer from a live server.
bool is_connection_error(PGconn* pg, const PGresult* res) {
    if (PQstatus(pg) == CONNECTION_BAD) return true;
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (!state) return true;
    std::string_view s = state;
    return s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03" || s == "25006";
}

// Server NOTICE/WARNING messages ("relation already exists, skipping", shutdown warnings)
// would otherwise go to stderr; errors still arrive as results.
void ignore_notice(void*, const char*) {}

std::vector<const char*> c_strings(const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const std::string& p : params) values.push_back(p.c_str());
    return values;
}

}  // namespace

std::int64_t PgRows::integer(int row, int col) const {
    if (is_null(row, col)) return 0;
    return std::strtoll(PQgetvalue(res_.get(), row, col), nullptr, 10);
}

std::int64_t PgRows::affected() const {
    return std::strtoll(PQcmdTuples(res_.get()), nullptr, 10);
}

Result<PgRows> PgSession::check(PGresult* res, const char* what) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return PgRows(res);
    std::string msg = res ? PQresultErrorMessage(res) : "";
    if (msg.empty()) msg = PQerrorMessage(conn_.pg);
    lost_ = is_connection_error(conn_.pg, res);
    // SQLSTATE class 22 (data exception: invalid UTF-8, out-of-range number) is bad input,
    // not an unreachable store; retrying later would fail the same way.
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    bool bad_data = state && std::string_view(state).starts_with("22");
    if (res) PQclear(res);
    if (bad_data) return Status::InvalidArgument("consent store rejected the data: " + one_line(msg));
    return pool_.unavailable(std::string(what) + ": " + msg);
}

Status PgSession::prepare(const PgStatement& stmt) {
    lost_ = false;
    if (conn_.prepared.count(&stmt)) return Status::OK();
    Result<PgRows> prep = check(PQprepare(conn_.pg, stmt.name, stmt.sql, 0, nullptr), stmt.name);
    if (!prep.ok()) return prep.status();
    conn_.prepared.insert(&stmt);
    return Status::OK();
}

Result<PgRows> PgSession::exec(const PgStatement& stmt, const std::vector<std::string>& params) {
    if (Status st = prepare(stmt); !st.ok()) return st;
    std::vector<const char*> values = c_strings(params);
    return check(PQexecPrepared(conn_.pg, stmt.name, static_cast<int>(values.size()), values.data(), nullptr,
                                nullptr, 0),
                 stmt.name);
}

Status PgSession::stream(const PgStatement& stmt, const std::vector<std::string>& params,
                         const std::function<Status(const PgRows&)>& row) {
    if (Status st = prepare(stmt); !st.ok()) return st;
    std::vector<const char*> values = c_strings(params);
    if (!PQsendQueryPrepared(conn_.pg, stmt.name, static_cast<int>(values.size()), values.data(), nullptr, nullptr,
                             0))
        return check(nullptr, stmt.name).status();
    PQsetSingleRowMode(conn_.pg);
    // Every result must be collected (PQgetResult until nullptr) before the connection is
    // usable again, even after an error or after `row` failed.
    Status result;
    while (PGresult* res = PQgetResult(conn_.pg)) {
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_SINGLE_TUPLE) {
            PgRows one(res);
            if (result.ok()) result = row(one);
        } else if (st == PGRES_TUPLES_OK) {
            PQclear(res);
        } else {
            Status err = check(res, stmt.name).status();
            if (result.ok()) result = err;
        }
    }
    return result;
}

Result<PgRows> PgSession::exec(const char* sql) {
    lost_ = false;
    return check(PQexec(conn_.pg, sql), "query");
}

PgBatch::PgBatch(PgSession& session, const PgStatement& stmt, int window)
    : session_(session), stmt_(stmt), window_(window < 1 ? 1 : window) {}

PgBatch::~PgBatch() {
    if (!started_) return;
    if (pending_ > 0) (void)flush();
    PQexitPipelineMode(session_.conn_.pg);
}

Status PgBatch::add(const std::vector<std::string>& params) {
    if (!error_.ok()) return error_;
    if (!started_) {
        if (Status st = session_.prepare(stmt_); !st.ok()) return error_ = st;
        if (!PQenterPipelineMode(session_.conn_.pg)) return error_ = session_.check(nullptr, stmt_.name).status();
        started_ = true;
    }
    std::vector<const char*> values = c_strings(params);
    if (!PQsendQueryPrepared(session_.conn_.pg, stmt_.name, static_cast<int>(values.size()), values.data(), nullptr,
                             nullptr, 0))
        return error_ = session_.check(nullptr, stmt_.name).status();
    if (++pending_ >= window_) return flush();
    return Status::OK();
}

Status PgBatch::finish() {
    if (started_ && pending_ > 0) (void)flush();
    if (started_) {
        PQexitPipelineMode(session_.conn_.pg);
        started_ = false;
    }
    return error_;
}

// Syncs and reads every outstanding answer up to the sync point. After an error the server
// skips the rest of the window (PGRES_PIPELINE_ABORTED); the first error is kept.
Status PgBatch::flush() {
    PGconn* pg = session_.conn_.pg;
    pending_ = 0;
    if (!PQpipelineSync(pg)) {
        if (error_.ok()) error_ = session_.check(nullptr, stmt_.name).status();
        return error_;
    }
    for (int nulls = 0;;) {
        PGresult* res = PQgetResult(pg);
        if (!res) {
            // One NULL ends each execution's results; two in a row mean nothing more is
            // coming (a lost connection), so stop instead of spinning.
            if (PQstatus(pg) == CONNECTION_BAD || ++nulls > 1) {
                if (error_.ok()) error_ = session_.check(nullptr, stmt_.name).status();
                break;
            }
            continue;
        }
        nulls = 0;
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            affected_ += std::strtoll(PQcmdTuples(res), nullptr, 10);
            PQclear(res);
        } else if (st == PGRES_PIPELINE_ABORTED) {
            PQclear(res);
        } else {
            Status err = session_.check(res, stmt_.name).status();  // takes ownership of res
            if (error_.ok()) error_ = err;
        }
    }
    return error_;
}

PgPool::PgPool(std::string conninfo, int size, int statement_timeout_ms)
    : conninfo_(std::move(conninfo)), size_(size < 1 ? 1 : size) {
    if (statement_timeout_ms > 0) server_options_ = "-c statement_timeout=" + std::to_string(statement_timeout_ms);
    if (PQconninfoOption* opts = PQconninfoParse(conninfo_.c_str(), nullptr)) {
        for (PQconninfoOption* o = opts; o->keyword; ++o)
            if (std::string_view(o->keyword) == "password" && o->val) password_ = o->val;
        PQconninfoFree(opts);
    }
}

PgPool::~PgPool() = default;

Status PgPool::validate(const std::string& conninfo) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (err) PQfreemem(err);
    if (!opts) return Status::InvalidArgument("invalid PostgreSQL connection string (check its syntax)");
    PQconninfoFree(opts);
    return Status::OK();
}

Status PgPool::unavailable(std::string_view message) const {
    std::string msg = one_line(message);
    if (password_.size() >= 1) {
        for (size_t at = msg.find(password_); at != std::string::npos; at = msg.find(password_, at))
            msg.replace(at, password_.size(), "***");
    }
    return Status::Unavailable("store unavailable: " + msg);
}

std::unique_ptr<PgConnection> PgPool::acquire(Status& error) {
    std::unique_ptr<PgConnection> conn;
    {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
        if (!idle_.empty()) {
            conn = std::move(idle_.back());
            idle_.pop_back();
        } else {
            ++open_;
        }
    }
    if (conn) {
        if (PQstatus(conn->pg) == CONNECTION_OK) return conn;
        if (error = reconnect(*conn); error.ok()) return conn;
        release(nullptr);  // counts the dropped connection out
        return nullptr;
    }
    // A new connection, opened outside the lock.
    auto opened = open_connection();
    if (opened.ok()) return std::move(opened).value();
    error = opened.status();
    release(nullptr);
    return nullptr;
}

// Our defaults come first; the user's conninfo (in `dbname`, which libpq expands and processes
// last) overrides any of them. Over TCP, tcp_user_timeout turns a server that vanished without
// a reset into an error after 10 s instead of a query hanging for the kernel's retransmission
// timeout.
Result<std::unique_ptr<PgConnection>> PgPool::open_connection() const {
    auto conn = std::make_unique<PgConnection>();
    const char* keys[] = {"connect_timeout", "tcp_user_timeout", "fallback_application_name", "options", "dbname", nullptr};
    const char* values[] = {"5", "10000", "consent-milter", server_options_.c_str(), conninfo_.c_str(), nullptr};
    conn->pg = PQconnectdbParams(keys, values, 1);
    if (conn->pg && PQstatus(conn->pg) == CONNECTION_OK) {
        PQsetNoticeProcessor(conn->pg, ignore_notice, nullptr);  // lib/ never writes to stderr
        return conn;
    }
    return unavailable(conn->pg ? PQerrorMessage(conn->pg) : "out of memory");
}

void PgPool::release(std::unique_ptr<PgConnection> conn) {
    if (conn && PQstatus(conn->pg) == CONNECTION_OK && PQtransactionStatus(conn->pg) != PQTRANS_IDLE) {
        PQclear(PQexec(conn->pg, "ROLLBACK"));
    }
    bool keep = conn && PQstatus(conn->pg) == CONNECTION_OK && PQtransactionStatus(conn->pg) == PQTRANS_IDLE;
    {
        std::lock_guard lock(mu_);
        if (keep)
            idle_.push_back(std::move(conn));
        else
            --open_;
    }
    cv_.notify_one();
    // A dropped connection (if any) is closed here, outside the lock.
}

Status PgPool::reconnect(PgConnection& conn) {
    conn.prepared.clear();  // a new server session knows no prepared statements
    PQreset(conn.pg);
    if (PQstatus(conn.pg) == CONNECTION_OK) return Status::OK();
    return unavailable(PQerrorMessage(conn.pg));
}

}  // namespace cm
