// SPDX-License-Identifier: Apache-2.0
#include "log.h"

#include <syslog.h>

#include <atomic>
#include <cstdio>
#include <mutex>

namespace cm {

namespace {

std::atomic<int> g_level{LOG_INFO};
std::atomic<bool> g_syslog{true};
std::atomic<bool> g_stderr{false};
std::mutex g_stderr_mutex;

int facility_code(const std::string& name) {
    static const struct { const char* name; int code; } table[] = {
        {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON}, {"user", LOG_USER},     {"local0", LOG_LOCAL0},
        {"local1", LOG_LOCAL1}, {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
        {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
    };
    for (const auto& entry : table)
        if (name == entry.name) return entry.code;
    return LOG_MAIL;
}

}  // namespace

void log_configure(const LogSettings& settings) {
    g_level = settings.level;
    g_syslog = settings.syslog;
    g_stderr = settings.to_stderr;
    if (settings.syslog) openlog("consent-milter", LOG_PID | LOG_NDELAY, facility_code(settings.facility));
}

bool log_enabled(int priority) { return priority <= g_level; }

void log_message(int priority, const std::string& text) {
    if (!log_enabled(priority)) return;
    if (g_syslog) syslog(priority, "%s", text.c_str());
    if (g_stderr) {
        std::lock_guard<std::mutex> lock(g_stderr_mutex);
        std::fprintf(stderr, "consent-milter: %s\n", text.c_str());
    }
}

}  // namespace cm
