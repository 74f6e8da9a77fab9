// SPDX-License-Identifier: Apache-2.0
// css.cpp - declarations, <style> rules, selector matching and computed style (see css.h).
#include "html/css.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "util/text_util.h"

namespace cm {
namespace {

constexpr std::size_t kMaxSelectorLength = 512;
constexpr std::size_t kMaxCompounds = 16;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

struct PropName {
    const char* name;
    CssProp prop;
    bool shorthand;
};
constexpr PropName kProps[] = {
    {"display", CssProp::display, false},       {"visibility", CssProp::visibility, false},
    {"opacity", CssProp::opacity, false},       {"mso-hide", CssProp::mso_hide, false},
    {"height", CssProp::height, false},         {"max-height", CssProp::max_height, false},
    {"width", CssProp::width, false},           {"max-width", CssProp::max_width, false},
    {"overflow", CssProp::overflow, false},     {"position", CssProp::position, false},
    {"left", CssProp::left, false},             {"top", CssProp::top, false},
    {"text-indent", CssProp::text_indent, false}, {"font-size", CssProp::font_size, false},
    {"font", CssProp::font_size, true},         {"color", CssProp::color, false},
    {"background-color", CssProp::background, false}, {"background", CssProp::background, true},
    {"clip", CssProp::clip, false},             {"clip-path", CssProp::clip_path, false},
    {"transform", CssProp::transform, false},
};

const PropName* find_prop(std::string_view name) {
    for (const auto& p : kProps)
        if (iequals(name, p.name)) return &p;
    return nullptr;
}

// Splits on `sep` outside quotes and parentheses.
template <class F>
void split_top_level(std::string_view s, char sep, F&& f) {
    int depth = 0;
    char quote = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == '\\') ++i;
            else if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '(' || c == '[') {
            ++depth;
        } else if ((c == ')' || c == ']') && depth > 0) {
            --depth;
        } else if (c == sep && depth == 0) {
            f(s.substr(start, i - start));
            start = i + 1;
        }
    }
    f(s.substr(start));
}

std::optional<double> parse_number(std::string_view& s) {
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    double v = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
    if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
    s.remove_prefix(std::size_t(p - s.data()));
    return neg ? -v : v;
}

// Class list membership, white-space separated, case-sensitive.
bool has_class(std::string_view list, std::string_view cls) {
    std::size_t i = 0;
    while (i < list.size()) {
        while (i < list.size() && is_space(list[i])) ++i;
        std::size_t j = i;
        while (j < list.size() && !is_space(list[j])) ++j;
        if (j > i && list.substr(i, j - i) == cls) return true;
        i = j;
    }
    return false;
}

bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Removes /* comments */ and the <!-- --> wrappers old mails put around style content.
std::string strip_css_comments(std::string_view css) {
    std::string out;
    out.reserve(css.size());
    for (std::size_t i = 0; i < css.size();) {
        if (css.compare(i, 2, "/*") == 0) {
            std::size_t end = css.find("*/", i + 2);
            if (end == std::string_view::npos) break;
            i = end + 2;
            out += ' ';
        } else if (css.compare(i, 4, "<!--") == 0) {
            i += 4;
        } else if (css.compare(i, 3, "-->") == 0) {
            i += 3;
        } else {
            out += css[i++];
        }
    }
    return out;
}

// Index of the '}' closing the block whose '{' is at `open`, or npos.
std::size_t find_block_end(std::string_view s, std::size_t open) {
    int depth = 0;
    char quote = 0;
    for (std::size_t i = open; i < s.size(); ++i) {
        char c = s[i];
        if (quote) {
            if (c == '\\') ++i;
            else if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '{') {
            ++depth;
        } else if (c == '}') {
            if (--depth == 0) return i;
        }
    }
    return std::string_view::npos;
}

std::string_view first_token(std::string_view v) {
    v = trim(v);
    std::size_t i = 0;
    while (i < v.size() && !is_space(v[i])) ++i;
    return v.substr(0, i);
}

}  // namespace

bool operator<(const CssPriority& a, const CssPriority& b) {
    if (a.important != b.important) return !a.important;
    if (a.origin != b.origin) return a.origin < b.origin;
    if (a.specificity != b.specificity) return a.specificity < b.specificity;
    return a.order < b.order;
}

void parse_css_declarations(std::string_view text, std::vector<CssDeclaration>& out) {
    split_top_level(text, ';', [&](std::string_view item) {
        std::size_t colon = item.find(':');
        if (colon == std::string_view::npos) return;
        const PropName* p = find_prop(trim(item.substr(0, colon)));
        if (!p) return;
        std::string_view value = trim(item.substr(colon + 1));
        bool important = false;
        std::size_t bang = value.rfind('!');
        if (bang != std::string_view::npos && iequals(trim(value.substr(bang + 1)), "important")) {
            important = true;
            value = trim(value.substr(0, bang));
        }
        if (value.empty()) return;
        out.push_back(CssDeclaration{p->prop, p->shorthand, important, std::string(value)});
    });
}

void CascadedStyle::set(CssProp prop, std::string_view text, bool shorthand,
                       const CssPriority& priority) {
    Value& v = values_[static_cast<std::size_t>(prop)];
    if (v.set && priority < v.priority) return;  // later declarations win ties
    v.set = true;
    v.shorthand = shorthand;
    v.priority = priority;
    v.text = text;
}

void CascadedStyle::apply(CssProp prop, std::string_view text, const CssPriority& priority) {
    set(prop, text, false, priority);
}

void CascadedStyle::apply(const CssDeclaration& decl, const CssPriority& priority) {
    CssPriority p = priority;
    p.important = decl.important;
    set(decl.prop, decl.value, decl.shorthand, p);
}

bool Stylesheet::add(std::string_view css_in, std::size_t max_rules) {
    std::string css = strip_css_comments(css_in);
    std::string_view s(css);
    bool complete = true;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (is_space(s[i]) || s[i] == ';' || s[i] == '}')) ++i;
        if (i >= s.size()) break;
        std::size_t brace = s.find('{', i);
        if (s[i] == '@') {
            // At-rules (@media, @font-face, @import ...) are ignored; see css.h.
            std::size_t semi = s.find(';', i);
            if (brace == std::string_view::npos || (semi != std::string_view::npos && semi < brace)) {
                if (semi == std::string_view::npos) break;
                i = semi + 1;
                continue;
            }
            std::size_t end = find_block_end(s, brace);
            if (end == std::string_view::npos) break;
            i = end + 1;
            continue;
        }
        if (brace == std::string_view::npos) break;
        std::size_t end = find_block_end(s, brace);
        std::string_view body = end == std::string_view::npos ? s.substr(brace + 1)
                                                             : s.substr(brace + 1, end - brace - 1);
        if (!add_rule(s.substr(i, brace - i), body, max_rules)) complete = false;
        if (end == std::string_view::npos) break;
        i = end + 1;
    }
    return complete;
}

bool Stylesheet::add_rule(std::string_view selectors, std::string_view body, std::size_t max_rules) {
    std::vector<CssDeclaration> decls;
    parse_css_declarations(body, decls);
    if (decls.empty()) return true;
    bool complete = true;
    bool block_used = false;
    auto block_index = static_cast<std::uint32_t>(blocks_.size());
    split_top_level(selectors, ',', [&](std::string_view sel) {
        sel = trim(sel);
        if (sel.empty()) return;
        if (sel.size() > kMaxSelectorLength || rules_.size() >= max_rules) {
            complete = false;
            return;
        }
        Rule rule;
        Compound cur;
        bool in_compound = false, ok = true;
        unsigned ids = 0, classes = 0, tags = 0;
        auto finish = [&] {
            if (in_compound) rule.compounds.push_back(std::move(cur));
            cur = Compound{};
            in_compound = false;
        };
        for (std::size_t i = 0; i < sel.size() && ok;) {
            char c = sel[i];
            if (is_space(c) || c == '>') {
                finish();
                ++i;
            } else if (c == '*') {
                in_compound = true;
                ++i;
            } else if (c == '.' || c == '#') {
                std::size_t j = i + 1;
                while (j < sel.size() && name_char(sel[j])) ++j;
                if (j == i + 1) { ok = false; break; }
                std::string name(sel.substr(i + 1, j - i - 1));
                if (c == '.') { cur.classes.push_back(std::move(name)); ++classes; }
                else if (cur.id.empty()) { cur.id = std::move(name); ++ids; }
                else ok = false;  // two ids on one element never match
                in_compound = true;
                i = j;
            } else if (c == ':') {
                std::size_t j = i + 1;
                while (j < sel.size() && name_char(sel[j])) ++j;
                std::string_view pseudo = sel.substr(i + 1, j - i - 1);
                if (iequals(pseudo, "link") || iequals(pseudo, "visited")) {
                    cur.link = true;
                    ++classes;
                    in_compound = true;
                    i = j;
                } else {
                    ok = false;  // :hover, ::before, :first-child ... are not static styles
                }
            } else if (name_char(c)) {
                std::size_t j = i;
                while (j < sel.size() && name_char(sel[j])) ++j;
                if (in_compound) { ok = false; break; }
                cur.tag.assign(sel.substr(i, j - i));
                for (char& ch : cur.tag) ch = ascii_lower(ch);
                ++tags;
                in_compound = true;
                i = j;
            } else {
                ok = false;  // attribute selectors, + and ~ combinators, escapes
            }
        }
        finish();
        if (!ok || rule.compounds.empty() || rule.compounds.size() > kMaxCompounds) return;
        rule.specificity = (std::min(ids, 1023u) << 20) | (std::min(classes, 1023u) << 10) |
                           std::min(tags, 1023u);
        rule.order = static_cast<std::uint32_t>(rules_.size());
        rule.block = block_index;
        auto r = static_cast<std::uint32_t>(rules_.size());
        const Compound& subject = rule.compounds.back();
        if (!subject.id.empty()) by_id_[subject.id].push_back(r);
        else if (!subject.classes.empty()) by_class_[subject.classes.front()].push_back(r);
        else if (!subject.tag.empty()) by_tag_[subject.tag].push_back(r);
        else universal_.push_back(r);
        rules_.push_back(std::move(rule));
        block_used = true;
    });
    if (block_used) blocks_.push_back(std::move(decls));
    return complete;
}

namespace {

template <class C>
bool compound_matches(const C& c, const CssElement& e) {
    if (!c.tag.empty() && c.tag != e.tag) return false;
    if (!c.id.empty() && c.id != e.id) return false;
    if (c.link && !e.is_link) return false;
    for (const auto& cls : c.classes)
        if (!has_class(e.classes, cls)) return false;
    return true;
}

}  // namespace

void Stylesheet::try_rule(std::uint32_t r, std::span<const CssElement> chain,
                          std::vector<std::uint32_t>& hits, std::size_t& budget) const {
    const Rule& rule = rules_[r];
    if (budget == 0) return;
    --budget;
    if (!compound_matches(rule.compounds.back(), chain.back())) return;
    // Descendant combinators only: matching each compound to the nearest possible ancestor
    // (greedy, right to left) is exact.
    std::size_t pos = chain.size() - 1;
    for (std::size_t k = rule.compounds.size() - 1; k-- > 0;) {
        bool found = false;
        while (pos-- > 0) {
            if (budget == 0) return;
            --budget;
            if (compound_matches(rule.compounds[k], chain[pos])) { found = true; break; }
        }
        if (!found) return;
    }
    hits.push_back(r);
}

bool Stylesheet::apply_matching(std::span<const CssElement> chain, CascadedStyle& out,
                                std::size_t& budget) const {
    if (rules_.empty() || chain.empty()) return true;
    const CssElement& e = chain.back();
    std::vector<std::uint32_t> hits;
    auto scan = [&](const Index& index, std::string_view key) {
        auto it = index.find(key);
        if (it == index.end()) return;
        for (std::uint32_t r : it->second) try_rule(r, chain, hits, budget);
    };
    if (!e.id.empty()) scan(by_id_, e.id);
    std::string_view cl(e.classes);
    for (std::size_t i = 0; i < cl.size();) {
        while (i < cl.size() && is_space(cl[i])) ++i;
        std::size_t j = i;
        while (j < cl.size() && !is_space(cl[j])) ++j;
        if (j > i) {
            std::string_view token = cl.substr(i, j - i);
            // A class named twice in the attribute must not apply its rules twice.
            if (!has_class(cl.substr(0, i), token)) scan(by_class_, token);
        }
        i = j;
    }
    scan(by_tag_, e.tag);
    for (std::uint32_t r : universal_) try_rule(r, chain, hits, budget);
    if (budget == 0) return false;
    std::sort(hits.begin(), hits.end());
    for (std::uint32_t r : hits) {
        const Rule& rule = rules_[r];
        CssPriority p;
        p.origin = CssPriority::sheet;
        p.specificity = rule.specificity;
        p.order = rule.order;
        for (const auto& d : blocks_[rule.block]) out.apply(d, p);
    }
    return true;
}

std::optional<double> parse_css_length(std::string_view v, double em_px,
                                       std::optional<double> percent_base) {
    v = trim(v);
    if (v.empty()) return std::nullopt;
    auto n = parse_number(v);
    if (!n) return std::nullopt;
    std::string unit;
    for (char c : trim(v)) unit += ascii_lower(c);
    double x = *n;
    if (unit.empty() || unit == "px") return x;  // unitless: the quirks-mode reading
    if (unit == "pt") return x * 4.0 / 3.0;
    if (unit == "pc") return x * 16.0;
    if (unit == "in") return x * 96.0;
    if (unit == "cm") return x * 96.0 / 2.54;
    if (unit == "mm") return x * 96.0 / 25.4;
    if (unit == "q") return x * 96.0 / 101.6;
    if (unit == "em") return x * em_px;
    if (unit == "rem") return x * 16.0;
    if (unit == "ex" || unit == "ch") return x * em_px / 2.0;
    if (unit == "%") {
        if (x == 0) return 0.0;
        if (percent_base) return x * *percent_base / 100.0;
    }
    if (x == 0) return 0.0;  // 0vw, 0vh ... are still zero
    return std::nullopt;
}

std::optional<double> parse_font_size(std::string_view v, double parent_px) {
    v = trim(v);
    struct Keyword { const char* name; double px; };
    static constexpr Keyword kKeywords[] = {
        {"xx-small", 9}, {"x-small", 10}, {"small", 13}, {"medium", 16}, {"large", 18},
        {"x-large", 24}, {"xx-large", 32}, {"xxx-large", 48}, {"initial", 16},
    };
    for (const auto& k : kKeywords)
        if (iequals(v, k.name)) return k.px;
    if (iequals(v, "smaller")) return parent_px / 1.2;
    if (iequals(v, "larger")) return parent_px * 1.2;
    if (iequals(v, "inherit") || iequals(v, "unset")) return parent_px;
    auto px = parse_css_length(v, parent_px, parent_px);
    if (!px || *px < 0) return std::nullopt;
    return px;
}

std::optional<double> font_size_from_shorthand(std::string_view v, double parent_px) {
    v = trim(v);
    if (iequals(v, "inherit")) return parent_px;
    std::optional<double> found;
    split_top_level(v, ' ', [&](std::string_view tok) {
        if (found || tok.empty()) return;
        std::size_t slash = tok.find('/');
        if (slash != std::string_view::npos) tok = tok.substr(0, slash);
        if (tok.empty()) return;
        bool unitless = std::all_of(tok.begin(), tok.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
        });
        if (unitless && tok != "0") return;  // font-weight or line-height, not a size
        found = parse_font_size(tok, parent_px);
    });
    return found;
}

std::optional<double> font_size_from_legacy_attr(std::string_view v, double parent_px) {
    static constexpr double kSizes[] = {10, 13, 16, 18, 24, 32, 48};
    (void)parent_px;
    v = trim(v);
    if (v.empty()) return std::nullopt;
    bool relative = v[0] == '+' || v[0] == '-';
    auto n = parse_number(v);
    if (!n) return std::nullopt;
    int size = static_cast<int>(*n) + (relative ? 3 : 0);
    size = std::clamp(size, 1, 7);
    return kSizes[size - 1];
}

namespace {

// The colour layer of a `background` shorthand; image is set when an image or gradient appears.
std::optional<Rgba> background_color_of(std::string_view v, bool shorthand, bool& image) {
    image = false;
    if (!shorthand) return parse_css_color(v);
    std::optional<Rgba> color;
    split_top_level(v, ',', [&](std::string_view layer) {
        split_top_level(layer, ' ', [&](std::string_view tok) {
            tok = trim(tok);
            if (tok.empty()) return;
            if (icontains(tok, "url(") || icontains(tok, "gradient(") || icontains(tok, "image(")) {
                image = true;
                return;
            }
            if (auto c = parse_css_color(tok)) color = c;
        });
    });
    return color;
}

// The numbers inside the first "name(...)" of `v` (units dropped), or empty.
std::vector<double> function_args(std::string_view v, std::string_view name) {
    std::vector<double> out;
    std::string lower(v);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::size_t at = lower.find(std::string(name) + "(");
    if (at == std::string::npos) return out;
    std::size_t close = lower.find(')', at);
    std::string_view args = std::string_view(lower).substr(at + name.size() + 1, close - at - name.size() - 1);
    for (std::size_t i = 0; i < args.size();) {
        while (i < args.size() && (args[i] == ' ' || args[i] == ',')) ++i;
        std::size_t e = args.find_first_of(" ,", i);
        if (e == std::string_view::npos) e = args.size();
        std::string_view arg = args.substr(i, e - i);
        if (auto n = parse_number(arg)) out.push_back(*n);
        i = e;
    }
    return out;
}

// clip: rect(0 0 0 0) / rect(1px, 1px, 1px, 1px) - the "visually hidden" idiom: a box of at
// most 1px shows nothing readable.
bool clips_everything(std::string_view v) {
    std::vector<double> n = function_args(v, "rect");
    if (n.size() != 4) return false;
    return std::abs(n[2] - n[0]) <= 1 && std::abs(n[1] - n[3]) <= 1;
}

// clip-path: inset(50%) or more, circle(0) / ellipse(0 0): nothing left to see.
bool clip_path_empty(std::string_view v) {
    if (std::vector<double> n = function_args(v, "inset"); !n.empty())
        return icontains(v, "%") && n[0] >= 50;
    if (std::vector<double> n = function_args(v, "circle"); !n.empty()) return n[0] == 0;
    if (std::vector<double> n = function_args(v, "ellipse"); !n.empty()) return n[0] == 0 || (n.size() > 1 && n[1] == 0);
    return false;
}

// transform: scale(0), scaleX(0), scaleY(0), scale(0, 1), matrix(0, 0, 0, 0, ...).
bool scales_to_zero(std::string_view v) {
    for (std::string_view f : {"scale", "scalex", "scaley"})
        for (double n : function_args(v, f))
            if (n == 0) return true;
    std::vector<double> m = function_args(v, "matrix");
    return m.size() == 6 && ((m[0] == 0 && m[1] == 0) || (m[2] == 0 && m[3] == 0));
}

}  // namespace

ComputedStyle compute_style(const ComputedStyle& parent, const CascadedStyle& cascaded,
                            const Rgba* link_color) {
    ComputedStyle s = parent;
    auto val = [&](CssProp p) -> const CascadedStyle::Value& { return cascaded.get(p); };
    auto hide = [&](const char* why) {
        if (!s.box_hidden) s.box_hidden = why;
    };

    if (const auto& d = val(CssProp::display); d.set && iequals(first_token(d.text), "none"))
        hide(d.priority.origin == CssPriority::hint ? "hidden-attr" : "display-none");
    if (const auto& v = val(CssProp::visibility); v.set) {
        std::string_view t = first_token(v.text);
        if (iequals(t, "hidden") || iequals(t, "collapse")) s.visibility_hidden = true;
        else if (iequals(t, "visible") || iequals(t, "initial")) s.visibility_hidden = false;
    }
    if (const auto& o = val(CssProp::opacity); o.set) {
        std::string_view t = trim(o.text);
        auto n = parse_number(t);
        if (n) {
            double x = trim(t) == "%" ? *n / 100.0 : *n;
            s.opacity *= std::clamp(x, 0.0, 1.0);
        }
    }
    if (const auto& m = val(CssProp::mso_hide); m.set && iequals(first_token(m.text), "all"))
        hide("mso-hide");

    if (const auto& ov = val(CssProp::overflow); ov.set && icontains(ov.text, "hidden")) {
        for (CssProp p : {CssProp::height, CssProp::max_height, CssProp::width, CssProp::max_width}) {
            const auto& d = val(p);
            if (!d.set) continue;
            // A box of at most 1px that clips its overflow shows no readable text.
            auto px = parse_css_length(d.text, parent.font_px);
            if (px && *px <= 1) hide("zero-size");
        }
    }
    if (const auto& pos = val(CssProp::position); pos.set) {
        std::string_view t = first_token(pos.text);
        if (iequals(t, "absolute") || iequals(t, "fixed")) {
            for (CssProp p : {CssProp::left, CssProp::top}) {
                const auto& d = val(p);
                if (!d.set) continue;
                auto px = parse_css_length(d.text, parent.font_px);
                if (px && *px <= -1000) hide("off-screen");
            }
        }
    }
    if (const auto& c = val(CssProp::clip); c.set && clips_everything(c.text)) hide("clip");
    if (const auto& c = val(CssProp::clip_path); c.set && clip_path_empty(c.text)) hide("clip");
    if (const auto& t = val(CssProp::transform); t.set && scales_to_zero(t.text)) hide("zero-size");
    if (const auto& ti = val(CssProp::text_indent); ti.set) {
        auto px = parse_css_length(ti.text, parent.font_px);
        if (px && *px <= -1000) hide("off-screen");
    }

    if (const auto& f = val(CssProp::font_size); f.set) {
        auto px = f.shorthand ? font_size_from_shorthand(f.text, parent.font_px)
                              : parse_font_size(f.text, parent.font_px);
        if (px) s.font_px = *px;
    }

    const auto& c = val(CssProp::color);
    std::string_view ct = c.set ? trim(c.text) : std::string_view{};
    if (c.set && (iequals(ct, "inherit") || iequals(ct, "currentcolor") || iequals(ct, "unset"))) {
        s.color = parent.color;
    } else if (c.set && iequals(ct, "initial")) {
        s.color = Rgba{0, 0, 0, 1};
    } else if (auto col = c.set ? parse_css_color(ct) : std::nullopt) {
        s.color = *col;
    } else if (link_color) {
        s.color = *link_color;
    }

    if (const auto& b = val(CssProp::background); b.set) {
        bool image = false;
        auto col = background_color_of(b.text, b.shorthand, image);
        if (col && col->a >= 1.0) {
            s.background = *col;
            s.background_known = true;
        } else if (col && col->a > 0) {
            s.background = blend_over(*col, parent.background);
        }
        if (image && !(col && col->a >= 1.0)) s.background_known = false;
    }
    return s;
}

}  // namespace cm
