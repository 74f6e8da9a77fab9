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
constexpr int kMaxMediaDepth = 4;  // @media inside @media ...

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

// Calls f(word, offset) for each white-space separated word of `list` until f returns true;
// returns whether one did.
template <class F>
bool any_word(std::string_view list, F&& f) {
    for (std::size_t i = 0; i < list.size();) {
        while (i < list.size() && is_space(list[i])) ++i;
        std::size_t j = i;
        while (j < list.size() && !is_space(list[j])) ++j;
        if (j > i && f(list.substr(i, j - i), i)) return true;
        i = j;
    }
    return false;
}

// Class list membership, case-sensitive.
bool has_class(std::string_view list, std::string_view cls) {
    return any_word(list, [&](std::string_view w, std::size_t) { return w == cls; });
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

// Sets the ancestry bit of one name; kind ('t', '#', '.') keeps a tag, an id and a class of
// the same spelling apart.
void add_name(std::array<std::uint64_t, 4>& bits, char kind, std::string_view name) {
    std::size_t h = std::hash<std::string_view>{}(name) ^ (static_cast<std::size_t>(kind) * 0x9E3779B97F4A7C15ull);
    h ^= h >> 29;
    bits[(h >> 6) & 3] |= std::uint64_t{1} << (h & 63);
}

}  // namespace

void set_ancestry(CssElement& child, const CssElement& parent) {
    child.ancestry = parent.ancestry;
    if (!parent.tag.empty()) add_name(child.ancestry, 't', parent.tag);
    if (!parent.id.empty()) add_name(child.ancestry, '#', parent.id);
    any_word(parent.classes, [&](std::string_view c, std::size_t) {
        add_name(child.ancestry, '.', c);
        return false;
    });
}

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
    return add_block(css, kAllViewports, 0, max_rules);
}

// The rules of `s` (a whole sheet or the inside of a @media block) hold in `viewports`.
bool Stylesheet::add_block(std::string_view s, std::uint8_t viewports, int depth, std::size_t max_rules) {
    bool complete = true;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (is_space(s[i]) || s[i] == ';' || s[i] == '}')) ++i;
        if (i >= s.size()) break;
        std::size_t brace = s.find('{', i);
        if (s[i] == '@') {
            std::size_t semi = s.find(';', i);
            if (brace == std::string_view::npos || (semi != std::string_view::npos && semi < brace)) {
                if (semi == std::string_view::npos) break;
                i = semi + 1;  // @import, @charset ...
                continue;
            }
            std::size_t end = find_block_end(s, brace);
            std::string_view inner = end == std::string_view::npos ? s.substr(brace + 1)
                                                                  : s.substr(brace + 1, end - brace - 1);
            std::size_t name_end = i + 1;
            while (name_end < brace && name_char(s[name_end])) ++name_end;
            // @media is followed (nested up to kMaxMediaDepth); @supports, @font-face ... not.
            if (iequals(s.substr(i + 1, name_end - i - 1), "media") && depth < kMaxMediaDepth) {
                std::uint8_t holds = viewports & media_viewports(s.substr(name_end, brace - name_end));
                if (holds && !add_block(inner, holds, depth + 1, max_rules)) complete = false;
            }
            if (end == std::string_view::npos) break;
            i = end + 1;
            continue;
        }
        if (brace == std::string_view::npos) break;
        std::size_t end = find_block_end(s, brace);
        std::string_view body = end == std::string_view::npos ? s.substr(brace + 1)
                                                             : s.substr(brace + 1, end - brace - 1);
        if (!add_rule(s.substr(i, brace - i), body, viewports, max_rules)) complete = false;
        if (end == std::string_view::npos) break;
        i = end + 1;
    }
    return complete;
}

// Selector parsing and matching; a member so that it may name the private types.
struct Stylesheet::Matcher {
    // Specificity packed as ids << 20 | classes << 10 | types.
    static std::uint32_t pack(unsigned ids, unsigned classes, unsigned tags) {
        return (std::min(ids, 1023u) << 20) | (std::min(classes, 1023u) << 10) | std::min(tags, 1023u);
    }

    // Parses the compound selector at sel[i..] into `c`, adding to `spec`; stops before white
    // space, a combinator, ',' or ')'. False for what is not supported (see css.h).
    static bool compound(std::string_view sel, std::size_t& i, Compound& c, std::uint32_t& spec, int depth) {
        bool any = false;
        while (i < sel.size()) {
            char ch = sel[i];
            if (ch == '*') {
                if (any) return false;
                ++i;
            } else if (ch == '.' || ch == '#') {
                std::size_t j = i + 1;
                while (j < sel.size() && name_char(sel[j])) ++j;
                if (j == i + 1) return false;
                std::string name(sel.substr(i + 1, j - i - 1));
                if (ch == '.') {
                    c.classes.push_back(std::move(name));
                    spec += pack(0, 1, 0);
                } else {
                    if (!c.id.empty()) return false;  // two ids on one element never match
                    c.id = std::move(name);
                    spec += pack(1, 0, 0);
                }
                i = j;
            } else if (ch == '[') {
                if (!attribute(sel, i, c)) return false;
                spec += pack(0, 1, 0);
            } else if (ch == ':') {
                std::size_t j = i + 1;
                while (j < sel.size() && name_char(sel[j])) ++j;
                std::string_view pseudo = sel.substr(i + 1, j - i - 1);
                if (iequals(pseudo, "link") || iequals(pseudo, "visited")) {
                    c.link = true;
                    spec += pack(0, 1, 0);
                    i = j;
                } else if (iequals(pseudo, "not") && j < sel.size() && sel[j] == '(' && depth == 0) {
                    i = j + 1;
                    std::uint32_t best = 0;
                    while (true) {  // :not(a, b): a list of compounds; counts as its most specific
                        while (i < sel.size() && is_space(sel[i])) ++i;
                        std::uint32_t s = 0;
                        Compound& n = c.nots.emplace_back();
                        if (!compound(sel, i, n, s, depth + 1)) return false;
                        best = std::max(best, s);
                        while (i < sel.size() && is_space(sel[i])) ++i;
                        if (i < sel.size() && sel[i] == ',') { ++i; continue; }
                        if (i < sel.size() && sel[i] == ')') { ++i; break; }
                        return false;
                    }
                    spec += best;
                } else {
                    return false;  // :hover, ::before, :first-child ...
                }
            } else if (name_char(ch)) {
                if (any) return false;
                std::size_t j = i;
                while (j < sel.size() && name_char(sel[j])) ++j;
                c.tag = ascii_lower(sel.substr(i, j - i));
                spec += pack(0, 0, 1);
                i = j;
            } else {
                break;
            }
            any = true;
        }
        return any;
    }

    // [name], [name=v], [name~=v], [name|=v], [name^=v], [name$=v], [name*=v], each with an
    // optional i / s flag; v quoted or an identifier.
    static bool attribute(std::string_view sel, std::size_t& i, Compound& c) {
        std::size_t close = sel.find(']', i);
        if (close == std::string_view::npos) return false;
        std::string_view in = trim(sel.substr(i + 1, close - i - 1));
        AttrTest t;
        std::size_t k = 0;
        while (k < in.size() && name_char(in[k])) ++k;
        if (k == 0) return false;
        t.name = ascii_lower(in.substr(0, k));
        in = trim(in.substr(k));
        if (!in.empty()) {
            static constexpr std::pair<std::string_view, AttrTest::Op> kOps[] = {
                {"~=", AttrTest::word}, {"|=", AttrTest::dash}, {"^=", AttrTest::prefix},
                {"$=", AttrTest::suffix}, {"*=", AttrTest::substring}, {"=", AttrTest::equals}};
            bool found = false;
            for (const auto& [text, op] : kOps) {
                if (!in.starts_with(text)) continue;
                t.op = op;
                in = trim(in.substr(text.size()));
                found = true;
                break;
            }
            if (!found || in.empty()) return false;
            if (in[0] == '"' || in[0] == '\'') {
                std::size_t end = in.find(in[0], 1);
                // A quote inside the value would have ended the find(']') early: not supported.
                if (end == std::string_view::npos || in.substr(1, end - 1).find('\\') != std::string_view::npos)
                    return false;
                t.value = in.substr(1, end - 1);
                in = trim(in.substr(end + 1));
            } else {
                std::size_t e = 0;
                while (e < in.size() && name_char(in[e])) ++e;
                if (e == 0) return false;
                t.value = in.substr(0, e);
                in = trim(in.substr(e));
            }
            if (iequals(in, "i")) t.icase = true;
            else if (!in.empty() && !iequals(in, "s")) return false;
        }
        c.attrs.push_back(std::move(t));
        i = close + 1;
        return true;
    }

    // Parts of a compound that exist only in one client's own markup: Outlook.com's wrappers
    // and dark-mode attributes, Apple's data detectors, Thunderbird's and old Hotmail's classes.
    static bool client_only(const Compound& c) {
        static constexpr std::string_view kIds[] = {"MessageViewBody", "MessageWebViewDiv", "outlook"};
        static constexpr std::string_view kClasses[] = {"ExternalClass", "ReadMsgBody", "moz-text-html"};
        static constexpr std::string_view kAttrs[] = {"owa", "office365", "data-ogsc", "data-ogsb",
                                                      "data-ogac", "data-ogab", "x-apple-data-detectors",
                                                      "data-outlook-cycle"};
        for (auto id : kIds)
            if (c.id == id) return true;
        for (const auto& cls : c.classes)
            for (auto k : kClasses)
                if (cls == k) return true;
        for (const auto& a : c.attrs)
            for (auto k : kAttrs)
                if (a.name == k) return true;
        return false;
    }

    // Parses one complex selector; false when dropped.
    static bool complex(std::string_view sel, Rule& rule) {
        std::size_t i = 0;
        Combinator pending = Combinator::descendant;
        bool explicit_combinator = false;
        while (true) {
            while (i < sel.size() && is_space(sel[i])) ++i;
            if (i >= sel.size()) break;
            char ch = sel[i];
            if (ch == '>' || ch == '+' || ch == '~') {
                if (explicit_combinator || rule.compounds.empty()) return false;
                pending = ch == '>' ? Combinator::child
                        : ch == '+' ? Combinator::next_sibling : Combinator::subsequent_sibling;
                explicit_combinator = true;
                ++i;
                continue;
            }
            if (pending == Combinator::next_sibling || pending == Combinator::subsequent_sibling) {
                // Gmail's hack: it alone puts a <u></u> before the body (`u + .body`).
                const Compound& prev = rule.compounds.back();
                if (prev.tag == "u" && prev.id.empty() && prev.classes.empty() && prev.attrs.empty())
                    return false;
            }
            Compound c;
            c.combinator = pending;
            if (!compound(sel, i, c, rule.specificity, 0) || client_only(c)) return false;
            rule.compounds.push_back(std::move(c));
            if (rule.compounds.size() > kMaxCompounds) return false;
            pending = Combinator::descendant;
            explicit_combinator = false;
        }
        return !explicit_combinator && !rule.compounds.empty();
    }

    static bool attr_matches(const AttrTest& t, const CssElement& e) {
        std::string_view packed(e.attrs), value;
        bool found = false;
        for (std::size_t i = 0; i < packed.size() && !found;) {
            std::size_t n = packed.find('\0', i);
            if (n == std::string_view::npos) break;
            std::size_t v = packed.find('\0', n + 1);
            if (v == std::string_view::npos) v = packed.size();
            if (packed.substr(i, n - i) == t.name) {
                value = packed.substr(n + 1, v - n - 1);
                found = true;
            }
            i = v + 1;
        }
        if (!found) return false;
        std::string_view want(t.value);
        auto same = [&](std::string_view a, std::string_view b) { return t.icase ? iequals(a, b) : a == b; };
        switch (t.op) {
        case AttrTest::exists: return true;
        case AttrTest::equals: return same(value, want);
        case AttrTest::dash:
            return same(value, want) ||
                   (value.size() > want.size() && value[want.size()] == '-' && same(value.substr(0, want.size()), want));
        case AttrTest::prefix: return !want.empty() && value.size() >= want.size() && same(value.substr(0, want.size()), want);
        case AttrTest::suffix:
            return !want.empty() && value.size() >= want.size() && same(value.substr(value.size() - want.size()), want);
        case AttrTest::substring:
            return !want.empty() && (t.icase ? icontains(value, want) : value.find(want) != std::string_view::npos);
        case AttrTest::word:
            if (want.empty() || std::any_of(want.begin(), want.end(), is_space)) return false;
            return any_word(value, [&](std::string_view w, std::size_t) { return same(w, want); });
        }
        return false;
    }

    static bool compound_matches(const Compound& c, const CssElement& e) {
        if (!c.tag.empty() && c.tag != e.tag) return false;
        if (!c.id.empty() && c.id != e.id) return false;
        if (c.link && !e.is_link) return false;
        for (const auto& cls : c.classes)
            if (!has_class(e.classes, cls)) return false;
        for (const auto& a : c.attrs)
            if (!attr_matches(a, e)) return false;
        for (const auto& n : c.nots)
            if (compound_matches(n, e)) return false;
        return true;
    }

    // Where an element is: chain[depth] itself (sib == npos) or its sib-th preceding sibling.
    struct Pos {
        std::size_t depth;
        std::size_t sib;
    };
    // Why a match failed, so that callers skip candidates that cannot succeed either (the
    // classic right-to-left matcher): the compound failed on this element; the part to its
    // left failed and only another descendant-combinator candidate can help; or nothing can.
    enum class Result { matched, retry_sibling, retry_descendant, failed };

    std::span<const CssElement> chain;
    std::size_t& budget;

    const CssElement& at(Pos p) const {
        return p.sib == std::string_view::npos ? chain[p.depth] : chain[p.depth].preceding[p.sib];
    }

    // Does compounds[0..k] match with compounds[k] on the element at p?
    Result match(const Rule& rule, std::size_t k, Pos p) const {
        if (budget == 0) return Result::failed;
        --budget;
        if (!compound_matches(rule.compounds[k], at(p))) return Result::retry_sibling;
        if (k == 0) return Result::matched;
        const Combinator comb = rule.compounds[k].combinator;
        const bool sibling = comb == Combinator::next_sibling || comb == Combinator::subsequent_sibling;
        std::optional<Pos> cand = next_candidate(p, comb, true);
        while (cand) {
            Result r = match(rule, k - 1, *cand);
            if (r == Result::matched || r == Result::failed) return r;
            if (comb == Combinator::next_sibling) return r;
            if (comb == Combinator::child) return Result::retry_descendant;
            if (comb == Combinator::subsequent_sibling && r == Result::retry_descendant) return r;
            cand = next_candidate(*cand, comb, false);
        }
        return sibling ? Result::retry_descendant : Result::failed;
    }

    // The first (from = the subject) or next element a combinator leads to.
    std::optional<Pos> next_candidate(Pos p, Combinator comb, bool first) const {
        switch (comb) {
        case Combinator::child:
        case Combinator::descendant:
            if (p.depth == 0 || (!first && comb == Combinator::child)) return std::nullopt;
            return Pos{p.depth - 1, std::string_view::npos};
        case Combinator::next_sibling:
        case Combinator::subsequent_sibling: {
            if (!first && comb == Combinator::next_sibling) return std::nullopt;
            std::size_t n = p.sib == std::string_view::npos ? chain[p.depth].preceding.size() : p.sib;
            if (n == 0) return std::nullopt;
            return Pos{p.depth, n - 1};
        }
        }
        return std::nullopt;
    }
};

bool Stylesheet::add_rule(std::string_view selectors, std::string_view body, std::uint8_t viewports,
                          std::size_t max_rules) {
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
        if (!Matcher::complex(sel, rule)) return;
        rule.order = static_cast<std::uint32_t>(rules_.size());
        rule.block = block_index;
        rule.viewports = viewports;
        for (std::size_t k = 0; k + 1 < rule.compounds.size(); ++k) {
            const Combinator next = rule.compounds[k + 1].combinator;
            if (next != Combinator::descendant && next != Combinator::child) continue;
            const Compound& a = rule.compounds[k];  // an ancestor of the subject
            if (!a.tag.empty()) add_name(rule.ancestors, 't', a.tag);
            if (!a.id.empty()) add_name(rule.ancestors, '#', a.id);
            for (const auto& c : a.classes) add_name(rule.ancestors, '.', c);
        }
        for (const auto& c : rule.compounds) {
            if (c.combinator == Combinator::next_sibling || c.combinator == Combinator::subsequent_sibling)
                uses_siblings_ = true;
            if (!c.attrs.empty()) uses_attributes_ = true;
            for (const auto& n : c.nots)
                if (!n.attrs.empty()) uses_attributes_ = true;
        }
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

bool Stylesheet::match(std::span<const CssElement> chain, std::vector<std::uint32_t>& hits,
                       std::size_t& budget) const {
    hits.clear();
    if (rules_.empty() || chain.empty()) return true;
    const Matcher m{chain, budget};
    const Matcher::Pos subject{chain.size() - 1, std::string_view::npos};
    const CssElement& e = chain.back();
    auto scan = [&](const std::vector<std::uint32_t>& rules) {
        for (std::uint32_t r : rules) {
            const Rule& rule = rules_[r];
            bool possible = true;
            for (std::size_t w = 0; w < rule.ancestors.size(); ++w)
                if (rule.ancestors[w] & ~e.ancestry[w]) possible = false;
            if (possible && m.match(rule, rule.compounds.size() - 1, subject) == Matcher::Result::matched)
                hits.push_back(r);
        }
    };
    auto scan_key = [&](const Index& index, std::string_view key) {
        if (auto it = index.find(key); it != index.end()) scan(it->second);
    };
    if (!e.id.empty()) scan_key(by_id_, e.id);
    std::string_view cl(e.classes);
    any_word(cl, [&](std::string_view token, std::size_t at) {
        // A class named twice in the attribute must not apply its rules twice.
        if (!has_class(cl.substr(0, at), token)) scan_key(by_class_, token);
        return false;
    });
    scan_key(by_tag_, e.tag);
    scan(universal_);
    std::sort(hits.begin(), hits.end());
    return budget > 0;
}

void Stylesheet::apply(std::span<const std::uint32_t> hits, Viewport v, CascadedStyle& out) const {
    for (std::uint32_t r : hits) {
        const Rule& rule = rules_[r];
        if (!(rule.viewports & viewport_bit(v))) continue;
        CssPriority p;
        p.origin = CssPriority::sheet;
        p.specificity = rule.specificity;
        p.order = rule.order;
        for (const auto& d : blocks_[rule.block]) out.apply(d, p);
    }
}

bool Stylesheet::viewport_specific(std::span<const std::uint32_t> hits) const {
    return std::any_of(hits.begin(), hits.end(),
                       [&](std::uint32_t r) { return rules_[r].viewports != kAllViewports; });
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
