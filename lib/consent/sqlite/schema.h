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
    // 2: sender accountability (DESIGN §11): suspensions, complaints with the consent record as
    // it stood, traffic counters per scope and UTC day; history by time for reports.
    R"SQL(
CREATE TABLE suspension (
    scope      TEXT NOT NULL PRIMARY KEY,
    reason     TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE complaint (
    id                   INTEGER PRIMARY KEY,
    scope                TEXT NOT NULL,
    address              TEXT NOT NULL,
    received_at          INTEGER NOT NULL,
    report_ref           TEXT NOT NULL DEFAULT '',
    source               TEXT NOT NULL DEFAULT '',
    has_consent          INTEGER NOT NULL DEFAULT 0 CHECK (has_consent IN (0, 1)),
    consent_status       TEXT NOT NULL DEFAULT '',
    consent_method       TEXT NOT NULL DEFAULT '',
    consent_source       TEXT NOT NULL DEFAULT '',
    consent_ip           TEXT NOT NULL DEFAULT '',
    consent_granted_at   INTEGER NOT NULL DEFAULT 0,
    consent_confirmed_at INTEGER NOT NULL DEFAULT 0,
    consent_revoked_at   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaint_by_scope ON complaint (scope, received_at);
CREATE INDEX complaint_by_time ON complaint (received_at);

CREATE TABLE traffic (
    scope      TEXT NOT NULL,
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('verdict', 'reason')),
    key        TEXT NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0,
    recipients INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, kind, key)
) WITHOUT ROWID;
CREATE INDEX traffic_by_day ON traffic (day);

CREATE INDEX history_by_at ON history (at);
)SQL",
};

inline constexpr int kSqliteSchemaVersion = static_cast<int>(std::size(kSqliteMigrations));

}  // namespace cm
