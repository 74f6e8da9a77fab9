// SPDX-License-Identifier: Apache-2.0
// consent_db.cpp - status names and the store URI dispatcher: a backend under the one engine,
// and the change watch of the same store (change_watch.h).
#include "consent/consent_db.h"

#include <algorithm>

#include "consent/change_watch.h"
#include "consent/engine.h"
#include "consent/pg/backend.h"
#include "consent/pg/change_watch.h"
#include "consent/pg/connection.h"
#include "consent/sqlite/backend.h"
#include "consent/sqlite/change_watch.h"

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

namespace {

Result<std::unique_ptr<ConsentDatabase>> with_engine(Result<std::unique_ptr<ConsentBackend>> backend) {
    if (!backend.ok()) return backend.status();
    return make_consent_engine(std::move(backend).value());
}

}  // namespace

std::string sqlite_store_path(std::string_view uri) {
    if (!uri.starts_with("sqlite:")) return {};
    std::string_view path = uri.substr(7);
    // Accept the URL spelling "sqlite:///abs/path" as well as "sqlite:/abs/path".
    if (path.starts_with("///")) path.remove_prefix(2);
    return std::string(path);
}

namespace {

// What a ConsentDatabase URI names: the backend, and its file path or conninfo.
struct StoreUri {
    bool sqlite = false;
    std::string target;
};

Result<StoreUri> parse_store_uri(const std::string& uri) {
    std::string_view u = uri;
    if (u.starts_with("sqlite:")) {
        std::string path = sqlite_store_path(u);
        if (path.empty()) return Status::InvalidArgument("consent database '" + uri + "': no file path after 'sqlite:'");
        return StoreUri{true, std::move(path)};
    }
    if (u.starts_with("postgresql://") || u.starts_with("postgres://")) return StoreUri{false, uri};
    // Only the scheme is echoed: the rest of a mistyped URI may hold a password.
    std::string scheme(u.substr(0, std::min(u.find(':'), std::string_view::size_type{32})));
    return Status::InvalidArgument("consent database: unknown scheme '" + scheme +
                                   "': expected sqlite:/path/consent.db or postgresql://...");
}

}  // namespace

Result<std::unique_ptr<ConsentDatabase>> open_consent_database(const std::string& uri, const OpenOptions& options) {
    auto where = parse_store_uri(uri);
    if (!where.ok()) return where.status();
    if (where->sqlite) return with_engine(open_sqlite_backend(where->target, options));
    return with_engine(open_pg_backend(where->target, options));
}

Result<std::unique_ptr<ChangeWatch>> open_change_watch(const std::string& uri) {
    auto where = parse_store_uri(uri);
    if (!where.ok()) return where.status();
    if (where->sqlite) return make_change_watch(make_sqlite_change_source(where->target));
    if (Status st = PgPool::validate(where->target); !st.ok()) return st;
    return make_change_watch(make_pg_change_source(where->target));
}

}  // namespace cm
