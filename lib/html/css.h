// SPDX-License-Identifier: Apache-2.0
// css.h - the small CSS layer behind html_visibility: declarations, <style> rules and their
// selectors, the cascade for the few properties that decide visibility, and computed style.
//
// Selectors: type, *, .class, #id, attribute tests ([a], [a=v], ~= |= ^= $= *=, i/s flags),
// :link/:visited, :not(compound, ...), and the descendant, `>`, `+` and `~` combinators, with
// specificity, !important, inline > sheet > presentational hints. Other pseudo-classes
// (:hover, :first-child, ::before ...) drop their selector: they are not static styles or need
// the elements after this one. Selectors that only match inside one client's own markup
// (`u + .body`, `[owa]`, `#MessageViewBody`, `.ExternalClass` ...) are dropped too: what they
// hide stays visible in every other client.
// A rule inside @media holds in the viewports its query holds in (css_media.h); rules inside
// other at-rules (@supports ...) are ignored.
// Hiding properties: display, visibility, opacity, mso-hide, zero boxes, off-screen, clip:
// rect() of at most 1px, clip-path: inset(>=50%)/circle(0), transform: scale(0).
// No Debian 12 package parses CSS for a cascade (NetSurf's libcss is not packaged;
// libcss-parser is CSS1), hence this parser. Plain values, thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "html/color.h"
#include "html/css_media.h"

namespace cm {

// The properties that matter for visibility. `font` and `background` shorthands share the
// slot of font-size / background-color (flagged as shorthand) so their order is kept.
enum class CssProp : std::uint8_t {
    display, visibility, opacity, mso_hide, height, max_height, width, max_width, overflow,
    position, left, top, text_indent, font_size, color, background, clip, clip_path, transform, count
};

struct CssDeclaration {
    CssProp prop;
    bool shorthand = false;
    bool important = false;
    std::string value;  // trimmed, !important removed, case kept
};

// Parses `name: value; ...` (a style attribute or a rule body). Unknown properties are dropped.
void parse_css_declarations(std::string_view text, std::vector<CssDeclaration>& out);

// Cascade order: important, then origin, then specificity, then source order.
struct CssPriority {
    enum Origin : std::uint8_t { hint = 0, sheet = 1, inline_style = 2 };
    bool important = false;
    Origin origin = hint;
    std::uint32_t specificity = 0;
    std::uint32_t order = 0;
};
bool operator<(const CssPriority& a, const CssPriority& b);

// The winning declaration per property for one element. Values are views into declarations
// that must outlive this object (rule storage or the caller's inline declarations).
class CascadedStyle {
public:
    struct Value {
        bool set = false;
        bool shorthand = false;
        CssPriority priority;
        std::string_view text;
    };
    void apply(const CssDeclaration& decl, const CssPriority& priority);
    void apply(CssProp prop, std::string_view text, const CssPriority& priority);  // hints
    const Value& get(CssProp p) const { return values_[static_cast<std::size_t>(p)]; }

private:
    void set(CssProp prop, std::string_view text, bool shorthand, const CssPriority& priority);
    std::array<Value, static_cast<std::size_t>(CssProp::count)> values_{};
};

// Hash for maps keyed by std::string that are looked up with a std::string_view.
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// What the selector matcher needs to know about an element.
struct CssElement {
    std::string tag;      // lower case
    std::string id;
    std::string classes;  // raw class attribute, white-space separated
    bool is_link = false; // <a href> / <area href>: matches :link and :visited
    std::string attrs;    // every attribute as name '\0' value '\0' ... (names lower case);
                          // may be left empty when the sheet has no attribute test
    // Previous element siblings, document order (the nearest last); the caller may keep only
    // the nearest few. Filled only when the sheet uses `+` or `~` (uses_siblings()).
    std::vector<CssElement> preceding;
    // A Bloom filter of the tags, ids and classes of the ancestors (set_ancestry()): rules
    // naming an ancestor that is certainly absent are skipped without walking the chain.
    std::array<std::uint64_t, 4> ancestry{};
};

// child.ancestry from its parent's ancestry and the parent's own names.
void set_ancestry(CssElement& child, const CssElement& parent);

class Stylesheet {
public:
    // Adds the rules of one <style> block. Returns false if rules were dropped over a limit:
    // max_rules reached (the first max_rules of the document are kept) or a selector longer
    // than 512 bytes.
    bool add(std::string_view css, std::size_t max_rules);
    std::size_t rule_count() const { return rules_.size(); }
    bool empty() const { return rules_.empty(); }
    bool uses_siblings() const { return uses_siblings_; }      // some kept selector has + or ~
    bool uses_attributes() const { return uses_attributes_; }  // ... or an attribute test
    // chain = ancestors outermost first, the element itself last, each with its ancestry
    // set (set_ancestry). Sets `hits` to the matching rules, in cascade order. Each compound-selector test costs one unit of
    // `budget`; returns false (hits incomplete) once the budget is spent, which bounds the
    // work a hostile sheet can cause.
    bool match(std::span<const CssElement> chain, std::vector<std::uint32_t>& hits,
               std::size_t& budget) const;
    // Applies the declarations of the hits that hold in viewport `v` to `out`.
    void apply(std::span<const std::uint32_t> hits, Viewport v, CascadedStyle& out) const;
    // True when some hit holds in one viewport only (the viewports' cascades differ).
    bool viewport_specific(std::span<const std::uint32_t> hits) const;

private:
    struct AttrTest {
        enum Op : std::uint8_t { exists, equals, word, dash, prefix, suffix, substring };
        std::string name;  // lower case
        std::string value;
        Op op = exists;
        bool icase = false;
    };
    // The combinator between a compound and the one before it (to its left).
    enum class Combinator : std::uint8_t { descendant, child, next_sibling, subsequent_sibling };
    struct Compound {
        std::string tag;  // empty = any
        std::string id;
        std::vector<std::string> classes;
        std::vector<AttrTest> attrs;
        std::vector<Compound> nots;  // :not(a, b): none of them may match
        bool link = false;
        Combinator combinator = Combinator::descendant;
    };
    struct Rule {
        std::vector<Compound> compounds;  // outermost first; last is the subject
        std::uint32_t specificity = 0;
        std::uint32_t order = 0;
        std::uint32_t block = 0;  // index into blocks_
        std::uint8_t viewports = kAllViewports;
        std::array<std::uint64_t, 4> ancestors{};  // ancestry bits the subject's chain must have
    };
    struct Matcher;  // css.cpp
    using Index = std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>;

    bool add_block(std::string_view css, std::uint8_t viewports, int depth, std::size_t max_rules);
    bool add_rule(std::string_view selectors, std::string_view body, std::uint8_t viewports,
                  std::size_t max_rules);

    std::vector<Rule> rules_;
    std::vector<std::vector<CssDeclaration>> blocks_;
    Index by_id_, by_class_, by_tag_;
    std::vector<std::uint32_t> universal_;
    bool uses_siblings_ = false;
    bool uses_attributes_ = false;
};

// Lengths in px. em_px is the font size that `em` refers to; percent_base (px) is used for
// `%` when given. Returns nullopt for anything not understood (calc(), vw, auto, ...).
std::optional<double> parse_css_length(std::string_view v, double em_px,
                                       std::optional<double> percent_base = std::nullopt);
// A font-size value (lengths, %, keywords, smaller/larger) relative to the parent's size.
std::optional<double> parse_font_size(std::string_view v, double parent_px);
// The size part of the `font` shorthand ("bold 12px/1.4 Arial", "0/0 a").
std::optional<double> font_size_from_shorthand(std::string_view v, double parent_px);
// <font size="1".."7" | "+n" | "-n">.
std::optional<double> font_size_from_legacy_attr(std::string_view v, double parent_px);

// The inherited state of one element that decides whether its text can be seen.
struct ComputedStyle {
    double font_px = 16.0;
    Rgba color{0, 0, 0, 1};
    Rgba background{255, 255, 255, 1};  // effective (opaque) background behind the element
    bool background_known = true;       // false under a background image: no contrast verdict
    bool visibility_hidden = false;
    double opacity = 1.0;               // product over ancestors
    const char* box_hidden = nullptr;   // why code once the element or an ancestor is hidden
    friend bool operator==(const ComputedStyle&, const ComputedStyle&) = default;
};

// Style of an element from its parent's style and its cascaded values. link_color, when
// given, is the user-agent colour of an unstyled link (it does not inherit the text colour).
ComputedStyle compute_style(const ComputedStyle& parent, const CascadedStyle& cascaded,
                            const Rgba* link_color);

}  // namespace cm
