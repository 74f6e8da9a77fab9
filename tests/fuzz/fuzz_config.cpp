// SPDX-License-Identifier: Apache-2.0
// fuzz_config.cpp - libFuzzer target: the consent-milter.conf parser on raw bytes.
//
// parse_config() must turn any text into a Config or a list of FILE:LINE errors. Files named
// by directives resolve against a directory that does not exist; inputs naming absolute
// paths under /dev, /proc or /sys are skipped (an admin pointing UnsubscribePhrases at
// /dev/zero is not an attack surface, and reading it would only stall the fuzzer).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (std::string_view special : {"/dev", "/proc", "/sys"})
        if (text.find(special) != std::string_view::npos) return 0;

    const cm::ConfigLoad load = cm::parse_config(text, "/nonexistent-fuzz-dir/consent-milter.conf");
    for (const cm::ConfigError& e : load.errors) {
        if (e.message.empty()) std::abort();
        (void)e.ToString();
    }
    return 0;
}
