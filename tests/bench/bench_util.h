// SPDX-License-Identifier: Apache-2.0
// bench_util.h - small helpers shared by the benchmark programs (tests/bench/).
//
// Timing loops, medians and fixed-width table printing. Header-only, no state; the
// benchmarks are single-threaded programs, nothing here is meant for the library.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace cm::bench {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU time of the calling thread, in seconds. The benchmarks time with it rather than the
// wall clock: on a shared machine, other people's processes then barely move the figures.
inline double thread_cpu_seconds() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Calls `op` until at least `min_seconds` of this thread's CPU time were spent and
// `min_iterations` ran; returns ops per CPU second.
template <class Op>
double rate(Op&& op, double min_seconds, long min_iterations = 3) {
    const double start = thread_cpu_seconds();
    long n = 0;
    double elapsed = 0;
    do {
        op();
        ++n;
        elapsed = thread_cpu_seconds() - start;
    } while (elapsed < min_seconds || n < min_iterations);
    return n / elapsed;
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// "1,234" style for readability of large rates.
inline std::string grouped(double value) {
    long long n = static_cast<long long>(value + 0.5);
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

inline std::string fixed(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

// A plain text table: first row is the header; columns padded to the widest cell.
inline void print_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], row[i].size());
        }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line;
        for (std::size_t i = 0; i < rows[r].size(); ++i) {
            std::string cell = rows[r][i];
            bool left = i == 0;
            std::string pad(width[i] - cell.size(), ' ');
            line += (i ? "  " : "") + (left ? cell + pad : pad + cell);
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::printf("%s\n", line.c_str());
        if (r == 0) {
            std::size_t total = 0;
            for (std::size_t w : width) total += w + 2;
            std::printf("%s\n", std::string(total - 2, '-').c_str());
        }
    }
    std::fflush(stdout);
}

}  // namespace cm::bench
