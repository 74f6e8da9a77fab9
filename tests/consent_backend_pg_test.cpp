// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL consent store against a real server started by the test (pg_server.h): the
// shared backend suite, plus what only a client/server store has - outages, reconnects after
// a restart, a bounded connection pool, concurrent schema creation, secrets kept out of errors.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include "consent_backend_suite.h"
#include "consent/consent_db.h"
#include "consent/pg/schema.h"
#include "pg_server.h"

namespace {

using cm::ConsentDatabase;
using cm::ConsentRecord;
using cm::ConsentStatus;
using cm::Status;
using cm::test::PgTestServer;

constexpr std::int64_t kNow = 1'700'000'000;

// The shared server, started if a test left it stopped. A missing PostgreSQL installation is
// a test failure with the reason, never a silent skip.
PgTestServer& server() {
    PgTestServer& srv = PgTestServer::shared();
    INFO(srv.error());
    REQUIRE(srv.ok());
    if (!srv.running()) {
        bool started = srv.start();
        INFO(srv.error());
        REQUIRE(started);
    }
    return srv;
}

// Where one store lives: a database, and in it a schema (search_path) unless empty.
struct Place {
    std::string db;
    std::string schema;
    std::string conninfo() const { return server().conninfo(db, schema); }
    std::string query(const std::string& sql) const { return server().query(db, sql, schema); }
};

// A fresh, empty schema of its own (cheap: every suite case gets one).
Place fresh_place() {
    PgTestServer& srv = server();
    std::string schema = srv.fresh_schema();
    INFO(srv.error());
    REQUIRE(!schema.empty());
    return Place{PgTestServer::kSchemaDatabase, schema};
}

// A fresh database of its own, for tests that count the database's sessions.
Place fresh_database() {
    PgTestServer& srv = server();
    std::string db = srv.fresh_database();
    INFO(srv.error());
    REQUIRE(!db.empty());
    return Place{db, ""};
}

std::unique_ptr<ConsentDatabase> open_store(const Place& place, cm::OpenOptions options = {}) {
    auto opened = cm::open_consent_database(place.conninfo(), options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    return std::move(opened).value();
}

std::unique_ptr<ConsentDatabase> open_fresh_store() { return open_store(fresh_place()); }

ConsentRecord confirmed(const std::string& scope, const std::string& address) {
    ConsentRecord r;
    r.scope = scope;
    r.address = address;
    r.status = ConsentStatus::confirmed;
    r.method = "double-opt-in";
    r.granted_at = kNow - 100;
    r.confirmed_at = kNow - 50;
    return r;
}

}  // namespace

TEST_CASE("PostgreSQL store passes the shared consent backend suite", "[consent][pg]") {
    cm::testing::run_consent_backend_suite(open_fresh_store);
}

TEST_CASE("PostgreSQL store passes the sender suite", "[consent][pg]") {
    cm::testing::run_sender_backend_suite(open_fresh_store);
}

TEST_CASE("PostgreSQL store: traffic from two MTAs adds up", "[consent][pg]") {
    Place db = fresh_place();
    cm::testing::run_traffic_shared_writers([&] { return open_store(db); });
}

TEST_CASE("PostgreSQL store: one writer and four readers on the same object", "[consent][pg]") {
    cm::testing::run_consent_backend_concurrency(open_fresh_store);
}

TEST_CASE("PostgreSQL store: 8 threads share a pool of 4 connections", "[consent][pg]") {
    Place db = fresh_database();
    cm::OpenOptions options;
    options.pool_size = 4;
    auto store = open_store(db, options);
    std::vector<std::string> addresses;
    for (int i = 0; i < 20; ++i) {
        addresses.push_back("u" + std::to_string(i) + "@example.com");
        if (i % 2 == 0) REQUIRE(store->grant(confirmed("shop", addresses.back()), kNow).ok());
    }
    std::atomic<int> errors{0}, wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int n = 0; n < 100; ++n) {
                auto r = store->lookup("shop", addresses);
                if (!r.ok() || r->size() != addresses.size()) {
                    ++errors;
                    continue;
                }
                for (size_t i = 0; i < addresses.size(); ++i)
                    if ((*r)[i].has_record != (i % 2 == 0) || (*r)[i].address != addresses[i]) ++wrong;
            }
        });
    }
    for (std::thread& t : threads) t.join();
    CHECK(errors.load() == 0);
    CHECK(wrong.load() == 0);
    // The pool never opened more than 4 sessions (idle ones stay connected).
    std::string sessions =
        server().query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db.db + "'");
    INFO(sessions);
    CHECK(sessions != "0");
    CHECK(std::atoi(sessions.c_str()) <= 4);
}

TEST_CASE("PostgreSQL store: server down is Unavailable; after a restart the same object works",
          "[consent][pg]") {
    Place db = fresh_place();
    auto store = open_store(db);
    REQUIRE(store->grant(confirmed("shop", "a@example.com"), kNow).ok());
    REQUIRE(store->lookup("shop", {"a@example.com"}).ok());  // a pooled, now-idle connection

    REQUIRE(server().stop());
    auto started = std::chrono::steady_clock::now();
    auto down = store->lookup("shop", {"a@example.com"});
    auto took = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(down.ok());
    CHECK(down.status().code() == Status::Code::unavailable);
    CHECK(down.status().message().rfind("store unavailable: ", 0) == 0);
    CHECK(took < std::chrono::seconds(6));  // no hang beyond connect_timeout (5 s default)
    auto write = store->grant(confirmed("shop", "b@example.com"), kNow);
    REQUIRE_FALSE(write.ok());
    CHECK(write.status().code() == Status::Code::unavailable);
    CHECK(store->show("a@example.com", "").status().code() == Status::Code::unavailable);

    REQUIRE(server().start());
    auto up = store->lookup("shop", {"a@example.com"});
    INFO(up.status().ToString());
    REQUIRE(up.ok());
    CHECK((*up)[0].has_record);
    auto write_again = store->grant(confirmed("shop", "b@example.com"), kNow);
    INFO(write_again.status().ToString());
    CHECK(write_again.ok());
}

TEST_CASE("PostgreSQL store: every pooled connection reconnects after a restart", "[consent][pg]") {
    Place db = fresh_place();
    cm::OpenOptions options;
    options.pool_size = 4;
    auto store = open_store(db, options);
    REQUIRE(store->grant(confirmed("shop", "a@example.com"), kNow).ok());
    // Fill the pool with 4 live connections, then restart the server under them.
    std::mutex mu;
    std::string first_error;
    auto hammer = [&](std::atomic<int>& errors) {
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&] {
                for (int n = 0; n < 20; ++n) {
                    auto r = store->lookup("shop", {"a@example.com"});
                    if (r.ok() && (*r)[0].has_record) continue;
                    if (errors++ == 0) {
                        std::lock_guard lock(mu);
                        first_error = r.status().ToString();
                    }
                }
            });
        for (std::thread& t : threads) t.join();
    };
    std::atomic<int> before{0}, after{0};
    hammer(before);
    REQUIRE(before.load() == 0);
    REQUIRE(server().stop());
    REQUIRE(server().start());
    hammer(after);
    INFO("first error: " << first_error);
    CHECK(after.load() == 0);
}

TEST_CASE("PostgreSQL store: open fails cleanly", "[consent][pg]") {
    SECTION("an unreachable server is Unavailable, and the message never shows the password") {
        auto r = cm::open_consent_database(
            "postgresql://cm:S3cretPw@/consent?host=/nonexistent-cm-socket-dir&port=5999", {});
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::unavailable);
        CHECK(r.status().message().find("S3cretPw") == std::string::npos);
        CHECK(r.status().message().rfind("store unavailable: ", 0) == 0);
    }
    SECTION("an unknown database is Unavailable") {
        auto r = cm::open_consent_database(server().conninfo("no_such_database"), {});
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::unavailable);
        CHECK(r.status().message().find("no_such_database") != std::string::npos);
    }
    SECTION("a malformed URI is InvalidArgument") {
        auto r = cm::open_consent_database("postgresql://host:notaport:x/db?what=ever", {});
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::invalid_argument);
    }
    SECTION("create=false on an empty database reports the missing schema and creates nothing") {
        Place db = fresh_place();
        cm::OpenOptions options;
        options.create = false;
        auto r = cm::open_consent_database(db.conninfo(), options);
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::unavailable);
        CHECK(r.status().message().find("consentctl") != std::string::npos);
        CHECK(db.query("SELECT to_regclass('consent') IS NULL") == "t");
        // ... and once created, create=false opens it.
        open_store(db);
        auto again = cm::open_consent_database(db.conninfo(), options);
        INFO(again.status().ToString());
        CHECK(again.ok());
    }
}

TEST_CASE("PostgreSQL store: several MTAs creating the schema at once all succeed", "[consent][pg]") {
    Place db = fresh_place();
    std::string conninfo = db.conninfo();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            auto r = cm::open_consent_database(conninfo, {});
            if (!r.ok()) ++failures;
        });
    for (std::thread& t : threads) t.join();
    CHECK(failures.load() == 0);
    CHECK(db.query("SELECT count(*) FROM schema_version") == "1");
}

TEST_CASE("PostgreSQL store: a version-1 schema is migrated by consentctl's open and keeps its data",
          "[consent][pg]") {
    Place db = fresh_place();
    std::string made = db.query("SET client_min_messages = warning; " + std::string(cm::kPgMigrations[0]) +
                                "; CREATE TABLE schema_version (version integer NOT NULL);"
                                " INSERT INTO schema_version VALUES (1); " + cm::testing::kVersion1Rows);
    INFO(made);
    REQUIRE(made.empty());
    // The milter (create=false) refuses a schema older than itself and says what to do.
    cm::OpenOptions no_create;
    no_create.create = false;
    auto milter = cm::open_consent_database(db.conninfo(), no_create);
    REQUIRE_FALSE(milter.ok());
    CHECK(milter.status().code() == Status::Code::unavailable);
    CHECK(milter.status().message().find("consentctl") != std::string::npos);
    CHECK(db.query("SELECT to_regclass('traffic') IS NULL") == "t");

    auto store = open_store(db);  // consentctl: creates or migrates
    CHECK(db.query("SELECT string_agg(version::text, ',') FROM schema_version") == std::to_string(cm::kPgSchemaVersion));
    cm::testing::check_version1_rows_kept(*store);
    auto again = cm::open_consent_database(db.conninfo(), no_create);  // now current: the milter opens it
    INFO(again.status().ToString());
    CHECK(again.ok());
}

TEST_CASE("PostgreSQL store: the history table refuses UPDATE, DELETE and TRUNCATE", "[consent][pg]") {
    Place db = fresh_place();
    auto store = open_store(db);
    REQUIRE(store->grant(confirmed("shop", "a@example.com"), kNow).ok());
    for (const char* sql : {"UPDATE history SET detail = 'forged'", "DELETE FROM history", "TRUNCATE history"}) {
        INFO(sql);
        CHECK(db.query(sql).find("append-only") != std::string::npos);
    }
    CHECK(db.query("SELECT count(*) FROM history") == "1");
}

TEST_CASE("PostgreSQL store: export order is bytewise whatever the database collation", "[consent][pg]") {
    // An ICU en-US database sorts "_z" before "0"; SQLite (and so our contract) sorts bytes.
    Place db{"icu_collation", ""};
    std::string created = server().query(
        "postgres", "CREATE DATABASE " + db.db + " LOCALE_PROVIDER icu ICU_LOCALE 'en-US' TEMPLATE template0");
    INFO(created);
    REQUIRE(created.empty());
    CHECK(db.query("SELECT string_agg(x, ' ' ORDER BY x) FROM (VALUES ('0'), ('_z')) v(x)") == "_z 0");
    auto store = open_store(db);
    for (const char* a : {"b@example.com", "a@example.com", "_z@example.com", "0@example.com"})
        REQUIRE(store->grant(confirmed("shop", a), kNow).ok());
    std::vector<std::string> got;
    REQUIRE(store->export_records("", [&](const ConsentRecord& r) { got.push_back(r.address); }).ok());
    CHECK(got == std::vector<std::string>{"0@example.com", "_z@example.com", "a@example.com", "b@example.com"});
}

TEST_CASE("PostgreSQL store: a large import is pipelined, and a row the server refuses undoes it all",
          "[consent][pg]") {
    Place db = fresh_place();
    auto store = open_store(db);
    constexpr int kRows = 20000;
    auto make = [](int i) {
        ConsentRecord r = confirmed(i % 3 ? "shop" : "news", "bulk" + std::to_string(i) + "@example.com");
        r.source = "list.csv";
        return r;
    };
    int i = 0;
    auto started = std::chrono::steady_clock::now();
    auto n = store->import_records(
        [&](ConsentRecord& out) -> cm::Result<bool> {
            if (i == kRows) return false;
            out = make(i++);
            return true;
        },
        kNow);
    auto took = std::chrono::steady_clock::now() - started;
    INFO(n.status().ToString());
    REQUIRE(n.ok());
    CHECK(*n == kRows);
    CHECK(took < std::chrono::seconds(30));  // about 1 s unloaded; per-row round trips were several
    CHECK(db.query("SELECT count(*) FROM consent") == std::to_string(kRows));
    CHECK(db.query("SELECT count(*) FROM history WHERE event = 'import'") == std::to_string(kRows));

    // Second load: 600 changed rows, the 400th with bytes that are not UTF-8. The server refuses
    // that row in the middle of a pipeline window; nothing of the load may remain.
    int j = 0;
    auto bad = store->import_records(
        [&](ConsentRecord& out) -> cm::Result<bool> {
            if (j == 600) return false;
            out = make(j);
            out.source = j == 399 ? "bad \xff\xfe bytes" : "second.csv";
            ++j;
            return true;
        },
        kNow + 1);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().code() == Status::Code::invalid_argument);
    CHECK(db.query("SELECT count(*) FROM consent WHERE source = 'second.csv'") == "0");
    CHECK(db.query("SELECT count(*) FROM history") == std::to_string(kRows));
    // The connection that ran the failed load is healthy and back in the pool.
    auto after = store->lookup("shop", {"bulk1@example.com"});
    REQUIRE(after.ok());
    CHECK((*after)[0].has_record);
}

TEST_CASE("PostgreSQL store: the user's connection parameters win over our defaults", "[consent][pg]") {
    Place db = fresh_place();
    // Our defaults (connect_timeout=5, tcp_user_timeout, fallback_application_name) are
    // placed before the user's conninfo; a user-set parameter visible server-side proves the
    // URI's own query parameters still arrive alongside them.
    auto store = cm::open_consent_database(db.conninfo() + "&connect_timeout=2&application_name=cm-user-set", {});
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    REQUIRE((*store)->lookup("shop", {"a@example.com"}).ok());
    CHECK(server().query("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cm-user-set'") ==
          "1");
}

TEST_CASE("PostgreSQL store: statement_timeout_ms turns a locked table into an error", "[consent][pg]") {
    Place db = fresh_database();
    cm::OpenOptions options;
    options.statement_timeout_ms = 300;
    auto store = open_store(db, options);
    REQUIRE(store->lookup("shop", {"a@example.com"}).ok());

    // Another session holds the table: without the timeout the lookup would wait for it (at
    // most 8 s here: then the server ends the idle holder, the lookup succeeds, the test fails).
    PGconn* holder = PQconnectdb(db.conninfo().c_str());
    REQUIRE(PQstatus(holder) == CONNECTION_OK);
    PQclear(PQexec(holder, "SET idle_in_transaction_session_timeout = '8s'"));
    PQclear(PQexec(holder, "BEGIN"));
    PGresult* locked = PQexec(holder, "LOCK TABLE consent IN ACCESS EXCLUSIVE MODE");
    REQUIRE(PQresultStatus(locked) == PGRES_COMMAND_OK);
    PQclear(locked);

    const auto t0 = std::chrono::steady_clock::now();
    auto blocked = store->lookup("shop", {"a@example.com"});
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK_FALSE(blocked.ok());
    INFO("waited " << waited << " s: " << blocked.status().ToString());
    CHECK(waited < 5.0);

    PQclear(PQexec(holder, "ROLLBACK"));
    PQfinish(holder);
    CHECK(store->lookup("shop", {"a@example.com"}).ok());
}
