// SPDX-License-Identifier: Apache-2.0
// change_watch.cpp - see change_watch.h.
#include "consent/pg/change_watch.h"

#include <poll.h>

#include "consent/pg/connection.h"

namespace cm {

namespace {

constexpr int kPingMs = 30000;

class PgChangeSource final : public ChangeSource {
public:
    // The pool is never borrowed from: it holds the connection settings and scrubs messages.
    explicit PgChangeSource(const std::string& conninfo) : settings_(conninfo, 1) {}

    Status connect() override {
        conn_.reset();
        auto conn = settings_.open_connection();
        if (!conn.ok()) return conn.status();
        conn_ = std::move(conn).value();
        const std::string listen = std::string("LISTEN ") + kChangeChannel;
        PGresult* res = PQexec(conn_->pg, listen.c_str());
        const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        return ok ? Status::OK() : lost();
    }

    Result<bool> wait(int wake_fd) override {
        PGconn* pg = conn_->pg;
        if (drain()) return true;  // arrived with the last result
        pollfd fds[2] = {{PQsocket(pg), POLLIN, 0}, {wake_fd, POLLIN, 0}};
        if (fds[0].fd < 0) return lost();
        const int ready = poll(fds, 2, kPingMs);
        if (ready > 0 && (fds[1].revents & POLLIN)) return false;
        if (ready == 0) {
            PGresult* res = PQexec(pg, "");
            const bool ok = PQresultStatus(res) == PGRES_EMPTY_QUERY;
            PQclear(res);
            if (!ok) return lost();
        } else if (ready > 0 && !PQconsumeInput(pg)) {
            return lost();
        }
        const bool changed = drain();
        if (PQstatus(pg) != CONNECTION_OK) return lost();
        return changed;
    }

private:
    // Takes every notification received so far; true when there was one.
    bool drain() {
        bool any = false;
        while (PGnotify* n = PQnotifies(conn_->pg)) {
            any = true;
            PQfreemem(n);
        }
        return any;
    }
    Status lost() const { return settings_.unavailable(PQerrorMessage(conn_->pg)); }

    PgPool settings_;
    std::unique_ptr<PgConnection> conn_;
};

}  // namespace

std::unique_ptr<ChangeSource> make_pg_change_source(const std::string& conninfo) {
    return std::make_unique<PgChangeSource>(conninfo);
}

}  // namespace cm
