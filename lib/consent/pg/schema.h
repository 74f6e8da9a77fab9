// SPDX-License-Identifier: Apache-2.0
// schema.h - the PostgreSQL consent store schema, as an ordered list of migrations.
//
// Migration N (1-based) brings the schema from version N-1 to N; the table schema_version
// records the version a database is at, and the latest version is the length of the list.
// Never edit a shipped migration: append the next one. The tables match the SQLite schema
// (sqlite/schema.h); text keys use COLLATE "C" so comparisons and ORDER BY are bytewise, as
// in SQLite. History is append-only: triggers refuse UPDATE, DELETE and TRUNCATE. Constants.
#pragma once

#include <iterator>

namespace cm {

inline constexpr const char* kPgMigrations[] = {
    R"SQL(
CREATE TABLE IF NOT EXISTS consent (
    scope        text COLLATE "C" NOT NULL,
    address      text COLLATE "C" NOT NULL,
    status       text NOT NULL CHECK (status IN ('confirmed', 'pending', 'revoked')),
    method       text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    ip           text NOT NULL DEFAULT '',
    granted_at   bigint NOT NULL DEFAULT 0,
    confirmed_at bigint NOT NULL DEFAULT 0,
    revoked_at   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
);
CREATE INDEX IF NOT EXISTS consent_by_address ON consent (address);

CREATE TABLE IF NOT EXISTS suppression (
    scope      text COLLATE "C" NOT NULL,
    address    text COLLATE "C" NOT NULL,
    reason     text NOT NULL,
    source     text NOT NULL DEFAULT '',
    created_at bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, address)
);
CREATE INDEX IF NOT EXISTS suppression_by_address ON suppression (address);

CREATE TABLE IF NOT EXISTS history (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      bigint NOT NULL,
    scope   text COLLATE "C" NOT NULL,
    address text COLLATE "C" NOT NULL,
    event   text NOT NULL,
    detail  text NOT NULL DEFAULT '',
    ref     text NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS history_by_address ON history (address, id);
CREATE INDEX IF NOT EXISTS history_by_ref ON history (ref);

CREATE OR REPLACE FUNCTION consent_history_append_only() RETURNS trigger LANGUAGE plpgsql AS
    $$BEGIN RAISE EXCEPTION 'history is append-only'; END$$;
DROP TRIGGER IF EXISTS history_append_only ON history;
CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION consent_history_append_only();
DROP TRIGGER IF EXISTS history_no_truncate ON history;
CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION consent_history_append_only();
)SQL",
    // 2: sender accountability (DESIGN §11): suspensions, complaints with the consent record as
    // it stood, traffic counters per scope and UTC day; history by time for reports.
    R"SQL(
CREATE TABLE suspension (
    scope      text COLLATE "C" NOT NULL PRIMARY KEY,
    reason     text NOT NULL DEFAULT '',
    source     text NOT NULL DEFAULT '',
    created_at bigint NOT NULL DEFAULT 0
);

CREATE TABLE complaint (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope                text COLLATE "C" NOT NULL,
    address              text COLLATE "C" NOT NULL,
    received_at          bigint NOT NULL,
    report_ref           text NOT NULL DEFAULT '',
    source               text NOT NULL DEFAULT '',
    has_consent          smallint NOT NULL DEFAULT 0 CHECK (has_consent IN (0, 1)),
    consent_status       text NOT NULL DEFAULT '',
    consent_method       text NOT NULL DEFAULT '',
    consent_source       text NOT NULL DEFAULT '',
    consent_ip           text NOT NULL DEFAULT '',
    consent_granted_at   bigint NOT NULL DEFAULT 0,
    consent_confirmed_at bigint NOT NULL DEFAULT 0,
    consent_revoked_at   bigint NOT NULL DEFAULT 0
);
CREATE INDEX complaint_by_scope ON complaint (scope, received_at, id);
CREATE INDEX complaint_by_time ON complaint (received_at, id);

CREATE TABLE traffic (
    scope      text COLLATE "C" NOT NULL,
    day        text COLLATE "C" NOT NULL,
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('verdict', 'reason')),
    key        text COLLATE "C" NOT NULL,
    messages   bigint NOT NULL DEFAULT 0,
    recipients bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, day, kind, key)
);
CREATE INDEX traffic_by_day ON traffic (day);

CREATE INDEX history_by_at ON history (at, id);
)SQL",
};

inline constexpr int kPgSchemaVersion = static_cast<int>(std::size(kPgMigrations));

}  // namespace cm
