// SPDX-License-Identifier: Apache-2.0
// arf.h - abuse reports (ARF, RFC 5965) and mbox files of them -> what to suppress.
//
// parse_arf() reads one report (multipart/report; report-type=feedback-report): the
// machine-readable message/feedback-report part and the original message's headers from
// the third part (message/rfc822 or text/rfc822-headers). decide_arf() turns a report into
// a decision for consentctl: suppress recipient(s) for a scope, or a reason why not.
// Every value returned owns its data (no GMime object escapes). Thread-safe; GMime is
// initialised through ensure_gmime_init().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "mime/message.h"
#include "util/status.h"

namespace cm {

struct ArfReport {
    std::string message_id;                      // the report's own Message-ID, no <>, "" if none
    std::string feedback_type;                   // lower case: abuse, fraud, virus, not-spam, other
    std::string user_agent;
    std::vector<std::string> original_rcpt_to;   // addresses as given (no <>), may be redacted
    std::string original_mail_from;              // "" when absent or the null sender
    std::string arrival_date;
    std::string reporting_mta;
    std::string source_ip;
    std::vector<std::string> reported_domains;
    bool has_original = false;                   // the third part was present and readable
    std::vector<Header> original_headers;        // its header fields, in order
};

// InvalidArgument "not an ARF report: ..." when the message is not a feedback report.
Result<ArfReport> parse_arf(std::string_view raw);

// mbox: messages separated by "From " lines (at file start or after a blank line); one
// level of ">From " quoting is undone (mboxrd). `line` is where the message's first header
// is in the file. A text not starting with "From " is not an mbox.
struct MboxMessage {
    std::string text;
    long line = 1;
};
bool looks_like_mbox(std::string_view data);
void split_mbox(std::string_view data, const std::function<void(MboxMessage&&)>& each);

enum class ArfOutcome {
    suppress,        // suppress `recipients` for `scope`
    ignored,         // not a complaint (e.g. Feedback-Type not-spam): `reason`
    unattributable,  // a complaint, but recipient or scope cannot be found: `reason`
};

struct ArfDecision {
    ArfOutcome outcome = ArfOutcome::unattributable;
    std::string reason;
    std::string scope;
    std::vector<std::string> recipients;  // normalised, no duplicates
    std::string sender;                   // address the scope was derived from ("" for header:)
    std::vector<std::string> refs;        // per recipient: identity of the report (plus the
                                          // address when there are several), for idempotence
};

// Only Feedback-Type "abuse" suppresses. The recipient comes from Original-Rcpt-To, else the
// single address in the original To; redacted addresses (no '@', "redacted", "xxxx") do not
// count. The sender is the original Return-Path, else Original-Mail-From, else the original
// From; the scope is derived from it exactly as the milter does (ConsentScope), except that
// `auth` cannot be known from a report. `raw` is the report's bytes (for `ref`).
ArfDecision decide_arf(const ArfReport& report, std::string_view raw, ScopeKind kind,
                       std::string_view scope_header);

// "<message-id>" of the report, or "sha256:<hex of raw>" when it has none.
std::string arf_report_ref(const ArfReport& report, std::string_view raw);

// True for addresses a provider has blanked out ("redacted@...", "xxxxx@...", no '@').
bool is_redacted_address(std::string_view address);

}  // namespace cm
