// SPDX-License-Identifier: Apache-2.0
// report.h - what evaluate() decided for one message: the checks' findings and the verdict.
//
// Plain values. Serialised by report_json.h and report_text.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "checks/findings.h"
#include "consent/consent_store.h"

namespace cm {

enum class Verdict { accept, tag, quarantine, reject, tempfail };
const char* verdict_name(Verdict v);

// The sender check (DESIGN §11): the scope's suspension and complaint rate.
struct SenderFinding {
    std::string result = "skipped";  // pass, fail, or skipped (no store, no scope, store down)
    Reason reason = Reason::none;    // sender_suspended or sender_complaint_rate when failing
    std::string detail;              // the suspension's reason, or the complaint-rate figures
    // ComplaintRateAction suspend (not in monitor mode): the automatic suspension this message
    // calls for. evaluate() only decides; the milter records it (--test does not).
    std::optional<Suspension> suspend;
};

struct Report {
    Verdict verdict = Verdict::accept;
    bool exempt = false;
    std::string exempt_why;                     // which exemption matched (also when a
                                                // suspension voids it: exempt is false then)
    ListUnsubscribeFinding list_unsubscribe;
    bool list_unsubscribe_checked = false;      // false: RequireListUnsubscribe no (still reported)
    BodyLinkFinding body_link;
    bool body_link_checked = false;
    ConsentFinding consent;
    SenderFinding sender;
    std::vector<Reason> reasons;                // every failure, in check order, no duplicates
    std::vector<std::string> removed_recipients;
    bool truncated = false;
    std::string scope;                          // consent scope used ("" when none)
    std::string error;                          // why a check could not run (verdict from OnError)
    std::vector<std::string> notes;             // parser observations and limit breaches
                                                // ("limit:mime-depth", "charset:unknown", ...)
};

}  // namespace cm
