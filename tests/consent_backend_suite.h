// SPDX-License-Identifier: Apache-2.0
// consent_backend_suite.h - the backend-independent tests every ConsentDatabase must pass.
//
// Call run_consent_backend_suite() from inside ONE Catch2 TEST_CASE; it declares SECTIONs,
// so Catch2 re-enters the test case once per section, and each section calls the factory
// exactly once (never two stores alive at the same time from one section). The factory must
// return a fresh, EMPTY, open store (schema present, no rows), or nullptr after a failed
// REQUIRE of its own. Nothing here is backend-specific: file modes, WAL, corrupt files and
// outages belong in the backend's own test file. Single-threaded except where stated.
#pragma once

#include <functional>
#include <memory>

#include "consent/consent_db.h"

namespace cm::testing {

using ConsentDatabaseFactory = std::function<std::unique_ptr<ConsentDatabase>()>;

// Judgement via lookup (every reason code), suppressions (scope and '*'), case-insensitive
// keys, scope isolation, history (append-only, one event per change, no-ops append nothing,
// idempotent ref), import (all-or-nothing, idempotent), export round trip, show, stats,
// a 1,000-address lookup.
void run_consent_backend_suite(const ConsentDatabaseFactory& open_fresh_store);

// Sender accountability (DESIGN §11): suspensions, complaints (consent snapshot, suppression,
// ref idempotency), traffic counters, sender_state windows, history by time. Call from its
// own TEST_CASE, as run_consent_backend_suite.
void run_sender_backend_suite(const ConsentDatabaseFactory& open_fresh_store);

// Four threads on two store objects of the SAME storage add traffic at once; the counts must
// add up exactly. `open_same_store` returns another store object on one (initially empty)
// storage each time it is called.
void run_traffic_shared_writers(const ConsentDatabaseFactory& open_same_store);

// Migration tests: SQL (valid in both dialects) that fills a version-1 schema with one record
// and its history event, and the check that a store opened on it after migration kept both
// and serves every newer operation.
extern const char* const kVersion1Rows;
void check_version1_rows_kept(ConsentDatabase& db);

// One writer thread granting while 4 reader threads look up on the SAME store object:
// expects zero errors and readers only ever seeing complete records. Call from its own
// TEST_CASE (it takes a second or two).
void run_consent_backend_concurrency(const ConsentDatabaseFactory& open_fresh_store);

}  // namespace cm::testing
