// SPDX-License-Identifier: Apache-2.0
// report_text.h - the Report as people read it: tag header, syslog line, --test summary.
//
// Pure formatting (DESIGN §8); no I/O. Values that come from the message (URLs, link text,
// queue ids) are passed through escape_for_log() so no control character reaches syslog.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "policy/report.h"

namespace cm {

// "verdict=tag; list_unsubscribe=pass; body_link=fail (hidden); consent=partial (2/3)"
std::string tag_header_value(const Report& report);

struct LogContext {
    std::string queue_id;     // "NOQUEUE" when unknown
    std::size_t rcpts = 0;
    std::size_t size = 0;     // message bytes seen
    double ms = 0;            // evaluation time
};

// "QUEUEID: verdict=reject reasons=... rcpts=3 removed=1 scope=example.com size=48211 ms=2.1"
std::string log_line(const LogContext& context, const Report& report);

// Multi-line human-readable report for `consent-milter --test`.
std::string human_report(const Report& report);

// Control characters and non-UTF-8 bytes as \xNN; backslash doubled.
std::string escape_for_log(std::string_view text);

}  // namespace cm
