#include "runtime.h"

#include <unistd.h>

#include <chrono>

#include "consent_cache.h"
#include "consent_db.h"

namespace cm {

namespace {

// Stands in for a store that could not be opened: every lookup reports why.
class UnavailableStore final : public ConsentStore {
public:
    explicit UnavailableStore(Status why) : why_(std::move(why)) {}
    Result<std::vector<ConsentLookup>> lookup(std::string_view, const std::vector<std::string>&) override {
        return why_;
    }

private:
    Status why_;
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
    auto db = open_consent_database(config.consent_database, open_options);
    if (db.ok()) {
        out.store = std::shared_ptr<ConsentStore>(std::move(*db));
        if (cached && config.consent_cache_ttl > 0) {
            auto seconds = [] {
                return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::steady_clock::now().time_since_epoch()).count());
            };
            out.store = std::make_shared<CachingConsentStore>(out.store, config.consent_cache_ttl, seconds);
        }
    } else {
        out.status = db.status();
        out.store = std::make_shared<UnavailableStore>(db.status());
    }
    return out;
}

}  // namespace cm
