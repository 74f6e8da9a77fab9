// SPDX-License-Identifier: Apache-2.0
// text_util.h - the small ASCII string helpers every parser here needs, defined once.
// Pure, allocation only where a new string is returned.
#pragma once

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

// A-Z lowered; every other byte (UTF-8 included) kept.
inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    return out;
}

}  // namespace cm
