// SPDX-License-Identifier: Apache-2.0
// verdict.h - from findings to the message verdict, and from the verdict to SMTP words.
//
// choose_verdict() applies DESIGN §5 and §11: each failed check maps to its configured action, the
// most severe wins (reject > quarantine > tag > accept), remove-recipient deletes failing
// recipients (reject when none remain), a store that could not answer applies OnError, and
// monitor mode turns everything stronger than tag into tag. smtp_reply() is the one place
// that turns a verdict into reply code, enhanced status code and text. Pure functions.
#pragma once

#include <string>

#include "config/config.h"
#include "policy/report.h"

namespace cm {

// The action configured for a failure with this reason (reason.h names the Config field).
Action configured_action(const Config& config, Reason reason);

// Fills report.reasons, report.removed_recipients and report.verdict from the findings (the
// sender check's first). `store_answered` false: the consent store could not answer
// (report.error says why) and OnError applies, to an exempt message too.
void choose_verdict(const Config& config, bool store_answered, Report& report);

struct SmtpReply {
    std::string code;      // "550"
    std::string xcode;     // "5.7.1" ("" when the template has none)
    std::string text;      // with %r expanded
};

// The reply for a reject (from the parsed RejectReply) or a tempfail (451 4.3.0); empty code otherwise.
SmtpReply smtp_reply(const Config& config, const Report& report);

// "list_unsubscribe:missing,body_link:hidden" - the %r expansion and the log's reasons field.
std::string reasons_text(const Report& report);

}  // namespace cm
