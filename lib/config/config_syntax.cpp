// SPDX-License-Identifier: Apache-2.0
#include "config/config_syntax.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <vector>

#include "util/text_util.h"

namespace cm::conf {

namespace {

// Reads a quoted value starting at s[0] (the quote). On success returns the unquoted text
// and sets `rest` to what follows the closing quote.
std::optional<std::string> unquote(std::string_view s, std::string_view& rest) {
    const char q = s[0];
    std::string out;
    for (std::size_t i = 1; i < s.size(); ++i) {
        const char c = s[i];
        if (c == q) {
            rest = s.substr(i + 1);
            return out;
        }
        if (q == '"' && c == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) {
            out += s[++i];
            continue;
        }
        out += c;
    }
    return std::nullopt;
}

}  // namespace

LexedLine lex_line(std::string_view line) {
    LexedLine out;
    std::string_view s = trim(line);
    if (s.empty() || s.front() == '#') return out;

    std::size_t key_end = 0;
    while (key_end < s.size() && !is_ascii_space(s[key_end])) ++key_end;
    out.kind = LexedLine::Kind::directive;
    out.key = std::string(s.substr(0, key_end));
    std::string_view rest = trim(s.substr(key_end));
    if (rest.empty() || rest.front() == '#') return out;

    if (rest.front() == '"' || rest.front() == '\'') {
        std::string_view after;
        std::optional<std::string> value = unquote(rest, after);
        if (!value) {
            out.kind = LexedLine::Kind::error;
            out.error = "unterminated quoted value for '" + out.key + "'";
            return out;
        }
        after = trim(after);
        if (!after.empty() && after.front() != '#') {
            out.kind = LexedLine::Kind::error;
            out.error = "unexpected text after quoted value for '" + out.key + "'";
            return out;
        }
        out.value = std::move(*value);
        out.has_value = true;
        return out;
    }

    for (std::size_t i = 1; i < rest.size(); ++i) {
        if (rest[i] == '#' && is_ascii_space(rest[i - 1])) {
            rest = rest.substr(0, i);
            break;
        }
    }
    out.value = std::string(trim(rest));
    out.has_value = true;
    return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const std::size_t replace = diag + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({up + 1, row[j - 1] + 1, replace});
            diag = up;
        }
    }
    return row[b.size()];
}

std::optional<bool> parse_bool(std::string_view s) {
    const std::string v = ascii_lower(s);
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    return std::nullopt;
}

namespace {

// Accumulates digits of `base` from s, saturating at `limit`. nullopt if s is empty or holds
// any other character.
std::optional<unsigned long long> parse_digits(std::string_view s, unsigned base,
                                               unsigned long long limit) {
    if (s.empty()) return std::nullopt;
    unsigned long long v = 0;
    for (char c : s) {
        if (c < '0' || c >= static_cast<char>('0' + base)) return std::nullopt;
        const unsigned d = static_cast<unsigned>(c - '0');
        v = (v > (limit - d) / base) ? limit : v * base + d;
    }
    return v;
}

}  // namespace

std::optional<long long> parse_integer(std::string_view s) {
    const bool negative = !s.empty() && s.front() == '-';
    if (negative) s.remove_prefix(1);
    const auto v = parse_digits(s, 10, LLONG_MAX);
    if (!v) return std::nullopt;
    return negative ? -static_cast<long long>(*v) : static_cast<long long>(*v);
}

std::optional<double> parse_number(std::string_view s) {
    if (s.empty() || !((s.front() >= '0' && s.front() <= '9') || s.front() == '-' || s.front() == '.'))
        return std::nullopt;
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::fixed);
    if (ec == std::errc::result_out_of_range) return s.front() == '-' ? -HUGE_VAL : HUGE_VAL;
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<unsigned long long> parse_size(std::string_view s) {
    unsigned shift = 0;
    if (!s.empty()) {
        switch (s.back()) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        default: break;
        }
        if (shift) s.remove_suffix(1);
    }
    const unsigned long long limit = ULLONG_MAX >> 30;
    const auto v = parse_digits(s, 10, limit);
    if (!v) return std::nullopt;
    return *v == limit ? ULLONG_MAX : *v << shift;
}

std::optional<unsigned long long> parse_octal(std::string_view s) {
    return parse_digits(s, 8, ULLONG_MAX);
}

bool is_field_name(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || c == ':') return false;
    }
    return true;
}

}  // namespace cm::conf
