// SPDX-License-Identifier: Apache-2.0
// change_watch.cpp - see change_watch.h.
#include "consent/sqlite/change_watch.h"

#include <poll.h>

#include <cstdint>

#include "consent/sqlite/connection.h"

namespace cm {

namespace {

constexpr int kPollMs = 1000;  // DESIGN §11: at most once a second

class SqliteChangeSource final : public ChangeSource {
public:
    explicit SqliteChangeSource(std::string path) : path_(std::move(path)) {}

    Status connect() override {
        conn_.reset();
        auto conn = SqliteConn::open(path_, 1000);
        if (!conn.ok()) return conn.status();
        conn_ = std::move(conn).value();
        auto version = data_version();
        if (!version.ok()) return version.status();
        auto last = last_history_id();
        if (!last.ok()) return last.status();
        version_ = *version;
        last_id_ = *last;
        return Status::OK();
    }

    Result<bool> wait(int wake_fd) override {
        pollfd p{wake_fd, POLLIN, 0};
        if (poll(&p, 1, kPollMs) > 0) return false;
        auto version = data_version();
        if (!version.ok()) return version.status();
        if (*version == version_) return false;
        version_ = *version;
        auto last = last_history_id();
        if (!last.ok()) return last.status();
        if (*last == last_id_) return false;  // a commit that recorded no change (counters)
        last_id_ = *last;
        return true;
    }

private:
    Result<std::int64_t> one_integer(const char* sql) {
        auto s = conn_->prepared(sql);
        if (!s.ok()) return s.status();
        Stmt q(*s);
        auto row = q.step();
        if (!row.ok()) return row.status();
        return *row ? q.int64(0) : 0;
    }
    Result<std::int64_t> data_version() { return one_integer("PRAGMA data_version"); }
    Result<std::int64_t> last_history_id() { return one_integer("SELECT COALESCE(max(id), 0) FROM history"); }

    const std::string path_;
    std::unique_ptr<SqliteConn> conn_;
    std::int64_t version_ = 0;
    std::int64_t last_id_ = 0;
};

}  // namespace

std::unique_ptr<ChangeSource> make_sqlite_change_source(const std::string& path) {
    return std::make_unique<SqliteChangeSource>(path);
}

}  // namespace cm
