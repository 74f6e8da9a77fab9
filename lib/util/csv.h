// SPDX-License-Identifier: Apache-2.0
// csv.h - streaming RFC 4180 CSV: a record reader over std::istream and a row writer.
//
// CsvReader holds one record at a time (memory is bounded by max_record_bytes, never by
// the file size). It accepts LF or CRLF line ends, quoted fields with embedded commas,
// doubled quotes and line breaks, a leading UTF-8 BOM, and skips blank lines. A malformed
// record is reported with the line it starts on and the reader resumes at the next line, so
// one pass can collect every bad row. Neither class is thread-safe; the stream must outlive it.
#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cm {

class CsvReader {
public:
    explicit CsvReader(std::istream& in, std::size_t max_record_bytes = 1u << 20);

    // Reads the next record into `fields`. true = a record was read, false = end of input;
    // InvalidArgument = a malformed record (line() says where it started; the reader has
    // skipped past it and the next call continues with the following line).
    Result<bool> next(std::vector<std::string>& fields);

    // 1-based line on which the record last returned (or rejected) starts.
    long line() const { return record_line_; }

private:
    int get();
    int peek();
    void skip_rest_of_line();

    std::istream& in_;
    std::size_t max_record_bytes_;
    long current_line_ = 1;
    long record_line_ = 0;
    bool started_ = false;
};

// Writes rows; fields are quoted only when they need it (comma, quote, CR, LF, or leading/
// trailing space). Rows end with CRLF as RFC 4180 says, or with `eol` when given.
class CsvWriter {
public:
    explicit CsvWriter(std::ostream& out, std::string eol = "\r\n") : out_(out), eol_(std::move(eol)) {}
    void write_row(const std::vector<std::string>& fields);

private:
    std::ostream& out_;
    std::string eol_;
};

// One field as it would be written (quoted when needed).
std::string csv_quote(std::string_view field);

}  // namespace cm
