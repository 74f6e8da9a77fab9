// SPDX-License-Identifier: Apache-2.0
// The SQLite consent store: the shared backend suite on real files, plus what only SQLite has
// (file creation mode, WAL, damaged files, another process writing while we read).
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "consent_backend_suite.h"
#include "consent/consent_db.h"
#include "consent/sqlite/connection.h"
#include "consent/sqlite/schema.h"

namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kNow = 1'700'000'000;

// A private directory under $TMPDIR, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "consent-sqlite-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

// The store on the file `path`, opened as the milter and consentctl open it.
cm::Result<std::unique_ptr<cm::ConsentDatabase>> open_sqlite(const std::string& path, cm::OpenOptions options = {}) {
    return cm::open_consent_database("sqlite:" + path, options);
}

std::unique_ptr<cm::ConsentDatabase> open_ok(const std::string& path, cm::OpenOptions options = {}) {
    auto db = open_sqlite(path, options);
    INFO(db.status().ToString());
    REQUIRE(db.ok());
    return std::move(db).value();
}

cm::ConsentRecord confirmed(const std::string& scope, const std::string& address) {
    cm::ConsentRecord r;
    r.scope = scope;
    r.address = address;
    r.status = cm::ConsentStatus::confirmed;
    r.granted_at = kNow - 10;
    r.confirmed_at = kNow - 5;
    return r;
}

std::string pragma_text(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    std::string out;
    if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

int raw_exec(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
}

void write_bytes(const std::string& path, std::size_t offset, std::size_t n, unsigned seed) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    if (!f) f.open(path, std::ios::out | std::ios::binary);
    REQUIRE(f.good());
    f.seekp(static_cast<std::streamoff>(offset));
    unsigned x = seed;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1103515245u + 12345u;
        f.put(static_cast<char>((x >> 16) & 0xff));
    }
    REQUIRE(f.good());
}

}  // namespace

TEST_CASE("SQLite store passes the backend suite", "[consent][sqlite]") {
    TempDir dir;
    int n = 0;
    cm::testing::run_consent_backend_suite([&] {
        return open_ok(dir.file("suite" + std::to_string(n++) + ".db"));
    });
}

TEST_CASE("SQLite store passes the sender suite", "[consent][sqlite]") {
    TempDir dir;
    int n = 0;
    cm::testing::run_sender_backend_suite([&] { return open_ok(dir.file("senders" + std::to_string(n++) + ".db")); });
}

TEST_CASE("SQLite store: traffic from two store objects on one file adds up", "[consent][sqlite]") {
    TempDir dir;
    cm::testing::run_traffic_shared_writers([&] { return open_ok(dir.file("traffic.db")); });
}

TEST_CASE("SQLite store: concurrent readers and a writer on one store object", "[consent][sqlite]") {
    TempDir dir;
    cm::testing::run_consent_backend_concurrency([&] { return open_ok(dir.file("conc.db")); });
}

TEST_CASE("SQLite store is opened through open_consent_database by URI", "[consent][sqlite]") {
    TempDir dir;
    for (std::string uri : {"sqlite:" + dir.file("a.db"), "sqlite://" + dir.file("b.db")}) {
        INFO(uri);
        auto db = cm::open_consent_database(uri);
        INFO(db.status().ToString());
        REQUIRE(db.ok());
        CHECK((*db)->grant(confirmed("shop", "a@example.com"), kNow).ok());
    }
    CHECK(fs::exists(dir.file("a.db")));
    CHECK(fs::exists(dir.file("b.db")));
    for (const char* bad : {"sqlite:", "mysql://localhost/consent", "/var/lib/consent.db", ""}) {
        INFO(bad);
        auto db = cm::open_consent_database(bad);
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::invalid_argument);
    }
}

TEST_CASE("SQLite store file is created with mode 0640 whatever the umask", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("mode.db");
    mode_t old = ::umask(077);  // tests may touch the umask; the library never does
    auto db = open_sqlite(path, {});
    ::umask(old);
    REQUIRE(db.ok());
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("SQLite store uses WAL and records its schema version", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("wal.db");
    auto db = open_ok(path);
    CHECK(pragma_text(path, "PRAGMA journal_mode") == "wal");
    CHECK(pragma_text(path, "PRAGMA user_version") == std::to_string(cm::kSqliteSchemaVersion));
    db.reset();
    // Re-opening an existing store (the milter does so with create=false) keeps everything.
    {
        auto again = open_ok(path);
        REQUIRE(again->grant(confirmed("shop", "a@example.com"), kNow).ok());
    }
    cm::OpenOptions no_create;
    no_create.create = false;
    auto milter = open_ok(path, no_create);
    auto l = milter->lookup("shop", {"a@example.com"});
    REQUIRE(l.ok());
    CHECK((*l)[0].has_record);
}

TEST_CASE("SQLite store: a version-1 store is migrated by consentctl's open and keeps its data", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("v1.db");
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, cm::kSqliteMigrations[0], nullptr, nullptr, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA user_version = 1", nullptr, nullptr, nullptr) ==
                SQLITE_OK);
        REQUIRE(sqlite3_exec(db, cm::testing::kVersion1Rows, nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
    }
    // The milter (create=false) refuses a store older than itself and says what to do.
    cm::OpenOptions no_create;
    no_create.create = false;
    auto milter = open_sqlite(path, no_create);
    REQUIRE_FALSE(milter.ok());
    CHECK(milter.status().code() == cm::Status::Code::unavailable);
    CHECK(milter.status().message().find("consentctl") != std::string::npos);
    CHECK(pragma_text(path, "PRAGMA user_version") == "1");

    auto db = open_ok(path);  // consentctl: creates or migrates
    CHECK(pragma_text(path, "PRAGMA user_version") == std::to_string(cm::kSqliteSchemaVersion));
    cm::testing::check_version1_rows_kept(*db);
    db.reset();
    CHECK(open_sqlite(path, no_create).ok());  // now current: the milter opens it
}

TEST_CASE("SQLite store history refuses UPDATE and DELETE", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("hist.db");
    {
        auto db = open_ok(path);
        REQUIRE(db->grant(confirmed("shop", "a@example.com"), kNow).ok());
    }
    CHECK(raw_exec(path, "UPDATE history SET event = 'forged'") == SQLITE_CONSTRAINT);
    CHECK(raw_exec(path, "DELETE FROM history") == SQLITE_CONSTRAINT);
    CHECK(pragma_text(path, "SELECT event FROM history") == "grant");
}

TEST_CASE("SQLite store: missing, unreadable and damaged files are clear errors", "[consent][sqlite]") {
    TempDir dir;
    cm::OpenOptions no_create;
    no_create.create = false;

    SECTION("a missing file with create=false is Unavailable and is not created") {
        std::string path = dir.file("missing.db");
        auto db = open_sqlite(path, no_create);
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::unavailable);
        CHECK(db.status().message().find("does not exist") != std::string::npos);
        CHECK(db.status().message().find(path) != std::string::npos);
        CHECK_FALSE(fs::exists(path));
    }
    SECTION("a file in a directory that does not exist is an I/O error") {
        auto db = open_sqlite(dir.file("no/such/dir/consent.db"), {});
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::io_error);
    }
    SECTION("a directory instead of a file is an I/O error") {
        auto db = open_sqlite(dir.file(""), {});
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::io_error);
        CHECK(db.status().message().find("directory") != std::string::npos);
    }
    SECTION("a file of garbage bytes is Corruption") {
        std::string path = dir.file("garbage.db");
        write_bytes(path, 0, 8192, 42);
        auto db = open_sqlite(path, {});
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::corruption);
    }
    SECTION("an empty existing file with create=false is not initialised: Unavailable") {
        std::string path = dir.file("empty.db");
        std::ofstream(path).close();
        auto db = open_sqlite(path, no_create);
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::unavailable);
    }
    SECTION("a store from a newer program version is refused") {
        std::string path = dir.file("newer.db");
        open_ok(path).reset();
        REQUIRE(raw_exec(path, "PRAGMA user_version = 99") == SQLITE_OK);
        auto db = open_sqlite(path, {});
        REQUIRE_FALSE(db.ok());
        CHECK(db.status().code() == cm::Status::Code::unavailable);
        CHECK(db.status().message().find("99") != std::string::npos);
    }
    SECTION("pages damaged after creation give Corruption at open or lookup, not a crash") {
        std::string path = dir.file("damaged.db");
        {
            auto db = open_ok(path);
            std::vector<cm::ConsentRecord> in;
            for (int i = 0; i < 2000; ++i) in.push_back(confirmed("shop", "u" + std::to_string(i) + "@example.com"));
            std::size_t i = 0;
            auto n = db->import_records([&](cm::ConsentRecord& r) -> cm::Result<bool> {
                if (i == in.size()) return false;
                r = in[i++];
                return true;
            }, kNow);
            REQUIRE(n.ok());
        }
        // Fold the WAL into the main file, then overwrite everything after page 1.
        REQUIRE(raw_exec(path, "PRAGMA wal_checkpoint(TRUNCATE)") == SQLITE_OK);
        write_bytes(path, 4096, 64 * 1024, 7);
        auto db = open_sqlite(path, {});
        cm::Status st = db.ok() ? (*db)->lookup("shop", {"u1@example.com", "u1999@example.com"}).status()
                                : db.status();
        INFO(st.ToString());
        CHECK(st.code() == cm::Status::Code::corruption);
    }
}

TEST_CASE("SQLite store: another process writing while 4 threads read gives zero errors", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("shared.db");
    auto reader_db = open_ok(path);
    constexpr int kWrites = 300;

    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The writer: a separate process with its own store object, like consentctl.
        int failures = 0;
        auto db = open_sqlite(path, {});
        if (!db.ok()) ::_exit(100);
        for (int i = 0; i < kWrites; ++i) {
            auto r = (*db)->grant(confirmed("shop", "p" + std::to_string(i) + "@example.com"), kNow);
            if (!r.ok()) ++failures;
        }
        ::_exit(failures > 99 ? 99 : failures);
    }

    std::atomic<bool> done{false};
    std::atomic<int> errors{0}, lookups{0};
    std::vector<std::string> batch;
    for (int i = 0; i < kWrites; i += 3) batch.push_back("p" + std::to_string(i) + "@example.com");
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            while (!done.load()) {
                auto r = reader_db->lookup("shop", batch);
                ++lookups;
                if (!r.ok()) ++errors;
            }
        });
    int wstatus = 0;
    REQUIRE(::waitpid(child, &wstatus, 0) == child);
    done = true;
    for (std::thread& t : readers) t.join();

    REQUIRE(WIFEXITED(wstatus));
    CHECK(WEXITSTATUS(wstatus) == 0);  // writer failures (100: could not open)
    CHECK(errors.load() == 0);
    CHECK(lookups.load() > 0);
    auto all = reader_db->lookup("shop", batch);
    REQUIRE(all.ok());
    int present = 0;
    for (const cm::ConsentLookup& l : *all) present += l.has_record ? 1 : 0;
    CHECK(present == int(batch.size()));
}

TEST_CASE("SQLite connection: cache_kib sets the page cache, 0 keeps SQLite's default", "[consent][sqlite]") {
    TempDir dir;
    std::string path = dir.file("cache.db");
    REQUIRE(open_ok(path));
    auto cache_size = [&](int cache_kib) {
        auto conn = cm::SqliteConn::open(path, 1000, cache_kib);
        REQUIRE(conn.ok());
        auto stmt = (*conn)->prepared("PRAGMA cache_size");
        REQUIRE(stmt.ok());
        cm::Stmt q(*stmt);
        auto row = q.step();
        REQUIRE((row.ok() && *row));
        return q.int64(0);
    };
    CHECK(cache_size(512) == -512);
    CHECK(cache_size(0) == -2000);
}
