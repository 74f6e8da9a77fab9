// SPDX-License-Identifier: Apache-2.0
// backend.h - the SQLite consent backend (consent/backend.h) on one database file.
//
// open_sqlite_backend() opens (and with options.create, creates with mode 0640 and migrates)
// one file in WAL mode. The backend owns a small pool of connections, one per concurrent
// caller, so it is safe to use from many threads at once, and other processes (consentctl)
// may write the same file meanwhile. Errors are Status values, never crashes.
#pragma once

#include <memory>
#include <string>

#include "consent/backend.h"
#include "consent/sqlite/schema.h"
#include "util/status.h"

namespace cm {

// `path` is a file path (the part after "sqlite:").
Result<std::unique_ptr<ConsentBackend>> open_sqlite_backend(const std::string& path, const OpenOptions& options);

}  // namespace cm
