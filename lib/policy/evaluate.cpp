// SPDX-License-Identifier: Apache-2.0
#include "policy/evaluate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <set>

#include "checks/body_link.h"
#include "consent/consent_scope.h"
#include "checks/list_unsubscribe.h"
#include "util/pattern_budget.h"
#include "util/text_util.h"
#include "policy/verdict.h"

namespace cm {

namespace {

std::string domain_of(std::string_view address) {
    auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : ascii_lower(address.substr(at + 1));
}

struct CompiledRegex {
    std::string header_name;
    std::string source;
    pcre2_code* code = nullptr;
};

}  // namespace

struct Policy::Compiled {
    std::vector<CompiledRegex> exempt_headers;
    pcre2_match_context* match_context = nullptr;

    ~Compiled() {
        for (auto& r : exempt_headers) pcre2_code_free(r.code);
        pcre2_match_context_free(match_context);
    }
};

Policy::Policy(Config config, std::shared_ptr<const PhraseSet> phrases, std::unique_ptr<Compiled> compiled)
    : config_(std::move(config)), phrases_(std::move(phrases)), compiled_(std::move(compiled)) {}

Policy::~Policy() = default;

Result<std::shared_ptr<const Policy>> Policy::create(Config config) {
    auto phrases = PhraseSet::create(config.unsubscribe_phrases);
    if (!phrases.ok()) return phrases.status();

    auto compiled = std::make_unique<Compiled>();
    compiled->match_context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(compiled->match_context, 100000);
    pcre2_set_depth_limit(compiled->match_context, 1000);
    for (const ExemptHeaderRule& rule : config.exempt_headers) {
        int error = 0;
        PCRE2_SIZE offset = 0;
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(rule.pattern.data()), rule.pattern.size(),
                                         PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
        if (!code) {
            PCRE2_UCHAR buffer[256];
            pcre2_get_error_message(error, buffer, sizeof buffer);
            return Status::InvalidArgument("ExemptHeader pattern '" + rule.pattern + "': " +
                                           reinterpret_cast<const char*>(buffer));
        }
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter on failure
        compiled->exempt_headers.push_back({rule.name, rule.pattern, code});
    }
    return std::shared_ptr<const Policy>(new Policy(std::move(config), std::move(*phrases), std::move(compiled)));
}

std::string Policy::client_exemption(std::string_view client_ip) const {
    if (!client_ip.empty() && ip_in_ranges(client_ip, config_.exempt_clients))
        return "client " + std::string(client_ip);
    return {};
}

std::string Policy::sender_exemption(std::string_view mail_from) const {
    std::string address = ascii_lower(mail_from);
    std::string domain = domain_of(address);
    for (const std::string& entry : config_.exempt_senders) {
        bool hit = entry.find('@') != std::string::npos
                       ? entry == address
                       : !domain.empty() && (domain == entry ||
                                             (domain.size() > entry.size() &&
                                              domain.compare(domain.size() - entry.size(), entry.size(), entry) == 0 &&
                                              domain[domain.size() - entry.size() - 1] == '.'));
        if (hit) return "sender " + entry;
    }
    return {};
}

std::string Policy::header_exemption(std::string_view name, std::string_view value,
                                     PatternBudget& budget) const {
    for (const CompiledRegex& rule : compiled_->exempt_headers) {
        if (!iequals(rule.header_name, name)) continue;
        pcre2_match_data* data = pcre2_match_data_create_from_pattern(rule.code, nullptr);
        const int rc = match_within_budget(rule.code, value, data, compiled_->match_context, &budget);
        pcre2_match_data_free(data);
        if (rc >= 0) return "header " + rule.header_name + ": " + rule.source;
    }
    return {};
}

std::string exemption(const Policy& policy, const Envelope& envelope, const std::vector<Header>& headers,
                      PatternBudget& budget) {
    if (auto why = policy.client_exemption(envelope.client_ip); !why.empty()) return why;
    if (auto why = policy.sender_exemption(envelope.mail_from); !why.empty()) return why;
    for (const Header& h : headers)
        if (auto why = policy.header_exemption(h.name, h.value, budget); !why.empty()) return why;
    return {};
}

std::string consent_scope(const ParsedMessage& message, const Envelope& envelope, const Config& config) {
    return scope_for(config.consent_scope, config.consent_scope_header, message.headers, envelope.mail_from,
                     envelope.auth_user);
}

namespace {

// Consent per recipient; false when the store could not answer (report.error is set).
bool run_consent_check(const ParsedMessage& message, const Envelope& envelope, const Policy& policy,
                       ConsentStore& store, std::int64_t now, Report& report) {
    const Config& config = policy.config();
    report.scope = consent_scope(message, envelope, config);
    std::vector<std::string> addresses;
    for (const std::string& rcpt : envelope.rcpts) addresses.push_back(normalize_address(rcpt));

    std::vector<ConsentLookup> found;
    if (report.scope.empty()) {
        // Nobody can have consented to a sender we cannot name.
        for (const std::string& a : addresses) {
            ConsentLookup none;
            none.address = a;
            found.push_back(std::move(none));
        }
    } else {
        auto looked_up = store.lookup(report.scope, addresses);
        if (!looked_up.ok()) {
            report.error = "consent store: " + looked_up.status().ToString();
            return false;
        }
        found = std::move(*looked_up);
    }

    ConsentPolicy consent_policy{config.require_confirmed_consent, config.consent_max_age_days};
    std::size_t passed = 0;
    for (std::size_t i = 0; i < envelope.rcpts.size() && i < found.size(); ++i) {
        RecipientConsent judged = judge_consent(found[i], consent_policy, now);
        judged.address = envelope.rcpts[i];
        passed += judged.pass;
        report.consent.recipients.push_back(std::move(judged));
    }
    const std::size_t total = report.consent.recipients.size();
    report.consent.result = total == 0 || passed == total ? "pass" : passed == 0 ? "fail" : "partial";
    return true;
}

}  // namespace

Report evaluate(const ParsedMessage& message, const Envelope& envelope, const Policy& policy,
                ConsentStore* store, std::int64_t now) {
    const Config& config = policy.config();
    Report report;
    report.truncated = message.truncated;
    for (const ParseNote& note : message.notes) add_note(report.notes, note.code);

    PatternBudget budget;
    report.exempt_why = exemption(policy, envelope, message.headers, budget);
    if (budget.any_spent()) add_note(report.notes, "limit:pattern");
    if (!report.exempt_why.empty()) {
        report.exempt = true;
        return report;
    }

    report.list_unsubscribe = check_list_unsubscribe(
        message, ListUnsubscribeOptions{config.require_one_click, config.require_dkim_coverage});
    report.list_unsubscribe_checked = config.require_list_unsubscribe;

    BodyLinkOptions body_options;
    body_options.require_link_in_every_part = config.require_link_in_every_part;
    body_options.visibility.min_font_px = config.min_font_size_px;
    body_options.visibility.min_contrast = config.min_contrast_ratio;
    report.body_link = check_body_link(message, policy.phrases(), body_options);
    for (const std::string& note : report.body_link.notes) add_note(report.notes, note);
    report.body_link_checked = config.require_body_link;

    bool consent_ran = true;
    if (store && !config.consent_database.empty())
        consent_ran = run_consent_check(message, envelope, policy, *store, now, report);

    choose_verdict(config, consent_ran, report);
    return report;
}

}  // namespace cm
