// SPDX-License-Identifier: Apache-2.0
// options.h - consent-milter's command line (DESIGN §3), parsed into a value.
#pragma once

#include <string>
#include <vector>

namespace cm {

struct Options {
    std::string config_path = "/etc/consent-milter.conf";
    bool config_given = false;     // -c was used (a missing file is then an error)
    bool foreground = false;       // -f
    std::string socket;            // -p, overrides Socket
    std::string user;              // -u, overrides UserID
    std::string pid_file;          // -P, overrides PidFile
    int debug_level = -1;          // -d, overrides LogLevel (0..7 syslog priority scale)
    bool check_config = false;     // -n
    bool version = false;          // -V
    bool help = false;

    std::string test_file;         // --test FILE ("-" = standard input)
    std::string from;              // --from
    bool from_given = false;
    std::vector<std::string> rcpts;  // --rcpt (repeatable)
    std::string auth;              // --auth
    std::string client_ip;         // --client-ip
    bool json = false;             // --json
};

// Parses argv; on a usage error returns false with `error` set.
bool parse_options(int argc, char** argv, Options& options, std::string& error);

const char* usage_text();

}  // namespace cm
