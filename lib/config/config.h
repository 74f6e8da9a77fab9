// SPDX-License-Identifier: Apache-2.0
// config.h - the consent-milter.conf value object and its parser.
//
// Every directive is declared once, in the table in config.cpp (name, type, default, range,
// one-line doc); this struct holds the parsed values. A Config is immutable once loaded;
// the milter shares it inside a Policy (policy/evaluate.h), one shared_ptr<const Policy>
// snapshot per message.
// load_config()/parse_config() do file I/O only for the config itself and the files it
// names (phrase and exemption lists); they are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/cidr.h"
#include "util/status.h"

namespace cm {

enum class Action { accept, tag, quarantine, reject, remove_recipient };
const char* action_name(Action a);

enum class OnErrorAction { tempfail, accept };
// ComplaintRateAction (DESIGN §11): suspend the scope automatically, or act on the message.
enum class ComplaintRateAction { suspend, reject, tag };
enum class ScopeKind { auth, sender, sender_domain, header };

struct ExemptHeaderRule {
    std::string name;     // header field name
    std::string pattern;  // PCRE2 pattern matched against the decoded value
    bool operator==(const ExemptHeaderRule&) const = default;
};

// RejectReply, parsed once when the config loads: "CODE [X.Y.Z] text", where the text's "%r"
// stands for the reason codes and "%%" for "%".
struct ReplyTemplate {
    std::string source;             // the directive's value, as written
    std::string code;               // "550"
    std::string xcode;              // "5.7.1"; "" when the value has none
    std::vector<std::string> text;  // literal text with "%%" undone; each "%r" lies between two pieces
    bool operator==(const ReplyTemplate&) const = default;
};

// Parses a RejectReply value; the error message says what was expected.
Result<ReplyTemplate> parse_reject_reply(std::string_view value);

struct Config {
    std::string path;  // file it was read from ("" for defaults)

    std::string socket = "inet:8891@127.0.0.1";
    unsigned socket_mode = 0660;
    std::string socket_group;  // "" = primary group of UserID

    bool monitor = false;  // Mode monitor
    bool require_list_unsubscribe = true;
    bool require_one_click = true;
    bool require_dkim_coverage = false;
    bool require_body_link = true;
    bool require_link_in_every_part = true;
    Action list_unsubscribe_action = Action::reject;
    Action body_link_action = Action::reject;

    std::string consent_database;  // "" = no consent check
    ScopeKind consent_scope = ScopeKind::sender_domain;
    std::string consent_scope_header;  // for ScopeKind::header
    Action consent_action = Action::remove_recipient;
    bool require_confirmed_consent = true;
    int consent_max_age_days = 0;
    int consent_cache_ttl = 30;

    OnErrorAction on_error = OnErrorAction::tempfail;
    ReplyTemplate reject_reply = parse_reject_reply("550 5.7.1 Message violates sending policy: %r").value();
    std::string tag_header = "X-Consent-Check";

    std::vector<ExemptHeaderRule> exempt_headers;
    std::vector<CidrRange> exempt_clients;
    std::vector<std::string> exempt_senders;  // lower-case addresses or domains
    std::string unsubscribe_phrases_file;     // "" = built-in set only
    std::vector<std::string> unsubscribe_phrases;  // extra patterns read from that file

    double min_font_size_px = 8.0;
    double min_contrast_ratio = 1.5;
    std::size_t max_scan_size = 4u << 20;
    Action oversize_action = Action::tag;

    bool syslog = true;
    std::string syslog_facility = "mail";
    int log_level = 6;  // syslog priority: 3 error, 4 warning, 5 notice, 6 info, 7 debug
    std::string user_id;
    std::string pid_file;
    bool background = true;
    std::string metrics_socket;  // "" = no metrics endpoint

    // Senders (DESIGN §11).
    Action suspended_action = Action::reject;
    int complaint_rate_window_days = 7;
    double complaint_rate_limit = 0;  // percent; 0 = off
    int complaint_rate_min_volume = 1000;  // accepted recipients in the window
    ComplaintRateAction complaint_rate_action = ComplaintRateAction::suspend;

    bool operator==(const Config&) const = default;  // all fields, `path` included
};

// One problem found while reading a config: "FILE:LINE: message" when printed.
struct ConfigError {
    std::string file;
    int line = 0;
    std::string message;
    std::string ToString() const;
};

struct ConfigLoad {
    Config config;
    std::vector<ConfigError> errors;  // empty = config is valid
    bool ok() const { return errors.empty(); }
};

// Reads and validates a config file. A file that cannot be read is one error at line 0.
ConfigLoad load_config(const std::string& path);
// Same, from text in memory (`path` is used in messages and to resolve relative file names).
ConfigLoad parse_config(std::string_view text, const std::string& path);

// The documented directive table, for `make check-docs` and the man page: name and default.
struct DirectiveDoc {
    const char* name;
    const char* type;
    const char* default_value;
    const char* doc;
    const char* range;  // "" when the value has no numeric range, else e.g. "0..36500"
};
const std::vector<DirectiveDoc>& directive_docs();

}  // namespace cm
