// SPDX-License-Identifier: Apache-2.0
// The reason table (lib/checks/reason.h): codes, checks, actions, and the strings the
// external contract (DESIGN §5) fixes.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "checks/reason.h"
#include "config/config.h"
#include "policy/verdict.h"

using cm::Reason;

TEST_CASE("reason: every code prints as DESIGN §5 spells it", "[reason]") {
    struct Case {
        Reason reason;
        const char* want_code;
        const char* want_qualified;
    };
    auto c = GENERATE(values<Case>({
        {Reason::none, "", ""},
        {Reason::list_unsubscribe_missing, "missing", "list_unsubscribe:missing"},
        {Reason::list_unsubscribe_multiple, "multiple", "list_unsubscribe:multiple"},
        {Reason::list_unsubscribe_malformed, "malformed", "list_unsubscribe:malformed"},
        {Reason::list_unsubscribe_merge_tag, "unresolved-merge-tag", "list_unsubscribe:unresolved-merge-tag"},
        {Reason::list_unsubscribe_no_http_uri, "no-http-uri", "list_unsubscribe:no-http-uri"},
        {Reason::list_unsubscribe_no_one_click, "no-one-click", "list_unsubscribe:no-one-click"},
        {Reason::list_unsubscribe_not_dkim_covered, "not-dkim-covered", "list_unsubscribe:not-dkim-covered"},
        {Reason::body_link_missing, "missing", "body_link:missing"},
        {Reason::body_link_hidden, "hidden", "body_link:hidden"},
        {Reason::body_link_mailto_only, "mailto-only", "body_link:mailto-only"},
        {Reason::body_link_merge_tag, "unresolved-merge-tag", "body_link:unresolved-merge-tag"},
        {Reason::body_link_login_required, "login-required", "body_link:login-required"},
        {Reason::body_link_missing_in_text_part, "missing-in-text-part", "body_link:missing-in-text-part"},
        {Reason::body_link_missing_in_html_part, "missing-in-html-part", "body_link:missing-in-html-part"},
        {Reason::body_link_truncated, "truncated", "body_link:truncated"},
        {Reason::consent_suppressed, "suppressed", "consent:suppressed"},
        {Reason::consent_no_record, "no-record", "consent:no-record"},
        {Reason::consent_revoked, "revoked", "consent:revoked"},
        {Reason::consent_unconfirmed, "unconfirmed", "consent:unconfirmed"},
        {Reason::consent_expired, "expired", "consent:expired"},
        {Reason::sender_suspended, "suspended", "sender:suspended"},
        {Reason::sender_complaint_rate, "complaint-rate", "sender:complaint-rate"},
    }));
    INFO("reason " << c.reason);
    CHECK(cm::reason_code(c.reason) == c.want_code);
    CHECK(cm::qualified_code(c.reason) == c.want_qualified);
}

TEST_CASE("reason: the table has one row per reason, each explained, no code twice per check", "[reason]") {
    std::set<std::string> seen;
    for (const cm::ReasonInfo& info : cm::kReasonTable) {
        if (info.reason == Reason::none) continue;
        INFO("reason " << info.reason);
        CHECK(&cm::reason_info(info.reason) == &info);
        CHECK_FALSE(info.explanation.empty());
        CHECK(info.explanation.find('\n') == std::string_view::npos);
        CHECK(seen.insert(cm::qualified_code(info.reason)).second);
    }
    CHECK(seen.size() == 22);
}

TEST_CASE("reason: each failure takes the action of its directive", "[reason]") {
    cm::Config config;
    config.list_unsubscribe_action = cm::Action::quarantine;
    config.body_link_action = cm::Action::reject;
    config.oversize_action = cm::Action::tag;
    config.consent_action = cm::Action::remove_recipient;
    config.suspended_action = cm::Action::quarantine;
    config.complaint_rate_action = cm::ComplaintRateAction::tag;
    struct Case {
        Reason reason;
        cm::Action want;
    };
    auto c = GENERATE(values<Case>({
        {Reason::list_unsubscribe_no_one_click, cm::Action::quarantine},
        {Reason::body_link_hidden, cm::Action::reject},
        {Reason::body_link_truncated, cm::Action::tag},
        {Reason::consent_expired, cm::Action::remove_recipient},
        {Reason::sender_suspended, cm::Action::quarantine},
        {Reason::sender_complaint_rate, cm::Action::tag},
    }));
    INFO("reason " << c.reason);
    CHECK(cm::configured_action(config, c.reason) == c.want);
}

TEST_CASE("reason: RejectReply is parsed once into code, enhanced code and text pieces", "[reason]") {
    struct Case {
        const char* value;
        const char* want_code;
        const char* want_xcode;
        std::vector<std::string> want_text;
    };
    auto c = GENERATE(values<Case>({
        {"550 5.7.1 Message violates sending policy: %r", "550", "5.7.1", {"Message violates sending policy: ", ""}},
        {"554 Policy: %r (100%% sure)", "554", "", {"Policy: ", " (100% sure)"}},
        {"550", "550", "", {""}},
        {"550 5.7.1", "550", "5.7.1", {""}},
        {"550 %r and %r", "550", "", {"", " and ", ""}},
    }));
    INFO("RejectReply " << c.value);
    auto got = cm::parse_reject_reply(c.value);
    REQUIRE(got.ok());
    CHECK(got->source == c.value);
    CHECK(got->code == c.want_code);
    CHECK(got->xcode == c.want_xcode);
    CHECK(got->text == c.want_text);
}
