// SPDX-License-Identifier: Apache-2.0
// color.h - CSS colour values and the WCAG 2 contrast ratio between two colours.
//
// parse_css_color() understands #rgb, #rgba, #rrggbb, #rrggbbaa, rgb()/rgba() (numbers or
// percentages, comma or space syntax), hsl()/hsla(), every CSS named colour and `transparent`.
// Keywords that depend on context (inherit, currentcolor, initial) are the caller's business:
// they yield nullopt here. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace cm {

struct Rgba {
    double r = 0, g = 0, b = 0;  // 0..255
    double a = 1.0;              // 0..1
    friend bool operator==(const Rgba&, const Rgba&) = default;
};

std::optional<Rgba> parse_css_color(std::string_view text);

// `top` painted over the opaque colour `below` (alpha compositing); the result is opaque.
Rgba blend_over(const Rgba& top, const Rgba& below);

// WCAG 2 relative luminance of an opaque colour, 0..1.
double relative_luminance(const Rgba& c);

// WCAG 2 contrast ratio (1..21) of text colour `fg` (its alpha blended over `bg`) on the
// opaque background `bg`.
double contrast_ratio(const Rgba& fg, const Rgba& bg);

}  // namespace cm
