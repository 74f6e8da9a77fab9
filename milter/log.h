// SPDX-License-Identifier: Apache-2.0
// log.h - the milter's one logger: syslog, plus stderr in the foreground (-f).
//
// Configured once at start-up (and again on reload); safe to call from any thread. lib/ never
// logs: it returns reasons, and the front ends write them here.
#pragma once

#include <string>

namespace cm {

struct LogSettings {
    bool syslog = true;
    std::string facility = "mail";
    int level = 6;          // highest syslog priority written (6 = info, 7 = debug)
    bool to_stderr = false; // -f
};

void log_configure(const LogSettings& settings);
// `priority` is a syslog priority (LOG_ERR, LOG_INFO, ...).
void log_message(int priority, const std::string& text);
bool log_enabled(int priority);

}  // namespace cm
