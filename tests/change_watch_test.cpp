// SPDX-License-Identifier: Apache-2.0
// The consent store's change watch (consent/change_watch.h) on real stores: a change committed
// through another connection is reported within 1.5 s (SQLite file; PostgreSQL server started by
// the test, pg_server.h); a commit that records no change (traffic counters) is not; the
// PostgreSQL listener reconnects after its session is terminated, and says so.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <utility>
#include <vector>

#include "consent/change_watch.h"
#include "consent/consent_db.h"
#include "consent/pg/backend.h"
#include "pg_server.h"

namespace {

using Kind = cm::StoreEvent::Kind;
using std::chrono::milliseconds;
constexpr std::int64_t kNow = 1'700'000'000;

// What a watch reported, for the test thread to wait on.
class Events {
public:
    cm::ChangeWatch::Handler handler() {
        return [this](const cm::StoreEvent& e) {
            std::lock_guard lock(mu_);
            kinds_.push_back(e.kind);
            if (!e.why.ok()) why_ = e.why.ToString();
            cv_.notify_all();
        };
    }
    // True when `kind` has been reported `n` times, waiting up to `within` for it.
    bool reached(Kind kind, int n, milliseconds within) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, within, [&] { return count_locked(kind) >= n; });
    }
    int count(Kind kind) {
        std::lock_guard lock(mu_);
        return count_locked(kind);
    }
    std::string why() {
        std::lock_guard lock(mu_);
        return why_;
    }

private:
    int count_locked(Kind kind) const { return static_cast<int>(std::count(kinds_.begin(), kinds_.end(), kind)); }
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<Kind> kinds_;
    std::string why_;
};

std::unique_ptr<cm::ChangeWatch> watch_ok(const std::string& uri) {
    auto watch = cm::open_change_watch(uri);
    INFO(watch.status().ToString());
    REQUIRE(watch.ok());
    return std::move(watch).value();
}

std::unique_ptr<cm::ConsentDatabase> open_ok(const std::string& uri) {
    auto db = cm::open_consent_database(uri);
    INFO(db.status().ToString());
    REQUIRE(db.ok());
    return std::move(db).value();
}

cm::ConsentRecord confirmed(const std::string& address) {
    cm::ConsentRecord r;
    r.scope = "shop.example";
    r.address = address;
    r.status = cm::ConsentStatus::confirmed;
    r.granted_at = kNow;
    r.confirmed_at = kNow;
    return r;
}

// A store file in a private directory, removed afterwards.
struct SqliteFile {
    std::filesystem::path dir;
    SqliteFile() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "consent-watch-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
    }
    ~SqliteFile() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string uri() const { return "sqlite:" + (dir / "consent.db").string(); }
};

}  // namespace

TEST_CASE("change watch, SQLite: another connection's change is seen within 1.5 s", "[consent]") {
    SqliteFile file;
    auto writer = open_ok(file.uri());  // creates the file
    auto watch = watch_ok(file.uri());
    Events events;
    watch->start(events.handler());
    REQUIRE(events.reached(Kind::connected, 1, milliseconds(2000)));

    SECTION("a revoke, a suppression") {
        REQUIRE(writer->grant(confirmed("a@example.net"), kNow).ok());
        REQUIRE(events.reached(Kind::changed, 1, milliseconds(1500)));
        REQUIRE(writer->revoke("shop.example", "a@example.net", "test", kNow).ok());
        CHECK(events.reached(Kind::changed, 2, milliseconds(1500)));
        cm::Suppression s{"*", "b@example.net", "complaint", "test", kNow};
        REQUIRE(writer->suppress(s, "", kNow).ok());
        CHECK(events.reached(Kind::changed, 3, milliseconds(1500)));
    }
    SECTION("a commit that records no change (as traffic counters) is not a change") {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open((file.dir / "consent.db").c_str(), &db) == SQLITE_OK);
        CHECK(sqlite3_exec(db, "CREATE TABLE counters (n INTEGER); INSERT INTO counters VALUES (1)", nullptr,
                           nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
        CHECK_FALSE(events.reached(Kind::changed, 1, milliseconds(2500)));
    }
    CHECK(events.count(Kind::lost) == 0);

    const auto before = std::chrono::steady_clock::now();
    watch->stop();
    CHECK(std::chrono::steady_clock::now() - before < milliseconds(500));  // woken, not waited out
}

TEST_CASE("change watch: its thread runs with every signal blocked", "[consent]") {
    SqliteFile file;
    auto writer = open_ok(file.uri());
    auto watch = watch_ok(file.uri());
    std::promise<std::vector<bool>> blocked;
    bool once = false;
    watch->start([&](const cm::StoreEvent&) {
        if (std::exchange(once, true)) return;
        sigset_t mask;
        pthread_sigmask(SIG_BLOCK, nullptr, &mask);
        blocked.set_value({sigismember(&mask, SIGTERM) == 1, sigismember(&mask, SIGHUP) == 1,
                           sigismember(&mask, SIGUSR1) == 1, sigismember(&mask, SIGINT) == 1});
    });
    auto got = blocked.get_future();
    REQUIRE(got.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
    CHECK(got.get() == std::vector<bool>{true, true, true, true});
    sigset_t mine;  // and the starting thread's own mask is as it was
    pthread_sigmask(SIG_BLOCK, nullptr, &mine);
    CHECK(sigismember(&mine, SIGUSR1) == 0);
}

TEST_CASE("change watch, SQLite: a missing file is reported and picked up once it exists", "[consent]") {
    SqliteFile file;
    auto watch = watch_ok(file.uri());
    Events events;
    watch->start(events.handler());
    REQUIRE(events.reached(Kind::lost, 1, milliseconds(2000)));
    CHECK(events.why().find("consent.db") != std::string::npos);
    auto writer = open_ok(file.uri());
    CHECK(events.reached(Kind::connected, 1, milliseconds(4000)));  // retried after 1 s, then 2 s
}

TEST_CASE("change watch: a URI no store accepts is refused", "[consent]") {
    CHECK_FALSE(cm::open_change_watch("mysql://x").ok());
    CHECK_FALSE(cm::open_change_watch("sqlite:").ok());
}

TEST_CASE("change watch, PostgreSQL: NOTIFY with every change, none for quiet writes; reconnects",
          "[consent][pg]") {
    cm::test::PgTestServer& srv = cm::test::PgTestServer::shared();
    INFO(srv.error());
    REQUIRE(srv.ok());
    if (!srv.running()) REQUIRE(srv.start());
    const std::string db = srv.fresh_database();
    REQUIRE(!db.empty());
    const std::string uri = srv.conninfo(db);

    auto writer = open_ok(uri);  // creates the schema
    auto watch = watch_ok(uri);
    Events events;
    watch->start(events.handler());
    REQUIRE(events.reached(Kind::connected, 1, milliseconds(5000)));

    REQUIRE(writer->grant(confirmed("a@example.net"), kNow).ok());
    REQUIRE(events.reached(Kind::changed, 1, milliseconds(1500)));
    REQUIRE(writer->revoke("shop.example", "a@example.net", "test", kNow).ok());
    REQUIRE(events.reached(Kind::changed, 2, milliseconds(1500)));

    // The backend's flag: a quiet write (traffic counters) and a rolled-back change notify no one.
    auto backend = cm::open_pg_backend(uri, {});
    REQUIRE(backend.ok());
    auto nothing = [](cm::ConsentTxn&) { return cm::Status::OK(); };
    REQUIRE((*backend)->write(std::nullopt, nothing, cm::Notify::quiet).ok());
    cm::TrafficRow counted{"shop.example", "2026-12-01", cm::TrafficRow::Kind::verdict, "accept", 1, 2};
    REQUIRE(writer->add_traffic({counted}).ok());  // the milter's counters are quiet too
    auto failing = [](cm::ConsentTxn&) { return cm::Status::Internal("undo"); };
    REQUIRE_FALSE((*backend)->write(std::nullopt, failing).ok());
    CHECK_FALSE(events.reached(Kind::changed, 3, milliseconds(1000)));
    REQUIRE((*backend)->write(std::nullopt, nothing).ok());
    CHECK(events.reached(Kind::changed, 3, milliseconds(1500)));

    // The listener's session is killed: lost, reconnected (the handler flushes on that).
    CHECK(srv.query(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE query LIKE 'LISTEN %'") == "1");
    REQUIRE(events.reached(Kind::lost, 1, milliseconds(2000)));
    REQUIRE(events.reached(Kind::connected, 2, milliseconds(3000)));
    REQUIRE(writer->grant(confirmed("b@example.net"), kNow).ok());
    CHECK(events.reached(Kind::changed, 4, milliseconds(1500)));
    cm::Suspension suspension{"shop.example", "complaints", "test", kNow};
    REQUIRE(writer->suspend(suspension, kNow).ok());  // a suspension is a change
    CHECK(events.reached(Kind::changed, 5, milliseconds(1500)));
    watch->stop();
}
