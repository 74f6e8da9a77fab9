// SPDX-License-Identifier: Apache-2.0
// cpu_stopwatch.h - the CPU time the calling thread has spent since construction, for the unit
// tests' hang detectors ("this hostile input costs bounded work"). Unlike wall time it does not
// grow when other processes load the machine (CI runs suites side by side). Scaled down under
// AddressSanitizer, several times slower by design, so the same bounds hold for that build.
#pragma once

#include <time.h>

// g++ says AddressSanitizer with __SANITIZE_ADDRESS__, clang++ with __has_feature.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CM_TEST_ASAN 1
#endif
#endif

namespace cm::test {

class CpuStopwatch {
public:
    CpuStopwatch() : start_(now()) {}
    double seconds() const { return (now() - start_) / kSlowdown; }

private:
    static double now() {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
    }
#if defined(__SANITIZE_ADDRESS__) || defined(CM_TEST_ASAN)
    static constexpr double kSlowdown = 5.0;
#else
    static constexpr double kSlowdown = 1.0;
#endif
    double start_;
};

}  // namespace cm::test
