// SPDX-License-Identifier: Apache-2.0
// choose_verdict(), smtp_reply() and the report texts (tag header, log line, JSON).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "policy/report_json.h"
#include "policy/report_text.h"
#include "policy/verdict.h"

namespace {

cm::Report failing_report(bool lu_pass, bool body_pass) {
    cm::Report r;
    r.list_unsubscribe_checked = r.body_link_checked = true;
    r.list_unsubscribe.pass = lu_pass;
    if (!lu_pass) r.list_unsubscribe.reason = cm::Reason::list_unsubscribe_missing;
    r.body_link.pass = body_pass;
    if (!body_pass) r.body_link.reason = cm::Reason::body_link_hidden;
    return r;
}

cm::RecipientConsent rcpt(const char* address, bool pass, cm::Reason reason = cm::Reason::none) {
    cm::RecipientConsent r;
    r.address = address;
    r.pass = pass;
    r.reason = reason;
    return r;
}

}  // namespace

TEST_CASE("verdict: each failed check maps to its action; the most severe wins") {
    struct Row {
        cm::Action lu, body;
        bool lu_pass, body_pass;
        cm::Verdict want;
    };
    using A = cm::Action;
    using V = cm::Verdict;
    auto row = GENERATE(Row{A::reject, A::reject, true, true, V::accept},
                        Row{A::reject, A::tag, false, true, V::reject},
                        Row{A::tag, A::quarantine, false, false, V::quarantine},
                        Row{A::tag, A::accept, false, false, V::tag},
                        Row{A::accept, A::accept, false, false, V::accept},
                        Row{A::quarantine, A::reject, false, false, V::reject});
    cm::Config config;
    config.list_unsubscribe_action = row.lu;
    config.body_link_action = row.body;
    cm::Report report = failing_report(row.lu_pass, row.body_pass);
    cm::choose_verdict(config, true, report);
    CHECK(cm::verdict_name(report.verdict) == std::string(cm::verdict_name(row.want)));
}

TEST_CASE("verdict: reasons are check:code in check order") {
    cm::Config config;
    cm::Report report = failing_report(false, false);
    report.consent.result = "partial";
    report.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", false, cm::Reason::consent_no_record)};
    cm::choose_verdict(config, true, report);
    CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::list_unsubscribe_missing, cm::Reason::body_link_hidden,
                                                  cm::Reason::consent_no_record});
    CHECK(cm::reasons_text(report) == "list_unsubscribe:missing,body_link:hidden,consent:no-record");
}

TEST_CASE("verdict: checks that are not required do not count") {
    cm::Config config;
    cm::Report report = failing_report(false, false);
    report.list_unsubscribe_checked = false;
    report.body_link_checked = false;
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == cm::Verdict::accept);
    CHECK(report.reasons.empty());
}

TEST_CASE("verdict: remove-recipient removes the failing ones, rejects when none remain") {
    cm::Config config;  // ConsentAction remove-recipient
    cm::Report some = failing_report(true, true);
    some.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", false, cm::Reason::consent_revoked)};
    cm::choose_verdict(config, true, some);
    CHECK(some.verdict == cm::Verdict::accept);
    CHECK(some.removed_recipients == std::vector<std::string>{"b@x.example"});

    cm::Report all = failing_report(true, true);
    all.consent.recipients = {rcpt("a@x.example", false, cm::Reason::consent_suppressed), rcpt("b@x.example", false, cm::Reason::consent_revoked)};
    cm::choose_verdict(config, true, all);
    CHECK(all.verdict == cm::Verdict::reject);
    CHECK(all.removed_recipients.empty());
}

TEST_CASE("verdict: a reject elsewhere means nothing is removed") {
    cm::Config config;
    cm::Report report = failing_report(false, true);
    report.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", false, cm::Reason::consent_revoked)};
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == cm::Verdict::reject);
    CHECK(report.removed_recipients.empty());
}

TEST_CASE("verdict: monitor mode turns every stronger verdict into tag and removes nobody") {
    cm::Config config;
    config.monitor = true;
    config.consent_action = cm::Action::remove_recipient;
    cm::Report report = failing_report(false, false);
    report.consent.recipients = {rcpt("a@x.example", false, cm::Reason::consent_no_record)};
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == cm::Verdict::tag);
    CHECK(report.removed_recipients.empty());
    CHECK(report.reasons.size() == 3);
}

TEST_CASE("verdict: store unavailable follows OnError") {
    cm::Config config;
    cm::Report report = failing_report(true, true);
    cm::choose_verdict(config, false, report);
    CHECK(report.verdict == cm::Verdict::tempfail);
    CHECK(report.consent.result == "skipped");

    config.on_error = cm::OnErrorAction::accept;
    cm::Report accepted = failing_report(true, true);
    cm::choose_verdict(config, false, accepted);
    CHECK(accepted.verdict == cm::Verdict::accept);

    // A definite reject is not turned into "try again later".
    config.on_error = cm::OnErrorAction::tempfail;
    cm::Report rejected = failing_report(false, true);
    cm::choose_verdict(config, false, rejected);
    CHECK(rejected.verdict == cm::Verdict::reject);
}

TEST_CASE("verdict: a truncated body uses OversizeAction") {
    cm::Config config;  // OversizeAction tag, BodyLinkAction reject
    cm::Report report = failing_report(true, false);
    report.body_link.reason = cm::Reason::body_link_truncated;
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == cm::Verdict::tag);
}

TEST_CASE("smtp_reply: RejectReply split into code, enhanced code and text with %r") {
    cm::Config config;
    cm::Report report = failing_report(false, false);
    cm::choose_verdict(config, true, report);
    cm::SmtpReply r = cm::smtp_reply(config, report);
    CHECK(r.code == "550");
    CHECK(r.xcode == "5.7.1");
    CHECK(r.text == "Message violates sending policy: list_unsubscribe:missing,body_link:hidden");

    config.reject_reply = cm::parse_reject_reply("554 Policy: %r (100%% sure)").value();
    r = cm::smtp_reply(config, report);
    CHECK(r.code == "554");
    CHECK(r.xcode.empty());
    CHECK(r.text == "Policy: list_unsubscribe:missing,body_link:hidden (100% sure)");

    cm::Report tempfail;
    tempfail.verdict = cm::Verdict::tempfail;
    r = cm::smtp_reply(config, tempfail);
    CHECK(r.code == "451");
    CHECK(r.xcode == "4.3.0");

    cm::Report accepted;
    CHECK(cm::smtp_reply(config, accepted).code.empty());
}

TEST_CASE("report text: tag header per DESIGN §8") {
    cm::Config config;
    config.consent_action = cm::Action::tag;
    cm::Report report = failing_report(true, false);
    report.consent.result = "partial";
    report.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", true), rcpt("c@x.example", false, cm::Reason::consent_no_record)};
    config.body_link_action = cm::Action::tag;
    cm::choose_verdict(config, true, report);
    CHECK(cm::tag_header_value(report) ==
          "verdict=tag; list_unsubscribe=pass; body_link=fail (hidden); consent=partial (2/3)");
}

TEST_CASE("report text: one log line, queue id first, control characters escaped") {
    cm::Config config;
    cm::Report report = failing_report(true, false);
    report.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", false, cm::Reason::consent_no_record)};
    report.scope = "example.com";
    cm::choose_verdict(config, true, report);
    cm::LogContext context{"4Xyz12", 3, 48211, 2.14};
    CHECK(cm::log_line(context, report) ==
          "4Xyz12: verdict=reject reasons=body_link:hidden,consent:no-record rcpts=3 removed=0 scope=example.com "
          "size=48211 ms=2.1");
    CHECK(cm::escape_for_log("a\r\nb\\c\x7f") == "a\\x0d\\x0ab\\\\c\\x7f");
}

TEST_CASE("report json: DESIGN §6 keys and values") {
    cm::Config config;
    cm::Report report = failing_report(true, false);
    report.list_unsubscribe.uris = {"https://esp.example/u"};
    report.list_unsubscribe.one_click = true;
    report.body_link.links.push_back({"text/html", "https://esp.example/u", "Unsubscribe", false, "display-none"});
    report.consent.result = "partial";
    report.consent.recipients = {rcpt("a@x.example", true), rcpt("b@x.example", false, cm::Reason::consent_revoked)};
    config.body_link_action = cm::Action::tag;
    cm::choose_verdict(config, true, report);

    auto j = nlohmann::json::parse(cm::report_to_json(report));
    CHECK(j["verdict"] == "tag");
    CHECK(j["exempt"] == false);
    CHECK(j["checks"]["list_unsubscribe"]["result"] == "pass");
    CHECK(j["checks"]["list_unsubscribe"]["uris"][0] == "https://esp.example/u");
    CHECK(j["checks"]["list_unsubscribe"]["one_click"] == true);
    CHECK(j["checks"]["body_link"]["result"] == "fail");
    CHECK(j["checks"]["body_link"]["reason"] == "hidden");
    CHECK(j["checks"]["body_link"]["links"][0]["visible"] == false);
    CHECK(j["checks"]["body_link"]["links"][0]["why"] == "display-none");
    CHECK(j["checks"]["consent"]["result"] == "partial");
    CHECK(j["checks"]["consent"]["recipients"][1]["reason"] == "revoked");
    CHECK(j["reasons"] == nlohmann::json::array({"body_link:hidden", "consent:revoked"}));
    CHECK(j["removed_recipients"] == nlohmann::json::array({"b@x.example"}));
    CHECK(j["truncated"] == false);
    CHECK(j["notes"] == nlohmann::json::array());
}

TEST_CASE("report json: bytes that are not UTF-8 do not break the output") {
    cm::Report report;
    report.body_link.links.push_back({"text/plain", "https://x.example/\xff", "\xc3", true, ""});
    CHECK_NOTHROW(nlohmann::json::parse(cm::report_to_json(report)));
}

TEST_CASE("verdict and texts: a suspended sender comes first, with SuspendedAction") {
    cm::Config config;
    config.suspended_action = cm::Action::reject;
    config.body_link_action = cm::Action::tag;
    cm::Report report = failing_report(true, false);
    report.sender = {"fail", cm::Reason::sender_suspended, "spam run", std::nullopt};
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == cm::Verdict::reject);
    CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_suspended, cm::Reason::body_link_hidden});
    CHECK(cm::smtp_reply(config, report).text == "Message violates sending policy: sender:suspended,body_link:hidden");
    CHECK(cm::tag_header_value(report) ==
          "verdict=reject; list_unsubscribe=pass; body_link=fail (hidden); consent=skipped; sender=fail (suspended)");
    auto j = nlohmann::json::parse(cm::report_to_json(report));
    CHECK(j["checks"]["sender"]["result"] == "fail");
    CHECK(j["checks"]["sender"]["reason"] == "suspended");
    CHECK(j["checks"]["sender"]["detail"] == "spam run");
    CHECK(j["checks"]["sender"]["suspends"] == false);
}

TEST_CASE("verdict: sender:complaint-rate takes ComplaintRateAction's reject or tag") {
    using R = cm::ComplaintRateAction;
    auto [action, want] = GENERATE(std::pair{R::reject, cm::Verdict::reject}, std::pair{R::tag, cm::Verdict::tag});
    cm::Config config;
    config.complaint_rate_action = action;
    cm::Report report = failing_report(true, true);
    report.sender = {"fail", cm::Reason::sender_complaint_rate, "complaint rate ...", std::nullopt};
    cm::choose_verdict(config, true, report);
    CHECK(report.verdict == want);
    CHECK(cm::configured_action(config, cm::Reason::sender_complaint_rate) ==
          (want == cm::Verdict::reject ? cm::Action::reject : cm::Action::tag));
}

TEST_CASE("verdict: an exempt message follows OnError when the store could not answer") {
    cm::Config config;
    cm::Report report;
    report.exempt = true;
    cm::choose_verdict(config, false, report);
    CHECK(report.verdict == cm::Verdict::tempfail);
    config.on_error = cm::OnErrorAction::accept;
    cm::choose_verdict(config, false, report);
    CHECK(report.verdict == cm::Verdict::accept);
}
