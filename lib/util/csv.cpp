// SPDX-License-Identifier: Apache-2.0
// csv.cpp - RFC 4180 reader state machine and writer.
#include "util/csv.h"

#include <streambuf>

namespace cm {

namespace {
constexpr int kEof = std::char_traits<char>::eof();
}

CsvReader::CsvReader(std::istream& in, std::size_t max_record_bytes)
    : in_(in), max_record_bytes_(max_record_bytes) {}

int CsvReader::get() {
    std::streambuf* buf = in_.rdbuf();
    int c = buf ? buf->sbumpc() : kEof;
    if (c == '\n') ++current_line_;
    return c;
}

int CsvReader::peek() {
    std::streambuf* buf = in_.rdbuf();
    return buf ? buf->sgetc() : kEof;
}

void CsvReader::skip_rest_of_line() {
    for (int c = get(); c != kEof && c != '\n'; c = get()) {
    }
}

Result<bool> CsvReader::next(std::vector<std::string>& fields) {
    fields.clear();
    if (!started_) {
        started_ = true;
        if (peek() == 0xEF) {  // UTF-8 byte order mark
            std::string bom;
            for (int i = 0; i < 3 && peek() != kEof; ++i) bom.push_back(static_cast<char>(get()));
            if (bom != "\xEF\xBB\xBF") {
                record_line_ = current_line_;
                skip_rest_of_line();
                return Status::InvalidArgument("invalid byte at start of file");
            }
        }
    }
    // Blank lines separate nothing and are skipped.
    for (;;) {
        int c = peek();
        if (c == kEof) return false;
        if (c == '\n') { get(); continue; }
        if (c == '\r') {
            get();
            if (peek() == '\n') { get(); continue; }
            record_line_ = current_line_;
            skip_rest_of_line();
            return Status::InvalidArgument("bare carriage return");
        }
        break;
    }
    record_line_ = current_line_;

    std::size_t bytes = 0;
    std::string field;
    auto fail = [&](const char* why) -> Result<bool> {
        skip_rest_of_line();
        fields.clear();
        return Status::InvalidArgument(why);
    };
    for (;;) {  // one field per iteration
        field.clear();
        int c = get();
        if (c == '"') {
            for (;;) {
                c = get();
                if (c == kEof) {
                    fields.clear();
                    return Status::InvalidArgument("unterminated quoted field");
                }
                if (c == '"') {
                    if (peek() == '"') { get(); field.push_back('"'); continue; }
                    break;
                }
                field.push_back(static_cast<char>(c));
                if (++bytes > max_record_bytes_) return fail("record too long");
            }
            c = get();
            if (c == '\r' && peek() == '\n') c = get();
            if (c != ',' && c != '\n' && c != kEof) return fail("unexpected character after closing quote");
        } else {
            while (c != ',' && c != '\n' && c != kEof) {
                if (c == '\r') {
                    if (peek() == '\n') { c = get(); break; }
                    return fail("bare carriage return");
                }
                if (c == '"') return fail("quote inside an unquoted field");
                field.push_back(static_cast<char>(c));
                if (++bytes > max_record_bytes_) return fail("record too long");
                c = get();
            }
        }
        fields.push_back(field);
        if (c != ',') return true;  // end of line or of input
    }
}

std::string csv_quote(std::string_view field) {
    bool needs = !field.empty() && (field.front() == ' ' || field.back() == ' ');
    for (char c : field) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') { needs = true; break; }
    }
    if (!needs) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

void CsvWriter::write_row(const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out_.put(',');
        out_ << csv_quote(fields[i]);
    }
    out_ << eol_;
}

}  // namespace cm
