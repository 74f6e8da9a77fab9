// SPDX-License-Identifier: Apache-2.0
#include "runtime.h"

#include <unistd.h>

#include <chrono>
#include <mutex>

#include "consent/consent_cache.h"
#include "consent/consent_db.h"

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
        out.store = std::make_shared<CachingConsentStore>(out.store, config.consent_cache_ttl, seconds);
    }
    return out;
}

}  // namespace cm
