// SPDX-License-Identifier: Apache-2.0
// color.cpp - CSS colour parsing and WCAG contrast (see color.h).
#include "html/color.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace cm {
namespace {

struct NamedColor {
    const char* name;
    std::uint32_t rgb;
};

// CSS Color Module Level 4 named colours, sorted by name for binary search.
constexpr NamedColor kNamedColors[] = {
    {"aliceblue", 0xf0f8ff}, {"antiquewhite", 0xfaebd7}, {"aqua", 0x00ffff},
    {"aquamarine", 0x7fffd4}, {"azure", 0xf0ffff}, {"beige", 0xf5f5dc},
    {"bisque", 0xffe4c4}, {"black", 0x000000}, {"blanchedalmond", 0xffebcd},
    {"blue", 0x0000ff}, {"blueviolet", 0x8a2be2}, {"brown", 0xa52a2a},
    {"burlywood", 0xdeb887}, {"cadetblue", 0x5f9ea0}, {"chartreuse", 0x7fff00},
    {"chocolate", 0xd2691e}, {"coral", 0xff7f50}, {"cornflowerblue", 0x6495ed},
    {"cornsilk", 0xfff8dc}, {"crimson", 0xdc143c}, {"cyan", 0x00ffff},
    {"darkblue", 0x00008b}, {"darkcyan", 0x008b8b}, {"darkgoldenrod", 0xb8860b},
    {"darkgray", 0xa9a9a9}, {"darkgreen", 0x006400}, {"darkgrey", 0xa9a9a9},
    {"darkkhaki", 0xbdb76b}, {"darkmagenta", 0x8b008b}, {"darkolivegreen", 0x556b2f},
    {"darkorange", 0xff8c00}, {"darkorchid", 0x9932cc}, {"darkred", 0x8b0000},
    {"darksalmon", 0xe9967a}, {"darkseagreen", 0x8fbc8f}, {"darkslateblue", 0x483d8b},
    {"darkslategray", 0x2f4f4f}, {"darkslategrey", 0x2f4f4f}, {"darkturquoise", 0x00ced1},
    {"darkviolet", 0x9400d3}, {"deeppink", 0xff1493}, {"deepskyblue", 0x00bfff},
    {"dimgray", 0x696969}, {"dimgrey", 0x696969}, {"dodgerblue", 0x1e90ff},
    {"firebrick", 0xb22222}, {"floralwhite", 0xfffaf0}, {"forestgreen", 0x228b22},
    {"fuchsia", 0xff00ff}, {"gainsboro", 0xdcdcdc}, {"ghostwhite", 0xf8f8ff},
    {"gold", 0xffd700}, {"goldenrod", 0xdaa520}, {"gray", 0x808080},
    {"green", 0x008000}, {"greenyellow", 0xadff2f}, {"grey", 0x808080},
    {"honeydew", 0xf0fff0}, {"hotpink", 0xff69b4}, {"indianred", 0xcd5c5c},
    {"indigo", 0x4b0082}, {"ivory", 0xfffff0}, {"khaki", 0xf0e68c},
    {"lavender", 0xe6e6fa}, {"lavenderblush", 0xfff0f5}, {"lawngreen", 0x7cfc00},
    {"lemonchiffon", 0xfffacd}, {"lightblue", 0xadd8e6}, {"lightcoral", 0xf08080},
    {"lightcyan", 0xe0ffff}, {"lightgoldenrodyellow", 0xfafad2}, {"lightgray", 0xd3d3d3},
    {"lightgreen", 0x90ee90}, {"lightgrey", 0xd3d3d3}, {"lightpink", 0xffb6c1},
    {"lightsalmon", 0xffa07a}, {"lightseagreen", 0x20b2aa}, {"lightskyblue", 0x87cefa},
    {"lightslategray", 0x778899}, {"lightslategrey", 0x778899}, {"lightsteelblue", 0xb0c4de},
    {"lightyellow", 0xffffe0}, {"lime", 0x00ff00}, {"limegreen", 0x32cd32},
    {"linen", 0xfaf0e6}, {"magenta", 0xff00ff}, {"maroon", 0x800000},
    {"mediumaquamarine", 0x66cdaa}, {"mediumblue", 0x0000cd}, {"mediumorchid", 0xba55d3},
    {"mediumpurple", 0x9370db}, {"mediumseagreen", 0x3cb371}, {"mediumslateblue", 0x7b68ee},
    {"mediumspringgreen", 0x00fa9a}, {"mediumturquoise", 0x48d1cc}, {"mediumvioletred", 0xc71585},
    {"midnightblue", 0x191970}, {"mintcream", 0xf5fffa}, {"mistyrose", 0xffe4e1},
    {"moccasin", 0xffe4b5}, {"navajowhite", 0xffdead}, {"navy", 0x000080},
    {"oldlace", 0xfdf5e6}, {"olive", 0x808000}, {"olivedrab", 0x6b8e23},
    {"orange", 0xffa500}, {"orangered", 0xff4500}, {"orchid", 0xda70d6},
    {"palegoldenrod", 0xeee8aa}, {"palegreen", 0x98fb98}, {"paleturquoise", 0xafeeee},
    {"palevioletred", 0xdb7093}, {"papayawhip", 0xffefd5}, {"peachpuff", 0xffdab9},
    {"peru", 0xcd853f}, {"pink", 0xffc0cb}, {"plum", 0xdda0dd},
    {"powderblue", 0xb0e0e6}, {"purple", 0x800080}, {"rebeccapurple", 0x663399},
    {"red", 0xff0000}, {"rosybrown", 0xbc8f8f}, {"royalblue", 0x4169e1},
    {"saddlebrown", 0x8b4513}, {"salmon", 0xfa8072}, {"sandybrown", 0xf4a460},
    {"seagreen", 0x2e8b57}, {"seashell", 0xfff5ee}, {"sienna", 0xa0522d},
    {"silver", 0xc0c0c0}, {"skyblue", 0x87ceeb}, {"slateblue", 0x6a5acd},
    {"slategray", 0x708090}, {"slategrey", 0x708090}, {"snow", 0xfffafa},
    {"springgreen", 0x00ff7f}, {"steelblue", 0x4682b4}, {"tan", 0xd2b48c},
    {"teal", 0x008080}, {"thistle", 0xd8bfd8}, {"tomato", 0xff6347},
    {"turquoise", 0x40e0d0}, {"violet", 0xee82ee}, {"wheat", 0xf5deb3},
    {"white", 0xffffff}, {"whitesmoke", 0xf5f5f5}, {"yellow", 0xffff00},
    {"yellowgreen", 0x9acd32},
};

Rgba from_rgb(std::uint32_t v, double a = 1.0) {
    return Rgba{double((v >> 16) & 0xff), double((v >> 8) & 0xff), double(v & 0xff), a};
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = char(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<Rgba> parse_hex(std::string_view h) {
    int d[8];
    if (h.size() != 3 && h.size() != 4 && h.size() != 6 && h.size() != 8) return std::nullopt;
    for (std::size_t i = 0; i < h.size(); ++i)
        if ((d[i] = hex_digit(h[i])) < 0) return std::nullopt;
    if (h.size() <= 4) {
        Rgba c{double(d[0] * 17), double(d[1] * 17), double(d[2] * 17), 1.0};
        if (h.size() == 4) c.a = d[3] * 17 / 255.0;
        return c;
    }
    Rgba c{double(d[0] * 16 + d[1]), double(d[2] * 16 + d[3]), double(d[4] * 16 + d[5]), 1.0};
    if (h.size() == 8) c.a = (d[6] * 16 + d[7]) / 255.0;
    return c;
}

// Splits "a, b, c" / "a b c / d" function arguments into at most 4 numeric tokens.
bool split_args(std::string_view s, std::string_view out[4], int& n) {
    n = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == ',' ||
                                s[i] == '/'))
            ++i;
        if (i >= s.size()) break;
        std::size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) && s[j] != ',' &&
               s[j] != '/')
            ++j;
        if (n == 4) return false;
        out[n++] = s.substr(i, j - i);
        i = j;
    }
    return n >= 3;
}

// A number, optionally with '%': percent scaled so that 100% == full.
std::optional<double> parse_component(std::string_view t, double full) {
    std::string tmp(t);
    char* end = nullptr;
    double v = std::strtod(tmp.c_str(), &end);
    if (end == tmp.c_str()) return std::nullopt;
    std::string_view rest(end);
    if (rest == "%") return v * full / 100.0;
    if (rest.empty() || rest == "deg") return v;
    return std::nullopt;
}

double clamp(double v, double lo, double hi) { return std::min(hi, std::max(lo, v)); }

std::optional<Rgba> parse_rgb_args(std::string_view args) {
    std::string_view t[4];
    int n = 0;
    if (!split_args(args, t, n)) return std::nullopt;
    Rgba c;
    double* ch[3] = {&c.r, &c.g, &c.b};
    for (int i = 0; i < 3; ++i) {
        auto v = parse_component(t[i], 255.0);
        if (!v) return std::nullopt;
        *ch[i] = clamp(*v, 0, 255);
    }
    if (n == 4) {
        auto a = parse_component(t[3], 1.0);
        if (!a) return std::nullopt;
        c.a = clamp(*a, 0, 1);
    }
    return c;
}

double hue_to_rgb(double p, double q, double t) {
    if (t < 0) t += 1;
    if (t > 1) t -= 1;
    if (t < 1.0 / 6) return p + (q - p) * 6 * t;
    if (t < 0.5) return q;
    if (t < 2.0 / 3) return p + (q - p) * (2.0 / 3 - t) * 6;
    return p;
}

std::optional<Rgba> parse_hsl_args(std::string_view args) {
    std::string_view t[4];
    int n = 0;
    if (!split_args(args, t, n)) return std::nullopt;
    auto h = parse_component(t[0], 360.0);
    auto s = parse_component(t[1], 1.0);
    auto l = parse_component(t[2], 1.0);
    if (!h || !s || !l) return std::nullopt;
    double hh = std::fmod(std::fmod(*h, 360.0) + 360.0, 360.0) / 360.0;
    double ss = clamp(*s, 0, 1), ll = clamp(*l, 0, 1);
    double q = ll < 0.5 ? ll * (1 + ss) : ll + ss - ll * ss;
    double p = 2 * ll - q;
    Rgba c{hue_to_rgb(p, q, hh + 1.0 / 3) * 255, hue_to_rgb(p, q, hh) * 255,
           hue_to_rgb(p, q, hh - 1.0 / 3) * 255, 1.0};
    if (n == 4) {
        auto a = parse_component(t[3], 1.0);
        if (!a) return std::nullopt;
        c.a = clamp(*a, 0, 1);
    }
    return c;
}

double linear_channel(double c8) {
    double c = c8 / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

}  // namespace

std::optional<Rgba> parse_css_color(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty() || text.size() > 64) return std::nullopt;
    if (text[0] == '#') return parse_hex(text.substr(1));
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    std::size_t paren = lower.find('(');
    if (paren != std::string::npos) {
        if (lower.back() != ')') return std::nullopt;
        std::string_view fn = std::string_view(lower).substr(0, paren);
        std::string_view args = std::string_view(lower).substr(paren + 1, lower.size() - paren - 2);
        if (fn == "rgb" || fn == "rgba") return parse_rgb_args(args);
        if (fn == "hsl" || fn == "hsla") return parse_hsl_args(args);
        return std::nullopt;
    }
    if (lower == "transparent") return Rgba{0, 0, 0, 0};
    auto it = std::lower_bound(std::begin(kNamedColors), std::end(kNamedColors), lower,
                               [](const NamedColor& nc, const std::string& key) { return key.compare(nc.name) > 0; });
    if (it != std::end(kNamedColors) && lower == it->name) return from_rgb(it->rgb);
    // Legacy HTML colour attributes often omit the '#': bgcolor="ffffff".
    if (lower.size() == 6 || lower.size() == 3) return parse_hex(lower);
    return std::nullopt;
}

Rgba blend_over(const Rgba& top, const Rgba& below) {
    double a = clamp(top.a, 0, 1);
    return Rgba{top.r * a + below.r * (1 - a), top.g * a + below.g * (1 - a),
                top.b * a + below.b * (1 - a), 1.0};
}

double relative_luminance(const Rgba& c) {
    return 0.2126 * linear_channel(c.r) + 0.7152 * linear_channel(c.g) + 0.0722 * linear_channel(c.b);
}

double contrast_ratio(const Rgba& fg, const Rgba& bg) {
    double l1 = relative_luminance(blend_over(fg, bg));
    double l2 = relative_luminance(bg);
    if (l1 < l2) std::swap(l1, l2);
    return (l1 + 0.05) / (l2 + 0.05);
}

}  // namespace cm
