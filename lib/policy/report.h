// SPDX-License-Identifier: Apache-2.0
// report.h - what evaluate() decided for one message: the checks' findings and the verdict.
//
// Plain values. Serialised by report_json.h and report_text.h.
#pragma once

#include <string>
#include <vector>

#include "checks/findings.h"

namespace cm {

enum class Verdict { accept, tag, quarantine, reject, tempfail };
const char* verdict_name(Verdict v);

struct Report {
    Verdict verdict = Verdict::accept;
    bool exempt = false;
    std::string exempt_why;                     // which exemption matched
    ListUnsubscribeFinding list_unsubscribe;
    bool list_unsubscribe_checked = false;      // false: RequireListUnsubscribe no (still reported)
    BodyLinkFinding body_link;
    bool body_link_checked = false;
    ConsentFinding consent;
    std::vector<Reason> reasons;                // every failure, in check order, no duplicates
    std::vector<std::string> removed_recipients;
    bool truncated = false;
    std::string scope;                          // consent scope used ("" when none)
    std::string error;                          // why a check could not run (verdict from OnError)
    std::vector<std::string> notes;             // parser observations and limit breaches
                                                // ("limit:mime-depth", "charset:unknown", ...)
};

}  // namespace cm
