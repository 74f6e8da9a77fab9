// SPDX-License-Identifier: Apache-2.0
// pattern_budget.h - per-message allowance for PCRE2 matching.
//
// Each pcre2_match() is capped by its match and depth limits, but one message offers thousands
// of header fields, link texts and lines: a pattern that backtracks catastrophically would still
// cost (limit x calls), minutes for a hostile message. A PatternBudget belongs to the judging of
// ONE message: a pattern that hits a PCRE2 limit is spent and is not run again for that message
// (it counts as not matching, which fails closed: no exemption, no unsubscribe phrase), and the
// report gets the note "limit:pattern". Not thread-safe; cheap to create.
#pragma once

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <string_view>
#include <vector>

namespace cm {

class PatternBudget {
public:
    bool spent(const pcre2_code* pattern) const;
    void spend(const pcre2_code* pattern);
    bool any_spent() const { return !spent_.empty(); }

private:
    std::vector<const pcre2_code*> spent_;  // a handful at most: linear search
};

// pcre2_match(code, subject) with `md` and `mc`, unless `budget` (may be null) says the pattern
// is spent, in which case PCRE2_ERROR_NOMATCH. A limit error (match, depth, heap, JIT stack)
// spends the pattern. Returns pcre2_match's result.
int match_within_budget(const pcre2_code* code, std::string_view subject, pcre2_match_data* md,
                        pcre2_match_context* mc, PatternBudget* budget);

}  // namespace cm
