// SPDX-License-Identifier: Apache-2.0
// config_syntax.h - the lexical layer of consent-milter.conf and the value parsers that the
// directive table in config.cpp shares: one line -> key and value (quotes, comments), booleans,
// integers, sizes with K/M/G suffixes, octal modes, header field names, edit distance.
// Pure functions over string views: no I/O, no state, thread-safe. Returned strings are copies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cm::conf {

// One config line after lexing. `key` is as written (case preserved); `value` is unquoted.
struct LexedLine {
    enum class Kind { blank, directive, error };
    Kind kind = Kind::blank;
    std::string key;
    std::string value;
    bool has_value = false;  // false: key alone (or key followed only by a comment)
    std::string error;       // for Kind::error: the message (without FILE:LINE)
};

// Lexes one line (without its '\n'). Rules: surrounding white space is ignored; a line whose
// first non-blank character is '#' is a comment; the key ends at the first white space; the
// value is the rest. A value starting with '"' ends at the next unescaped '"' (\" and \\ are
// escapes, any other backslash is literal); one starting with '\'' ends at the next '\''
// (no escapes). After a quoted value only white space and a '#' comment may follow. In an
// unquoted value a '#' preceded by white space starts a comment.
LexedLine lex_line(std::string_view line);

// Levenshtein distance (insert, delete, replace each cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

// yes/no/true/false/on/off/1/0, case-insensitive.
std::optional<bool> parse_bool(std::string_view s);
// Optional '-', then decimal digits only. Saturates at +-LLONG_MAX instead of overflowing,
// so that an absurd value reports "out of range", not "invalid".
std::optional<long long> parse_integer(std::string_view s);
// A finite decimal number (e.g. "8", "1.5"); no hex, inf or nan.
std::optional<double> parse_number(std::string_view s);
// Decimal digits with an optional K, M or G suffix (powers of 1024), case-insensitive.
// Saturates like parse_integer.
std::optional<unsigned long long> parse_size(std::string_view s);
// One or more octal digits (e.g. "0660", "660"). Saturates.
std::optional<unsigned long long> parse_octal(std::string_view s);
// An RFC 5322 field name: one or more printable ASCII characters (33..126) other than ':'.
bool is_field_name(std::string_view s);

}  // namespace cm::conf
