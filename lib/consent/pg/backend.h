// SPDX-License-Identifier: Apache-2.0
// backend.h - the PostgreSQL consent backend (consent/backend.h) via libpq.
//
// open_pg_backend() takes a libpq conninfo/URI ("postgresql://..." or "postgres://..."),
// creates or checks the schema, and returns a backend that owns its connection pool; it is
// safe to use from several threads at once. An unreachable server is Status::Unavailable.
#pragma once

#include <memory>
#include <string>

#include "consent/backend.h"
#include "util/status.h"

namespace cm {

Result<std::unique_ptr<ConsentBackend>> open_pg_backend(const std::string& conninfo, const OpenOptions& options);

}  // namespace cm
