// SPDX-License-Identifier: Apache-2.0
// sqlite_schema.h - the SQLite consent store schema, as an ordered list of migrations.
//
// Version N of the schema is what migrations 1..N produce; PRAGMA user_version records the
// version a file is at. Never edit a shipped migration: append the next one (v1 -> v2 as
// ALTER TABLE / CREATE INDEX ...) and bump kSqliteSchemaVersion in sqlite_store.h.
// History is append-only: triggers refuse UPDATE and DELETE on it.
#pragma once

namespace cm {

struct SqliteMigration {
    int to_version;
    const char* sql;
};

inline constexpr SqliteMigration kSqliteMigrations[] = {
    {1, R"SQL(
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
)SQL"},
};

}  // namespace cm
