// SPDX-License-Identifier: Apache-2.0
// consentctl - administer the consent store of consent-milter: consent records, suppressions,
// CSV import/export, complaints (ARF, forwarded, by hand), sender suspensions and reports,
// statistics. See consentctl(8) and --help.
//
// main() is thin: global options, config, store, then one command (consentctl_*.cpp).
// It is the only place that reads the clock.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <string_view>

#include "consentctl.h"
#include "util/version.h"

using namespace cm;
using namespace cm::ctl;

namespace {

constexpr const char* kDefaultConfig = "/etc/consent-milter.conf";

constexpr const char* kHelp = R"HELP(usage: consentctl [-c FILE] [-d URI] COMMAND [ARGUMENTS]
       consentctl -h | --help
       consentctl -V | --version

Administer the consent store of consent-milter: the store named by ConsentDatabase in the
config file. Every change is one transaction and appends to the store's history.

Global options:
  -c FILE, --config FILE   config file (default /etc/consent-milter.conf)
  -d URI, --database URI   use this store instead of ConsentDatabase: sqlite:/path/consent.db
                           or postgresql://...; the config file is then read only if given
                           with -c or present at the default path (for ConsentScope)
  -h, --help               this text
  -V, --version            print the version

Commands (SCOPE is the ESP customer as ConsentScope computes it; scopes and addresses are
compared case-insensitively):
  grant SCOPE ADDRESS [--method double-opt-in|single-opt-in|import] [--source TEXT]
        [--ip IP] [--at ISO8601] [--confirmed|--pending]
      record a consent given at --at (default now). The method defaults to single-opt-in;
      the status to pending for double-opt-in and confirmed otherwise.
  confirm SCOPE ADDRESS
      confirm a pending (double opt-in) consent.
  revoke SCOPE ADDRESS [--source TEXT]
      record that the address withdrew its consent.
  suppress SCOPE|'*' ADDRESS --reason complaint|bounce|unsubscribe|manual|spamtrap
        [--source TEXT]
      block all mail to ADDRESS for SCOPE ('*' = every scope), whatever the consent.
  unsuppress SCOPE|'*' ADDRESS
      lift a suppression.
  show ADDRESS [SCOPE]
      current consent and suppressions and the full history: the proof of consent.
  export [SCOPE]
      write the consent records as CSV (RFC 4180, CRLF) to standard output, with the header
      scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at
      (timestamps ISO 8601 UTC, empty = none).
  import FILE.csv [--skip-bad]
      load records in that CSV layout ('-' = standard input); columns may be in any order,
      scope, address and status are required. The file is checked first: any bad row is
      reported as FILE:LINE: message and nothing is imported (exit 65), unless --skip-bad
      imports the good rows. All rows land in one transaction; re-importing is harmless.
  import-arf FILE...
      read complaints: abuse reports (ARF, RFC 5965, Feedback-Type abuse) and forwarded
      spam (a message with the spam attached), single messages or mbox files. Each records
      a complaint about the recipient for the scope of the original message and suppresses
      it there (reason complaint). One line per report: "FILE: recorded complaint about
      ADDRESS for SCOPE (suppressed)", "FILE: complaint about ADDRESS for SCOPE already
      recorded", "FILE: unattributable: REASON" or "FILE: skipped: REASON" (FILE:LINE for
      reports inside an mbox). Importing the same report again changes nothing.
  complaint SCOPE ADDRESS [--at ISO8601] [--source TEXT]
      record a complaint made by a person (default --at now), as import-arf does.
  complaints [SCOPE] [--since DATE] [--json]
      every complaint with the address's consent when it came: status, method, source,
      IP, confirmed at; "no consent record" points at a bought or harvested list.
  suspend SCOPE --reason TEXT
      exclude a sender: every message of SCOPE is refused (SuspendedAction).
  unsuspend SCOPE
      lift a suspension.
  suspended [--json]
      the suspended senders, since when and why.
  report [--since DATE|Nd] [--until DATE] [--format text|json|html] [-o FILE]
      per sender: messages and recipients by verdict and reason, complaints and the daily
      complaint rate, suppressions, suspension, consent changes; default the last 30 days
      (Nd = the last N days). html is one self-contained page with charts.
  stats
      counts per scope: confirmed, pending, revoked, suppressed.
  init
      create the store (SQLite file or PostgreSQL schema); an SQLite file and its
      directory are given to UserID and its group (mode 0660), since the milter writes
      to the store. Running it again changes nothing.

Exit status: 0 success, 64 usage error, 65 bad input data (bad CSV rows, unknown record),
66 unreadable input file, 70 internal error, 73 output file or store directory cannot be
created, 74 output error, 75 store unreachable, 77 permission denied, 78 config error.
)HELP";

struct OptionSpec {
    const char* name;
    bool takes_value;
};

struct Command {
    const char* name;
    std::size_t min_operands, max_operands;  // max 0 = unlimited when min > 0
    std::vector<OptionSpec> options;
    bool writes;
    int (*run)(Ctl&, const Args&);
    const char* usage;
    int (*before_open)(Ctl&) = nullptr;  // runs before the store is opened
};

const std::vector<Command>& commands() {
    static const std::vector<Command> kCommands = {
        {"grant", 2, 2, {{"--method", true}, {"--source", true}, {"--ip", true}, {"--at", true},
                         {"--confirmed", false}, {"--pending", false}}, true, cmd_grant,
         "grant SCOPE ADDRESS [--method M] [--source TEXT] [--ip IP] [--at ISO8601] [--confirmed|--pending]"},
        {"confirm", 2, 2, {}, true, cmd_confirm, "confirm SCOPE ADDRESS"},
        {"revoke", 2, 2, {{"--source", true}}, true, cmd_revoke, "revoke SCOPE ADDRESS [--source TEXT]"},
        {"suppress", 2, 2, {{"--reason", true}, {"--source", true}}, true, cmd_suppress,
         "suppress SCOPE|'*' ADDRESS --reason complaint|bounce|unsubscribe|manual|spamtrap [--source TEXT]"},
        {"unsuppress", 2, 2, {}, true, cmd_unsuppress, "unsuppress SCOPE|'*' ADDRESS"},
        {"show", 1, 2, {}, false, cmd_show, "show ADDRESS [SCOPE]"},
        {"export", 0, 1, {}, false, cmd_export, "export [SCOPE]"},
        {"import", 1, 1, {{"--skip-bad", false}}, true, cmd_import, "import FILE.csv [--skip-bad]"},
        {"import-arf", 1, 0, {}, true, cmd_import_arf, "import-arf FILE..."},
        {"complaint", 2, 2, {{"--at", true}, {"--source", true}}, true, cmd_complaint,
         "complaint SCOPE ADDRESS [--at ISO8601] [--source TEXT]"},
        {"complaints", 0, 1, {{"--since", true}, {"--json", false}}, false, cmd_complaints,
         "complaints [SCOPE] [--since DATE] [--json]"},
        {"suspend", 1, 1, {{"--reason", true}}, true, cmd_suspend, "suspend SCOPE --reason TEXT"},
        {"unsuspend", 1, 1, {}, true, cmd_unsuspend, "unsuspend SCOPE"},
        {"suspended", 0, 0, {{"--json", false}}, false, cmd_suspended, "suspended [--json]"},
        {"report", 0, 0, {{"--since", true}, {"--until", true}, {"--format", true}, {"-o", true}}, false, cmd_report,
         "report [--since DATE|Nd] [--until DATE] [--format text|json|html] [-o FILE]"},
        {"stats", 0, 0, {}, false, cmd_stats, "stats"},
        {"init", 0, 0, {}, true, cmd_init, "init", init_prepare},
    };
    return kCommands;
}

int usage_error(const std::string& message, const char* usage = nullptr) {
    std::cerr << "consentctl: " << message << "\n";
    if (usage) std::cerr << "usage: consentctl " << usage << "\n";
    else std::cerr << "Try 'consentctl --help'.\n";
    return EX_USAGE;
}

// Splits a command's arguments into operands and known options ("--x v" or "--x=v").
int parse_command_args(const Command& cmd, int argc, char** argv, int start, Args& args) {
    bool options_done = false;
    for (int i = start; i < argc; ++i) {
        std::string arg = argv[i];
        if (options_done || arg == "-" || arg.size() < 2 || arg[0] != '-') {
            args.operands.push_back(arg);
            continue;
        }
        if (arg == "--") { options_done = true; continue; }
        std::string name = arg, value;
        bool inline_value = false;
        if (auto eq = arg.find('='); eq != std::string::npos && arg.starts_with("--")) {
            name = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            inline_value = true;
        }
        const OptionSpec* spec = nullptr;
        for (const OptionSpec& o : cmd.options)
            if (name == o.name) spec = &o;
        if (!spec) return usage_error(std::string(cmd.name) + ": unknown option " + name, cmd.usage);
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= argc) return usage_error(std::string(cmd.name) + ": " + name + " needs a value", cmd.usage);
            value = argv[++i];
        } else if (!spec->takes_value && inline_value) {
            return usage_error(std::string(cmd.name) + ": " + name + " takes no value", cmd.usage);
        }
        if (args.has(name)) return usage_error(std::string(cmd.name) + ": " + name + " given twice", cmd.usage);
        args.options[name] = value;
    }
    std::size_t n = args.operands.size();
    bool unlimited = cmd.max_operands == 0 && cmd.min_operands > 0;
    if (n < cmd.min_operands || (!unlimited && n > cmd.max_operands))
        return usage_error(std::string(cmd.name) + ": wrong number of arguments", cmd.usage);
    return EX_OK;
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path = kDefaultConfig;
    bool config_given = false;
    std::string database;
    int i = 1;
    for (; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value_of = [&](std::string_view opt, std::string& into) -> int {
            if (arg.size() > opt.size() && arg.starts_with(opt) && arg[opt.size()] == '=') {
                into = std::string(arg.substr(opt.size() + 1));
                return 1;
            }
            if (arg != opt) return 0;
            if (i + 1 >= argc) return -1;
            into = argv[++i];
            return 1;
        };
        int got = 0;
        if ((got = value_of("-c", config_path)) != 0 || (got = value_of("--config", config_path)) != 0) {
            if (got < 0) return usage_error(std::string(arg) + " needs a FILE");
            config_given = true;
        } else if ((got = value_of("-d", database)) != 0 || (got = value_of("--database", database)) != 0) {
            if (got < 0 || database.empty()) return usage_error(std::string(arg) + " needs a URI");
        } else if (arg == "-h" || arg == "--help") {
            std::cout << kHelp;
            return EX_OK;
        } else if (arg == "-V" || arg == "--version") {
            std::cout << "consentctl (consent-milter) " << kVersion << "\n";
            return EX_OK;
        } else if (arg.starts_with("-")) {
            return usage_error("unknown option " + std::string(arg));
        } else {
            break;
        }
    }
    if (i >= argc) return usage_error("no command given");

    const Command* cmd = nullptr;
    for (const Command& c : commands())
        if (argv[i] == std::string_view(c.name)) cmd = &c;
    if (!cmd) return usage_error("unknown command '" + std::string(argv[i]) + "'");
    Args args;
    if (int rc = parse_command_args(*cmd, argc, argv, i + 1, args); rc != EX_OK) return rc;

    Ctl ctl;
    ctl.out = &std::cout;
    ctl.err = &std::cerr;
    // With -d and no -c, a missing default config is fine: ConsentScope keeps its default.
    if (config_given || database.empty() || access(config_path.c_str(), F_OK) == 0) {
        ConfigLoad load = load_config(config_path);
        if (!load.ok()) {
            for (const ConfigError& e : load.errors) std::cerr << e.ToString() << "\n";
            return EX_CONFIG;
        }
        ctl.config = std::move(load.config);
    }
    const bool database_from_config = database.empty();
    if (database_from_config) database = ctl.config.consent_database;
    if (database.empty()) {
        std::cerr << config_path << ": no ConsentDatabase configured (or give -d URI)\n";
        return EX_CONFIG;
    }

    ctl.database = database;
    if (cmd->before_open)
        if (int rc = cmd->before_open(ctl); rc != EX_OK) return rc;
    OpenOptions open_options;
    open_options.create = cmd->writes;
    auto db = open_consent_database(database, open_options);
    if (!db.ok()) {
        std::cerr << "consentctl: cannot open consent store " << database << ": " << db.status().ToString() << "\n";
        if (db.status().code() != Status::Code::invalid_argument) return EX_TEMPFAIL;
        return database_from_config ? EX_CONFIG : EX_USAGE;
    }
    ctl.db = db->get();
    ctl.now = static_cast<std::int64_t>(std::time(nullptr));
    int rc = cmd->run(ctl, args);
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "consentctl: error writing to standard output\n";
        if (rc == EX_OK) rc = EX_IOERR;
    }
    return rc;
}
