// SPDX-License-Identifier: Apache-2.0
// traffic.h - the milter's per-sender traffic counters (DESIGN §11), kept in memory.
//
// Each judged message adds one count per (scope, UTC day): messages and recipients by
// verdict, and by "check:code" reason. drain() hands back what was counted since the last
// drain, for the milter to add to the consent store in one transaction (every 10 s and at
// stop); a failed write is given back with restore(), so nothing is lost or counted twice.
// Thread-safe: add() and drain() may run on any thread. Reads no clock (`day` comes in).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace cm {

// One counter row; `key` is a verdict name ("accept", "reject", ...) or a reason
// ("body_link:hidden"), as `kind` says.
struct TrafficRow {
    enum class Kind { verdict, reason };
    std::string scope;
    std::string day;          // YYYY-MM-DD, UTC
    Kind kind = Kind::verdict;
    std::string key;
    std::int64_t messages = 0;
    std::int64_t recipients = 0;
    bool operator==(const TrafficRow&) const = default;
};

const char* traffic_kind_name(TrafficRow::Kind kind);               // "verdict", "reason"
std::optional<TrafficRow::Kind> parse_traffic_kind(std::string_view name);

// Whether a message with this verdict was delivered ("accept", "tag"; remove-recipient is not
// a verdict: its message is accepted or tagged with fewer recipients). Delivered recipients
// are the denominator of the complaint rate (DESIGN §11).
bool is_delivered_verdict(std::string_view verdict);

// What one judged message contributes.
struct TrafficSample {
    std::string scope;                  // "" is counted as "-" (no scope derivable)
    std::string day;
    std::string verdict;
    std::int64_t recipients = 0;        // envelope recipients left after remove-recipient
    // "check:code" and the recipients it concerns (a consent reason: the recipients that
    // failed with it; any other reason: the message's recipients).
    std::vector<std::pair<std::string, std::int64_t>> reasons;
};

class TrafficCounters {
public:
    void add(const TrafficSample& sample);
    // Everything counted since the last drain (rows in key order); the counters are zero after.
    std::vector<TrafficRow> drain();
    // Adds rows back (a store write failed); the next drain() returns them again.
    void restore(const std::vector<TrafficRow>& rows);

private:
    using Key = std::tuple<std::string, std::string, TrafficRow::Kind, std::string>;
    void add_locked(const Key& key, std::int64_t messages, std::int64_t recipients);
    std::mutex mutex_;
    std::map<Key, std::pair<std::int64_t, std::int64_t>> counts_;
};

}  // namespace cm
