// SPDX-License-Identifier: Apache-2.0
// bench_consent - consent lookups per second on a large store, SQLite or PostgreSQL (issues 5, 15).
//
// Builds (once, cached) a store of N confirmed records for scope shop.example, addresses
// "<i>rcpt@example.net" (the form smtp-source -N sends), through import_records in one
// transaction. A SQLite store is built to FILE.building and renamed; a PostgreSQL database
// counts as built when it holds exactly N records of the scope. The store is opened as the
// milter opens it (milter/runtime.cpp: 512 KiB SQLite cache per connection, PostgreSQL pool of
// 4). Then, in interleaved rounds, one address per lookup as the milter asks for a
// one-recipient message, from 1 thread and from 4 (the milter's pool size), every mode with
// its own random addresses:
//   cold     --cold-command first (stores.sh: restart PostgreSQL), then the --evict files
//            dropped from the OS page cache (fdatasync + posix_fadvise DONTNEED), new store
//            object (new connections), every address new
//   warm     the --evict files read through into the OS page cache, new store object, every
//            address new
//   repeat   the warm mode's addresses again on the same store object (the database's own
//            cache: SQLite's page cache, PostgreSQL's shared_buffers)
//   cached   CachingConsentStore (lib/consent/consent_cache.h) holding every address
// With --baseline-db, a second store (e.g. 1,000,000 records) is measured in the same rounds,
// interleaved, and the table shows both and their ratio. Rates are wall-clock lookups/s; p99
// is the 99th percentile of one lookup's wall time, all threads together.
//
//   bench_consent --db URI|FILE [--records N] [--baseline-db URI --baseline-records N]
//                 [--threads 1,4] [--lookups N] [--rounds N] [--evict PATH]... [--cold-command CMD]
// URI: sqlite:FILE (a bare FILE too) or postgresql://... For SQLite the store's file is
// evicted by default; --evict (repeatable; a directory counts with every file under it)
// replaces that, e.g. with a PostgreSQL data directory.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "bench_util.h"
#include "consent/consent_cache.h"
#include "consent/consent_db.h"

using namespace cm;
using namespace cm::bench;

namespace {

constexpr const char* kScope = "shop.example";
constexpr std::int64_t kNow = 1715673600;

std::string address(long i) { return std::to_string(i) + "rcpt@example.net"; }

struct Store {
    std::string uri;                 // sqlite:FILE or postgresql://...
    long records = 0;
    std::vector<std::string> evict;  // files or directories of the store, for cold and warm
};

bool file_exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

long long file_size(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

void die(const std::string& what, const Status& st) {
    std::fprintf(stderr, "bench_consent: %s: %s\n", what.c_str(), st.message().c_str());
    std::exit(1);
}

// Imports `records` records into `db` in one transaction; returns the seconds it took.
double import_all(ConsentDatabase& db, long records) {
    auto start = std::chrono::steady_clock::now();
    long next = 0;
    auto imported = db.import_records(
        [&](ConsentRecord& r) -> Result<bool> {
            if (next >= records) return false;
            r.scope = kScope;
            r.address = address(next++);
            r.status = ConsentStatus::confirmed;
            r.method = "double-opt-in";
            r.source = "https://shop.example/signup";
            r.ip = "192.0.2.1";
            r.granted_at = kNow - 86400 * 30;
            r.confirmed_at = r.granted_at + 600;
            return true;
        },
        kNow);
    if (!imported.ok()) die("import", imported.status());
    return seconds_since(start);
}

// A SQLite store is built to a temp name, then renamed, so an interrupted build is never
// taken for a finished one.
void ensure_sqlite_store(const std::string& path, long records) {
    if (file_exists(path)) {
        std::printf("# store %s: cached, %.1f MB\n", path.c_str(), file_size(path) / 1e6);
        return;
    }
    std::string tmp = path + ".building";
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((tmp + suffix).c_str());
    double seconds;
    {
        // The import's page cache holds the growing indexes: with SQLite's default 2 MiB, a
        // large import spills the same pages to the WAL over and over.
        OpenOptions o;
        o.sqlite_cache_kib = 2 << 20;
        auto db = open_consent_database("sqlite:" + tmp, o);
        if (!db.ok()) die("open " + tmp, db.status());
        seconds = import_all(**db, records);
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) die("rename " + tmp, Status::IOError("rename failed"));
    std::printf("# store %s: built, %ld records in %.1f s (one import transaction), %.1f MB\n", path.c_str(),
                records, seconds, file_size(path) / 1e6);
}

// A PostgreSQL store is built when its scope holds exactly `records` records; the import is
// one transaction, so a store holds all of them or none.
void ensure_pg_store(const std::string& uri, long records) {
    auto db = open_consent_database(uri);
    if (!db.ok()) die("open " + uri, db.status());
    auto stats = (*db)->stats();
    if (!stats.ok()) die("stats", stats.status());
    std::int64_t have = 0;
    for (const ScopeStats& s : *stats) have += s.confirmed + s.pending + s.revoked;
    if (have == records) {
        std::printf("# store %s: cached, %ld records\n", uri.c_str(), records);
        return;
    }
    if (have != 0) die(uri, Status::InvalidArgument("holds " + std::to_string(have) + " records, not " +
                                                    std::to_string(records) + "; drop the database"));
    double seconds = import_all(**db, records);
    std::printf("# store %s: built, %ld records in %.1f s (one import transaction)\n", uri.c_str(), records, seconds);
}

// Calls `each` for every regular file at `path` (a file, or a directory walked recursively).
template <class F>
void each_file(const std::string& path, F each) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        for (const auto& e : fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec))
            if (e.is_regular_file(ec)) each(e.path().string());
    } else if (fs::is_regular_file(path, ec)) {
        each(path);
    }
}

// Drops the files' pages from the OS page cache (written back first: dirty pages would stay).
void evict_from_page_cache(const std::vector<std::string>& paths) {
    for (const auto& p : paths)
        each_file(p, [](const std::string& f) {
            int fd = open(f.c_str(), O_RDONLY);
            if (fd < 0) return;
            fdatasync(fd);
            posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
            close(fd);
        });
}

// Reads the files through, so the OS page cache holds all of them.
void read_into_page_cache(const std::vector<std::string>& paths) {
    std::vector<char> buf(1 << 20);
    for (const auto& p : paths)
        each_file(p, [&](const std::string& f) {
            int fd = open(f.c_str(), O_RDONLY);
            if (fd < 0) return;
            while (read(fd, buf.data(), buf.size()) > 0) {
            }
            close(fd);
        });
}

// MB of the files in the OS page cache, and their total MB (mincore on a read-only mapping).
std::pair<double, double> cached_mb(const std::vector<std::string>& paths) {
    const long page = sysconf(_SC_PAGESIZE);
    double resident = 0, total = 0;
    for (const auto& p : paths)
        each_file(p, [&](const std::string& f) {
            long long size = file_size(f);
            if (size <= 0) return;
            total += size;
            int fd = open(f.c_str(), O_RDONLY);
            if (fd < 0) return;
            void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
            close(fd);
            if (map == MAP_FAILED) return;
            std::vector<unsigned char> vec((size + page - 1) / page);
            if (mincore(map, size, vec.data()) == 0)
                for (unsigned char v : vec) resident += (v & 1) ? page : 0;
            munmap(map, size);
        });
    return {resident / 1e6, total / 1e6};
}

std::shared_ptr<ConsentStore> open_store(const std::string& uri) {
    OpenOptions o;  // as milter/runtime.cpp opens the store
    o.create = false;
    o.statement_timeout_ms = 5000;
    o.sqlite_cache_kib = 512;
    auto db = open_consent_database(uri, o);
    if (!db.ok()) die("open " + uri, db.status());
    return std::shared_ptr<ConsentStore>(std::move(*db));
}

struct Sample {
    double rate = 0;     // lookups/s, wall clock
    double p99_us = 0;   // one lookup's 99th percentile
};

// Looks up each address on its own, spread over `threads` threads; exits on a wrong answer.
Sample measure(ConsentStore& store, const std::vector<std::string>& addresses, int threads) {
    std::vector<std::vector<double>> latency(threads);
    auto worker = [&](int t) {
        std::vector<std::string> one(1);
        for (std::size_t i = t; i < addresses.size(); i += threads) {
            one[0] = addresses[i];
            auto begin = std::chrono::steady_clock::now();
            auto r = store.lookup(kScope, one);
            latency[t].push_back(seconds_since(begin) * 1e6);
            if (!r.ok() || r->size() != 1 || !(*r)[0].has_record || (*r)[0].status != ConsentStatus::confirmed) {
                std::fprintf(stderr, "bench_consent: wrong answer for %s: %s\n", one[0].c_str(),
                             r.ok() ? "no confirmed record" : r.status().message().c_str());
                std::exit(1);
            }
        }
    };
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (auto& th : pool) th.join();
    Sample s;
    s.rate = addresses.size() / seconds_since(start);
    std::vector<double> all;
    for (auto& l : latency) all.insert(all.end(), l.begin(), l.end());
    std::sort(all.begin(), all.end());
    s.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
    return s;
}

std::string load() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

const char* const kModes[] = {"cold", "warm", "repeat", "cached"};

// Samples of one (store, threads, mode) over the rounds.
struct Series {
    std::vector<double> rate, p99;
    void add(const Sample& s) {
        rate.push_back(s.rate);
        p99.push_back(s.p99_us);
    }
};

std::vector<int> parse_threads(const std::string& list) {
    std::vector<int> out;
    for (std::size_t pos = 0; pos < list.size();) {
        std::size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        out.push_back(std::atoi(list.substr(pos, comma - pos).c_str()));
        pos = comma + 1;
    }
    return out;
}

bool is_pg(const std::string& uri) { return uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0; }

}  // namespace

int main(int argc, char** argv) {
    Store main_store, base_store;
    main_store.records = 1000000;
    std::vector<std::string> evict;
    std::string threads_list = "1", cold_command;
    long lookups = 20000;
    int rounds = 3;
    setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) a = "";
        if (a == "--db") main_store.uri = argv[++i];
        else if (a == "--records") main_store.records = std::atol(argv[++i]);
        else if (a == "--baseline-db") base_store.uri = argv[++i];
        else if (a == "--baseline-records") base_store.records = std::atol(argv[++i]);
        else if (a == "--threads") threads_list = argv[++i];
        else if (a == "--lookups") lookups = std::atol(argv[++i]);
        else if (a == "--rounds") rounds = std::atoi(argv[++i]);
        else if (a == "--evict") evict.push_back(argv[++i]);
        else if (a == "--cold-command") cold_command = argv[++i];
        else {
            std::fprintf(stderr,
                         "usage: bench_consent --db URI|FILE [--records N] [--baseline-db URI --baseline-records N]\n"
                         "       [--threads 1,4] [--lookups N] [--rounds N] [--evict PATH]... [--cold-command CMD]\n");
            return 64;
        }
    }
    std::vector<int> threads = parse_threads(threads_list);
    std::vector<Store*> stores;
    if (!base_store.uri.empty()) stores.push_back(&base_store);
    stores.push_back(&main_store);
    for (Store* s : stores) {
        if (s->uri.empty() || s->records < 1) return 64;
        if (!is_pg(s->uri) && s->uri.rfind("sqlite:", 0) != 0) s->uri = "sqlite:" + s->uri;
        if (is_pg(s->uri)) {
            ensure_pg_store(s->uri, s->records);
        } else {
            std::string path = sqlite_store_path(s->uri);
            ensure_sqlite_store(path, s->records);
            s->evict = {path, path + "-wal"};
        }
        if (!evict.empty()) s->evict = evict;
    }
    if (lookups < 1 || rounds < 1 || threads.empty()) return 64;
    for (int t : threads)
        if (t < 1) return 64;

    auto addresses = [&](std::mt19937_64& rng, const Store& s) {
        std::uniform_int_distribution<long> pick(0, s.records - 1);
        std::vector<std::string> out;
        for (long i = 0; i < lookups; ++i) out.push_back(address(pick(rng)));
        return out;
    };
    std::map<std::tuple<const Store*, int, std::string>, Series> results;
    std::mt19937_64 rng(42);
    std::printf("# load at start: %s\n", load().c_str());
    for (int round = 0; round < rounds; ++round) {
        // Cold first, each after its own restart and eviction.
        for (Store* s : stores)
            for (int t : threads) {
                if (!cold_command.empty() && std::system(cold_command.c_str()) != 0) {
                    std::fprintf(stderr, "bench_consent: --cold-command failed: %s\n", cold_command.c_str());
                    return 1;
                }
                evict_from_page_cache(s->evict);
                auto [in_cache, size] = cached_mb(s->evict);
                if (round == 0 && t == threads.front())
                    std::printf("# %s: %.0f of %.0f MB in the OS page cache after eviction\n", s->uri.c_str(),
                                in_cache, size);
                auto a = addresses(rng, *s);
                results[{s, t, "cold"}].add(measure(*open_store(s->uri), a, t));
            }
        std::set<std::vector<std::string>> files;  // PostgreSQL stores share one data directory
        for (Store* s : stores) files.insert(s->evict);
        for (const auto& f : files) read_into_page_cache(f);
        for (Store* s : stores)
            for (int t : threads) {
                auto a = addresses(rng, *s);
                std::shared_ptr<ConsentStore> store = open_store(s->uri);
                results[{s, t, "warm"}].add(measure(*store, a, t));
                results[{s, t, "repeat"}].add(measure(*store, a, t));
                std::int64_t clock = 0;
                CachingConsentStore cache(store, 30, [&] { return clock; }, static_cast<std::size_t>(lookups) * 2);
                measure(cache, a, t);  // fill
                results[{s, t, "cached"}].add(measure(cache, a, t));
            }
        std::printf("# round %d done, load %s\n", round + 1, load().c_str());
        std::fflush(stdout);
    }

    std::printf("\n# Consent lookups, 1 address per lookup, %ld lookups per mode and thread count: medians of %d "
                "interleaved rounds; load at end %s\n", lookups, rounds, load().c_str());
    for (Store* s : stores) std::printf("#   %s records: %s\n", grouped(s->records).c_str(), s->uri.c_str());
    std::vector<std::string> header{"mode", "threads"};
    for (Store* s : stores) {
        header.push_back(grouped(s->records) + ": lookups/s");
        header.push_back("p99 us");
    }
    if (stores.size() == 2) header.push_back("ratio");
    std::vector<std::vector<std::string>> rows{header};
    for (const char* mode : kModes)
        for (int t : threads) {
            std::vector<std::string> row{mode, std::to_string(t)};
            for (Store* s : stores) {
                const Series& v = results[{s, t, mode}];
                row.push_back(grouped(median(v.rate)));
                row.push_back(fixed(median(v.p99), 0));
            }
            if (stores.size() == 2)
                row.push_back(fixed(median(results[{stores[1], t, mode}].rate) /
                                    median(results[{stores[0], t, mode}].rate), 2));
            rows.push_back(row);
        }
    print_table(rows);
    return 0;
}
