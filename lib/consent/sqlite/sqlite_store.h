// SPDX-License-Identifier: Apache-2.0
// sqlite_store.h - the SQLite implementation of ConsentDatabase (consent_db.h).
//
// open_sqlite_store() opens (and with options.create, creates with mode 0640 and migrates)
// one database file in WAL mode. The returned object owns a small pool of connections, one
// per concurrent caller, so it is safe to use from many threads at once, and other processes
// (consentctl) may write the same file meanwhile. Errors are Status values, never crashes.
#pragma once

#include <memory>
#include <string>

#include "consent/consent_db.h"
#include "util/status.h"

namespace cm {

// `path` is a file path (the part after "sqlite:"). The schema version this build writes.
inline constexpr int kSqliteSchemaVersion = 1;

Result<std::unique_ptr<ConsentDatabase>> open_sqlite_store(const std::string& path, const OpenOptions& options);

}  // namespace cm
