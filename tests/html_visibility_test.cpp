// SPDX-License-Identifier: Apache-2.0
// Tests for extract_html_links (html_visibility.h): every hiding rule both ways, the
// false-positive traps of real templates, link/block text, limits and corpus smoke tests.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cpu_stopwatch.h"
#include "html/html_visibility.h"

using namespace cm;

namespace {

// The link whose href is exactly `href`; fails the test when absent.
HtmlLink link_by_href(const HtmlScan& scan, const std::string& href) {
    for (const auto& l : scan.links)
        if (l.href == href) return l;
    FAIL("no link with href " << href << " among " << scan.links.size() << " links");
    return {};
}

bool has_note(const HtmlScan& scan, const std::string& note) {
    for (const auto& n : scan.notes)
        if (n == note) return true;
    return false;
}

struct Case {
    const char* name;
    const char* html;  // the link under test has href="u"
    bool visible;
    const char* why;
};

void check_case(const Case& c) {
    HtmlLink got = link_by_href(extract_html_links(c.html), "u");
    INFO(c.name << ": got visible=" << got.visible << " why=" << got.why << ", want visible="
                << c.visible << " why=" << c.why << "\nhtml: " << c.html);
    CHECK(got.visible == c.visible);
    CHECK(got.why == c.why);
}

}  // namespace

TEST_CASE("box rules hide a link, and their near misses do not") {
    auto c = GENERATE(values<Case>({
        {"display:none ancestor", R"x(<div style="display:none"><p><a href="u">Unsubscribe</a></p></div>)x", false, "display-none"},
        {"display:block", R"x(<div style="display:block"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"display:none on the link", R"x(<a href="u" style="DISPLAY: NONE">Unsubscribe</a>)x", false, "display-none"},
        {"visibility:hidden", R"x(<div style="visibility:hidden"><a href="u">Unsubscribe</a></div>)x", false, "visibility-hidden"},
        {"visibility reset by the child", R"x(<div style="visibility:hidden"><a href="u" style="visibility:visible">Unsubscribe</a></div>)x", true, ""},
        {"opacity 0.05", R"x(<div style="opacity:0.05"><a href="u">Unsubscribe</a></div>)x", false, "opacity"},
        {"opacity 0.5", R"x(<div style="opacity:0.5"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"opacity multiplies", R"x(<div style="opacity:0.3"><div style="opacity:0.3"><a href="u">Unsubscribe</a></div></div>)x", false, "opacity"},
        {"opacity 0.5 x 0.5 stays", R"x(<div style="opacity:0.5"><div style="opacity:0.5"><a href="u" style="color:#000">Unsubscribe</a></div></div>)x", true, ""},
        {"hidden attribute", R"x(<div hidden><a href="u">Unsubscribe</a></div>)x", false, "hidden-attr"},
        {"hidden attribute overridden by CSS", R"x(<div hidden style="display:block"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"mso-hide:all", R"x(<table><tr><td style="mso-hide:all"><a href="u">Unsubscribe</a></td></tr></table>)x", false, "mso-hide"},
        {"mso-hide:none", R"x(<div style="mso-hide:none"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"max-height:0 + overflow:hidden", R"x(<div style="max-height:0;overflow:hidden"><a href="u">Unsubscribe</a></div>)x", false, "zero-size"},
        {"max-height:0 alone", R"x(<div style="max-height:0"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"width:0px + overflow:hidden", R"x(<div style="width:0px; overflow: hidden"><a href="u">Unsubscribe</a></div>)x", false, "zero-size"},
        {"width:100% + overflow:hidden", R"x(<div style="width:100%;overflow:hidden"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"1px clipped box (sr-only)", R"x(<span style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)"><a href="u">Unsubscribe</a></span>)x", false, "zero-size"},
        {"height:20px + overflow:hidden", R"x(<div style="height:20px;overflow:hidden"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"absolute left -9999px", R"x(<div style="position:absolute;left:-9999px"><a href="u">Unsubscribe</a></div>)x", false, "off-screen"},
        {"fixed top -2000px", R"x(<div style="position:fixed;top:-2000px"><a href="u">Unsubscribe</a></div>)x", false, "off-screen"},
        {"absolute left -10px", R"x(<div style="position:absolute;left:-10px"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"relative left -9999px", R"x(<div style="position:relative;left:-9999px"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"text-indent -9999px", R"x(<p style="text-indent:-9999px"><a href="u">Unsubscribe</a></p>)x", false, "off-screen"},
        {"text-indent 20px", R"x(<p style="text-indent:20px"><a href="u">Unsubscribe</a></p>)x", true, ""},
        {"empty anchor", R"x(<p>Unsubscribe <a href="u"></a></p>)x", false, "zero-size"},
        // issue 12: clip, clip-path, transform
        {"clip rect(0 0 0 0)", R"x(<span style="position:absolute;clip:rect(0 0 0 0)"><a href="u">Unsubscribe</a></span>)x", false, "clip"},
        {"clip rect(1px,1px,1px,1px)", R"x(<span style="position:absolute;clip:rect(1px, 1px, 1px, 1px)"><a href="u">Unsubscribe</a></span>)x", false, "clip"},
        {"clip rect large stays", R"x(<span style="position:absolute;clip:rect(0 300px 40px 0)"><a href="u">Unsubscribe</a></span>)x", true, ""},
        {"clip-path inset(50%)", R"x(<p style="clip-path:inset(50%)"><a href="u">Unsubscribe</a></p>)x", false, "clip"},
        {"clip-path inset(10%) stays", R"x(<p style="clip-path:inset(10%)"><a href="u">Unsubscribe</a></p>)x", true, ""},
        {"clip-path circle(0)", R"x(<p style="clip-path:circle(0)"><a href="u">Unsubscribe</a></p>)x", false, "clip"},
        {"transform scale(0)", R"x(<p style="transform:scale(0)"><a href="u">Unsubscribe</a></p>)x", false, "zero-size"},
        {"transform scaleY(0)", R"x(<p style="transform: scaleY(0)"><a href="u">Unsubscribe</a></p>)x", false, "zero-size"},
        {"transform scale(1.2) stays", R"x(<p style="transform:scale(1.2)"><a href="u">Unsubscribe</a></p>)x", true, ""},
        {"transform translateX(0) stays", R"x(<p style="transform:translateX(0)"><a href="u">Unsubscribe</a></p>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("font size is the computed size of the link text") {
    auto c = GENERATE(values<Case>({
        {"1px", R"x(<a href="u" style="font-size:1px">Unsubscribe</a>)x", false, "font-size"},
        {"11px footer", R"x(<p style="font-size:11px;color:#999999"><a href="u" style="color:#999">Unsubscribe</a></p>)x", true, ""},
        {"font-size:0 wrapper, no reset", R"x(<div style="font-size:0px"><a href="u">Unsubscribe</a></div>)x", false, "font-size"},
        {"MJML font-size:0 wrapper with reset", R"x(<div style="font-size:0px;line-height:0"><div style="font-size:13px"><a href="u">Unsubscribe</a></div></div>)x", true, ""},
        {"5pt", R"x(<a href="u" style="font-size:5pt">Unsubscribe</a>)x", false, "font-size"},
        {"6pt = 8px", R"x(<a href="u" style="font-size:6pt">Unsubscribe</a>)x", true, ""},
        {"0.5em of 10px", R"x(<div style="font-size:10px"><a href="u" style="font-size:0.5em">Unsubscribe</a></div>)x", false, "font-size"},
        {"0.8em of 10px", R"x(<div style="font-size:10px"><a href="u" style="font-size:0.8em">Unsubscribe</a></div>)x", true, ""},
        {"40%", R"x(<div style="font-size:40%"><a href="u">Unsubscribe</a></div>)x", false, "font-size"},
        {"80%", R"x(<div style="font-size:80%"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"0.4rem", R"x(<div style="font-size:30px"><a href="u" style="font-size:0.4rem">Unsubscribe</a></div>)x", false, "font-size"},
        {"xx-small keyword", R"x(<a href="u" style="font-size:xx-small">Unsubscribe</a>)x", true, ""},
        {"smaller of 9px", R"x(<div style="font-size:9px"><a href="u" style="font-size:smaller">Unsubscribe</a></div>)x", false, "font-size"},
        {"<font size=1>", R"x(<font size="1"><a href="u">Unsubscribe</a></font>)x", true, ""},
        {"<font size> resets a tiny parent", R"x(<div style="font-size:2px"><font size="2"><a href="u">Unsubscribe</a></font></div>)x", true, ""},
        {"font shorthand 0/0", R"x(<a href="u" style="font:0/0 a">Unsubscribe</a>)x", false, "font-size"},
        {"font shorthand 12px", R"x(<div style="font-size:1px"><a href="u" style="font:bold 12px/1.5 Arial">Unsubscribe</a></div>)x", true, ""},
        {"<small> in 9px", R"x(<div style="font-size:9px"><small><a href="u">Unsubscribe</a></small></div>)x", false, "font-size"},
        {"text run in a span decides", R"x(<a href="u" style="font-size:0"><span style="font-size:12px">Unsubscribe</span></a>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("colour contrast against the effective background") {
    auto c = GENERATE(values<Case>({
        {"white on default white", R"x(<a href="u" style="color:#ffffff">Unsubscribe</a>)x", false, "contrast"},
        {"#999 11px on white", R"x(<a href="u" style="color:#999;font-size:11px">Unsubscribe</a>)x", true, ""},
        {"white on dark bgcolor", R"x(<table bgcolor="#333333"><tr><td><a href="u" style="color:#ffffff">Unsubscribe</a></td></tr></table>)x", true, ""},
        {"near-white on white table", R"x(<table bgcolor="#ffffff"><tr><td><a href="u" style="color:#fefefe">Unsubscribe</a></td></tr></table>)x", false, "contrast"},
        {"transparent looks further up", R"x(<td bgcolor="#000000"><div style="background-color:transparent"><a href="u" style="color:#fff">Unsubscribe</a></div></td>)x", true, ""},
        {"background shorthand colour", R"x(<div style="background:#000 url(x.png) no-repeat"><a href="u" style="color:white">Unsubscribe</a></div>)x", true, ""},
        {"background image: no verdict", R"x(<table><tr><td background="dark.jpg"><a href="u" style="color:#fff">Unsubscribe</a></td></tr></table>)x", true, ""},
        {"almost transparent text", R"x(<a href="u" style="color:rgba(0,0,0,0.05)">Unsubscribe</a>)x", false, "contrast"},
        {"rgb percentages white", R"x(<a href="u" style="color:rgb(100%,100%,100%)">Unsubscribe</a>)x", false, "contrast"},
        {"<font color> white inside the link", R"x(<a href="u"><font color="#ffffff">Unsubscribe</font></a>)x", false, "contrast"},
        {"body bgcolor and text", R"x(<body bgcolor="#000000" text="#ffffff"><p><a href="u" style="color:inherit">Unsubscribe</a></p></body>)x", true, ""},
        {"unstyled link is link-blue, not the parent colour", R"x(<div style="color:#fff"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"body link attribute", R"x(<body link="#ffffff"><p><a href="u">Unsubscribe</a></p></body>)x", false, "contrast"},
        {"white span in black link", R"x(<a href="u" style="color:#000"><span style="color:#fff">Unsubscribe</span></a>)x", false, "contrast"},
        {"black span in white link", R"x(<a href="u" style="color:#fff"><span style="color:#000">Unsubscribe</span></a>)x", true, ""},
        {"opacity fades black text to grey", R"x(<div style="opacity:0.15"><a href="u" style="color:#000">Unsubscribe</a></div>)x", false, "contrast"},
        {"opacity 0.5 keeps black text readable", R"x(<div style="opacity:0.5"><a href="u" style="color:#000">Unsubscribe</a></div>)x", true, ""},
        {"translucent dark background", R"x(<div style="background-color:rgba(0,0,0,0.9)"><a href="u" style="color:#fff">Unsubscribe</a></div>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("<style> rules are honoured") {
    auto c = GENERATE(values<Case>({
        {"class colour on light footer", R"x(<style>.footer a { color: #999999; }</style><table><tr><td class="footer"><a href="u">Unsubscribe</a></td></tr></table>)x", true, ""},
        {"class colour white on white", R"x(<style>.footer a { color: #ffffff; }</style><table><tr><td class="footer"><a href="u">Unsubscribe</a></td></tr></table>)x", false, "contrast"},
        {"class colour white on dark class bg", R"x(<style>.footer{background-color:#222} .footer a{color:#fff}</style><div class="footer"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"class display:none", R"x(<style type="text/css">.hide{display:none}</style><div class="x hide"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {"id rule", R"x(<style>#f{visibility:hidden}</style><p id="f"><a href="u">Unsubscribe</a></p>)x", false, "visibility-hidden"},
        {"compound a.unsubscribe", R"x(<style>a.unsubscribe{font-size:2px}</style><a class="unsubscribe" href="u">Unsubscribe</a>)x", false, "font-size"},
        {"hidden on phones only", R"x(<style>@media only screen and (max-width:600px){ .m { display:none !important } }</style><div class="m"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"!important sheet beats inline", R"x(<style>.x{display:none !important}</style><div class="x" style="display:block"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {"inline !important wins", R"x(<style>.x{display:none !important}</style><div class="x" style="display:block !important"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"id beats class", R"x(<style>#k{display:block} .x{display:none}</style><div id="k" class="x"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"later rule wins tie", R"x(<style>.x{display:block}</style><style>.y{display:none}</style><div class="x y"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {":hover rule ignored", R"x(<style>a:hover{display:none}</style><a href="u">Unsubscribe</a>)x", true, ""},
        {"<style> late in the body still applies", R"x(<body><div class="h"><a href="u">Unsubscribe</a></div><style>.h{display:none}</style></body>)x", false, "display-none"},
        {"late <style> without <body>", R"x(<div class="h"><a href="u">Unsubscribe</a></div><style>.h{display:none}</style>)x", false, "display-none"},
        {"commented-out rule", R"x(<style>/* .x{display:none} */</style><div class="x"><a href="u">Unsubscribe</a></div>)x", true, ""},
    }));
    check_case(c);
}

// The pass that collects a late <style> stops once the rest cannot add style text; these
// fail if it stops early (inside a long style, an unfinished start tag, or a comment).
TEST_CASE("a late <style> is read whole, however far its rule is") {
    const std::string link = R"x(<body><div class="h"><a href="u">Unsubscribe</a></div>)x";
    const std::string filler(5000, ' ');
    const std::string tail = "<p>" + std::string(20000, 'x') + "</p></body>";
    const std::string rule = ".h{display:none}</style>";
    auto html = GENERATE_REF(values<std::string>({
        link + "<style>" + filler + rule + tail,
        link + "<style>" + std::string(900, '\n') + ".p{color:red}" + filler + rule + tail,
        link + R"x(<style title="a>b">)x" + filler + rule + tail,
        link + "<style>" + rule + "<!--<style>.h{display:block}</style>" + filler + "-->" + tail,
    }));
    HtmlLink got = link_by_href(extract_html_links(html), "u");
    INFO("html starts: " << html.substr(0, 120));
    CHECK_FALSE(got.visible);
    CHECK(got.why == "display-none");
}

TEST_CASE("desktop and mobile: a link visible in either is visible") {
    auto c = GENERATE(values<Case>({
        {"mobile-only block shown by @media", R"x(<style>.mobile-only{display:none} @media (max-width:600px){.mobile-only{display:block !important}}</style><div class="mobile-only"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"mobile-only block never shown", R"x(<style>.mobile-only{display:none}</style><div class="mobile-only"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {"inline display:none revealed by @media !important", R"x(<style>@media only screen and (max-width:480px){.show-mobile{display:block !important;max-height:none !important}}</style><div class="show-mobile" style="display:none;max-height:0;overflow:hidden"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"desktop link hidden on phones", R"x(<style>@media (max-width:480px){.desktop-unsub{display:none}}</style><p class="desktop-unsub"><a href="u">Unsubscribe</a></p>)x", true, ""},
        {"hidden on desktop and on phones", R"x(<style>.x{display:none} @media (max-width:600px){.x{display:none !important}}</style><p class="x"><a href="u">Unsubscribe</a></p>)x", false, "display-none"},
        {"shown on phones inside a block hidden on phones", R"x(<style>.in{display:none} @media (max-width:600px){.in{display:block} .out{display:none}}</style><div class="out"><p class="in"><a href="u">Unsubscribe</a></p></div>)x", false, "display-none"},
        {"hidden by different rules in each", R"x(<style>.x{visibility:hidden} @media (max-width:600px){.x{visibility:visible;font-size:1px}}</style><p class="x"><a href="u">Unsubscribe</a></p>)x", false, "visibility-hidden"},
        {"shown on phones in white on white", R"x(<style>.x{display:none} @media (max-width:600px){.x{display:block;color:#fff}}</style><p class="x"><a href="u" style="color:inherit">Unsubscribe</a></p>)x", false, "display-none"},
        {"@media print does not reveal", R"x(<style>.x{display:none} @media print{.x{display:block}}</style><p class="x"><a href="u">Unsubscribe</a></p>)x", false, "display-none"},
        {"dark mode does not reveal", R"x(<style>.x{display:none} @media (prefers-color-scheme:dark){.x{display:block}}</style><p class="x"><a href="u">Unsubscribe</a></p>)x", false, "display-none"},
        {"image link shown on phones", R"x(<style>.d{display:none} @media (max-width:600px){.d{display:inline !important}}</style><a href="u"><img class="d" src="x.png" alt="Unsubscribe" width="80" height="20"></a>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("attribute, sibling and :not() selectors") {
    auto c = GENERATE(values<Case>({
        {"td[class=em_hide] on phones only", R"x(<style>@media only screen and (max-width:480px){td[class=em_hide]{display:none !important}}</style><table><tr><td class="em_hide"><a href="u">Unsubscribe</a></td></tr></table>)x", true, ""},
        {"[class~=] hides", R"x(<style>*[class~=gone]{display:none}</style><p class="a gone"><a href="u">Unsubscribe</a></p>)x", false, "display-none"},
        {"[href*=] hides the link", R"x(<style>a[href*="unsub"]{font-size:1px}</style><p><a href="https://x.example/unsub?u=1">Unsubscribe</a> <a href="u">x</a></p>)x", true, ""},
        {"[href^=] hides the link", R"x(<style>a[href^="u"]{font-size:1px}</style><p><a href="u">Unsubscribe</a></p>)x", false, "font-size"},
        {"next sibling hides", R"x(<style>.hd + .ft{display:none}</style><div class="hd">News</div><div class="ft"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {"next sibling, not the nearest", R"x(<style>.hd + .ft{display:none}</style><div class="hd">News</div><p>x</p><div class="ft"><a href="u">Unsubscribe</a></div>)x", true, ""},
        {"subsequent sibling hides", R"x(<style>.hd ~ .ft{display:none}</style><div class="hd">News</div><p>x</p><div class="ft"><a href="u">Unsubscribe</a></div>)x", false, "display-none"},
        {"a later sibling does not count", R"x(<style>.hd ~ .ft{display:none}</style><div class="ft"><a href="u">Unsubscribe</a></div><div class="hd">News</div>)x", true, ""},
        {":not() hides the rest", R"x(<style>.f a:not(.keep){display:none}</style><p class="f"><a href="u">Unsubscribe</a></p>)x", false, "display-none"},
        {":not() spares its own", R"x(<style>.f a:not(.keep){display:none}</style><p class="f"><a class="keep" href="u">Unsubscribe</a></p>)x", true, ""},
        {"Gmail u + .body hack", R"x(<style>u + .body .f{display:none !important}</style><u></u><div class="body"><p class="f"><a href="u">Unsubscribe</a></p></div>)x", true, ""},
        {"Outlook.com [owa] hack", R"x(<style>[owa] .f{display:none}</style><div owa="1"><p class="f"><a href="u">Unsubscribe</a></p></div>)x", true, ""},
        {"#MessageViewBody hack", R"x(<style>#MessageViewBody .f{display:none}</style><div id="MessageViewBody"><p class="f"><a href="u">Unsubscribe</a></p></div>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("non-rendered places: comments, head, title, template") {
    auto c = GENERATE(values<Case>({
        {"MSO conditional comment", R"x(<p><!--[if mso]><a href="u">Unsubscribe</a><![endif]--></p>)x", false, "comment"},
        {"plain comment", R"x(<!-- <a href="u">Unsubscribe</a> --><p>x</p>)x", false, "comment"},
        {"title", R"x(<html><head><title><a href="u">Unsubscribe</a></title></head><body></body></html>)x", false, "non-rendered"},
        {"template", R"x(<body><template><a href="u">Unsubscribe</a></template></body>)x", false, "non-rendered"},
        {"content libxml2 leaves in an implied head", R"x(<style>p{}</style><container><p><a href="u">Unsubscribe</a></p></container>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("images decide for image-only links") {
    auto c = GENERATE(values<Case>({
        {"visible image", R"x(<a href="u"><img src="x.png" width="120" height="30" alt="Unsubscribe"></a>)x", true, ""},
        {"0x0 image", R"x(<a href="u"><img src="x.png" width="0" height="0" alt="Unsubscribe"></a>)x", false, "zero-size"},
        {"1px tracking image", R"x(<a href="u"><img src="x.png" style="width:1px;height:1px"></a>)x", false, "zero-size"},
        {"display:none image", R"x(<a href="u"><img src="x.png" style="display:none" alt="Unsubscribe"></a>)x", false, "display-none"},
        {"white text next to a visible image", R"x(<a href="u" style="color:#fff"><img src="x.png" alt="Unsubscribe">Unsubscribe</a>)x", true, ""},
    }));
    check_case(c);
}

TEST_CASE("a hidden decoy next to a visible link") {
    auto scan = extract_html_links(R"x(<p><a href="d" style="display:none">Unsubscribe</a> <a href="u">Unsubscribe</a></p>)x");
    REQUIRE(scan.links.size() == 2);
    CHECK(scan.links[0].href == "d");
    CHECK_FALSE(scan.links[0].visible);
    CHECK(scan.links[0].why == "display-none");
    CHECK(scan.links[1].href == "u");
    CHECK(scan.links[1].visible);
}

TEST_CASE("link text and block text") {
    SECTION("text after the anchor belongs to the block") {
        auto l = link_by_href(extract_html_links(
            "<table><tr><td><p>Wenn Sie keine E-Mails mehr wollen, klicken Sie <a href=\"u\">hier</a>, um sich abzumelden.</p></td></tr></table>"), "u");
        CHECK(l.text == "hier");
        CHECK(l.block_text == "Wenn Sie keine E-Mails mehr wollen, klicken Sie hier, um sich abzumelden.");
    }
    SECTION("white space collapsed, entities decoded, block boundaries separate words") {
        auto l = link_by_href(extract_html_links(
            "<div>Don&#39;t want\n\t these&nbsp;emails?<br>Click <a href=\"u\">  here&nbsp; </a>to&nbsp;<b>unsub</b>scribe&shy;.</div><div>Next</div>"), "u");
        CHECK(l.text == "here");
        CHECK(l.block_text == "Don't want these emails? Click here to unsubscribe.");
    }
    SECTION("image alt and titles join the link text") {
        auto l = link_by_href(extract_html_links(
            R"x(<p><a href="u" title="Opt out"><img src="x" alt="Abmelden" title="Stop"> now</a></p>)x"), "u");
        CHECK(l.text == "Abmelden Stop now Opt out");
    }
    SECTION("href trimmed and decoded; '#', empty and javascript: returned") {
        auto scan = extract_html_links(
            "<a href=\"  https://x.example/u?a=1&amp;b=2 \n\">a</a><a href=\"#\">b</a><a href=\"\">c</a><a href=\"javascript:void(0)\">d</a><a name=\"x\">no href</a>");
        REQUIRE(scan.links.size() == 4);
        CHECK(scan.links[0].href == "https://x.example/u?a=1&b=2");
        CHECK(scan.links[1].href == "#");
        CHECK(scan.links[2].href == "");
        CHECK(scan.links[3].href == "javascript:void(0)");
    }
    SECTION("hidden text does not lend a visible link its words") {
        auto l = link_by_href(extract_html_links(
            R"x(<p>Click <a href="u">here</a><span style="display:none"> to unsubscribe</span></p>)x"), "u");
        CHECK(l.visible);
        CHECK(l.block_text == "Click here");
    }
    SECTION("a hidden link keeps its own words") {
        auto l = link_by_href(extract_html_links(
            R"x(<div style="display:none"><p>To unsubscribe <a href="u">click here</a>.</p></div>)x"), "u");
        CHECK_FALSE(l.visible);
        CHECK(l.text == "click here");
        CHECK(l.block_text == "To unsubscribe click here.");
    }
    SECTION("area href") {
        auto l = link_by_href(extract_html_links(
            R"x(<img src="m.png" usemap="#m"><map name="m"><area shape="rect" coords="0,0,10,10" href="u" alt="Unsubscribe"></map>)x"), "u");
        CHECK(l.visible);
        CHECK(l.text == "Unsubscribe");
    }
    SECTION("block text is capped around the anchor") {
        std::string before(3000, 'b'), after(3000, 'c');
        auto l = link_by_href(extract_html_links("<p>" + before + " <a href=\"u\">unsubscribe</a> " + after + "</p>"), "u");
        INFO("got block_text size " << l.block_text.size());
        CHECK(l.block_text.size() <= 1000);
        CHECK(l.block_text.find("unsubscribe") != std::string::npos);
        CHECK(l.block_text.find("ccc") != std::string::npos);
        CHECK(l.block_text.find("bbb") != std::string::npos);
    }
    SECTION("a meta charset does not make libxml2 re-decode UTF-8 input") {
        auto l = link_by_href(extract_html_links(
            "<html><head><meta charset=\"iso-8859-1\"></head><body><p><a href=\"u\">Abbestellen f\xC3\xBCr immer</a></p></body></html>"), "u");
        CHECK(l.text == "Abbestellen f\xC3\xBCr immer");
    }
}

TEST_CASE("limits become notes, not crashes") {
    SECTION("max_links") {
        VisibilityOptions o;
        o.max_links = 2;
        auto scan = extract_html_links("<a href=1>a</a><a href=2>b</a><a href=3>c</a>", o);
        CHECK(scan.links.size() == 2);
        CHECK(has_note(scan, "limit:links"));
    }
    SECTION("max_elements") {
        VisibilityOptions o;
        o.max_elements = 10;
        std::string html;
        for (int i = 0; i < 50; ++i) html += "<p><a href=\"x\">x</a></p>";
        auto scan = extract_html_links(html, o);
        CHECK(has_note(scan, "limit:html-elements"));
        CHECK(scan.links.size() < 10);
    }
    SECTION("max_css_rules") {
        VisibilityOptions o;
        o.max_css_rules = 1;
        auto scan = extract_html_links(R"x(<style>.a{color:red} .h{display:none}</style><div class="h"><a href="u">x</a></div>)x", o);
        CHECK(has_note(scan, "limit:css-rules"));
        CHECK(link_by_href(scan, "u").visible);  // the rule past the cap is not applied
    }
    SECTION("100,000 nested divs") {
        std::string html;
        html.reserve(700000);
        html += "<p><a href=\"top\">Unsubscribe</a></p>";
        for (int i = 0; i < 100000; ++i) html += "<div>";
        html += "<a href=\"deep\">deep</a>";
        cm::test::CpuStopwatch t0;
        auto scan = extract_html_links(html);
        double secs = t0.seconds();
        INFO("took " << secs << " s");
        CHECK(secs < 2.0);
        CHECK(has_note(scan, "limit:html-depth"));
        CHECK(link_by_href(scan, "top").visible);
    }
    SECTION("a hostile style sheet costs bounded work") {
        std::string html = "<style>";
        for (int i = 0; i < 5000; ++i) html += "* * * * * * * * x" + std::to_string(i) + " , div div div div div div div a{color:red}\n";
        html += "</style>";
        for (int i = 0; i < 200; ++i) html += "<div>";
        for (int i = 0; i < 20000; ++i) html += "<p><a href=\"x\">x</a></p>";
        cm::test::CpuStopwatch t0;
        auto scan = extract_html_links(html);
        double secs = t0.seconds();
        INFO("took " << secs << " s");
        CHECK(secs < 3.0);  // a hang detector: the work budget makes this ~0.2 s
        CHECK(has_note(scan, "limit:css-work"));
        CHECK(scan.links.size() == 5000);
    }
    SECTION("sibling, attribute and :not() selectors cost bounded work") {
        std::string html = "<style>";
        for (int i = 0; i < 2000; ++i)
            html += "p ~ p ~ p ~ p ~ p ~ [data-x*=q" + std::to_string(i) + "] a:not(.k, [id^=z]){display:none}\n";
        html += "@media (max-width:600px){p{color:red}}</style>";
        for (int i = 0; i < 20000; ++i) html += "<p data-x=\"y\"><a href=\"x\">x</a></p>";
        cm::test::CpuStopwatch t0;
        auto scan = extract_html_links(html);
        double secs = t0.seconds();
        INFO("took " << secs << " s");
        CHECK(secs < 3.0);
        CHECK(has_note(scan, "limit:css-work"));
        CHECK(scan.links.size() == 5000);
    }
    SECTION("max_depth ignores deeper content") {
        VisibilityOptions o;
        o.max_depth = 4;
        auto scan = extract_html_links("<div><div><div><div><div><a href=\"deep\">x</a></div></div></div></div></div><p><a href=\"u\">y</a></p>", o);
        CHECK(has_note(scan, "limit:html-depth"));
        REQUIRE(scan.links.size() == 1);
        CHECK(scan.links[0].href == "u");
        CHECK(scan.links[0].visible);
    }
    SECTION("no input") {
        CHECK(extract_html_links("").links.empty());
        CHECK(extract_html_links("<<<>>> &&& <a").links.empty());
    }
}

namespace {

std::string corpus_file(const std::string& name) {
    const char* dir = std::getenv("CORPUS_DIR");
    std::filesystem::path p = std::filesystem::path(dir ? dir : "../shared/corpus/public") / name;
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST_CASE("corpus templates: the footer unsubscribe link is visible") {
    struct Corpus { const char* file; const char* text; };
    auto c = GENERATE(values<Corpus>({
        {"tpl-colorlib-1-mjml-dark-footer.html", "Unsubscribe"},
        {"tpl-colorlib-21-mjml-light-grey.html", "Unsubscribe"},
        {"tpl-colorlib-28-mjml-dark-low-contrast.html", "Unsubscribe"},
        {"tpl-leemunroe-email.html", "Unsubscribe"},
        {"tpl-mailgun-alert.html", "Unsubscribe"},
        {"tpl-sendgrid-merriweather-digest.html", "unsubscribe"},
        {"tpl-sendwithus-mantra-coupon.html", "unsubscribe"},
        {"tpl-mautic-neopolitan.html", "Unsubscribe"},
        {"tpl-foundation-inky-newsletter.html", "Click here to unsubscribe."},
        {"tpl-mailchimp-blueprint-simple-basic.html", "unsubscribe from this list"},
    }));
    std::string html = corpus_file(c.file);
    if (html.empty()) WARN("corpus file missing: " << c.file << " (set CORPUS_DIR)");
    REQUIRE_FALSE(html.empty());
    auto scan = extract_html_links(html);
    bool found = false;
    for (const auto& l : scan.links) {
        if (l.text != c.text) continue;
        found = true;
        INFO(c.file << ": got visible=" << l.visible << " why=" << l.why << ", want visible");
        CHECK(l.visible);
    }
    INFO(c.file << ": no link with text '" << c.text << "'");
    CHECK(found);
}
