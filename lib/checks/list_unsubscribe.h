// SPDX-License-Identifier: Apache-2.0
// list_unsubscribe.h - RFC 2369 List-Unsubscribe and RFC 8058 one-click analysis.
//
// Reads the List-Unsubscribe, List-Unsubscribe-Post and DKIM-Signature headers of a
// ParsedMessage and returns a ListUnsubscribeFinding with the DESIGN §5 reason codes.
// Pure function, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"
#include "checks/findings.h"

namespace cm {

struct ListUnsubscribeOptions {
    bool require_one_click = true;      // RequireOneClick
    bool require_dkim_coverage = false; // RequireDkimCoverage
};

ListUnsubscribeFinding check_list_unsubscribe(const ParsedMessage& message,
                                              const ListUnsubscribeOptions& options);

// The <URI>s of an RFC 2369 field value (comments and folding allowed), or false when the
// value is not a comma list of <URI>.
bool parse_list_unsubscribe_value(std::string_view value, std::vector<std::string>& uris);

}  // namespace cm
