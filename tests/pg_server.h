// SPDX-License-Identifier: Apache-2.0
// pg_server.h - a throwaway PostgreSQL server for tests, started from the installed binaries.
//
// PgTestServer runs initdb in a fresh temporary directory (as `nobody` when the tests run as
// root, since initdb refuses root), then starts `postgres` listening only on a private Unix
// socket in that directory (no TCP port, so it neither uses nor disturbs a system cluster).
// The destructor stops the server (immediate mode) and removes the directory. Not thread-safe:
// drive it from the test's main thread; connections to it may be used from any thread.
#pragma once

#include <string>

namespace cm::test {

class PgTestServer {
public:
    // initdb + start. On failure ok() is false and error() says why (missing binaries, ...).
    PgTestServer();
    ~PgTestServer();
    PgTestServer(const PgTestServer&) = delete;
    PgTestServer& operator=(const PgTestServer&) = delete;

    // The server shared by every test of this binary: started on first use, stopped at exit.
    static PgTestServer& shared();

    bool ok() const { return error_.empty(); }
    const std::string& error() const { return error_; }

    // libpq URI for database `db` on this server (superuser "postgres", trust auth); with a
    // `schema`, sessions use it as their search_path, so a store creates its tables there.
    std::string conninfo(const std::string& db, const std::string& schema = "") const;
    // CREATE DATABASE t_N (N increasing) and return its name; "" on failure (see error()).
    std::string fresh_database();
    // CREATE SCHEMA s_N in the database "cmtest" and return its name; "" on failure. Much
    // cheaper than a database (no copy of template1), so each suite case gets its own.
    std::string fresh_schema();
    static constexpr const char* kSchemaDatabase = "cmtest";
    // Runs one SQL statement on database `db` (search_path `schema` when given); returns the
    // first column of the first row ("" when none), or "ERROR: <message>" on failure. For
    // tests that look behind the store.
    std::string query(const std::string& db, const std::string& sql, const std::string& schema = "") const;

    // pg_ctl stop -m immediate / pg_ctl start -w (same data directory, same socket).
    bool stop();
    bool start();
    bool running() const { return running_; }

private:
    // Runs `command` in /bin/sh as the server's owner (cwd = the temp dir); true when it exits 0.
    bool run_as_owner(const std::string& command);
    bool fail(std::string why);

    std::string bindir_;     // /usr/lib/postgresql/<version>/bin
    std::string dir_;        // temp dir: socket, logs; data in dir_/data
    std::string run_prefix_; // "runuser -u nobody -- " when root, else ""
    int port_ = 0;
    int next_db_ = 0;
    int next_schema_ = 0;
    bool schema_db_made_ = false;
    bool running_ = false;
    std::string error_;
};

}  // namespace cm::test
