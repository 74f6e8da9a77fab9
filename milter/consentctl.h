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
    std::string database;            // the store's URI
    std::int64_t now = 0;
    ConsentDatabase* db = nullptr;   // open when a command runs
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

// Helpers shared by the command files (consentctl_records.cpp).
// A validated, normalised SCOPE operand (index `i`); false after printing why not.
bool scope_operand(Ctl& ctl, const Args& args, std::size_t i, std::string& scope);
// Validated (SCOPE, ADDRESS) operands; `allow_global` accepts '*' as the scope.
bool key_operands(Ctl& ctl, const Args& args, bool allow_global, std::string& scope, std::string& address);
// --NAME as an ISO 8601 time, `fallback` when absent; false after printing why not.
bool time_option(Ctl& ctl, const Args& args, const std::string& name, std::int64_t fallback, std::int64_t& out);
// Prints `done` or `unchanged` after a change, or the store failure.
int report_change(Ctl& ctl, const Result<ChangeResult>& r, const std::string& what, const std::string& done,
                  const std::string& unchanged);
// Rows printed with columns padded to the widest cell, two spaces apart, indented.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows, const char* indent = "  ");
std::string or_dash(const std::string& s);
std::string when(std::int64_t t);  // ISO 8601 UTC, "-" for 0

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
int cmd_suspend(Ctl& ctl, const Args& args);
int cmd_unsuspend(Ctl& ctl, const Args& args);
int cmd_suspended(Ctl& ctl, const Args& args);
int cmd_complaint(Ctl& ctl, const Args& args);
int cmd_complaints(Ctl& ctl, const Args& args);
int cmd_report(Ctl& ctl, const Args& args);
int cmd_init(Ctl& ctl, const Args& args);
// Runs before main opens the store for `init`: the SQLite store's directory.
int init_prepare(Ctl& ctl);

}  // namespace cm::ctl
