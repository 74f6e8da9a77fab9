// SPDX-License-Identifier: Apache-2.0
// Tests for the config parser (lib/config/config.cpp), its lexer (lib/config/config_syntax.cpp) and CIDR
// ranges (lib/util/cidr.cpp). Error texts are pinned in full: users and scripts read them.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "util/cidr.h"
#include "config/config.h"
#include "util/text_util.h"
#include "config/config_syntax.h"

namespace {

const std::string kPath = "/etc/cm/test.conf";

std::vector<std::string> errors_of(const cm::ConfigLoad& load) {
    std::vector<std::string> out;
    for (const auto& e : load.errors) out.push_back(e.ToString());
    return out;
}

// A scratch directory with real files, removed at the end of the test.
struct TempDir {
    std::string path;
    std::vector<std::string> files;
    TempDir() {
        char tmpl[] = "/tmp/cm-config-test-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        for (const auto& f : files) ::unlink(f.c_str());
        ::rmdir(path.c_str());
    }
    std::string write(const std::string& name, const std::string& content) {
        const std::string p = path + "/" + name;
        FILE* f = std::fopen(p.c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs(content.c_str(), f);
        std::fclose(f);
        files.push_back(p);
        return p;
    }
};

}  // namespace

TEST_CASE("config: empty text gives the defaults", "[config]") {
    const auto load = cm::parse_config("", kPath);
    REQUIRE(load.ok());
    cm::Config want;
    want.path = kPath;
    CHECK(load.config == want);
}

TEST_CASE("config: every documented default parses to the built-in default", "[config]") {
    for (const auto& d : cm::directive_docs()) {
        const std::string def = d.default_value;
        if (def == "none" || std::string(d.name) == "SocketGroup") continue;  // not a value
        INFO(d.name << " " << def);
        const auto load = cm::parse_config(std::string(d.name) + " \"" + def + "\"\n", kPath);
        CHECK(errors_of(load) == std::vector<std::string>{});
        cm::Config want;
        want.path = kPath;
        CHECK(load.config == want);
    }
}

TEST_CASE("config: directive docs are complete", "[config]") {
    const auto& docs = cm::directive_docs();
    CHECK(docs.size() == 40);
    std::vector<std::string> names;
    for (const auto& d : docs) names.push_back(cm::ascii_lower(d.name));
    std::sort(names.begin(), names.end());
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());  // unique, ignoring case
    for (const auto& d : docs) {
        INFO(d.name);
        CHECK(std::string(d.type) != "");
        CHECK(std::string(d.default_value) != "");
        CHECK(std::string(d.doc) != "");
    }
}

TEST_CASE("config: good values", "[config]") {
    using cm::Action;
    using cm::Config;
    struct Case {
        const char* text;
        std::function<bool(const Config&)> want;
    };
    const std::vector<Case> cases = {
        {"Socket inet:10025@localhost", [](const Config& c) { return c.socket == "inet:10025@localhost"; }},
        {"Socket inet6:8891@::1", [](const Config& c) { return c.socket == "inet6:8891@::1"; }},
        {"Socket local:/run/cm/cm.sock", [](const Config& c) { return c.socket == "local:/run/cm/cm.sock"; }},
        {"Socket unix:/run/cm.sock", [](const Config& c) { return c.socket == "unix:/run/cm.sock"; }},
        {"Socket INET:25@Mail.Example", [](const Config& c) { return c.socket == "inet:25@Mail.Example"; }},
        {"SocketMode 0600", [](const Config& c) { return c.socket_mode == 0600; }},
        {"SocketMode 777", [](const Config& c) { return c.socket_mode == 0777; }},
        {"SocketGroup postfix", [](const Config& c) { return c.socket_group == "postfix"; }},
        {"Mode monitor", [](const Config& c) { return c.monitor; }},
        {"Mode ENFORCE", [](const Config& c) { return !c.monitor; }},
        {"RequireListUnsubscribe no", [](const Config& c) { return !c.require_list_unsubscribe; }},
        {"RequireOneClick off", [](const Config& c) { return !c.require_one_click; }},
        {"RequireDkimCoverage true", [](const Config& c) { return c.require_dkim_coverage; }},
        {"RequireBodyLink 0", [](const Config& c) { return !c.require_body_link; }},
        {"RequireLinkInEveryPart False", [](const Config& c) { return !c.require_link_in_every_part; }},
        {"ListUnsubscribeAction tag", [](const Config& c) { return c.list_unsubscribe_action == Action::tag; }},
        {"BodyLinkAction Quarantine", [](const Config& c) { return c.body_link_action == Action::quarantine; }},
        {"ConsentDatabase sqlite:/var/lib/cm/consent.db",
         [](const Config& c) { return c.consent_database == "sqlite:/var/lib/cm/consent.db"; }},
        {"ConsentDatabase postgresql://cm@db/consent",
         [](const Config& c) { return c.consent_database == "postgresql://cm@db/consent"; }},
        {"ConsentDatabase postgres://db/consent",
         [](const Config& c) { return c.consent_database == "postgres://db/consent"; }},
        {"ConsentScope auth", [](const Config& c) { return c.consent_scope == cm::ScopeKind::auth; }},
        {"ConsentScope sender", [](const Config& c) { return c.consent_scope == cm::ScopeKind::sender; }},
        {"ConsentScope header:X-Customer-ID",
         [](const Config& c) {
             return c.consent_scope == cm::ScopeKind::header && c.consent_scope_header == "X-Customer-ID";
         }},
        {"ConsentAction accept", [](const Config& c) { return c.consent_action == Action::accept; }},
        {"RequireConfirmedConsent no", [](const Config& c) { return !c.require_confirmed_consent; }},
        {"ConsentMaxAge 36500", [](const Config& c) { return c.consent_max_age_days == 36500; }},
        {"ConsentCacheTTL 0", [](const Config& c) { return c.consent_cache_ttl == 0; }},
        {"OnError accept", [](const Config& c) { return c.on_error == cm::OnErrorAction::accept; }},
        {"RejectReply 554 5.7.1 Policy: %r (100%%)",
         [](const Config& c) { return c.reject_reply.source == "554 5.7.1 Policy: %r (100%%)"; }},
        {"RejectReply 550 no enhanced code", [](const Config& c) { return c.reject_reply.source == "550 no enhanced code"; }},
        {"TagHeader X-Policy", [](const Config& c) { return c.tag_header == "X-Policy"; }},
        {"ExemptHeader X-Mailer-Type: ^transactional$",
         [](const Config& c) {
             return c.exempt_headers == std::vector<cm::ExemptHeaderRule>{{"X-Mailer-Type", "^transactional$"}};
         }},
        {"ExemptClients 192.0.2.1, 10.0.0.0/8,2001:db8::/32",
         [](const Config& c) { return c.exempt_clients.size() == 3; }},
        {"ExemptSenders Alerts@Example.COM, @bank.example, shop.example",
         [](const Config& c) {
             return c.exempt_senders == std::vector<std::string>{"alerts@example.com", "bank.example", "shop.example"};
         }},
        {"MinFontSizePx 0", [](const Config& c) { return c.min_font_size_px == 0.0; }},
        {"MinFontSizePx 10.5", [](const Config& c) { return c.min_font_size_px == 10.5; }},
        {"MinContrastRatio 4.5", [](const Config& c) { return c.min_contrast_ratio == 4.5; }},
        {"MaxScanSize 64K", [](const Config& c) { return c.max_scan_size == 65536; }},
        {"MaxScanSize 1g", [](const Config& c) { return c.max_scan_size == 1073741824; }},
        {"MaxScanSize 100000", [](const Config& c) { return c.max_scan_size == 100000; }},
        {"OversizeAction reject", [](const Config& c) { return c.oversize_action == Action::reject; }},
        {"Syslog no", [](const Config& c) { return !c.syslog; }},
        {"SyslogFacility LOCAL3", [](const Config& c) { return c.syslog_facility == "local3"; }},
        {"LogLevel debug", [](const Config& c) { return c.log_level == 7; }},
        {"LogLevel error", [](const Config& c) { return c.log_level == 3; }},
        {"UserID cm:mail", [](const Config& c) { return c.user_id == "cm:mail"; }},
        {"UserID consent-milter", [](const Config& c) { return c.user_id == "consent-milter"; }},
        {"PidFile /run/cm.pid", [](const Config& c) { return c.pid_file == "/run/cm.pid"; }},
        {"Background no", [](const Config& c) { return !c.background; }},
        {"SuspendedAction tag", [](const Config& c) { return c.suspended_action == Action::tag; }},
        {"ComplaintRateWindow 30", [](const Config& c) { return c.complaint_rate_window_days == 30; }},
        {"ComplaintRateLimit 0.3", [](const Config& c) { return c.complaint_rate_limit == 0.3; }},
        {"ComplaintRateMinVolume 1", [](const Config& c) { return c.complaint_rate_min_volume == 1; }},
        {"ComplaintRateAction Reject",
         [](const Config& c) { return c.complaint_rate_action == cm::ComplaintRateAction::reject; }},
        {"ComplaintRateAction tag",
         [](const Config& c) { return c.complaint_rate_action == cm::ComplaintRateAction::tag; }},
    };
    for (const auto& tc : cases) {
        INFO(tc.text);
        const auto load = cm::parse_config(tc.text, kPath);
        CHECK(errors_of(load) == std::vector<std::string>{});
        CHECK(tc.want(load.config));
    }
}

TEST_CASE("config: bad values give exact errors", "[config]") {
    struct Case {
        const char* text;
        const char* want;
    };
    const std::vector<Case> cases = {
        {"Socket inet:8891", "invalid value 'inet:8891' for 'Socket' (expected inet:PORT@HOST)"},
        {"Socket inet:0@localhost", "invalid value 'inet:0@localhost' for 'Socket' (port must be 1..65535)"},
        {"Socket inet6:65536@::1", "invalid value 'inet6:65536@::1' for 'Socket' (port must be 1..65535)"},
        {"Socket local:relative.sock",
         "invalid value 'local:relative.sock' for 'Socket' (expected an absolute path after local:)"},
        {"Socket tcp:25", "invalid value 'tcp:25' for 'Socket' (expected inet:PORT@HOST, inet6:PORT@HOST, "
                          "local:/PATH or unix:/PATH)"},
        {"SocketMode 0999", "invalid value '0999' for 'SocketMode' (expected an octal mode such as 0660)"},
        {"SocketMode 1777", "value 1777 for 'SocketMode' out of range (0000..0777)"},
        {"SocketGroup 'a b'", "invalid value 'a b' for 'SocketGroup' (expected a group name)"},
        {"Mode maybe", "invalid value 'maybe' for 'Mode' (expected enforce or monitor)"},
        {"RequireListUnsubscribe 2", "invalid value '2' for 'RequireListUnsubscribe' (expected yes or no)"},
        {"RequireOneClick y", "invalid value 'y' for 'RequireOneClick' (expected yes or no)"},
        {"RequireDkimCoverage nope", "invalid value 'nope' for 'RequireDkimCoverage' (expected yes or no)"},
        {"RequireBodyLink maybe", "invalid value 'maybe' for 'RequireBodyLink' (expected yes or no)"},
        {"RequireLinkInEveryPart ''", "invalid value '' for 'RequireLinkInEveryPart' (expected yes or no)"},
        {"ListUnsubscribeAction remove-recipient", "invalid value 'remove-recipient' for 'ListUnsubscribeAction' "
                                                   "(expected reject, quarantine, tag or accept)"},
        {"BodyLinkAction drop",
         "invalid value 'drop' for 'BodyLinkAction' (expected reject, quarantine, tag or accept)"},
        {"OversizeAction discard",
         "invalid value 'discard' for 'OversizeAction' (expected reject, quarantine, tag or accept)"},
        {"ConsentDatabase mysql://db", "invalid value 'mysql://db' for 'ConsentDatabase' "
                                       "(expected sqlite:/PATH or postgresql://...)"},
        {"ConsentDatabase sqlite:consent.db", "invalid value 'sqlite:consent.db' for 'ConsentDatabase' "
                                              "(expected sqlite:/PATH or postgresql://...)"},
        {"ConsentScope header:", "invalid value 'header:' for 'ConsentScope' "
                                 "(expected auth, sender, sender-domain or header:NAME)"},
        {"ConsentScope recipient", "invalid value 'recipient' for 'ConsentScope' "
                                   "(expected auth, sender, sender-domain or header:NAME)"},
        {"ConsentAction bounce", "invalid value 'bounce' for 'ConsentAction' "
                                 "(expected remove-recipient, reject, quarantine, tag or accept)"},
        {"RequireConfirmedConsent sometimes",
         "invalid value 'sometimes' for 'RequireConfirmedConsent' (expected yes or no)"},
        {"ConsentMaxAge 100000", "value 100000 for 'ConsentMaxAge' out of range (0..36500)"},
        {"ConsentMaxAge -1", "value -1 for 'ConsentMaxAge' out of range (0..36500)"},
        {"ConsentMaxAge 99999999999999999999999", "value 99999999999999999999999 for 'ConsentMaxAge' out of "
                                                  "range (0..36500)"},
        {"ConsentMaxAge 30d", "invalid value '30d' for 'ConsentMaxAge' (expected an integer)"},
        {"ConsentCacheTTL 86401", "value 86401 for 'ConsentCacheTTL' out of range (0..86400)"},
        {"OnError reject", "invalid value 'reject' for 'OnError' (expected tempfail or accept)"},
        {"RejectReply 450 4.7.1 later", "invalid value '450 4.7.1 later' for 'RejectReply' "
                                        "(expected a 5xx reply code, e.g. 550 5.7.1 text)"},
        {"RejectReply 5501 text", "invalid value '5501 text' for 'RejectReply' "
                                  "(expected a 5xx reply code, e.g. 550 5.7.1 text)"},
        {"RejectReply 550 4.7.1 text", "invalid value '550 4.7.1 text' for 'RejectReply' "
                                       "(enhanced status code 4.7.1 does not match reply code 550)"},
        {"RejectReply 550 5.7.1 100% sure",
         "invalid value '550 5.7.1 100% sure' for 'RejectReply' ('%' must be followed by r or %)"},
        {"TagHeader X-Bad:Name", "invalid value 'X-Bad:Name' for 'TagHeader' (expected a header field name)"},
        {"TagHeader \"X Bad\"", "invalid value 'X Bad' for 'TagHeader' (expected a header field name)"},
        {"ExemptHeader X-Type", "invalid value 'X-Type' for 'ExemptHeader' (expected NAME: PATTERN)"},
        {"ExemptHeader X-Type:", "invalid value 'X-Type:' for 'ExemptHeader' (expected NAME: PATTERN)"},
        {"ExemptHeader X-Type: (abc",
         "invalid PCRE2 pattern '(abc' for 'ExemptHeader': missing closing parenthesis at offset 4"},
        {"ExemptClients 10.0.0.0/33", "invalid value '10.0.0.0/33' for 'ExemptClients' "
                                      "(expected an IP address or CIDR range)"},
        {"ExemptClients 192.0.2.1, mail.example",
         "invalid value 'mail.example' for 'ExemptClients' (expected an IP address or CIDR range)"},
        {"ExemptSenders a@b@c", "invalid value 'a@b@c' for 'ExemptSenders' (expected an address or a domain)"},
        {"ExemptSenders .example", "invalid value '.example' for 'ExemptSenders' (expected an address or a domain)"},
        {"UnsubscribePhrases ''", "invalid value '' for 'UnsubscribePhrases' (expected a file name)"},
        {"UnsubscribePhrases /nonexistent/phrases.txt", "cannot read '/nonexistent/phrases.txt' for "
                                                        "'UnsubscribePhrases': No such file or directory"},
        {"MinFontSizePx big", "invalid value 'big' for 'MinFontSizePx' (expected a number)"},
        {"MinFontSizePx 73", "value 73 for 'MinFontSizePx' out of range (0..72)"},
        {"MinFontSizePx nan", "invalid value 'nan' for 'MinFontSizePx' (expected a number)"},
        {"MinContrastRatio 0.5", "value 0.5 for 'MinContrastRatio' out of range (1..21)"},
        {"MaxScanSize 4T", "invalid value '4T' for 'MaxScanSize' "
                           "(expected a size in bytes with an optional K, M or G suffix)"},
        {"MaxScanSize 63K", "value 63K for 'MaxScanSize' out of range (64K..1G)"},
        {"MaxScanSize 2G", "value 2G for 'MaxScanSize' out of range (64K..1G)"},
        {"MaxScanSize 99999999999999999999G", "value 99999999999999999999G for 'MaxScanSize' out of range "
                                              "(64K..1G)"},
        {"Syslog maybe", "invalid value 'maybe' for 'Syslog' (expected yes or no)"},
        {"SyslogFacility local8",
         "invalid value 'local8' for 'SyslogFacility' (expected mail, daemon, user or local0..local7)"},
        {"LogLevel verbose",
         "invalid value 'verbose' for 'LogLevel' (expected error, warning, notice, info or debug)"},
        {"UserID :mail", "invalid value ':mail' for 'UserID' (expected user or user:group)"},
        {"UserID cm:", "invalid value 'cm:' for 'UserID' (expected user or user:group)"},
        {"PidFile run/cm.pid", "invalid value 'run/cm.pid' for 'PidFile' (expected an absolute path)"},
        {"SuspendedAction remove-recipient", "invalid value 'remove-recipient' for 'SuspendedAction' "
                                             "(expected reject, quarantine, tag or accept)"},
        {"ComplaintRateWindow 0", "value 0 for 'ComplaintRateWindow' out of range (1..365)"},
        {"ComplaintRateLimit 101", "value 101 for 'ComplaintRateLimit' out of range (0..100)"},
        {"ComplaintRateLimit 0.3%", "invalid value '0.3%' for 'ComplaintRateLimit' (expected a number)"},
        {"ComplaintRateMinVolume 0", "value 0 for 'ComplaintRateMinVolume' out of range (1..1000000000)"},
        {"ComplaintRateAction quarantine",
         "invalid value 'quarantine' for 'ComplaintRateAction' (expected suspend, reject or tag)"},
        {"Background sometimes", "invalid value 'sometimes' for 'Background' (expected yes or no)"},
    };
    for (const auto& tc : cases) {
        INFO(tc.text);
        const auto load = cm::parse_config(std::string("# header\n") + tc.text + "\n", kPath);
        CHECK(errors_of(load) == std::vector<std::string>{kPath + ":2: " + tc.want});
    }
}

TEST_CASE("config: syntax errors", "[config]") {
    struct Case {
        const char* text;
        std::vector<std::string> want;
    };
    const std::vector<Case> cases = {
        {"RequireOneClik yes",
         {kPath + ":1: unknown directive 'RequireOneClik' (did you mean 'RequireOneClick'?)"}},
        {"sokcet inet:1@h", {kPath + ":1: unknown directive 'sokcet' (did you mean 'Socket'?)"}},
        {"Mod enforce", {kPath + ":1: unknown directive 'Mod' (did you mean 'Mode'?)"}},
        {"Frobnicate yes", {kPath + ":1: unknown directive 'Frobnicate'"}},
        {"foo bar", {kPath + ":1: unknown directive 'foo'"}},
        {"Mode", {kPath + ":1: directive 'Mode' needs a value"}},
        {"Mode   # enforce later", {kPath + ":1: directive 'Mode' needs a value"}},
        {"Mode \"enforce", {kPath + ":1: unterminated quoted value for 'Mode'"}},
        {"Mode 'enforce\" x", {kPath + ":1: unterminated quoted value for 'Mode'"}},
        {"Mode \"enforce\" x", {kPath + ":1: unexpected text after quoted value for 'Mode'"}},
        {"Mode enforce\nSyslog yes\nmode monitor",
         {kPath + ":3: duplicate directive 'Mode' (first at line 1)"}},
        // All errors are collected, not just the first.
        {"Mode x\nSyslog y\nBogus 1\nLogLevel",
         {kPath + ":1: invalid value 'x' for 'Mode' (expected enforce or monitor)",
          kPath + ":2: invalid value 'y' for 'Syslog' (expected yes or no)", kPath + ":3: unknown directive 'Bogus'",
          kPath + ":4: directive 'LogLevel' needs a value"}},
    };
    for (const auto& tc : cases) {
        INFO(tc.text);
        CHECK(errors_of(cm::parse_config(tc.text, kPath)) == tc.want);
    }
}

TEST_CASE("config: comments, quoting, case and white space", "[config]") {
    const auto load = cm::parse_config(
        "\xEF\xBB\xBF# full-line comment\n"
        "\n"
        "   \t\n"
        "  requirebodylink   NO   \r\n"
        "MODE monitor # trailing comment\n"
        "RejectReply \"550 5.7.1 say \\\"no\\\" \\\\ # not a comment\"  # a comment\n"
        "TagHeader 'X-It''s'\n"
        "ExemptHeader \"X-Kind: ^(bulk|a\\d)#1$\"\n"
        "ExemptHeader X-Other: a#b\n"
        "    # indented comment\n",
        kPath);
    CHECK(errors_of(load) == std::vector<std::string>{
                                 kPath + ":7: unexpected text after quoted value for 'TagHeader'"});
    CHECK_FALSE(load.config.require_body_link);
    CHECK(load.config.monitor);
    CHECK(load.config.reject_reply.source == "550 5.7.1 say \"no\" \\ # not a comment");
    // Inside double quotes a backslash before anything but " or \ stays as written.
    CHECK(load.config.exempt_headers ==
          std::vector<cm::ExemptHeaderRule>{{"X-Kind", "^(bulk|a\\d)#1$"}, {"X-Other", "a#b"}});
}

TEST_CASE("config: repeatable directives accumulate", "[config]") {
    const auto load = cm::parse_config(
        "ExemptHeader X-A: 1\nExemptHeader X-B: 2\nExemptClients 10.0.0.1\nExemptClients ::1\n"
        "ExemptSenders a.example\nExemptSenders b.example\n",
        kPath);
    REQUIRE(load.ok());
    CHECK(load.config.exempt_headers.size() == 2);
    CHECK(load.config.exempt_clients.size() == 2);
    CHECK(load.config.exempt_senders == std::vector<std::string>{"a.example", "b.example"});
}

TEST_CASE("config: list files and phrase files", "[config]") {
    TempDir dir;
    const std::string conf_path = dir.path + "/consent-milter.conf";

    SECTION("ExemptClients file, absolute and ./relative to the config file") {
        const std::string clients = dir.write("clients", "# relays\n10.0.0.0/8   # internal\n\n2001:db8::/32\n");
        dir.write("clients2", "192.0.2.7\n");
        const auto load = cm::parse_config("ExemptClients " + clients + "\nExemptClients ./clients2\n", conf_path);
        REQUIRE(errors_of(load) == std::vector<std::string>{});
        CHECK(load.config.exempt_clients.size() == 3);
        CHECK(cm::ip_in_ranges("10.9.8.7", load.config.exempt_clients));
        CHECK(cm::ip_in_ranges("192.0.2.7", load.config.exempt_clients));
        CHECK_FALSE(cm::ip_in_ranges("192.0.2.8", load.config.exempt_clients));
    }
    SECTION("errors inside an ExemptClients file name that file and its line") {
        const std::string clients = dir.write("clients", "10.0.0.1\n# comment\nnot-an-ip\n10.0.0.0/99\n");
        const auto load = cm::parse_config("Mode enforce\nExemptClients " + clients + "\n", conf_path);
        CHECK(errors_of(load) ==
              std::vector<std::string>{
                  clients + ":3: invalid value 'not-an-ip' for 'ExemptClients' (expected an IP address or CIDR range)",
                  clients + ":4: invalid value '10.0.0.0/99' for 'ExemptClients' (expected an IP address or CIDR range)"});
    }
    SECTION("ExemptSenders file with an error") {
        const std::string senders = dir.write("senders", "Billing@Shop.Example\n\n@Bank.Example\nbad address\n");
        const auto load = cm::parse_config("ExemptSenders " + senders + "\n", conf_path);
        CHECK(errors_of(load) ==
              std::vector<std::string>{senders +
                                       ":4: invalid value 'bad address' for 'ExemptSenders' (expected an address or a domain)"});
        CHECK(load.config.exempt_senders == std::vector<std::string>{"billing@shop.example", "bank.example"});
    }
    SECTION("a missing list file is reported at the directive") {
        const auto load = cm::parse_config("\nExemptSenders ./missing\n", conf_path);
        CHECK(errors_of(load) == std::vector<std::string>{conf_path + ":2: cannot read '" + dir.path +
                                                          "/missing' for 'ExemptSenders': No such file or directory"});
    }
    SECTION("UnsubscribePhrases reads patterns, validates them with their file:line") {
        const std::string phrases =
            dir.write("phrases", "# extra phrases\nopt[- ]?out\n\n  désabonner  \nbad(\n\\bstop mail\n");
        const auto load = cm::parse_config("UnsubscribePhrases phrases\n", conf_path);
        CHECK(errors_of(load) ==
              std::vector<std::string>{phrases + ":5: invalid PCRE2 pattern 'bad(': missing closing parenthesis at offset 4"});
        CHECK(load.config.unsubscribe_phrases_file == phrases);
        CHECK(load.config.unsubscribe_phrases ==
              std::vector<std::string>{"opt[- ]?out", "désabonner", "\\bstop mail"});
    }
    SECTION("load_config reads a real file") {
        dir.write("consent-milter.conf", "Mode monitor\nConsentMaxAge 400\n");
        const auto load = cm::load_config(conf_path);
        REQUIRE(load.ok());
        CHECK(load.config.path == conf_path);
        CHECK(load.config.monitor);
        CHECK(load.config.consent_max_age_days == 400);
    }
}

TEST_CASE("config: an unreadable file is one error at line 0", "[config]") {
    const auto missing = cm::load_config("/nonexistent/consent-milter.conf");
    CHECK(errors_of(missing) ==
          std::vector<std::string>{"/nonexistent/consent-milter.conf: cannot read: No such file or directory"});
    const auto dir = cm::load_config("/tmp");
    CHECK(errors_of(dir) == std::vector<std::string>{"/tmp: cannot read: Is a directory"});
}

TEST_CASE("config: a device, a FIFO or a huge file is refused, not read without end", "[config][limits]") {
    CHECK(errors_of(cm::load_config("/dev/zero")) ==
          std::vector<std::string>{"/dev/zero: cannot read: not a regular file"});
    TempDir dir;
    const std::string conf = dir.path + "/c.conf";
    // A FIFO with no writer: opening it must not block.
    const std::string fifo = dir.path + "/phrases.fifo";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    dir.files.push_back(fifo);
    CHECK(errors_of(cm::parse_config("UnsubscribePhrases " + fifo + "\n", conf)) ==
          std::vector<std::string>{conf + ":1: cannot read '" + fifo + "' for 'UnsubscribePhrases': not a regular file"});
    // 65 MiB (sparse: costs no disk) is over the 64 MiB cap.
    const std::string big = dir.write("senders", "");
    REQUIRE(truncate(big.c_str(), 65 << 20) == 0);
    CHECK(errors_of(cm::parse_config("ExemptSenders " + big + "\n", conf)) ==
          std::vector<std::string>{conf + ":1: cannot read '" + big + "' for 'ExemptSenders': larger than 64 MiB"});
}

TEST_CASE("config: action names", "[config]") {
    CHECK(std::string(cm::action_name(cm::Action::accept)) == "accept");
    CHECK(std::string(cm::action_name(cm::Action::tag)) == "tag");
    CHECK(std::string(cm::action_name(cm::Action::quarantine)) == "quarantine");
    CHECK(std::string(cm::action_name(cm::Action::reject)) == "reject");
    CHECK(std::string(cm::action_name(cm::Action::remove_recipient)) == "remove-recipient");
}

TEST_CASE("cidr: parsing and matching", "[cidr]") {
    struct Case {
        const char* range;
        const char* ip;
        bool want;
    };
    const std::vector<Case> cases = {
        {"10.0.0.0/8", "10.255.0.1", true},
        {"10.0.0.0/8", "11.0.0.1", false},
        {"192.0.2.1", "192.0.2.1", true},
        {"192.0.2.1", "192.0.2.2", false},
        {"192.0.2.130/25", "192.0.2.200", true},  // host bits are cleared
        {"192.0.2.130/25", "192.0.2.100", false},
        {"0.0.0.0/0", "203.0.113.9", true},
        {"0.0.0.0/0", "2001:db8::1", false},  // an IPv4 range never matches native IPv6
        {"10.0.0.0/8", "::ffff:10.1.2.3", true},  // IPv4-mapped IPv6 matches IPv4 ranges
        {"10.0.0.0/8", "IPv6:::ffff:10.1.2.3", true},
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/32", "2001:db9::1", false},
        {"2001:db8::/33", "2001:db8:8000::1", false},
        {"2001:db8::1", "[2001:db8::1]", true},
        {"fe80::/10", "fe80::1%eth0", true},
        {"::/0", "::1", true},
        {"::/0", "127.0.0.1", true},  // ::/0 includes the mapped IPv4 space
        {"10.0.0.0/8", "not-an-ip", false},
        {"10.0.0.0/8", "", false},
    };
    for (const auto& tc : cases) {
        INFO(tc.range << " contains " << tc.ip);
        const auto r = cm::parse_cidr(tc.range);
        REQUIRE(r.has_value());
        CHECK(cm::ip_in_ranges(tc.ip, {*r}) == tc.want);
    }
    for (const char* bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0/8", "1.2.3.4/x", "/8", "host",
                            "10.0.0.0/8/8", "1.2.3.4 "}) {
        INFO(bad);
        CHECK_FALSE(cm::parse_cidr(bad).has_value());
    }
    CHECK_FALSE(cm::ip_in_ranges("10.0.0.1", {}));
}

TEST_CASE("config_syntax: scalar parsers", "[config]") {
    using namespace cm::conf;
    CHECK(parse_bool("On") == std::optional<bool>(true));
    CHECK(parse_bool("OFF") == std::optional<bool>(false));
    CHECK_FALSE(parse_bool("").has_value());
    CHECK(parse_integer("-12") == std::optional<long long>(-12));
    CHECK_FALSE(parse_integer("1 2").has_value());
    CHECK_FALSE(parse_integer("-").has_value());
    CHECK_FALSE(parse_integer("+1").has_value());
    CHECK(parse_number(".5") == std::optional<double>(0.5));
    CHECK_FALSE(parse_number("1e3").has_value());
    CHECK_FALSE(parse_number("inf").has_value());
    CHECK(parse_size("4M") == std::optional<unsigned long long>(4u << 20));
    CHECK(parse_size("2k") == std::optional<unsigned long long>(2048));
    CHECK_FALSE(parse_size("K").has_value());
    CHECK_FALSE(parse_size("4MB").has_value());
    CHECK(parse_octal("0660") == std::optional<unsigned long long>(0660));
    CHECK_FALSE(parse_octal("8").has_value());
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(is_field_name("X-Consent-Check"));
    CHECK_FALSE(is_field_name("X Consent"));
    CHECK_FALSE(is_field_name("X:"));
    CHECK_FALSE(is_field_name(""));
}
