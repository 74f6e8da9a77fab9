// SPDX-License-Identifier: Apache-2.0
// timed_store.h - a ConsentStore that times each lookup and counts failures into Metrics.
//
// Wraps the store a message uses (the cache included, so the histogram shows what a message
// waited). Thread-safe as the wrapped store is; `metrics` must outlive it.
#pragma once

#include <chrono>
#include <memory>

#include "consent/consent_store.h"
#include "senders/metrics.h"

namespace cm {

class TimedStore : public ConsentStore {
public:
    TimedStore(std::shared_ptr<ConsentStore> inner, Metrics& metrics) : inner_(std::move(inner)), metrics_(metrics) {}

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope, const std::vector<std::string>& addresses) override {
        const auto start = std::chrono::steady_clock::now();
        auto result = inner_->lookup(scope, addresses);
        metrics_.observe_lookup(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (!result.ok()) metrics_.count_store_error();
        return result;
    }

    Result<SenderState> sender_state(std::string_view scope, std::string_view since_day) override {
        auto result = inner_->sender_state(scope, since_day);
        if (!result.ok()) metrics_.count_store_error();
        return result;
    }
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        Status st = inner_->add_traffic(rows);
        if (!st.ok()) metrics_.count_store_error();
        return st;
    }
    Result<ChangeResult> suspend(const Suspension& suspension, std::int64_t now) override {
        auto result = inner_->suspend(suspension, now);
        if (!result.ok()) metrics_.count_store_error();
        return result;
    }

private:
    std::shared_ptr<ConsentStore> inner_;
    Metrics& metrics_;
};

// `store` wrapped in a TimedStore; null stays null (no ConsentDatabase configured).
inline std::shared_ptr<ConsentStore> timed(std::shared_ptr<ConsentStore> store, Metrics& metrics) {
    return store ? std::make_shared<TimedStore>(std::move(store), metrics) : nullptr;
}

}  // namespace cm
