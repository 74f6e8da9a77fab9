// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include <getopt.h>

#include <cstdlib>

namespace cm {

const char* usage_text() {
    return "usage: consent-milter [-c FILE] [-f] [-p SOCKET] [-u USER] [-P PIDFILE] [-d LEVEL]\n"
           "       consent-milter -n [-c FILE]\n"
           "       consent-milter [-c FILE] --test MESSAGE [--from ADDR] [--rcpt ADDR]...\n"
           "                      [--auth USER] [--client-ip IP] [--json]\n"
           "       consent-milter -V\n";
}

bool parse_options(int argc, char** argv, Options& o, std::string& error) {
    enum { opt_test = 1000, opt_from, opt_rcpt, opt_auth, opt_client_ip, opt_json, opt_help };
    static const option long_options[] = {
        {"test", required_argument, nullptr, opt_test},
        {"from", required_argument, nullptr, opt_from},
        {"rcpt", required_argument, nullptr, opt_rcpt},
        {"auth", required_argument, nullptr, opt_auth},
        {"client-ip", required_argument, nullptr, opt_client_ip},
        {"json", no_argument, nullptr, opt_json},
        {"help", no_argument, nullptr, opt_help},
        {nullptr, 0, nullptr, 0},
    };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":c:fp:u:P:d:nVh", long_options, nullptr)) != -1) {
        switch (c) {
        case 'c': o.config_path = optarg; o.config_given = true; break;
        case 'f': o.foreground = true; break;
        case 'p': o.socket = optarg; break;
        case 'u': o.user = optarg; break;
        case 'P': o.pid_file = optarg; break;
        case 'd': {
            char* end = nullptr;
            long level = std::strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || level < 0 || level > 7) {
                error = "-d takes a level from 0 to 7";
                return false;
            }
            o.debug_level = static_cast<int>(level);
            break;
        }
        case 'n': o.check_config = true; break;
        case 'V': o.version = true; break;
        case 'h': case opt_help: o.help = true; break;
        case opt_test: o.test_file = optarg; break;
        case opt_from: o.from = optarg; o.from_given = true; break;
        case opt_rcpt: o.rcpts.emplace_back(optarg); break;
        case opt_auth: o.auth = optarg; break;
        case opt_client_ip: o.client_ip = optarg; break;
        case opt_json: o.json = true; break;
        case ':': error = std::string("option ") + argv[optind - 1] + " needs a value"; return false;
        default: error = std::string("unknown option ") + argv[optind - 1]; return false;
        }
    }
    if (optind < argc) {
        error = std::string("unexpected argument '") + argv[optind] + "'";
        return false;
    }
    bool test_only = o.from_given || !o.rcpts.empty() || !o.auth.empty() || !o.client_ip.empty() || o.json;
    if (test_only && o.test_file.empty()) {
        error = "--from, --rcpt, --auth, --client-ip and --json go with --test";
        return false;
    }
    return true;
}

}  // namespace cm
