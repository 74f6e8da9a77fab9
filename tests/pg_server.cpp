// SPDX-License-Identifier: Apache-2.0
// pg_server.cpp - see pg_server.h.
#include "pg_server.h"

#include <glob.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace cm::test {
namespace {

// The unprivileged account initdb/postgres run as when the tests run as root.
constexpr const char* kServerUser = "nobody";

// Newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres ("" if none).
// CM_PG_BINDIR overrides the search.
std::string find_bindir() {
    if (const char* env = std::getenv("CM_PG_BINDIR"); env && *env) return env;
    glob_t g{};
    std::vector<std::string> found;
    if (glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
            std::string bin = std::filesystem::path(g.gl_pathv[i]).parent_path();
            if (access((bin + "/pg_ctl").c_str(), X_OK) == 0 && access((bin + "/postgres").c_str(), X_OK) == 0)
                found.push_back(bin);
        }
    }
    globfree(&g);
    auto version = [](const std::string& bin) {  // /usr/lib/postgresql/15/bin -> 15
        return std::atoi(std::filesystem::path(bin).parent_path().filename().c_str());
    };
    std::sort(found.begin(), found.end(),
              [&](const std::string& a, const std::string& b) { return version(a) < version(b); });
    return found.empty() ? "" : found.back();
}

std::string file_tail(const std::string& path, size_t max_bytes = 2000) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
}

}  // namespace

PgTestServer::PgTestServer() {
    bindir_ = find_bindir();
    if (bindir_.empty()) {
        fail("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin "
             "(install the Debian package `postgresql`, or set CM_PG_BINDIR)");
        return;
    }
    char templ[] = "/tmp/cm-pgtest-XXXXXX";
    if (!mkdtemp(templ)) {
        fail("mkdtemp failed");
        return;
    }
    dir_ = templ;
    if (geteuid() == 0) {
        const passwd* pw = getpwnam(kServerUser);
        if (!pw) {
            fail(std::string("running as root, but user `") + kServerUser + "` for the test server is missing");
            return;
        }
        if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
            fail("cannot chown " + dir_ + " to " + kServerUser);
            return;
        }
        run_prefix_ = std::string("runuser -u ") + kServerUser + " -- ";
    }
    port_ = 40000 + static_cast<int>(getpid() % 20000);  // only names the socket file

    if (!run_as_owner(bindir_ + "/initdb -D " + dir_ + "/data -U postgres -A trust -E UTF8 --no-locale"
                      " --no-sync --no-instructions > " + dir_ + "/initdb.log 2>&1")) {
        fail("initdb failed: " + file_tail(dir_ + "/initdb.log"));
        return;
    }
    // A private socket, no TCP, and no fsync (a test server never outlives an OS crash).
    // synchronous_commit stays on: the outage tests stop the server in immediate mode and
    // expect every committed change to be there after the restart.
    std::ofstream conf(dir_ + "/data/postgresql.conf", std::ios::app);
    conf << "\nport = " << port_ << "\nunix_socket_directories = '" << dir_ << "'\n"
         << "listen_addresses = ''\nfsync = off\nfull_page_writes = off\n";
    conf.close();
    if (!conf) {
        fail("cannot write postgresql.conf");
        return;
    }
    start();
}

PgTestServer::~PgTestServer() {
    if (running_) stop();
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

PgTestServer& PgTestServer::shared() {
    static PgTestServer server;
    return server;
}

bool PgTestServer::fail(std::string why) {
    if (error_.empty()) error_ = "PostgreSQL test server: " + std::move(why);
    return false;
}

bool PgTestServer::run_as_owner(const std::string& command) {
    std::string full = run_prefix_ + "sh -c 'cd " + dir_ + " && " + command + "'";
    int rc = std::system(full.c_str());
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

bool PgTestServer::start() {
    if (running_) return true;
    if (!run_as_owner(bindir_ + "/pg_ctl -w -t 30 -D " + dir_ + "/data -l " + dir_ + "/server.log start > " +
                      dir_ + "/pg_ctl.log 2>&1"))
        return fail("pg_ctl start failed: " + file_tail(dir_ + "/pg_ctl.log") + file_tail(dir_ + "/server.log"));
    running_ = true;
    return true;
}

bool PgTestServer::stop() {
    if (!running_) return true;
    running_ = false;
    return run_as_owner(bindir_ + "/pg_ctl -w -D " + dir_ + "/data -m immediate stop >> " + dir_ +
                        "/pg_ctl.log 2>&1");
}

std::string PgTestServer::conninfo(const std::string& db, const std::string& schema) const {
    std::string uri = "postgresql:///" + db + "?host=" + dir_ + "&port=" + std::to_string(port_) + "&user=postgres";
    if (!schema.empty()) uri += "&options=-csearch_path%3D" + schema;
    return uri;
}

std::string PgTestServer::fresh_database() {
    if (!ok() || !running_) return "";
    std::string name = "t_" + std::to_string(++next_db_);
    std::string err = query("postgres", "CREATE DATABASE " + name);
    if (!err.empty()) {
        fail("CREATE DATABASE " + name + ": " + err);
        return "";
    }
    return name;
}

std::string PgTestServer::fresh_schema() {
    if (!ok() || !running_) return "";
    if (!schema_db_made_) {
        std::string err = query("postgres", std::string("CREATE DATABASE ") + kSchemaDatabase);
        if (!err.empty()) {
            fail(std::string("CREATE DATABASE ") + kSchemaDatabase + ": " + err);
            return "";
        }
        schema_db_made_ = true;
    }
    std::string name = "s_" + std::to_string(++next_schema_);
    std::string err = query(kSchemaDatabase, "CREATE SCHEMA " + name);
    if (!err.empty()) {
        fail("CREATE SCHEMA " + name + ": " + err);
        return "";
    }
    return name;
}

std::string PgTestServer::query(const std::string& db, const std::string& sql, const std::string& schema) const {
    PGconn* conn = PQconnectdb(conninfo(db, schema).c_str());
    std::string out;
    if (PQstatus(conn) != CONNECTION_OK) {
        out = std::string("ERROR: ") + PQerrorMessage(conn);
    } else {
        PGresult* res = PQexec(conn, sql.c_str());
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) > 0)
            out = PQgetvalue(res, 0, 0);
        else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
            out = std::string("ERROR: ") + PQresultErrorMessage(res);
        PQclear(res);
    }
    PQfinish(conn);
    return out;
}

}  // namespace cm::test
