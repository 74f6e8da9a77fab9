// SPDX-License-Identifier: Apache-2.0
// html_visibility.h - every link of an HTML document, with its text and whether a reader sees it.
//
// extract_html_links() parses with libxml2's HTML parser in SAX/push mode (no DOM), keeps the
// element stack itself and computes, per element, the inherited style that matters for
// visibility (css.h): display/visibility/opacity/hidden/mso-hide, zero boxes, off-screen
// positioning, computed font size and WCAG contrast of the text colour against the nearest
// ancestor background, for a desktop and a mobile viewport (a link is hidden only when hidden
// in both; css_media.h). It knows nothing of unsubscribe phrases: the caller decides which
// links are unsubscribe links. Pure function, thread-safe, no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cm {

struct VisibilityOptions {
    double min_font_px = 8.0;          // MinFontSizePx
    double min_contrast = 1.5;         // MinContrastRatio
    std::size_t max_depth = 256;       // element nesting followed; deeper content is ignored (note)
    std::size_t max_elements = 200000; // elements processed; the rest is ignored (note)
    std::size_t max_css_rules = 5000;  // <style> rules kept
    std::size_t max_links = 5000;      // links returned
};

struct HtmlLink {
    std::string href;         // attribute value, entities decoded, white space trimmed
    std::string text;         // anchor text + alt/title of images inside + the anchor's title attr,
                              // white space collapsed
    std::string block_text;   // text of the nearest enclosing block element (p, td, div, li, ...),
                              // white space collapsed, anchor text included
    std::string text_before;  // up to 200 bytes of the text before that block (a heading or
                              // "send an e-mail to:" introducing a link that stands alone)
    bool visible = true;
    std::string why;          // when hidden: display-none, visibility-hidden, opacity, hidden-attr,
                              // mso-hide, zero-size, off-screen, font-size, contrast, comment,
                              // head, non-rendered (style/script/template/title)
};

struct HtmlScan {
    std::vector<HtmlLink> links;         // every <a href> (and <area href>), document order
    std::vector<std::string> notes;      // limit breaches and parser trouble, e.g. "limit:html-depth"
    std::string visible_text;            // all text a reader sees, white space collapsed
};

HtmlScan extract_html_links(std::string_view html_utf8, const VisibilityOptions& options = {});

}  // namespace cm
