// SPDX-License-Identifier: Apache-2.0
// text_util.h - the small ASCII string helpers every parser here needs, defined once.
// Pure, allocation only where a new string is returned; thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace cm {

inline bool is_ascii_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Without leading and trailing ASCII white space; a view into `s`.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

// A-Z lowered; every other byte (UTF-8 included) kept. Locale-independent.
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

// ASCII case-insensitive comparisons (header names, tokens, CSS keywords, URL parts).
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline bool icontains(std::string_view hay, std::string_view needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                       [](char a, char b) { return ascii_lower(a) == ascii_lower(b); }) != hay.end();
}

// One round of RFC 3986 %XY decoding. Invalid escapes are kept as they are; '+' is left
// alone (it means a space only in form-encoded queries).
std::string percent_decode(std::string_view s);

}  // namespace cm
