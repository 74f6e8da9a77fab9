// SPDX-License-Identifier: Apache-2.0
// consent_scope.h - whose consent a message needs: the scope per ConsentScope.
//
// One definition for the milter (evaluate.cpp) and for complaint attribution (arf.cpp), so a
// complaint suppresses exactly the scope the milter looks up. Scopes are lower case. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "mime/message.h"

namespace cm {

// auth: the SASL login; sender: the normalised envelope sender; sender-domain: its domain;
// header:NAME: that header's trimmed value. "" when it cannot be determined.
std::string scope_for(ScopeKind kind, std::string_view scope_header, const std::vector<Header>& headers,
                      std::string_view mail_from, std::string_view auth_user);

}  // namespace cm
