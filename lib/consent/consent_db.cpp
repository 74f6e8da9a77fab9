// SPDX-License-Identifier: Apache-2.0
// consent_db.cpp - status names and the store URI dispatcher.
#include "consent/consent_db.h"

#include <algorithm>

#include "consent/pg/pg_store.h"
#include "consent/sqlite/sqlite_store.h"

namespace cm {

const char* consent_status_name(ConsentStatus s) {
    switch (s) {
    case ConsentStatus::confirmed: return "confirmed";
    case ConsentStatus::pending: return "pending";
    case ConsentStatus::revoked: return "revoked";
    }
    return "pending";  // unreachable: every enumerator is handled above
}

std::optional<ConsentStatus> parse_consent_status(std::string_view s) {
    if (s == "confirmed") return ConsentStatus::confirmed;
    if (s == "pending") return ConsentStatus::pending;
    if (s == "revoked") return ConsentStatus::revoked;
    return std::nullopt;
}

Result<std::unique_ptr<ConsentDatabase>> open_consent_database(const std::string& uri, const OpenOptions& options) {
    std::string_view u = uri;
    if (u.starts_with("sqlite:")) {
        std::string_view path = u.substr(7);
        // Accept the URL spelling "sqlite:///abs/path" as well as "sqlite:/abs/path".
        if (path.starts_with("///")) path.remove_prefix(2);
        if (path.empty()) return Status::InvalidArgument("consent database '" + uri + "': no file path after 'sqlite:'");
        return open_sqlite_store(std::string(path), options);
    }
    if (u.starts_with("postgresql://") || u.starts_with("postgres://")) return open_pg_store(uri, options);
    // Only the scheme is echoed: the rest of a mistyped URI may hold a password.
    std::string scheme(u.substr(0, std::min(u.find(':'), std::string_view::size_type{32})));
    return Status::InvalidArgument("consent database: unknown scheme '" + scheme +
                                   "': expected sqlite:/path/consent.db or postgresql://...");
}

}  // namespace cm
