// SPDX-License-Identifier: Apache-2.0
// metrics.h - the milter's process-wide counters in the Prometheus text format (DESIGN §11).
//
// Messages by verdict and by reason, consent-store errors, a histogram of store lookup
// latency, and the messages in progress. Every method is thread-safe and cheap enough for
// the per-message path (relaxed atomics, no lock). exposition() renders the text format
// (version 0.0.4) that an HTTP front end serves at /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "checks/reason.h"

namespace cm {

class Metrics {
public:
    // Upper bounds (seconds) of the lookup latency buckets; +Inf is implied.
    static constexpr std::array<double, 10> kLatencyBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025,  0.05,  0.1,    0.5,   1.0};

    // The verdicts counted, in the order of the policy's Verdict enum (policy/report.h).
    static constexpr std::array<const char*, 5> kVerdicts = {"accept", "tag", "quarantine", "reject", "tempfail"};

    void message_started() { in_progress_.fetch_add(1, std::memory_order_relaxed); }
    void message_finished() { in_progress_.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t in_progress() const { return in_progress_.load(std::memory_order_relaxed); }
    // One judged message: its verdict (an index into kVerdicts) and its failures.
    void count_message(std::size_t verdict, const std::vector<Reason>& reasons);
    void count_store_error() { store_errors_.fetch_add(1, std::memory_order_relaxed); }
    void observe_lookup(double seconds);

    std::string exposition() const;

private:
    std::atomic<std::int64_t> in_progress_{0};
    std::atomic<std::int64_t> store_errors_{0};
    std::array<std::atomic<std::int64_t>, kLatencyBuckets.size() + 1> lookup_buckets_{};  // last: +Inf
    std::atomic<std::int64_t> lookup_count_{0};
    std::atomic<std::int64_t> lookup_micros_{0};
    std::array<std::atomic<std::int64_t>, kVerdicts.size()> verdicts_{};
    std::array<std::atomic<std::int64_t>, std::size(kReasonTable)> reasons_{};
};

}  // namespace cm
