// SPDX-License-Identifier: Apache-2.0
// scan_limit.h - the part of a raw message that is analysed: headers + MaxScanSize of body.
//
// The milter stops asking the MTA for body chunks once MaxScanSize body bytes are buffered;
// `--test` cuts the file the same way with scan_prefix(), so both judge the same bytes. Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace cm {

// Header bytes a front end keeps; the parser's own limits turn an excess into a finding.
inline constexpr std::size_t kMaxHeaderBuffer = 2u << 20;

struct ScanPrefix {
    std::string_view bytes;   // headers, separator, and at most max_body bytes of body
    bool truncated = false;   // some body was cut off
};

ScanPrefix scan_prefix(std::string_view raw, std::size_t max_body);

}  // namespace cm
