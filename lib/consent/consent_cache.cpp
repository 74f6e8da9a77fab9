// SPDX-License-Identifier: Apache-2.0
#include "consent/consent_cache.h"

namespace cm {

namespace {

std::string cache_key(std::string_view scope, const std::string& address) {
    std::string key(scope);
    key += '\0';
    key += address;
    return key;
}

}  // namespace

CachingConsentStore::CachingConsentStore(std::shared_ptr<ConsentStore> inner, int ttl_seconds, Clock clock,
                                         std::size_t max_entries)
    : inner_(std::move(inner)), ttl_(ttl_seconds), clock_(std::move(clock)), max_entries_(max_entries) {}

void CachingConsentStore::sweep(std::int64_t now) {
    if (now >= next_sweep_) {
        for (auto it = entries_.begin(); it != entries_.end();)
            it = it->second.expires <= now ? entries_.erase(it) : std::next(it);
        next_sweep_ = now + ttl_;
    }
    if (entries_.size() >= max_entries_) entries_.clear();
}

std::size_t CachingConsentStore::size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
}

Result<std::vector<ConsentLookup>> CachingConsentStore::lookup(std::string_view scope,
                                                               const std::vector<std::string>& addresses) {
    if (ttl_ <= 0) return inner_->lookup(scope, addresses);

    const std::int64_t now = clock_();
    std::vector<ConsentLookup> out(addresses.size());
    std::vector<std::string> missing;
    std::vector<std::size_t> missing_at;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            auto it = entries_.find(cache_key(scope, addresses[i]));
            if (it != entries_.end() && it->second.expires > now) {
                out[i] = it->second.value;
            } else {
                missing.push_back(addresses[i]);
                missing_at.push_back(i);
            }
        }
    }
    if (missing.empty()) return out;

    auto fetched = inner_->lookup(scope, missing);
    if (!fetched.ok()) return fetched.status();
    std::lock_guard<std::mutex> lock(mutex_);
    sweep(now);
    for (std::size_t j = 0; j < missing.size() && j < fetched->size(); ++j) {
        out[missing_at[j]] = (*fetched)[j];
        if (entries_.size() >= max_entries_) entries_.clear();
        entries_[cache_key(scope, missing[j])] = Entry{(*fetched)[j], now + ttl_};
    }
    return out;
}

}  // namespace cm
