// SPDX-License-Identifier: Apache-2.0
#include "policy/evaluate.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <set>

#include "checks/body_link.h"
#include "consent/consent_scope.h"
#include "checks/list_unsubscribe.h"
#include "senders/complaint_rate.h"
#include "util/pattern_budget.h"
#include "util/text_util.h"
#include "util/utc_day.h"
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

namespace {

bool has_store(const ConsentStore* store, const Config& config) {
    return store && !config.consent_database.empty();
}

// The sender check (DESIGN §11) for report.scope: asks the store once for the scope's state over
// the complaint-rate window and fills report.sender. `judge_rate` false (an exempt message):
// only a recorded suspension counts. False when the store could not answer (report.error set).
bool run_sender_check(ConsentStore& store, const Config& config, std::int64_t now, bool judge_rate,
                      Report& report) {
    constexpr std::int64_t kDay = 86400;
    const std::string since_day = utc_day(now - (config.complaint_rate_window_days - 1) * kDay);
    auto state = store.sender_state(report.scope, since_day);
    if (!state.ok()) {
        report.error = "consent store: " + state.status().ToString();
        return false;
    }
    SenderFinding& sender = report.sender;
    sender.result = "pass";
    if (state->suspended) {
        sender = {"fail", Reason::sender_suspended, state->suspension_reason, std::nullopt};
        return true;
    }
    if (!judge_rate) return true;
    auto excess = complaint_rate_excess(config, state->complaints, state->accepted_recipients);
    if (!excess) return true;
    // Monitor mode records nothing: the message shows the rate it would have suspended for.
    if (config.complaint_rate_action == ComplaintRateAction::suspend && !config.monitor)
        sender = {"fail", Reason::sender_suspended, *excess, Suspension{report.scope, *excess, "complaint-rate", now}};
    else
        sender = {"fail", Reason::sender_complaint_rate, *excess, std::nullopt};
    return true;
}

// With a store: report.scope, then the sender check when the scope is known. False when the
// store could not answer.
bool scope_and_sender(const Config& config, const std::vector<Header>& headers, const Envelope& envelope,
                      ConsentStore* store, std::int64_t now, bool judge_rate, Report& report) {
    if (!has_store(store, config)) return true;
    report.scope = scope_for(config.consent_scope, config.consent_scope_header, headers, envelope.mail_from,
                             envelope.auth_user);
    return report.scope.empty() || run_sender_check(*store, config, now, judge_rate, report);
}

// Consent per recipient; false when the store could not answer (report.error is set).
bool run_consent_check(const Envelope& envelope, const Config& config, ConsentStore& store, std::int64_t now,
                       Report& report) {
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

    bool store_answered =
        scope_and_sender(config, message.headers, envelope, store, now, report.exempt_why.empty(), report);
    // A suspended scope voids the exemption (DESIGN §11): the message is judged in full.
    if (!report.exempt_why.empty() && report.sender.reason != Reason::sender_suspended) {
        report.exempt = true;
        choose_verdict(config, store_answered, report);
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

    // A store that failed the sender check is not asked again: OnError decides the message.
    if (has_store(store, config) && store_answered)
        store_answered = run_consent_check(envelope, config, *store, now, report);

    choose_verdict(config, store_answered, report);
    return report;
}

std::optional<Report> exempt_report(const Policy& policy, const Envelope& envelope,
                                    const std::vector<Header>& headers, ConsentStore* store, std::int64_t now,
                                    std::string why) {
    const Config& config = policy.config();
    Report report;
    report.exempt_why = std::move(why);
    const bool store_answered = scope_and_sender(config, headers, envelope, store, now, false, report);
    if (report.sender.reason == Reason::sender_suspended) return std::nullopt;
    report.exempt = true;
    choose_verdict(config, store_answered, report);
    return report;
}

}  // namespace cm
