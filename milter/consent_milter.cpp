// SPDX-License-Identifier: Apache-2.0
// consent-milter - entry point: parse the command line, then check the config (-n), judge
// one file offline (--test), or run the filter (daemon.h). See consent-milter(8).
#include <cstdio>

#include "daemon.h"
#include "options.h"
#include "runtime.h"
#include "test_mode.h"
#include "util/version.h"

int main(int argc, char** argv) {
    cm::Options options;
    std::string error;
    if (!cm::parse_options(argc, argv, options, error)) {
        std::fprintf(stderr, "consent-milter: %s\n%s", error.c_str(), cm::usage_text());
        return EX_USAGE;
    }
    if (options.help) {
        std::fputs(cm::usage_text(), stdout);
        return EX_OK;
    }
    if (options.version) {
        std::printf("consent-milter %s\n", cm::kVersion);
        return EX_OK;
    }

    cm::LoadedPolicy loaded = cm::load_policy(options);
    if (!loaded.policy) {
        for (const std::string& e : loaded.errors) std::fprintf(stderr, "%s\n", e.c_str());
        return EX_CONFIG;
    }
    if (options.test_file.empty() && !options.check_config) return cm::run_daemon(options, loaded.policy);

    cm::OpenedStore store = cm::open_store(loaded.policy->config());
    if (options.check_config) {
        if (!store.status.ok()) {
            std::fprintf(stderr, "%s: ConsentDatabase: %s\n", options.config_path.c_str(),
                         store.status.ToString().c_str());
            return EX_TEMPFAIL;
        }
        std::puts("OK");
        return EX_OK;
    }
    return cm::run_test_mode(options, *loaded.policy, store.store.get());
}
