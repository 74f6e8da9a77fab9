// SPDX-License-Identifier: Apache-2.0
// arf.h - complaints (ARF reports, RFC 5965, and plainly forwarded spam) and mbox files of
// them -> what to record.
//
// parse_arf() reads one report (multipart/report; report-type=feedback-report): the
// machine-readable message/feedback-report part and the original message's headers from
// the third part (message/rfc822 or text/rfc822-headers). parse_forwarded() reads a person's
// forward of a spam: a message with the spam attached (message/rfc822 or a .eml file) and no
// feedback-report part. decide_arf() turns either into a decision for consentctl: record a
// complaint about recipient(s) for a scope, or a reason why not.
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

enum class ComplaintKind { arf, forwarded };

struct ArfReport {
    ComplaintKind kind = ComplaintKind::arf;
    // ARF: the report's own Message-ID; forwarded: the attached message's. No <>, "" if none.
    std::string message_id;
    std::string feedback_type;                   // lower case: abuse, fraud, virus, not-spam, other
    std::string user_agent;
    std::vector<std::string> original_rcpt_to;   // addresses as given (no <>), may be redacted
    std::string original_mail_from;              // "" when absent or the null sender
    std::string arrival_date;                    // Arrival-Date, else Received-Date
    std::string date;                            // the report's (or the forward's) own Date
    std::string reporting_mta;
    std::string source_ip;
    std::vector<std::string> reported_domains;
    bool has_original = false;                   // the third part was present and readable
    std::vector<Header> original_headers;        // its header fields, in order
};

// InvalidArgument "not an ARF report: ..." when the message is not a feedback report.
Result<ArfReport> parse_arf(std::string_view raw);

// A forwarded spam: the first attached message (a message/rfc822 part at any depth, or a part
// whose file name ends in .eml) gives original_headers and message_id; its envelope
// recipient (X-Original-To, else the oldest Delivered-To, else Envelope-To) is the single
// original_rcpt_to; feedback_type is "abuse". InvalidArgument when nothing is attached, or
// for a multipart/report other than a feedback report (a bounce quotes a message too).
Result<ArfReport> parse_forwarded(std::string_view raw);

// parse_arf(), else parse_forwarded() for a message without a feedback-report part;
// InvalidArgument "not a complaint: ..." names why neither applies.
Result<ArfReport> parse_complaint(std::string_view raw);

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
    suppress,        // a complaint about `recipients` for `scope`: record it (and suppress)
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
    std::int64_t received_at = 0;         // when the complaint was made (unix s), 0 = unknown
};

// Only Feedback-Type "abuse" is a complaint. The recipient comes from Original-Rcpt-To, else the
// single address in the original To; redacted addresses (no '@', "redacted", "xxxx") do not
// count. The sender is the original Return-Path, else Original-Mail-From, else the original
// From; the scope is derived from it exactly as the milter does (ConsentScope), except that
// `auth` cannot be known from a report. `raw` is the report's bytes (for `ref`).
// received_at: Arrival-Date, else the report's Date (RFC 5322 dates), else 0.
ArfDecision decide_arf(const ArfReport& report, std::string_view raw, ScopeKind kind,
                       std::string_view scope_header);

// "<message-id>" (the report's, or the forwarded message's), or "sha256:<hex of raw>" when
// there is none.
std::string arf_report_ref(const ArfReport& report, std::string_view raw);

// True for addresses a provider has blanked out ("redacted@...", "xxxxx@...", no '@').
bool is_redacted_address(std::string_view address);

}  // namespace cm
