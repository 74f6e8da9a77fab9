// SPDX-License-Identifier: Apache-2.0
// consentctl.h - the commands of consentctl(8), shared by its main() and command files.
//
// A Ctl carries everything a command needs: the loaded config, the open store, `now` (read
// once in main) and the output streams. Commands return the process exit code (sysexits).
// Single-threaded; nothing here outlives main().
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "exit_codes.h"
#include "config/config.h"
#include "consent/consent_db.h"
#include "util/status.h"

namespace cm::ctl {

struct Ctl {
    Config config;
    std::int64_t now = 0;
    ConsentDatabase* db = nullptr;
    std::ostream* out = nullptr;
    std::ostream* err = nullptr;
};

// A command's operands and --options, after parsing.
struct Args {
    std::vector<std::string> operands;
    std::map<std::string, std::string> options;  // "--name" -> value ("" for flags)
    bool has(const std::string& name) const { return options.count(name) != 0; }
    std::string get(const std::string& name, const std::string& fallback = "") const {
        auto it = options.find(name);
        return it == options.end() ? fallback : it->second;
    }
};

// Exit code for a failed store call, after printing "consentctl: WHAT: status".
int store_failure(Ctl& ctl, const std::string& what, const Status& status);

int cmd_grant(Ctl& ctl, const Args& args);
int cmd_confirm(Ctl& ctl, const Args& args);
int cmd_revoke(Ctl& ctl, const Args& args);
int cmd_suppress(Ctl& ctl, const Args& args);
int cmd_unsuppress(Ctl& ctl, const Args& args);
int cmd_show(Ctl& ctl, const Args& args);
int cmd_stats(Ctl& ctl, const Args& args);
int cmd_export(Ctl& ctl, const Args& args);
int cmd_import(Ctl& ctl, const Args& args);
int cmd_import_arf(Ctl& ctl, const Args& args);

}  // namespace cm::ctl
