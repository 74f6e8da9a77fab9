// SPDX-License-Identifier: Apache-2.0
// pattern_budget.cpp - see pattern_budget.h.
#include "util/pattern_budget.h"

#include <algorithm>

namespace cm {

bool PatternBudget::spent(const pcre2_code* pattern) const {
    return std::find(spent_.begin(), spent_.end(), pattern) != spent_.end();
}

void PatternBudget::spend(const pcre2_code* pattern) {
    if (!spent(pattern)) spent_.push_back(pattern);
}

int match_within_budget(const pcre2_code* code, std::string_view subject, pcre2_match_data* md,
                        pcre2_match_context* mc, PatternBudget* budget) {
    if (budget && budget->spent(code)) return PCRE2_ERROR_NOMATCH;
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, md, mc);
    const bool over_limit = rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
                            rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
    if (over_limit && budget) budget->spend(code);
    return rc;
}

}  // namespace cm
