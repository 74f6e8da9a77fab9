// SPDX-License-Identifier: Apache-2.0
// pg_store.h - the PostgreSQL implementation of ConsentDatabase (consent_db.h).
//
// open_pg_store() connects with a libpq conninfo/URI ("postgresql://..." or "postgres://...")
// and returns a database that owns its connection pool; it is safe to use from several
// threads at once. An unreachable server is Status::Unavailable, never a crash.
#pragma once

#include <memory>
#include <string>

#include "consent/consent_db.h"
#include "util/status.h"

namespace cm {

Result<std::unique_ptr<ConsentDatabase>> open_pg_store(const std::string& conninfo, const OpenOptions& options);

}  // namespace cm
