// SPDX-License-Identifier: Apache-2.0
// Tests for the CSS layer (css.h) and colours (color.h).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "html/color.h"
#include "html/css.h"

using namespace cm;

TEST_CASE("parse_css_color reads every colour syntax") {
    struct Case { const char* in; bool ok; double r, g, b, a; };
    auto c = GENERATE(values<Case>({
        {"#fff", true, 255, 255, 255, 1},
        {"#FFFFFF", true, 255, 255, 255, 1},
        {"#999", true, 153, 153, 153, 1},
        {"#12345680", true, 0x12, 0x34, 0x56, 128 / 255.0},
        {"#0008", true, 0, 0, 0, 136 / 255.0},
        {"rgb(255, 0, 0)", true, 255, 0, 0, 1},
        {"rgba(0,0,0,0.5)", true, 0, 0, 0, 0.5},
        {"RGB(100%, 50%, 0%)", true, 255, 127.5, 0, 1},
        {"rgb(0 128 0 / 25%)", true, 0, 128, 0, 0.25},
        {"hsl(0, 100%, 50%)", true, 255, 0, 0, 1},
        {"White", true, 255, 255, 255, 1},
        {"lightgoldenrodyellow", true, 0xfa, 0xfa, 0xd2, 1},
        {"rebeccapurple", true, 0x66, 0x33, 0x99, 1},
        {"grey", true, 128, 128, 128, 1},
        {"transparent", true, 0, 0, 0, 0},
        {"ffffff", true, 255, 255, 255, 1},  // legacy bgcolor without '#'
        {"#ggg", false, 0, 0, 0, 0},
        {"inherit", false, 0, 0, 0, 0},
        {"notacolour", false, 0, 0, 0, 0},
        {"rgb(1,2)", false, 0, 0, 0, 0},
    }));
    auto got = parse_css_color(c.in);
    INFO("input " << c.in << ": got ok=" << got.has_value() << ", want ok=" << c.ok);
    REQUIRE(got.has_value() == c.ok);
    if (c.ok) {
        CHECK(got->r == Approx(c.r));
        CHECK(got->g == Approx(c.g));
        CHECK(got->b == Approx(c.b));
        CHECK(got->a == Approx(c.a));
    }
}

TEST_CASE("contrast_ratio follows WCAG 2") {
    struct Case { const char* fg; const char* bg; double want; };
    auto c = GENERATE(values<Case>({
        {"#000", "#fff", 21.0},
        {"#fff", "#fff", 1.0},
        {"#999", "#fff", 2.85},
        {"#808080", "#000", 5.32},
        {"#777", "#fff", 4.48},
        {"rgba(0,0,0,0)", "#fff", 1.0},   // fully transparent text
        {"rgba(0,0,0,0.5)", "#fff", 3.95},
    }));
    double got = contrast_ratio(*parse_css_color(c.fg), *parse_css_color(c.bg));
    INFO(c.fg << " on " << c.bg << ": got " << got << ", want " << c.want);
    CHECK(got == Approx(c.want).epsilon(0.01));
}

TEST_CASE("lengths and font sizes") {
    SECTION("parse_css_length") {
        struct Case { const char* in; double em; bool ok; double want; };
        auto c = GENERATE(values<Case>({
            {"10px", 16, true, 10}, {"12pt", 16, true, 16}, {"2em", 10, true, 20},
            {"1rem", 10, true, 16}, {"0", 16, true, 0}, {"-9999px", 16, true, -9999},
            {"0%", 16, true, 0}, {"0vw", 16, true, 0}, {"5", 16, true, 5}, {" 1.5EM ", 10, true, 15},
            {"auto", 16, false, 0}, {"calc(1px + 2px)", 16, false, 0}, {"10vw", 16, false, 0},
            {"", 16, false, 0},
        }));
        auto got = parse_css_length(c.in, c.em);
        INFO("'" << c.in << "': got ok=" << got.has_value() << ", want ok=" << c.ok);
        REQUIRE(got.has_value() == c.ok);
        if (c.ok) CHECK(*got == Approx(c.want));
    }
    SECTION("parse_font_size") {
        struct Case { const char* in; double parent; bool ok; double want; };
        auto c = GENERATE(values<Case>({
            {"11px", 16, true, 11}, {"6pt", 16, true, 8}, {"0.5em", 10, true, 5},
            {"80%", 10, true, 8}, {"xx-small", 16, true, 9}, {"small", 16, true, 13},
            {"x-large", 16, true, 24}, {"smaller", 12, true, 10}, {"larger", 10, true, 12},
            {"inherit", 14, true, 14}, {"0px", 16, true, 0}, {"-1px", 16, false, 0},
            {"big", 16, false, 0},
        }));
        auto got = parse_font_size(c.in, c.parent);
        INFO("'" << c.in << "': got ok=" << got.has_value() << ", want ok=" << c.ok);
        REQUIRE(got.has_value() == c.ok);
        if (c.ok) CHECK(*got == Approx(c.want));
    }
    SECTION("font shorthand") {
        CHECK(*font_size_from_shorthand("bold 12px/1.5 Arial, sans-serif", 16) == Approx(12));
        CHECK(*font_size_from_shorthand("0/0 a", 16) == Approx(0));
        CHECK(*font_size_from_shorthand("italic 700 small serif", 16) == Approx(13));
        CHECK_FALSE(font_size_from_shorthand("caption", 16).has_value());
    }
    SECTION("legacy <font size>") {
        struct Case { const char* in; double want; };
        auto c = GENERATE(values<Case>({{"1", 10}, {"2", 13}, {"3", 16}, {"4", 18}, {"5", 24},
                                        {"6", 32}, {"7", 48}, {"9", 48}, {"-2", 10}, {"+1", 18}}));
        auto got = font_size_from_legacy_attr(c.in, 16);
        REQUIRE(got.has_value());
        INFO("size=" << c.in << ": got " << *got << ", want " << c.want);
        CHECK(*got == Approx(c.want));
    }
}

TEST_CASE("parse_css_declarations keeps known properties, values and !important") {
    std::vector<CssDeclaration> d;
    parse_css_declarations("COLOR: #FFF; margin:0; font-size : 12px ! important;"
                           "background: url('a;b.png') #000; display:none!important; bogus", d);
    REQUIRE(d.size() == 4);
    CHECK(d[0].prop == CssProp::color);
    CHECK(d[0].value == "#FFF");
    CHECK_FALSE(d[0].important);
    CHECK(d[1].prop == CssProp::font_size);
    CHECK(d[1].value == "12px");
    CHECK(d[1].important);
    CHECK(d[2].prop == CssProp::background);
    CHECK(d[2].shorthand);
    CHECK(d[2].value == "url('a;b.png') #000");
    CHECK(d[3].prop == CssProp::display);
    CHECK(d[3].important);
}

namespace {

// The cascaded `display` of the last element of chain under the given sheet and inline style.
std::string cascaded_display(const std::string& css, std::vector<CssElement> chain,
                             const std::string& inline_style = "", Viewport viewport = Viewport::desktop) {
    Stylesheet sheet;
    (void)sheet.add(css, 100);
    CascadedStyle out;
    std::size_t budget = 1000;
    for (std::size_t i = 1; i < chain.size(); ++i) set_ancestry(chain[i], chain[i - 1]);
    std::vector<std::uint32_t> hits;
    REQUIRE(sheet.match(chain, hits, budget));
    sheet.apply(hits, viewport, out);
    std::vector<CssDeclaration> decls;
    parse_css_declarations(inline_style, decls);
    CssPriority p;
    p.origin = CssPriority::inline_style;
    for (const auto& d : decls) out.apply(d, p);
    const auto& v = out.get(CssProp::display);
    return v.set ? std::string(v.text) : "unset";
}

CssElement attr(CssElement e, const char* name, const char* value) {
    e.attrs.append(name).append(1, '\0').append(value).append(1, '\0');
    return e;
}

CssElement after(CssElement e, std::vector<CssElement> preceding) {
    e.preceding = std::move(preceding);
    return e;
}

CssElement el(const char* tag, const char* id = "", const char* cls = "", bool link = false) {
    CssElement e{tag, id, cls, link, {}, {}};
    for (auto [name, value] : {std::pair{"id", id}, std::pair{"class", cls}})
        if (*value) e.attrs.append(name).append(1, '\0').append(value).append(1, '\0');
    return e;
}

}  // namespace

TEST_CASE("Stylesheet selectors and cascade order") {
    struct Case { const char* name; const char* css; std::vector<CssElement> chain; const char* style; const char* want; };
    auto c = GENERATE(values<Case>({
        {"type", "div{display:none}", {el("div")}, "", "none"},
        {"class", ".x{display:none}", {el("div", "", "a x")}, "", "none"},
        {"class is case-sensitive", ".X{display:none}", {el("div", "", "x")}, "", "unset"},
        {"id", "#i{display:none}", {el("div", "i")}, "", "none"},
        {"compound", "td.footer{display:none}", {el("td", "", "footer")}, "", "none"},
        {"compound no match", "td.footer{display:none}", {el("div", "", "footer")}, "", "unset"},
        {"descendant", ".footer a{display:none}", {el("td", "", "footer"), el("p"), el("a")}, "", "none"},
        {"descendant no match", ".footer a{display:none}", {el("td", "", "header"), el("a")}, "", "unset"},
        {"child", "td > a{display:none}", {el("td"), el("a")}, "", "none"},
        {"child is not any descendant", "td > a{display:none}", {el("td"), el("span"), el("a")}, "", "unset"},
        {"child after descendant backtracks", ".a > .b .c{display:none}",
         {el("div", "", "a"), el("div", "", "b"), el("div"), el("div", "", "b"), el("a", "", "c")}, "", "none"},
        {"selector list", "p, .y , #z{display:none}", {el("div", "", "y")}, "", "none"},
        {"universal", "*{display:none}", {el("b")}, "", "none"},
        {":link", "a:link{display:none}", {el("a", "", "", true)}, "", "none"},
        {":hover dropped", "a:hover{display:none}", {el("a", "", "", true)}, "", "unset"},
        {"attribute present", "a[href]{display:none}", {attr(el("a"), "href", "x")}, "", "none"},
        {"attribute absent", "a[href]{display:none}", {el("a")}, "", "unset"},
        {"[class=] is the whole attribute", "td[class=\"w320\"]{display:none}", {el("td", "", "w320")}, "", "none"},
        {"[class=] no match on a list", "td[class=w320]{display:none}", {el("td", "", "w320 x")}, "", "unset"},
        {"[class~=] is one word", "*[class~=hide]{display:none}", {el("td", "", "a hide")}, "", "none"},
        {"[class*=]", "[class*=\"mobile-hide\"]{display:none}", {el("td", "", "x-mobile-hide-y")}, "", "none"},
        {"[id^=]", "[id^=foot]{display:none}", {el("p", "footer")}, "", "none"},
        {"[id$=] no match", "[id$=foot]{display:none}", {el("p", "footer")}, "", "unset"},
        {"[lang|=]", "[lang|=en]{display:none}", {attr(el("p"), "lang", "en-GB")}, "", "none"},
        {"[data-x=y]", "[data-x='y']{display:none}", {attr(el("p"), "data-x", "y")}, "", "none"},
        {"value case-sensitive", "[data-x='Y']{display:none}", {attr(el("p"), "data-x", "y")}, "", "unset"},
        {"i flag", "[data-x='Y' i]{display:none}", {attr(el("p"), "data-x", "y")}, "", "none"},
        {"[style*=]", "div[style*=\"margin: 16px 0\"]{display:none}", {attr(el("div"), "style", "margin: 16px 0")}, "", "none"},
        {"attribute counts as a class", "[data-x]{display:none} div{display:block}", {attr(el("div"), "data-x", "")}, "", "none"},
        {"next sibling", "p + a{display:none}", {after(el("a"), {el("p")})}, "", "none"},
        {"next sibling is the nearest", "p + a{display:none}", {after(el("a"), {el("p"), el("span")})}, "", "unset"},
        {"subsequent sibling", "p ~ a{display:none}", {after(el("a"), {el("p"), el("span")})}, "", "none"},
        {"no sibling", "p ~ a{display:none}", {el("p"), el("a")}, "", "unset"},
        {"sibling of an ancestor", ".hd + .ft a{display:none}",
         {after(el("div", "", "ft"), {el("div", "", "hd")}), el("p"), el("a")}, "", "none"},
        {":not(class)", "a:not(.keep){display:none}", {el("a")}, "", "none"},
        {":not(class) no match", "a:not(.keep){display:none}", {el("a", "", "keep")}, "", "unset"},
        {":not([class])", ".c a:not([class]){display:none}", {el("div", "", "c"), el("a")}, "", "none"},
        {":not(a, b)", "p:not(.x, #y){display:none}", {el("p", "y")}, "", "unset"},
        {":not(#i) counts as an id", "p:not(#i){display:none} .k{display:block}", {el("p", "", "k")}, "", "none"},
        {"gmail u + .body dropped", "u + .body .u{display:none}",
         {after(el("div", "", "body"), {el("u")}), el("a", "", "u")}, "", "unset"},
        {"[owa] dropped", "[owa] .u{display:none}", {attr(el("div"), "owa", ""), el("a", "", "u")}, "", "unset"},
        {"#MessageViewBody dropped", "#MessageViewBody a{display:none}", {el("div", "MessageViewBody"), el("a")}, "", "unset"},
        {".ExternalClass dropped", ".ExternalClass a{display:none}", {el("div", "", "ExternalClass"), el("a")}, "", "unset"},
        {"gmail-fix applies", "*[class=\"gmail-fix\"]{display:none !important}", {el("div", "", "gmail-fix")}, "", "none"},
        {"pseudo-element dropped", "a::before{display:none}", {el("a")}, "", "unset"},
        {":first-child dropped", "a:first-child{display:none}", {el("a")}, "", "unset"},
        {"bad attribute dropped", "a[=x]{display:none} a[x=]{display:none}", {attr(el("a"), "x", "")}, "", "unset"},
        {"@media for phones not on desktop", "@media screen and (max-width:600px){.m{display:none}} .k{display:block}",
         {el("div", "", "m k")}, "", "block"},
        {"@media for wide screens on desktop", "@media only screen and (min-width:480px){.m{display:none}}",
         {el("div", "", "m")}, "", "none"},
        {"@media print never", "@media print{.m{display:none}}", {el("div", "", "m")}, "", "unset"},
        {"@import and @font-face skipped", "@import url(x.css); @font-face{font-family:x} div{display:none}",
         {el("div")}, "", "none"},
        {"comments and CDO", "<!-- /* .x{display:block} */ .x{display:none} -->", {el("div", "", "x")}, "", "none"},
        {"id beats class", "#i{display:block} .x{display:none}", {el("div", "i", "x")}, "", "block"},
        {"class beats type whatever the order", ".x{display:block} div{display:none}", {el("div", "", "x")}, "", "block"},
        {"later wins on tie", ".x{display:block} .y{display:none}", {el("div", "", "x y")}, "", "none"},
        {"descendant adds specificity", ".f a{display:none} a{display:block}", {el("p", "", "f"), el("a")}, "", "none"},
        {"inline beats id", "#i{display:none}", {el("div", "i")}, "display:block", "block"},
        {"sheet !important beats inline", ".x{display:none !important}", {el("div", "", "x")}, "display:block", "none"},
        {"inline !important beats sheet !important", ".x{display:none !important}", {el("div", "", "x")},
         "display:block !important", "block"},
        {"!important beats specificity", "#i{display:block} div{display:none!important}", {el("div", "i")}, "", "none"},
    }));
    std::string got = cascaded_display(c.css, c.chain, c.style);
    INFO(c.name << ": got display=" << got << ", want " << c.want);
    CHECK(got == c.want);
}

TEST_CASE("@media rules hold per viewport") {
    struct Case { const char* name; const char* css; const char* desktop; const char* mobile; };
    auto c = GENERATE(values<Case>({
        {"mobile-only shown on phones", ".mo{display:none} @media (max-width:600px){.mo{display:block !important}}",
         "none", "block"},
        {"desktop link hidden on phones", "@media only screen and (max-width:480px){.mo{display:none}}", "unset", "none"},
        {"hidden in both", ".mo{display:none} @media (max-width:600px){.mo{color:red}}", "none", "none"},
        {"print and speech never", "@media print{.mo{display:none}} @media speech{.mo{display:none}}", "unset", "unset"},
        {"unknown feature never", "@media (prefers-color-scheme:dark){.mo{display:none}}", "unset", "unset"},
        {"nested @media", "@media screen{@media (max-width:480px){.mo{display:none}}}", "unset", "none"},
        {"unterminated @media still read", "@media (max-width:480px){.mo{display:none}", "unset", "none"},
        {"@supports ignored", "@supports (display:grid){.mo{display:none}}", "unset", "unset"},
    }));
    for (Viewport v : {Viewport::desktop, Viewport::mobile}) {
        std::string got = cascaded_display(c.css, {el("div", "", "mo")}, "", v);
        const char* want = v == Viewport::desktop ? c.desktop : c.mobile;
        INFO(c.name << " (" << (v == Viewport::desktop ? "desktop" : "mobile") << "): got display="
                    << got << ", want " << want);
        CHECK(got == want);
    }
}

TEST_CASE("media_viewports judges desktop (600 px and wider) and mobile (375 px)") {
    constexpr std::uint8_t D = 1, M = 2, B = 3, N = 0;
    struct Case { const char* query; std::uint8_t want; };
    auto c = GENERATE(values<Case>({
        {"", B}, {"screen", B}, {"ALL", B}, {"only screen", B}, {"print", N}, {"speech", N},
        {"tv", N}, {"not print", B}, {"not screen", N},
        {"only screen and (max-width: 480px)", M}, {"(max-width:600px)", M}, {"(max-width:599px)", M},
        {"only screen and (min-width:480px)", D}, {"(min-width: 30em)", D}, {"(min-width:600px)", D},
        {"only screen and (min-width:768px)", N}, {"(min-width:481px) and (max-width:599px)", N},
        {"only screen and (max-device-width: 500px)", M},
        {"(min-device-width: 375px) and (max-device-width: 413px)", M},
        {"print, screen and (max-width: 600px)", M}, {"(max-width:480px), (min-width:600px)", B},
        {"(width <= 600px)", M}, {"(width >= 600px)", D}, {"(600px <= width)", D}, {"(width > 1000px)", N},
        {"(400px <= width <= 700px)", N},
        {"screen and (prefers-color-scheme: dark)", N}, {"(-webkit-min-device-pixel-ratio: 2)", N},
        {"(orientation: portrait)", N}, {"not all and (prefers-color-scheme: dark)", N},
        {"screen yahoo", N}, {"only screen and", N}, {"screen or print", N}, {"(max-width: calc(1px))", N},
    }));
    auto got = media_viewports(c.query);
    INFO("@media " << c.query << ": got " << int(got) << ", want " << int(c.want));
    CHECK(got == c.want);
}

TEST_CASE("Stylesheet caps its rule count") {
    Stylesheet sheet;
    CHECK(sheet.add(".a{color:red} .b{color:red}", 3));
    CHECK_FALSE(sheet.add(".c{color:red} .d{color:red}", 3));
    CHECK(sheet.rule_count() == 3);
    std::string long_selector(600, 'a');
    CHECK_FALSE(sheet.add(long_selector + "{color:red}", 10));  // dropped, and that is reported
    CHECK(sheet.rule_count() == 3);
}

TEST_CASE("compute_style inherits, multiplies and hides") {
    ComputedStyle root;
    auto style = [&](const ComputedStyle& parent, const char* decl) {
        std::vector<CssDeclaration> d;
        parse_css_declarations(decl, d);
        CascadedStyle cs;
        CssPriority p;
        p.origin = CssPriority::inline_style;
        for (const auto& x : d) cs.apply(x, p);
        return compute_style(parent, cs, nullptr);
    };
    auto half = style(root, "opacity:0.5; font-size:0; color:#fff; background-color:#000");
    CHECK(half.opacity == Approx(0.5));
    CHECK(half.font_px == Approx(0));
    auto child = style(half, "opacity:50%; font-size:14px");
    CHECK(child.opacity == Approx(0.25));
    CHECK(child.font_px == Approx(14));
    CHECK(child.color.r == Approx(255));  // inherited
    CHECK(child.background.r == Approx(0));
    CHECK(style(root, "display:none").box_hidden == std::string("display-none"));
    CHECK(style(root, "max-height:0;overflow:hidden").box_hidden == std::string("zero-size"));
    CHECK(style(root, "max-height:0").box_hidden == nullptr);
    CHECK(style(root, "position:absolute;left:-5000px").box_hidden == std::string("off-screen"));
    CHECK(style(root, "position:static;left:-5000px").box_hidden == nullptr);
    CHECK(style(root, "text-indent:-9999px").box_hidden == std::string("off-screen"));
    CascadedStyle hint;
    hint.apply(CssProp::display, "none", CssPriority{});  // the `hidden` attribute's hint
    CHECK(compute_style(root, hint, nullptr).box_hidden == std::string("hidden-attr"));
    CHECK(style(root, "mso-hide:all").box_hidden == std::string("mso-hide"));
    CHECK_FALSE(style(root, "background:url(x.png)").background_known);
    CHECK(style(root, "background:#000 url(x.png)").background_known);
    auto translucent = style(half, "background-color:rgba(255,255,255,0.5)");
    CHECK(translucent.background.r == Approx(127.5));
}

TEST_CASE("selector matching work is bounded by a budget") {
    Stylesheet sheet;
    // .q is only at the top, so every div is tried as the one inside it.
    REQUIRE(sheet.add(".q > div > div a{display:none}", 10));
    std::vector<CssElement> chain{el("p", "", "q")};
    for (int i = 0; i < 50; ++i) chain.push_back(el("div"));
    chain.push_back(el("a"));
    for (std::size_t i = 1; i < chain.size(); ++i) set_ancestry(chain[i], chain[i - 1]);
    std::vector<std::uint32_t> hits;
    std::size_t budget = 10;
    CHECK_FALSE(sheet.match(chain, hits, budget));
    CHECK(budget == 0);
    CHECK(hits.empty());
}
