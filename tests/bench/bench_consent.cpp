// SPDX-License-Identifier: Apache-2.0
// bench_consent - consent lookups per second on a large SQLite store (issue 5, "Consent").
//
// Builds (once, cached at --db) a store of N confirmed records for scope shop.example,
// addresses "<i>rcpt@example.net" (the form smtp-source -N sends), through import_records in
// one transaction. Then, in interleaved rounds, one address per lookup as the milter asks for
// a one-recipient message:
//   cold, evicted   fresh connection, the file's pages dropped from the OS page cache first
//                   (posix_fadvise DONTNEED on the db file only), every address new
//   cold, warm OS   fresh connection, every address new, OS page cache warm
//   repeat          same addresses again on that connection (SQLite's page cache warm)
//   cached          CachingConsentStore (lib/consent/consent_cache.h) holding every address
//
//   bench_consent --db FILE [--records N] [--lookups N] [--rounds N]
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
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

bool file_exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

long long file_size(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// Builds the store at `path` unless it is already there (built to a temp name, then renamed,
// so an interrupted build is never taken for a finished one).
bool ensure_store(const std::string& path, long records) {
    if (file_exists(path)) {
        std::printf("# consent store: %s (cached, %.1f MB)\n", path.c_str(), file_size(path) / 1e6);
        return true;
    }
    std::string tmp = path + ".building";
    for (const char* suffix : {"", "-wal", "-shm"}) unlink((tmp + suffix).c_str());
    auto start = std::chrono::steady_clock::now();
    {
        auto db = open_consent_database("sqlite:" + tmp);
        if (!db.ok()) {
            std::fprintf(stderr, "bench_consent: open %s: %s\n", tmp.c_str(), db.status().message().c_str());
            return false;
        }
        long next = 0;
        auto imported = (*db)->import_records(
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
        if (!imported.ok()) {
            std::fprintf(stderr, "bench_consent: import: %s\n", imported.status().message().c_str());
            return false;
        }
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) return false;
    std::printf("# consent store: built %s, %ld records in %.1f s (one import transaction), %.1f MB\n", path.c_str(),
                records, seconds_since(start), file_size(path) / 1e6);
    return true;
}

void evict_from_page_cache(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    close(fd);
}

std::unique_ptr<ConsentDatabase> open_store(const std::string& path) {
    OpenOptions o;
    o.create = false;
    auto db = open_consent_database("sqlite:" + path, o);
    if (!db.ok()) {
        std::fprintf(stderr, "bench_consent: open: %s\n", db.status().message().c_str());
        std::exit(1);
    }
    return std::move(*db);
}

// Looks up each address on its own; returns lookups/s, exits on a wrong answer.
double lookups_per_second(ConsentStore& store, const std::vector<std::string>& addresses) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> one(1);
    for (const auto& a : addresses) {
        one[0] = a;
        auto r = store.lookup(kScope, one);
        if (!r.ok() || r->size() != 1 || !(*r)[0].has_record || (*r)[0].status != ConsentStatus::confirmed) {
            std::fprintf(stderr, "bench_consent: wrong answer for %s: %s\n", a.c_str(),
                         r.ok() ? "no confirmed record" : r.status().message().c_str());
            std::exit(1);
        }
    }
    return addresses.size() / seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
    std::string db;
    long records = 1000000, lookups = 20000;
    int rounds = 3;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) a = "";
        if (a == "--db") db = argv[++i];
        else if (a == "--records") records = std::atol(argv[++i]);
        else if (a == "--lookups") lookups = std::atol(argv[++i]);
        else if (a == "--rounds") rounds = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_consent --db FILE [--records N] [--lookups N] [--rounds N]\n");
            return 64;
        }
    }
    if (db.empty() || records < 1 || lookups < 1 || rounds < 1) return 64;
    if (!ensure_store(db, records)) return 1;

    std::vector<double> evicted, warm, repeat, cached;
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<long> pick(0, records - 1);
    for (int round = 0; round < rounds; ++round) {
        std::vector<std::string> a1, a2;
        for (long i = 0; i < lookups; ++i) a1.push_back(address(pick(rng)));
        for (long i = 0; i < lookups; ++i) a2.push_back(address(pick(rng)));

        evict_from_page_cache(db);
        {
            auto store = open_store(db);
            evicted.push_back(lookups_per_second(*store, a1));
        }
        std::shared_ptr<ConsentStore> store = open_store(db);
        warm.push_back(lookups_per_second(*store, a2));
        repeat.push_back(lookups_per_second(*store, a2));
        std::int64_t clock = 0;
        CachingConsentStore cache(store, 30, [&] { return clock; }, static_cast<std::size_t>(lookups) * 2);
        lookups_per_second(cache, a2);  // fill
        cached.push_back(lookups_per_second(cache, a2));
    }

    std::printf("\n# Consent lookups, %ld records, 1 address per lookup, %ld lookups per mode: medians of %d interleaved rounds\n",
                records, lookups, rounds);
    double base = median(warm);
    std::vector<std::vector<std::string>> rows{{"mode", "lookups/s", "us/lookup", "ratio to cold (warm OS cache)"}};
    auto row = [&](const char* name, const std::vector<double>& v) {
        double m = median(v);
        rows.push_back({name, grouped(m), fixed(1e6 / m, 1), fixed(m / base, 2)});
    };
    row("cold: new connection, file evicted from OS page cache", evicted);
    row("cold: new connection, OS page cache warm", warm);
    row("repeat on the same connection (SQLite cache warm)", repeat);
    row("cached (CachingConsentStore hit)", cached);
    print_table(rows);
    return 0;
}
