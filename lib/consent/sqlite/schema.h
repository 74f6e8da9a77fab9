// SPDX-License-Identifier: Apache-2.0
// schema.h - the SQLite consent store schema, as an ordered list of migrations.
//
// Migration N (1-based) brings a file from schema version N-1 to N; PRAGMA user_version records
// the version a file is at, and the latest version is the length of the list. Never edit a
// shipped migration: append the next one (ALTER TABLE / CREATE INDEX ...). Constants only.
// History is append-only: triggers refuse UPDATE and DELETE on it.
#pragma once

#include <iterator>

namespace cm {

inline constexpr const char* kSqliteMigrations[] = {
    R"SQL(
CREATE TABLE consent (
    scope        TEXT NOT NULL,
    address      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('confirmed', 'pending', 'revoked')),
    method       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    granted_at   INTEGER NOT NULL DEFAULT 0,
    confirmed_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
) WITHOUT ROWID;
CREATE INDEX consent_by_address ON consent (address);

CREATE TABLE suppression (
    scope      TEXT NOT NULL,
    address    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
) WITHOUT ROWID;
CREATE INDEX suppression_by_address ON suppression (address);

CREATE TABLE history (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    scope   TEXT NOT NULL,
    address TEXT NOT NULL,
    event   TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    ref     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX history_by_address ON history (address, id);
CREATE INDEX history_by_ref ON history (ref);
CREATE TRIGGER history_no_update BEFORE UPDATE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
CREATE TRIGGER history_no_delete BEFORE DELETE ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;
)SQL",
};

inline constexpr int kSqliteSchemaVersion = static_cast<int>(std::size(kSqliteMigrations));

}  // namespace cm
