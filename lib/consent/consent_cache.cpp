// SPDX-License-Identifier: Apache-2.0
#include "consent/consent_cache.h"

namespace cm {

namespace {

std::string cache_key(std::string_view scope, std::string_view second) {
    std::string key(scope);
    key += '\0';
    key += second;
    return key;
}

template <class Map>
void drop_expired(Map& map, std::int64_t now) {
    for (auto it = map.begin(); it != map.end();) it = it->second.expires <= now ? map.erase(it) : std::next(it);
}

}  // namespace

CachingConsentStore::CachingConsentStore(std::shared_ptr<ConsentStore> inner, int ttl_seconds, Clock clock,
                                         std::size_t max_entries)
    : inner_(std::move(inner)), ttl_(ttl_seconds), clock_(std::move(clock)), max_entries_(max_entries) {}

void CachingConsentStore::clear() {
    entries_.clear();
    senders_.clear();
    ++generation_;
}

void CachingConsentStore::sweep(std::int64_t now) {
    if (now >= next_sweep_) {
        drop_expired(entries_, now);
        drop_expired(senders_, now);
        next_sweep_ = now + ttl_;
    }
    if (entries_.size() + senders_.size() >= max_entries_) clear();
}

void CachingConsentStore::flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    clear();
}

void CachingConsentStore::set_enabled(bool enabled) {
    std::lock_guard<std::mutex> lock(mutex_);
    clear();
    enabled_ = enabled;
}

std::size_t CachingConsentStore::size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size() + senders_.size();
}

Result<std::vector<ConsentLookup>> CachingConsentStore::lookup(std::string_view scope,
                                                               const std::vector<std::string>& addresses) {
    if (ttl_ <= 0) return inner_->lookup(scope, addresses);

    const std::int64_t now = clock_();
    std::vector<ConsentLookup> out(addresses.size());
    std::vector<std::string> missing;
    std::vector<std::size_t> missing_at;
    std::uint64_t generation;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        generation = generation_;
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
    const bool keep = enabled_ && generation == generation_;
    if (keep) sweep(now);
    for (std::size_t j = 0; j < missing.size() && j < fetched->size(); ++j) {
        out[missing_at[j]] = (*fetched)[j];
        if (!keep) continue;
        if (entries_.size() + senders_.size() >= max_entries_) clear();
        entries_[cache_key(scope, missing[j])] = Entry<ConsentLookup>{(*fetched)[j], now + ttl_};
    }
    return out;
}

Result<SenderState> CachingConsentStore::sender_state(std::string_view scope, std::string_view since_day) {
    if (ttl_ <= 0) return inner_->sender_state(scope, since_day);

    const std::int64_t now = clock_();
    const std::string key = cache_key(scope, since_day);
    std::uint64_t generation;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        generation = generation_;
        auto it = senders_.find(key);
        if (it != senders_.end() && it->second.expires > now) return it->second.value;
    }
    auto fetched = inner_->sender_state(scope, since_day);
    if (!fetched.ok()) return fetched;
    std::lock_guard<std::mutex> lock(mutex_);
    if (enabled_ && generation == generation_) {
        sweep(now);
        senders_[key] = Entry<SenderState>{*fetched, now + ttl_};
    }
    return fetched;
}

}  // namespace cm
