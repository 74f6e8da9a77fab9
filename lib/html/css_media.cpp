// SPDX-License-Identifier: Apache-2.0
// css_media.cpp - @media query lists judged for the desktop and mobile viewports (see css_media.h).
#include "html/css_media.h"

#include <array>
#include <string>

#include "html/css.h"
#include "util/text_util.h"

namespace cm {
namespace {

// Three-valued: a condition holds, fails, or cannot be told (it then does not apply).
enum class Tri : std::uint8_t { no, yes, unknown };
using Verdict = std::array<Tri, 2>;  // [desktop, mobile]

Tri both_and(Tri a, Tri b) {
    if (a == Tri::no || b == Tri::no) return Tri::no;
    return a == Tri::yes && b == Tri::yes ? Tri::yes : Tri::unknown;
}

Tri negate(Tri a) { return a == Tri::yes ? Tri::no : a == Tri::no ? Tri::yes : Tri::unknown; }

// `width OP x` over every desktop width (>= kDesktopMinWidthPx) and at the mobile width.
Verdict width_test(std::string_view op, double x) {
    auto at = [&](double w) {
        if (op == ">=") return w >= x;
        if (op == ">") return w > x;
        if (op == "<=") return w <= x;
        if (op == "<") return w < x;
        return w == x;
    };
    Tri desktop = Tri::unknown;
    const double d = kDesktopMinWidthPx;
    if ((op == ">=" && x <= d) || (op == ">" && x < d)) desktop = Tri::yes;
    else if ((op == "<=" && x < d) || (op == "<" && x <= d) || (op == "=" && x < d)) desktop = Tri::no;
    return {desktop, at(kMobileWidthPx) ? Tri::yes : Tri::no};
}

bool is_width(std::string_view name) { return name == "width" || name == "device-width"; }

// One "(feature)" without its parentheses, lower case.
Verdict feature(std::string_view f) {
    constexpr Verdict kUnknown{Tri::unknown, Tri::unknown};
    f = trim(f);
    if (std::size_t colon = f.find(':'); colon != std::string_view::npos) {
        std::string_view name = trim(f.substr(0, colon));
        auto x = parse_css_length(f.substr(colon + 1), 16.0);
        if (!x) return kUnknown;
        if (name.starts_with("min-") && is_width(name.substr(4))) return width_test(">=", *x);
        if (name.starts_with("max-") && is_width(name.substr(4))) return width_test("<=", *x);
        if (is_width(name)) return width_test("=", *x);
        return kUnknown;
    }
    // Range syntax: (width >= 600px), (600px <= width); a double range is not judged.
    std::size_t at = f.find_first_of("<>=");
    if (at == std::string_view::npos) return kUnknown;
    std::size_t end = at + 1;
    if (end < f.size() && f[end] == '=') ++end;
    std::string op(f.substr(at, end - at));
    std::string_view left = trim(f.substr(0, at)), right = trim(f.substr(end));
    if (right.find_first_of("<>=") != std::string_view::npos) return kUnknown;
    if (is_width(left)) {
        if (auto x = parse_css_length(right, 16.0)) return width_test(op, *x);
    } else if (is_width(right)) {
        if (op[0] == '<') op[0] = '>';  // 600px < width  ==  width > 600px
        else if (op[0] == '>') op[0] = '<';
        if (auto x = parse_css_length(left, 16.0)) return width_test(op, *x);
    }
    return kUnknown;
}

// One query: [only | not] [type] [and (feature)]... or (feature) [and (feature)]...
Verdict query(std::string_view q) {
    constexpr Verdict kNever{Tri::no, Tri::no};
    Verdict v{Tri::yes, Tri::yes};
    bool negated = false, want_feature = true, first = true;
    std::size_t i = 0;
    while (true) {
        while (i < q.size() && is_ascii_space(q[i])) ++i;
        if (i >= q.size()) break;
        if (q[i] == '(') {
            if (!want_feature) return kNever;
            std::size_t close = q.find(')', i);
            if (close == std::string_view::npos) return kNever;
            Verdict f = feature(q.substr(i + 1, close - i - 1));
            for (int k = 0; k < 2; ++k) v[k] = both_and(v[k], f[k]);
            i = close + 1;
            want_feature = false;
            first = false;
            continue;
        }
        std::size_t j = i;
        while (j < q.size() && !is_ascii_space(q[j]) && q[j] != '(') ++j;
        std::string_view word = q.substr(i, j - i);
        i = j;
        if (first && (word == "only" || word == "not")) {
            negated = word == "not";
            continue;
        }
        if (word == "and" && !want_feature) {
            want_feature = true;
            continue;
        }
        if (!first || !want_feature) return kNever;  // `or`, stray words: malformed
        first = false;
        want_feature = false;
        if (word != "all" && word != "screen") v = kNever;  // print, speech, tv ...
    }
    if (want_feature && !first) return kNever;  // a trailing `and`
    if (negated)
        for (Tri& t : v) t = negate(t);
    return v;
}

}  // namespace

std::uint8_t media_viewports(std::string_view queries) {
    std::string lower = ascii_lower(trim(queries));
    if (lower.empty()) return kAllViewports;
    std::uint8_t mask = 0;
    std::string_view rest(lower);
    while (true) {
        std::size_t comma = rest.find(',');
        Verdict v = query(rest.substr(0, comma));
        if (v[0] == Tri::yes) mask |= viewport_bit(Viewport::desktop);
        if (v[1] == Tri::yes) mask |= viewport_bit(Viewport::mobile);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return mask;
}

}  // namespace cm
