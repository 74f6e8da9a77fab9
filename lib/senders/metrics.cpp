// SPDX-License-Identifier: Apache-2.0
#include "senders/metrics.h"

#include <cstdio>
#include <vector>

namespace cm {

namespace {

void bump(std::map<std::string, std::int64_t, std::less<>>& counts, std::string_view key) {
    auto it = counts.find(key);
    if (it == counts.end()) it = counts.emplace(std::string(key), 0).first;
    ++it->second;
}

// Label values escape backslash, double quote and newline.
std::string label(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') { out += "\\n"; continue; }
        out += c;
    }
    return out;
}

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

void Metrics::count_message(std::string_view verdict, const std::vector<std::string>& reasons) {
    std::lock_guard<std::mutex> lock(mutex_);
    bump(verdicts_, verdict);
    for (const std::string& r : reasons) bump(reasons_, r);
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
    {
        std::lock_guard<std::mutex> lock(mutex_);
        family(out, "consent_milter_messages_total", "counter", "Messages judged, by verdict.");
        for (const auto& [verdict, n] : verdicts_)
            out += "consent_milter_messages_total{verdict=\"" + label(verdict) + "\"} " + std::to_string(n) + "\n";
        family(out, "consent_milter_reasons_total", "counter", "Messages that failed a check, by check:reason.");
        for (const auto& [reason, n] : reasons_)
            out += "consent_milter_reasons_total{reason=\"" + label(reason) + "\"} " + std::to_string(n) + "\n";
    }
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
