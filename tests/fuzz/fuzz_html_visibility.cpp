// SPDX-License-Identifier: Apache-2.0
// fuzz_html_visibility.cpp - libFuzzer target: HTML/CSS visibility analysis on raw bytes.
//
// extract_html_links() is given the input as HTML (libxml2 push parser, <style> rules,
// inline styles, legacy attributes) with small limits so that the limit paths are reached
// too; it must return without a crash and honour max_links.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "html/html_visibility.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view html(reinterpret_cast<const char*>(data), size);

    cm::HtmlScan scan = cm::extract_html_links(html);
    for (const cm::HtmlLink& link : scan.links)
        if (link.visible != link.why.empty()) std::abort();  // contract: why only when hidden

    cm::VisibilityOptions tight;
    tight.max_depth = 8;
    tight.max_elements = 64;
    tight.max_css_rules = 4;
    tight.max_links = 3;
    scan = cm::extract_html_links(html, tight);
    if (scan.links.size() > tight.max_links) std::abort();
    return 0;
}
