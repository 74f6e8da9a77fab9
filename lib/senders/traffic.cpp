// SPDX-License-Identifier: Apache-2.0
#include "senders/traffic.h"

namespace cm {

const char* traffic_kind_name(TrafficRow::Kind kind) {
    return kind == TrafficRow::Kind::verdict ? "verdict" : "reason";
}

std::optional<TrafficRow::Kind> parse_traffic_kind(std::string_view name) {
    if (name == "verdict") return TrafficRow::Kind::verdict;
    if (name == "reason") return TrafficRow::Kind::reason;
    return std::nullopt;
}

bool is_delivered_verdict(std::string_view verdict) { return verdict == "accept" || verdict == "tag"; }

void TrafficCounters::add_locked(const Key& key, std::int64_t messages, std::int64_t recipients) {
    auto& [m, r] = counts_[key];
    m += messages;
    r += recipients;
}

void TrafficCounters::add(const TrafficSample& sample) {
    const std::string scope = sample.scope.empty() ? "-" : sample.scope;
    std::lock_guard<std::mutex> lock(mutex_);
    add_locked({scope, sample.day, TrafficRow::Kind::verdict, sample.verdict}, 1, sample.recipients);
    for (const auto& [reason, recipients] : sample.reasons)
        add_locked({scope, sample.day, TrafficRow::Kind::reason, reason}, 1, recipients);
}

std::vector<TrafficRow> TrafficCounters::drain() {
    std::map<Key, std::pair<std::int64_t, std::int64_t>> taken;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        taken.swap(counts_);
    }
    std::vector<TrafficRow> rows;
    rows.reserve(taken.size());
    for (const auto& [key, count] : taken) {
        const auto& [scope, day, kind, name] = key;
        rows.push_back({scope, day, kind, name, count.first, count.second});
    }
    return rows;
}

void TrafficCounters::restore(const std::vector<TrafficRow>& rows) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const TrafficRow& row : rows) add_locked({row.scope, row.day, row.kind, row.key}, row.messages, row.recipients);
}

}  // namespace cm
