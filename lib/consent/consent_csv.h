// SPDX-License-Identifier: Apache-2.0
// consent_csv.h - consent records <-> CSV rows, and the validation of admin input.
//
// The CSV layout (DESIGN §3) has the header row
//   scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at
// Columns may come in any order; scope, address and status are required, the others may be
// left out (empty). Timestamps are ISO 8601 in UTC ("2024-05-01T12:00:00Z"); on input a date
// alone, fractional seconds, a zone offset ("+02:00", "+0200") or no zone (taken as UTC) are
// accepted too; empty = 0. Pure functions: no I/O, no clock, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consent/consent_db.h"
#include "util/status.h"

namespace cm {

// The export header, in order.
const std::vector<std::string>& consent_csv_columns();

// Where each known column sits in the rows of one file (-1 = absent).
struct ConsentCsvLayout {
    enum Column { scope, address, status, method, source, ip, granted_at, confirmed_at, revoked_at, count };
    std::array<int, count> index{};
    std::size_t width = 0;  // number of fields every row must have
};

// Reads a header row (names case-insensitive, surrounding blanks ignored). InvalidArgument
// names an unknown, duplicated or missing required column.
Result<ConsentCsvLayout> parse_consent_csv_header(const std::vector<std::string>& fields);

// One data row -> record (address normalised). InvalidArgument says what is wrong, naming
// the column: "status: unknown value \"maybe\" (want confirmed, pending or revoked)".
Result<ConsentRecord> consent_record_from_csv(const std::vector<std::string>& fields,
                                              const ConsentCsvLayout& layout);

// Record -> row in consent_csv_columns() order.
std::vector<std::string> consent_record_to_csv(const ConsentRecord& record);

// ISO 8601 -> unix seconds (see the header comment for accepted forms).
Result<std::int64_t> parse_iso8601(std::string_view text);
// Unix seconds -> "YYYY-MM-DDTHH:MM:SSZ"; 0 -> "".
std::string format_iso8601(std::int64_t unix_seconds);

// Input checks shared by the CSV import and consentctl's arguments. Each returns OK or
// InvalidArgument with a message fit for "FILE:LINE: message".
// Scopes are compared as the milter computes them: trimmed, ASCII lower case.
std::string normalize_scope(std::string_view scope);
Status check_scope(std::string_view scope);            // non-empty, no blanks/control chars, not "*"
Status check_address(std::string_view address);        // local@domain, no blanks
Status check_method(std::string_view method);          // double-opt-in, single-opt-in, import
Status check_ip(std::string_view ip);                  // IPv4 or IPv6 literal
Status check_suppression_reason(std::string_view reason);  // complaint, bounce, unsubscribe, manual, spamtrap

}  // namespace cm
