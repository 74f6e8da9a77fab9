// SPDX-License-Identifier: Apache-2.0
// config.cpp - the directive table (the single source of truth for keys, types, defaults,
// ranges and docs) and the parser that applies it. Lexing and scalar parsing live in
// config_syntax.cpp; IP ranges in cidr.cpp.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "config/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <pcre2.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "util/cidr.h"
#include "util/text_util.h"
#include "config/config_syntax.h"

namespace cm {

const char* action_name(Action a) {
    switch (a) {
    case Action::accept: return "accept";
    case Action::tag: return "tag";
    case Action::quarantine: return "quarantine";
    case Action::reject: return "reject";
    case Action::remove_recipient: return "remove-recipient";
    }
    return "?";
}

std::string ConfigError::ToString() const {
    if (line <= 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
}

namespace {


// Where a directive is being applied; collects errors.
struct Ctx {
    const std::string& file;
    int line;
    std::string base_dir;  // directory of the config file, for relative paths
    std::vector<ConfigError>& errors;

    void error(std::string message) const { errors.push_back({file, line, std::move(message)}); }
};

struct Directive;
using Setter = void (*)(Config&, std::string_view value, const Directive&, const Ctx&);

struct Directive {
    const char* name;
    const char* type;
    const char* default_value;  // as documented; parses to the Config{} default where it is a value
    const char* range;          // documented range ("" = none)
    long long min, max;         // numeric range (ignored when range is "")
    bool repeatable;
    const char* doc;
    Setter set;
};

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

void invalid(const Ctx& ctx, const Directive& d, std::string_view value, std::string_view expected) {
    ctx.error("invalid value " + q(value) + " for " + q(d.name) + " (" + std::string(expected) + ")");
}

void out_of_range(const Ctx& ctx, const Directive& d, std::string_view value) {
    ctx.error("value " + std::string(value) + " for " + q(d.name) + " out of range (" + d.range + ")");
}

// ---- generic setters, bound to a Config member by template argument ----

template <bool Config::*F>
void set_bool(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (auto b = conf::parse_bool(v)) c.*F = *b;
    else invalid(ctx, d, v, "expected yes or no");
}

template <int Config::*F>
void set_int(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto n = conf::parse_integer(v);
    if (!n) return invalid(ctx, d, v, "expected an integer");
    if (*n < d.min || *n > d.max) return out_of_range(ctx, d, v);
    c.*F = static_cast<int>(*n);
}

template <double Config::*F>
void set_number(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto n = conf::parse_number(v);
    if (!n) return invalid(ctx, d, v, "expected a number");
    if (*n < static_cast<double>(d.min) || *n > static_cast<double>(d.max)) return out_of_range(ctx, d, v);
    c.*F = *n;
}

std::optional<Action> parse_action(std::string_view v, bool allow_remove) {
    const std::string s = ascii_lower(v);
    if (s == "reject") return Action::reject;
    if (s == "quarantine") return Action::quarantine;
    if (s == "tag") return Action::tag;
    if (s == "accept") return Action::accept;
    if (allow_remove && s == "remove-recipient") return Action::remove_recipient;
    return std::nullopt;
}

template <Action Config::*F>
void set_action(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (auto a = parse_action(v, false)) c.*F = *a;
    else invalid(ctx, d, v, "expected reject, quarantine, tag or accept");
}

void set_consent_action(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (auto a = parse_action(v, true)) c.consent_action = *a;
    else invalid(ctx, d, v, "expected remove-recipient, reject, quarantine, tag or accept");
}

// ---- specific setters ----

bool is_name_token(std::string_view s) {  // user and group names
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return s.front() != '-';
}

bool has_space(std::string_view s) {
    for (char c : s)
        if (is_ascii_space(c)) return true;
    return false;
}

void set_socket(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string lower = ascii_lower(v);
    const auto colon = v.find(':');
    const std::string scheme = colon == std::string_view::npos ? "" : lower.substr(0, colon);
    const std::string_view rest = colon == std::string_view::npos ? "" : v.substr(colon + 1);
    if (scheme == "local" || scheme == "unix") {
        if (rest.size() < 2 || rest.front() != '/' || has_space(rest))
            return invalid(ctx, d, v, "expected an absolute path after " + scheme + ":");
    } else if (scheme == "inet" || scheme == "inet6") {
        const auto at = rest.find('@');
        const std::string_view host = at == std::string_view::npos ? "" : rest.substr(at + 1);
        const auto port = conf::parse_integer(rest.substr(0, at));
        if (at == std::string_view::npos || host.empty() || has_space(host))
            return invalid(ctx, d, v, "expected " + scheme + ":PORT@HOST");
        if (!port || *port < 1 || *port > 65535)
            return invalid(ctx, d, v, "port must be 1..65535");
    } else {
        return invalid(ctx, d, v, "expected inet:PORT@HOST, inet6:PORT@HOST, local:/PATH or unix:/PATH");
    }
    c.socket = scheme + ":" + std::string(rest);  // scheme lower-cased for libmilter
}

void set_metrics_socket(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string lower = ascii_lower(v);
    const auto colon = v.find(':');
    const std::string scheme = colon == std::string_view::npos ? "" : lower.substr(0, colon);
    const std::string_view rest = colon == std::string_view::npos ? "" : v.substr(colon + 1);
    const auto at = rest.find('@');
    const std::string_view host = at == std::string_view::npos ? "" : rest.substr(at + 1);
    const auto port = conf::parse_integer(rest.substr(0, at));
    if ((scheme != "inet" && scheme != "inet6") || at == std::string_view::npos || host.empty() || has_space(host))
        return invalid(ctx, d, v, "expected inet:PORT@HOST or inet6:PORT@HOST");
    if (!port || *port < 1 || *port > 65535) return invalid(ctx, d, v, "port must be 1..65535");
    c.metrics_socket = scheme + ":" + std::string(rest);
}

void set_socket_mode(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto m = conf::parse_octal(v);
    if (!m) return invalid(ctx, d, v, "expected an octal mode such as 0660");
    if (*m > 0777) return out_of_range(ctx, d, v);
    c.socket_mode = static_cast<unsigned>(*m);
}

void set_socket_group(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (!is_name_token(v)) return invalid(ctx, d, v, "expected a group name");
    c.socket_group = std::string(v);
}

void set_mode(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    if (s == "enforce") c.monitor = false;
    else if (s == "monitor") c.monitor = true;
    else invalid(ctx, d, v, "expected enforce or monitor");
}

void set_database(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    const bool sqlite = s.rfind("sqlite:/", 0) == 0 && s.size() > 8;
    const bool pg = (s.rfind("postgresql://", 0) == 0) || (s.rfind("postgres://", 0) == 0);
    if (!(sqlite || pg) || has_space(v))
        return invalid(ctx, d, v, "expected sqlite:/PATH or postgresql://...");
    c.consent_database = std::string(v);
}

void set_scope(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    if (s == "auth") c.consent_scope = ScopeKind::auth;
    else if (s == "sender") c.consent_scope = ScopeKind::sender;
    else if (s == "sender-domain") c.consent_scope = ScopeKind::sender_domain;
    else if (s.rfind("header:", 0) == 0 && conf::is_field_name(v.substr(7))) {
        c.consent_scope = ScopeKind::header;
        c.consent_scope_header = std::string(v.substr(7));
    } else {
        invalid(ctx, d, v, "expected auth, sender, sender-domain or header:NAME");
    }
}

void set_on_error(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    if (s == "tempfail") c.on_error = OnErrorAction::tempfail;
    else if (s == "accept") c.on_error = OnErrorAction::accept;
    else invalid(ctx, d, v, "expected tempfail or accept");
}

void set_complaint_rate_action(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    if (s == "suspend") c.complaint_rate_action = ComplaintRateAction::suspend;
    else if (s == "reject") c.complaint_rate_action = ComplaintRateAction::reject;
    else if (s == "tag") c.complaint_rate_action = ComplaintRateAction::tag;
    else invalid(ctx, d, v, "expected suspend, reject or tag");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "D.D{1,3}.D{1,3}" (RFC 3463 enhanced status code)?
bool is_enhanced_code(std::string_view s) {
    const auto dot1 = s.find('.');
    const auto dot2 = dot1 == std::string_view::npos ? dot1 : s.find('.', dot1 + 1);
    if (dot1 != 1 || dot2 == std::string_view::npos) return false;
    const std::string_view subject = s.substr(2, dot2 - 2), detail = s.substr(dot2 + 1);
    auto digits = [](std::string_view p) {
        if (p.empty() || p.size() > 3) return false;
        for (char c : p)
            if (!is_digit(c)) return false;
        return true;
    };
    return is_digit(s[0]) && digits(subject) && digits(detail);
}

void set_reject_reply(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    auto parsed = parse_reject_reply(v);
    if (!parsed.ok()) return invalid(ctx, d, v, parsed.status().message());
    c.reject_reply = std::move(*parsed);
}

void set_tag_header(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (!conf::is_field_name(v)) return invalid(ctx, d, v, "expected a header field name");
    c.tag_header = std::string(v);
}

// Compiles `pattern` with PCRE2 to validate it; on failure returns the error text.
std::optional<std::string> pcre2_error(std::string_view pattern, uint32_t options) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &code, &offset, nullptr);
    if (re) {
        pcre2_code_free(re);
        return std::nullopt;
    }
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(code, buf, sizeof buf);
    return std::string(reinterpret_cast<const char*>(buf)) + " at offset " + std::to_string(offset);
}

void set_exempt_header(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto colon = v.find(':');
    const std::string_view name = colon == std::string_view::npos ? v : trim(v.substr(0, colon));
    const std::string_view pattern = colon == std::string_view::npos ? "" : trim(v.substr(colon + 1));
    if (colon == std::string_view::npos || !conf::is_field_name(name) || pattern.empty())
        return invalid(ctx, d, v, "expected NAME: PATTERN");
    if (auto err = pcre2_error(pattern, PCRE2_UTF))
        return ctx.error("invalid PCRE2 pattern " + q(pattern) + " for " + q(d.name) + ": " + *err);
    c.exempt_headers.push_back({std::string(name), std::string(pattern)});
}

// Resolves a file name relative to the config file's directory.
std::string resolve_path(std::string_view v, const Ctx& ctx) {
    if (!v.empty() && v.front() == '/') return std::string(v);
    if (v.substr(0, 2) == "./") v.remove_prefix(2);
    return ctx.base_dir + "/" + std::string(v);
}

// The config file and the files it names (lists, phrases) are small regular files. A FIFO,
// a device such as /dev/zero or a runaway file is an error, not a hang or an unbounded read.
constexpr std::size_t kMaxConfigFileBytes = 64u << 20;

Result<std::string> read_whole_file(const std::string& path) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status::IOError(std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Status::IOError(S_ISDIR(st.st_mode) ? std::strerror(EISDIR) : "not a regular file");
    }
    std::string data;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            return Status::IOError(std::strerror(saved));
        }
        if (n == 0) break;
        if (data.size() + static_cast<std::size_t>(n) > kMaxConfigFileBytes) {
            ::close(fd);
            return Status::IOError("larger than " + std::to_string(kMaxConfigFileBytes >> 20) + " MiB");
        }
        data.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return data;
}

// Calls fn(entry, line_number) for each entry of a list file (one per line; blank lines and
// '#' comments skipped, also a '#' comment after white space). Returns the resolved path,
// or nullopt after reporting an unreadable file at the directive's line.
template <class Fn>
std::optional<std::string> for_each_file_entry(std::string_view v, const Directive& d, const Ctx& ctx,
                                               bool trailing_comments, Fn fn) {
    const std::string path = resolve_path(v, ctx);
    auto data = read_whole_file(path);
    if (!data.ok()) {
        ctx.error("cannot read " + q(path) + " for " + q(d.name) + ": " + data.status().message());
        return std::nullopt;
    }
    std::string_view rest = *data;
    for (int line = 1; !rest.empty(); ++line) {
        const auto nl = rest.find('\n');
        std::string_view raw = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
        if (trailing_comments) {
            for (std::size_t i = 1; i < raw.size(); ++i)
                if (raw[i] == '#' && is_ascii_space(raw[i - 1])) { raw = raw.substr(0, i); break; }
        }
        raw = trim(raw);
        if (raw.empty() || raw.front() == '#') continue;
        fn(raw, Ctx{path, line, ctx.base_dir, ctx.errors});
    }
    return path;
}

bool is_list_file(std::string_view v) { return v.substr(0, 1) == "/" || v.substr(0, 2) == "./"; }

// Applies fn to each entry of a comma list, or of the file the value names.
template <class Fn>
void for_each_list_entry(std::string_view v, const Directive& d, const Ctx& ctx, Fn fn) {
    if (is_list_file(v)) {
        (void)for_each_file_entry(v, d, ctx, true, fn);
        return;
    }
    while (!v.empty()) {
        const auto comma = v.find(',');
        const std::string_view entry = trim(v.substr(0, comma));
        v = comma == std::string_view::npos ? "" : v.substr(comma + 1);
        if (!entry.empty()) fn(entry, ctx);
    }
}

void set_exempt_clients(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    for_each_list_entry(v, d, ctx, [&](std::string_view entry, const Ctx& at) {
        if (auto r = parse_cidr(entry)) c.exempt_clients.push_back(*r);
        else invalid(at, d, entry, "expected an IP address or CIDR range");
    });
}

bool is_domain(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.front() == '-') return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u == 127 || c == '@' || c == ',' || c == '<' || c == '>') return false;
    }
    return true;
}

void set_exempt_senders(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    for_each_list_entry(v, d, ctx, [&](std::string_view entry, const Ctx& at) {
        std::string e = ascii_lower(entry);
        if (!e.empty() && e.front() == '@') e.erase(0, 1);  // "@example.com" = the domain
        const auto at_sign = e.rfind('@');
        const bool ok = at_sign == std::string::npos
                            ? is_domain(e)
                            : at_sign > 0 && e.find('@') == at_sign && !has_space(e.substr(0, at_sign)) &&
                                  is_domain(e.substr(at_sign + 1));
        if (ok) c.exempt_senders.push_back(std::move(e));
        else invalid(at, d, entry, "expected an address or a domain");
    });
}

void set_phrases(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (v.empty()) return invalid(ctx, d, v, "expected a file name");
    std::vector<std::string> phrases;
    const auto path = for_each_file_entry(v, d, ctx, false, [&](std::string_view p, const Ctx& at) {
        if (auto err = pcre2_error(p, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS))
            at.error("invalid PCRE2 pattern " + q(p) + ": " + *err);
        else phrases.emplace_back(p);
    });
    if (!path) return;
    c.unsubscribe_phrases_file = *path;
    c.unsubscribe_phrases = std::move(phrases);
}

void set_max_scan_size(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto n = conf::parse_size(v);
    if (!n) return invalid(ctx, d, v, "expected a size in bytes with an optional K, M or G suffix");
    if (*n < static_cast<unsigned long long>(d.min) || *n > static_cast<unsigned long long>(d.max))
        return out_of_range(ctx, d, v);
    c.max_scan_size = static_cast<std::size_t>(*n);
}

void set_facility(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const std::string s = ascii_lower(v);
    const bool local = s.size() == 6 && s.rfind("local", 0) == 0 && s[5] >= '0' && s[5] <= '7';
    if (!(s == "mail" || s == "daemon" || s == "user" || local))
        return invalid(ctx, d, v, "expected mail, daemon, user or local0..local7");
    c.syslog_facility = s;
}

void set_log_level(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    static const char* const names[] = {"error", "warning", "notice", "info", "debug"};
    const std::string s = ascii_lower(v);
    for (int i = 0; i < 5; ++i)
        if (s == names[i]) { c.log_level = 3 + i; return; }
    invalid(ctx, d, v, "expected error, warning, notice, info or debug");
}

void set_user_id(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    const auto colon = v.find(':');
    const bool ok = is_name_token(v.substr(0, colon)) &&
                    (colon == std::string_view::npos || is_name_token(v.substr(colon + 1)));
    if (!ok) return invalid(ctx, d, v, "expected user or user:group");
    c.user_id = std::string(v);
}

void set_pid_file(Config& c, std::string_view v, const Directive& d, const Ctx& ctx) {
    if (v.size() < 2 || v.front() != '/') return invalid(ctx, d, v, "expected an absolute path");
    c.pid_file = std::string(v);
}

constexpr long long kKiB = 1024, kGiB = 1024 * 1024 * 1024;

// The one table. Keep it in the order of the man page. Defaults must equal Config{}'s
// (tests/config_test.cpp parses each documented default and compares).
const Directive kDirectives[] = {
    {"Socket", "socket", "inet:8891@127.0.0.1", "", 0, 0, false,
     "where the milter listens: inet:PORT@HOST, inet6:PORT@HOST, local:/PATH or unix:/PATH", set_socket},
    {"SocketMode", "octal", "0660", "0000..0777", 0, 0777, false,
     "permissions of a local: socket", set_socket_mode},
    {"SocketGroup", "group", "primary group of UserID", "", 0, 0, false,
     "group of a local: socket", set_socket_group},
    {"Mode", "enum", "enforce", "", 0, 0, false,
     "enforce, or monitor: never reject, quarantine or remove; tag and log instead", set_mode},
    {"RequireListUnsubscribe", "bool", "yes", "", 0, 0, false,
     "require a List-Unsubscribe header", set_bool<&Config::require_list_unsubscribe>},
    {"RequireOneClick", "bool", "yes", "", 0, 0, false,
     "require RFC 8058 one-click unsubscribe with an https URI", set_bool<&Config::require_one_click>},
    {"RequireDkimCoverage", "bool", "no", "", 0, 0, false,
     "require a DKIM-Signature whose h= covers both unsubscribe headers",
     set_bool<&Config::require_dkim_coverage>},
    {"RequireBodyLink", "bool", "yes", "", 0, 0, false,
     "require a visible unsubscribe link in the body", set_bool<&Config::require_body_link>},
    {"RequireLinkInEveryPart", "bool", "yes", "", 0, 0, false,
     "each text alternative (HTML and plain) needs its own link",
     set_bool<&Config::require_link_in_every_part>},
    {"ListUnsubscribeAction", "action", "reject", "", 0, 0, false,
     "action when the List-Unsubscribe check fails", set_action<&Config::list_unsubscribe_action>},
    {"BodyLinkAction", "action", "reject", "", 0, 0, false,
     "action when the body link check fails", set_action<&Config::body_link_action>},
    {"ConsentDatabase", "database", "none", "", 0, 0, false,
     "consent store: sqlite:/PATH or postgresql://...; unset means no consent check", set_database},
    {"ConsentScope", "enum", "sender-domain", "", 0, 0, false,
     "whose consent is checked: auth, sender, sender-domain or header:NAME", set_scope},
    {"ConsentAction", "action", "remove-recipient", "", 0, 0, false,
     "action for recipients without valid consent", set_consent_action},
    {"RequireConfirmedConsent", "bool", "yes", "", 0, 0, false,
     "a pending (unconfirmed) consent counts as no consent",
     set_bool<&Config::require_confirmed_consent>},
    {"ConsentMaxAge", "integer", "0", "0..36500", 0, 36500, false,
     "days after which a consent is stale; 0 means never", set_int<&Config::consent_max_age_days>},
    {"ConsentCacheTTL", "integer", "30", "0..86400", 0, 86400, false,
     "seconds a consent lookup may be cached", set_int<&Config::consent_cache_ttl>},
    {"OnError", "enum", "tempfail", "", 0, 0, false,
     "tempfail or accept when a check cannot run", set_on_error},
    {"RejectReply", "reply", "550 5.7.1 Message violates sending policy: %r", "", 0, 0, false,
     "SMTP reply for rejects; %r expands to the reason codes", set_reject_reply},
    {"TagHeader", "header name", "X-Consent-Check", "", 0, 0, false,
     "header added on tag and in monitor mode", set_tag_header},
    {"ExemptHeader", "NAME: PCRE", "none", "", 0, 0, true,
     "messages with a matching header skip all checks; repeatable", set_exempt_header},
    {"ExemptClients", "list", "none", "", 0, 0, true,
     "comma list of IPs and CIDR ranges, or a file of them, skipped entirely; repeatable",
     set_exempt_clients},
    {"ExemptSenders", "list", "none", "", 0, 0, true,
     "comma list of sender addresses and domains, or a file of them, skipped entirely; repeatable",
     set_exempt_senders},
    {"UnsubscribePhrases", "path", "none", "", 0, 0, false,
     "file of extra PCRE2 unsubscribe phrases, one per line", set_phrases},
    {"MinFontSizePx", "number", "8", "0..72", 0, 72, false,
     "smaller link text counts as hidden", set_number<&Config::min_font_size_px>},
    {"MinContrastRatio", "number", "1.5", "1..21", 1, 21, false,
     "lower WCAG contrast counts as hidden", set_number<&Config::min_contrast_ratio>},
    {"MaxScanSize", "size", "4M", "64K..1G", 64 * kKiB, kGiB, false,
     "bytes of body buffered for analysis", set_max_scan_size},
    {"OversizeAction", "action", "tag", "", 0, 0, false,
     "action when no body link is in the scanned prefix of a larger message",
     set_action<&Config::oversize_action>},
    {"Syslog", "bool", "yes", "", 0, 0, false, "log to syslog", set_bool<&Config::syslog>},
    {"SyslogFacility", "enum", "mail", "", 0, 0, false,
     "syslog facility: mail, daemon, user, local0..local7", set_facility},
    {"LogLevel", "enum", "info", "", 0, 0, false,
     "error, warning, notice, info or debug", set_log_level},
    {"UserID", "user[:group]", "none", "", 0, 0, false,
     "drop privileges to this user (and group) after opening the socket", set_user_id},
    {"PidFile", "path", "none", "", 0, 0, false, "write the process id to this file", set_pid_file},
    {"Background", "bool", "yes", "", 0, 0, false, "run as a daemon", set_bool<&Config::background>},
    {"MetricsSocket", "socket", "none", "", 0, 0, false,
     "serve the counters in the Prometheus text format at /metrics: inet:PORT@HOST or inet6:PORT@HOST",
     set_metrics_socket},
    {"SuspendedAction", "action", "reject", "", 0, 0, false,
     "action for every message of a suspended sender scope; exemptions do not apply",
     set_action<&Config::suspended_action>},
    {"ComplaintRateWindow", "integer", "7", "1..365", 1, 365, false,
     "UTC days over which the complaint rate is computed, today included",
     set_int<&Config::complaint_rate_window_days>},
    {"ComplaintRateLimit", "number", "0", "0..100", 0, 100, false,
     "complaints per 100 accepted recipients above which ComplaintRateAction applies; 0 means off",
     set_number<&Config::complaint_rate_limit>},
    {"ComplaintRateMinVolume", "integer", "1000", "1..1000000000", 1, 1000000000, false,
     "accepted recipients the window needs before the complaint rate is judged",
     set_int<&Config::complaint_rate_min_volume>},
    {"ComplaintRateAction", "enum", "suspend", "", 0, 0, false,
     "suspend (an automatic suspension), reject or tag when the complaint rate is too high",
     set_complaint_rate_action},
};

const Directive* find_directive(std::string_view key) {
    const std::string lower = ascii_lower(key);
    for (const Directive& d : kDirectives)
        if (ascii_lower(d.name) == lower) return &d;
    return nullptr;
}

std::string unknown_message(std::string_view key) {
    const std::string lower = ascii_lower(key);
    const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, lower.size() / 3));
    const Directive* best = nullptr;
    std::size_t best_distance = limit + 1;
    for (const Directive& d : kDirectives) {
        const std::size_t dist = conf::edit_distance(lower, ascii_lower(d.name));
        if (dist < best_distance) best_distance = dist, best = &d;
    }
    std::string m = "unknown directive " + q(key);
    if (best) m += std::string(" (did you mean ") + q(best->name) + "?)";
    return m;
}

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

}  // namespace

Result<ReplyTemplate> parse_reject_reply(std::string_view v) {
    if (v.size() < 3 || v[0] != '5' || !is_digit(v[1]) || !is_digit(v[2]) || (v.size() > 3 && v[3] != ' '))
        return Status::InvalidArgument("expected a 5xx reply code, e.g. 550 5.7.1 text");
    ReplyTemplate t;
    t.source = std::string(v);
    t.code = std::string(v.substr(0, 3));
    std::string_view text = v.size() > 4 ? v.substr(4) : "";
    const std::string_view first = text.substr(0, text.find(' '));
    if (is_enhanced_code(first)) {
        if (first[0] != v[0])
            return Status::InvalidArgument("enhanced status code " + std::string(first) +
                                           " does not match reply code " + t.code);
        t.xcode = std::string(first);
        text = text.size() > first.size() ? text.substr(first.size() + 1) : "";
    }
    t.text.emplace_back();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            t.text.back() += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '%') {
            t.text.back() += '%';
            ++i;
        } else if (i + 1 < text.size() && text[i + 1] == 'r') {
            t.text.emplace_back();
            ++i;
        } else {
            return Status::InvalidArgument("'%' must be followed by r or %");
        }
    }
    return t;
}

ConfigLoad parse_config(std::string_view text, const std::string& path) {
    ConfigLoad out;
    out.config.path = path;
    std::map<std::string, int> first_line;  // lower-case name -> line
    const std::string base_dir = dir_of(path);
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
    for (int line = 1; !text.empty(); ++line) {
        const auto nl = text.find('\n');
        const std::string_view raw = text.substr(0, nl);
        text = nl == std::string_view::npos ? "" : text.substr(nl + 1);
        const Ctx ctx{path, line, base_dir, out.errors};
        const conf::LexedLine lexed = conf::lex_line(raw);
        if (lexed.kind == conf::LexedLine::Kind::blank) continue;
        if (lexed.kind == conf::LexedLine::Kind::error) { ctx.error(lexed.error); continue; }
        const Directive* d = find_directive(lexed.key);
        if (!d) { ctx.error(unknown_message(lexed.key)); continue; }
        if (!lexed.has_value) { ctx.error("directive " + q(d->name) + " needs a value"); continue; }
        if (!d->repeatable) {
            const auto [it, inserted] = first_line.emplace(ascii_lower(d->name), line);
            if (!inserted) {
                ctx.error("duplicate directive " + q(d->name) + " (first at line " +
                          std::to_string(it->second) + ")");
                continue;
            }
        }
        d->set(out.config, lexed.value, *d, ctx);
    }
    return out;
}

ConfigLoad load_config(const std::string& path) {
    auto data = read_whole_file(path);
    if (!data.ok()) {
        ConfigLoad out;
        out.config.path = path;
        out.errors.push_back({path, 0, "cannot read: " + data.status().message()});
        return out;
    }
    return parse_config(*data, path);
}

const std::vector<DirectiveDoc>& directive_docs() {
    static const std::vector<DirectiveDoc> docs = [] {
        std::vector<DirectiveDoc> v;
        for (const Directive& d : kDirectives) v.push_back({d.name, d.type, d.default_value, d.doc, d.range});
        return v;
    }();
    return docs;
}

}  // namespace cm
