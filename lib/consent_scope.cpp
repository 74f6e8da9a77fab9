#include "consent_scope.h"

#include "consent_store.h"

namespace cm {

namespace {

std::string lower_trimmed(std::string_view s) {
    auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto last = s.find_last_not_of(" \t\r\n");
    std::string out(s.substr(first, last - first + 1));
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

}  // namespace

std::string scope_for(ScopeKind kind, std::string_view scope_header, const std::vector<Header>& headers,
                      std::string_view mail_from, std::string_view auth_user) {
    switch (kind) {
    case ScopeKind::auth: return lower_trimmed(auth_user);
    case ScopeKind::sender: return normalize_address(mail_from);
    case ScopeKind::sender_domain: {
        auto at = mail_from.rfind('@');
        return at == std::string_view::npos ? std::string() : lower_trimmed(mail_from.substr(at + 1));
    }
    case ScopeKind::header:
        for (const Header& h : headers)
            if (iequals(h.name, scope_header)) return lower_trimmed(h.value);
        return {};
    }
    return {};
}

}  // namespace cm
