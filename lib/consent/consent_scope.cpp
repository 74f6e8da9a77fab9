// SPDX-License-Identifier: Apache-2.0
#include "consent/consent_scope.h"

#include "consent/consent_store.h"
#include "util/text_util.h"

namespace cm {

std::string scope_for(ScopeKind kind, std::string_view scope_header, const std::vector<Header>& headers,
                      std::string_view mail_from, std::string_view auth_user) {
    switch (kind) {
    case ScopeKind::auth: return ascii_lower(trim(auth_user));
    case ScopeKind::sender: return normalize_address(mail_from);
    case ScopeKind::sender_domain: {
        auto at = mail_from.rfind('@');
        return at == std::string_view::npos ? std::string() : ascii_lower(trim(mail_from.substr(at + 1)));
    }
    case ScopeKind::header:
        for (const Header& h : headers)
            if (iequals(h.name, scope_header)) return ascii_lower(trim(h.value));
        return {};
    }
    return {};
}

}  // namespace cm
