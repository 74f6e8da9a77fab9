// SPDX-License-Identifier: Apache-2.0
#include "runtime.h"

#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <mutex>

#include "consent/change_watch.h"
#include "consent/consent_cache.h"
#include "consent/consent_db.h"
#include "log.h"

namespace cm {

namespace {

// Stands in for a store that could not be opened: lookups report why, and the store is
// opened again (at most every kRetrySeconds) so that it is used as soon as it is back.
class ReopeningStore final : public ConsentStore {
public:
    static constexpr int kRetrySeconds = 5;

    ReopeningStore(std::string uri, OpenOptions options, Status why)
        : uri_(std::move(uri)), options_(options), why_(std::move(why)), tried_(std::chrono::steady_clock::now()) {}

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope, const std::vector<std::string>& addresses) override {
        auto store = opened();
        if (!store.ok()) return store.status();
        return (*store)->lookup(scope, addresses);
    }
    Result<SenderState> sender_state(std::string_view scope, std::string_view since_day) override {
        auto store = opened();
        if (!store.ok()) return store.status();
        return (*store)->sender_state(scope, since_day);
    }
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        auto store = opened();
        if (!store.ok()) return store.status();
        return (*store)->add_traffic(rows);
    }
    Result<ChangeResult> suspend(const Suspension& suspension, std::int64_t now) override {
        auto store = opened();
        if (!store.ok()) return store.status();
        return (*store)->suspend(suspension, now);
    }

private:
    // The store once open; else why it is not (opening it again when kRetrySeconds passed).
    Result<std::shared_ptr<ConsentStore>> opened() {
        std::shared_ptr<ConsentStore> store;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto now = std::chrono::steady_clock::now();
            if (!store_ && now - tried_ >= std::chrono::seconds(kRetrySeconds)) {
                tried_ = now;
                auto db = open_consent_database(uri_, options_);
                if (db.ok()) store_ = std::shared_ptr<ConsentStore>(std::move(*db));
                else why_ = db.status();
            }
            if (!store_) return why_;
            store = store_;
        }
        return store;
    }

    const std::string uri_;
    const OpenOptions options_;
    std::mutex mutex_;
    Status why_;
    std::chrono::steady_clock::time_point tried_;
    std::shared_ptr<ConsentStore> store_;
};

// Unix time with microseconds, for the debug line that measures how soon a change applies.
std::string wall_clock() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%lld.%06ld", static_cast<long long>(ts.tv_sec), ts.tv_nsec / 1000);
    return buf;
}

// What the change watch reports, applied to the cache (DESIGN §11): a change empties it; while
// the watch is not connected nothing would say when the cache went stale, so it keeps nothing
// until the watch is back (and then starts empty: changes may have been missed). Runs on the
// watch's thread.
ChangeWatch::Handler flush_on_change(CachingConsentStore& cache) {
    return [&cache, lost = false](const StoreEvent& event) mutable {
        switch (event.kind) {
        case StoreEvent::Kind::connected:
            cache.set_enabled(true);
            log_message(lost ? LOG_INFO : LOG_DEBUG, "consent store change watch connected: lookup cache flushed");
            lost = false;
            break;
        case StoreEvent::Kind::changed:
            cache.flush();
            log_message(LOG_DEBUG, "consent store changed: lookup cache flushed at " + wall_clock());
            break;
        case StoreEvent::Kind::lost:
            cache.set_enabled(false);
            if (!lost)  // once per outage; the watch retries with backoff
                log_message(LOG_WARNING, "consent store change watch: " + event.why.ToString() +
                                             "; lookups are not cached until it reconnects");
            lost = true;
            break;
        }
    };
}

// The cache together with the watch that flushes it: one lifetime.
struct WatchedCache {
    std::shared_ptr<CachingConsentStore> cache;
    std::unique_ptr<ChangeWatch> watch;  // declared last: destroyed, so stopped, first
};

// `cache`, flushed by a change watch on `uri` for as long as the returned store lives. The
// caller's signal mask is irrelevant: the watch's thread blocks every signal.
std::shared_ptr<ConsentStore> watched(std::shared_ptr<CachingConsentStore> cache, const std::string& uri) {
    auto both = std::make_shared<WatchedCache>();
    both->cache = std::move(cache);
    auto watch = open_change_watch(uri);
    if (watch.ok()) {
        both->watch = std::move(watch).value();
        both->watch->start(flush_on_change(*both->cache));
    } else {
        log_message(LOG_ERR, "consent store change watch: " + watch.status().ToString() +
                                 "; changes apply only after ConsentCacheTTL");
    }
    return std::shared_ptr<ConsentStore>(both, both->cache.get());
}

}  // namespace

LoadedPolicy load_policy(const Options& options) {
    LoadedPolicy out;
    ConfigLoad load;
    if (!options.config_given && access(options.config_path.c_str(), F_OK) != 0)
        load.config = Config{};  // no config file: built-in defaults
    else
        load = load_config(options.config_path);
    for (const ConfigError& e : load.errors) out.errors.push_back(e.ToString());
    if (!load.ok()) return out;

    auto policy = Policy::create(std::move(load.config));
    if (!policy.ok()) {
        out.errors.push_back(options.config_path + ": " + policy.status().message());
        return out;
    }
    out.policy = std::move(*policy);
    return out;
}

OpenedStore open_store(const Config& config, bool cached) {
    OpenedStore out;
    if (config.consent_database.empty()) return out;
    OpenOptions open_options;
    open_options.create = false;
    // A store that cannot answer in 5 s (a locked table, an overloaded server) follows OnError
    // rather than holding the message until the MTA's milter timeout.
    open_options.statement_timeout_ms = 5000;
    // Lookups read a few pages each and the OS caches the file: 16 pooled connections with
    // SQLite's default 2 MiB cache would only hold 32 MiB of copies.
    open_options.sqlite_cache_kib = 512;
    auto db = open_consent_database(config.consent_database, open_options);
    if (db.ok()) {
        out.store = std::shared_ptr<ConsentStore>(std::move(*db));
    } else {
        out.status = db.status();
        out.store = std::make_shared<ReopeningStore>(config.consent_database, open_options, db.status());
    }
    if (cached && config.consent_cache_ttl > 0) {
        auto seconds = [] {
            return static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
                    .count());
        };
        out.store = watched(std::make_shared<CachingConsentStore>(out.store, config.consent_cache_ttl, seconds),
                            config.consent_database);
    }
    return out;
}

}  // namespace cm
