// SPDX-License-Identifier: Apache-2.0
#include "senders/metrics.h"

#include <cstdio>

namespace cm {

namespace {

std::string seconds(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

}  // namespace

void Metrics::count_message(std::size_t verdict, const std::vector<Reason>& reasons) {
    if (verdict < verdicts_.size()) verdicts_[verdict].fetch_add(1, std::memory_order_relaxed);
    for (Reason r : reasons) reasons_[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed);
}

void Metrics::observe_lookup(double s) {
    std::size_t i = 0;
    while (i < kLatencyBuckets.size() && s > kLatencyBuckets[i]) ++i;
    lookup_buckets_[i].fetch_add(1, std::memory_order_relaxed);
    lookup_count_.fetch_add(1, std::memory_order_relaxed);
    lookup_micros_.fetch_add(static_cast<std::int64_t>(s * 1e6 + 0.5), std::memory_order_relaxed);
}

std::string Metrics::exposition() const {
    std::string out;
    // Every series is listed from the start, zeros included, so rates work from the first scrape.
    family(out, "consent_milter_messages_total", "counter", "Messages judged, by verdict.");
    for (std::size_t v = 0; v < kVerdicts.size(); ++v)
        out += std::string("consent_milter_messages_total{verdict=\"") + kVerdicts[v] + "\"} " +
               std::to_string(verdicts_[v].load()) + "\n";
    family(out, "consent_milter_reasons_total", "counter", "Messages that failed a check, by check:reason.");
    for (std::size_t r = 1; r < reasons_.size(); ++r)
        out += "consent_milter_reasons_total{reason=\"" + qualified_code(static_cast<Reason>(r)) + "\"} " +
               std::to_string(reasons_[r].load()) + "\n";
    family(out, "consent_milter_store_errors_total", "counter", "Consent store calls that failed.");
    out += "consent_milter_store_errors_total " + std::to_string(store_errors_.load()) + "\n";
    family(out, "consent_milter_messages_in_progress", "gauge", "Messages between MAIL FROM and their end.");
    out += "consent_milter_messages_in_progress " + std::to_string(in_progress_.load()) + "\n";
    family(out, "consent_milter_store_lookup_seconds", "histogram", "Consent store lookup latency per message.");
    std::int64_t cumulative = 0;
    for (std::size_t i = 0; i < lookup_buckets_.size(); ++i) {
        cumulative += lookup_buckets_[i].load();
        std::string le = i < kLatencyBuckets.size() ? seconds(kLatencyBuckets[i]) : "+Inf";
        out += "consent_milter_store_lookup_seconds_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "consent_milter_store_lookup_seconds_sum " + seconds(static_cast<double>(lookup_micros_.load()) / 1e6) + "\n";
    out += "consent_milter_store_lookup_seconds_count " + std::to_string(lookup_count_.load()) + "\n";
    return out;
}

}  // namespace cm
