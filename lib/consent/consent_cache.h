// SPDX-License-Identifier: Apache-2.0
// consent_cache.h - a ConsentStore that remembers answers for ConsentCacheTTL seconds.
//
// Wraps the real store for the milter: a lookup asks the inner store only for the addresses
// it has no fresh answer for (still one round trip). Failures are never cached. Time comes
// from the injected clock (seconds, monotonic). Expired entries are swept once per TTL, so the
// cache holds about TTL x lookup rate entries; if it still reaches `max_entries`, it is
// emptied. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "consent/consent_store.h"

namespace cm {

class CachingConsentStore final : public ConsentStore {
public:
    using Clock = std::function<std::int64_t()>;

    CachingConsentStore(std::shared_ptr<ConsentStore> inner, int ttl_seconds, Clock clock,
                        std::size_t max_entries = 100000);

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope,
                                              const std::vector<std::string>& addresses) override;

    // Not cached yet (api14): asked of the inner store every time.
    Result<SenderState> sender_state(std::string_view scope, std::string_view since_day) override {
        return inner_->sender_state(scope, since_day);
    }
    Status add_traffic(const std::vector<TrafficRow>& rows) override { return inner_->add_traffic(rows); }
    Result<ChangeResult> suspend(const Suspension& s, std::int64_t now) override { return inner_->suspend(s, now); }

    std::size_t size();  // entries held now

private:
    struct Entry {
        ConsentLookup value;
        std::int64_t expires = 0;
    };

    void sweep(std::int64_t now);  // caller holds mutex_

    std::shared_ptr<ConsentStore> inner_;
    int ttl_;
    Clock clock_;
    std::size_t max_entries_;
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;  // key: scope '\0' address
    std::int64_t next_sweep_ = 0;
};

}  // namespace cm
