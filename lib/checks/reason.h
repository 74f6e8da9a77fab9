// SPDX-License-Identifier: Apache-2.0
// reason.h - the reason codes of DESIGN §5 as values, and the one table describing them.
//
// A failing check reports a Reason; nothing compares reason strings. Each row of
// CM_REASON_TABLE gives the enumerator, its check, the stable code printed in JSON, logs, the
// tag header and RejectReply's %r, the Config field holding its action, and the one-line
// explanation that man/consent-milter.8 (REASON CODES) repeats (checked by tests/docs_test.sh).
// Adding a reason is one row here (plus, for a new check or action, its enumerator below).
// Everything is constexpr data; safe from any thread.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace cm {

enum class Check { list_unsubscribe, body_link, consent, sender };

// Which Config field (named alike) holds the action of a failure; its default is the
// directive's default in config.cpp.
// complaint_rate_action is ComplaintRateAction's reject or tag (its `suspend` makes the message
// sender:suspended instead).
enum class ActionSetting {
    list_unsubscribe_action,
    body_link_action,
    oversize_action,
    consent_action,
    suspended_action,
    complaint_rate_action
};

// X(enumerator, check, code, action, explanation). Within a check, the order is the order of
// precedence the check documents; the code strings are the external contract.
#define CM_REASON_TABLE(X)                                                                           \
    X(list_unsubscribe_missing, list_unsubscribe, "missing", list_unsubscribe_action,                \
      "No List-Unsubscribe field.")                                                                  \
    X(list_unsubscribe_multiple, list_unsubscribe, "multiple", list_unsubscribe_action,              \
      "More than one List-Unsubscribe field.")                                                       \
    X(list_unsubscribe_malformed, list_unsubscribe, "malformed", list_unsubscribe_action,            \
      "The value is not a comma-separated list of <URI> elements (RFC 2369).")                       \
    X(list_unsubscribe_merge_tag, list_unsubscribe, "unresolved-merge-tag", list_unsubscribe_action, \
      "A URI still holds a template placeholder.")                                                   \
    X(list_unsubscribe_no_http_uri, list_unsubscribe, "no-http-uri", list_unsubscribe_action,        \
      "No http or https URI: the only way out is sending mail.")                                     \
    X(list_unsubscribe_no_one_click, list_unsubscribe, "no-one-click", list_unsubscribe_action,      \
      "RequireOneClick is set and the RFC 8058 one-click field or an https URI is missing.")        \
    X(list_unsubscribe_not_dkim_covered, list_unsubscribe, "not-dkim-covered", list_unsubscribe_action, \
      "RequireDkimCoverage is set and no DKIM signature covers the unsubscribe fields.")            \
    X(body_link_missing, body_link, "missing", body_link_action,                                     \
      "No unsubscribe link at all, or only links that are not http(s).")                            \
    X(body_link_hidden, body_link, "hidden", body_link_action,                                       \
      "An unsubscribe link is hidden from the reader.")                                           \
    X(body_link_mailto_only, body_link, "mailto-only", body_link_action,                             \
      "The only unsubscribe ways are mailto: links, bare addresses or instructions to send mail.")                             \
    X(body_link_merge_tag, body_link, "unresolved-merge-tag", body_link_action,                      \
      "The unsubscribe link's URL still holds a template placeholder.")                              \
    X(body_link_login_required, body_link, "login-required", body_link_action,                       \
      "The only unsubscribe links lead to a sign-in page.")                                          \
    X(body_link_missing_in_text_part, body_link, "missing-in-text-part", body_link_action,           \
      "RequireLinkInEveryPart: the plain-text alternative has no usable link of its own.")          \
    X(body_link_missing_in_html_part, body_link, "missing-in-html-part", body_link_action,           \
      "RequireLinkInEveryPart: the HTML alternative has no usable link of its own.")                \
    X(body_link_truncated, body_link, "truncated", oversize_action,                                  \
      "No usable link in the scanned prefix (MaxScanSize) of a larger message.")                     \
    X(consent_suppressed, consent, "suppressed", consent_action,                                     \
      "The address is suppressed for this scope or for every scope.")                                \
    X(consent_no_record, consent, "no-record", consent_action,                                       \
      "No consent record for this scope and address.")                                               \
    X(consent_revoked, consent, "revoked", consent_action,                                           \
      "The consent was withdrawn.")                                                                  \
    X(consent_unconfirmed, consent, "unconfirmed", consent_action,                                   \
      "The consent is pending and RequireConfirmedConsent is set.")                                  \
    X(consent_expired, consent, "expired", consent_action,                                           \
      "The consent is older than ConsentMaxAge, or its age is unknown.")                              \
    X(sender_suspended, sender, "suspended", suspended_action,                                       \
      "The sender scope is suspended (consentctl suspend).")                                         \
    X(sender_complaint_rate, sender, "complaint-rate", complaint_rate_action,                        \
      "The scope's complaint rate over ComplaintRateWindow is above ComplaintRateLimit.")

enum class Reason {
    none,  // the check passed
#define CM_REASON_ENUMERATOR(name, check, code, action, text) name,
    CM_REASON_TABLE(CM_REASON_ENUMERATOR)
#undef CM_REASON_ENUMERATOR
};

struct ReasonInfo {
    Reason reason;
    Check check;
    std::string_view code;         // "hidden"
    ActionSetting action;
    std::string_view explanation;  // one line, as in the man page
};

// Indexed by Reason; row 0 (Reason::none) is the "passed" placeholder.
inline constexpr ReasonInfo kReasonTable[] = {
    {Reason::none, Check::list_unsubscribe, "", ActionSetting::list_unsubscribe_action, ""},
#define CM_REASON_ROW(name, check, code, action, text) \
    {Reason::name, Check::check, code, ActionSetting::action, text},
    CM_REASON_TABLE(CM_REASON_ROW)
#undef CM_REASON_ROW
};

constexpr const ReasonInfo& reason_info(Reason r) { return kReasonTable[static_cast<int>(r)]; }

// "list_unsubscribe", "body_link", "consent", "sender".
std::string_view check_name(Check c);

// The code alone ("hidden"), as in a check's JSON "reason" and the tag header; "" for none.
constexpr std::string_view reason_code(Reason r) { return reason_info(r).code; }

// "body_link:hidden", as in the JSON "reasons" array, the log line and %r; "" for none.
std::string qualified_code(Reason r);

// Prints qualified_code(r), or "none" (for test diagnostics).
std::ostream& operator<<(std::ostream& out, Reason r);

}  // namespace cm
