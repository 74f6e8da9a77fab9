// SPDX-License-Identifier: Apache-2.0
#include "bench_components.h"

#include <libxml/HTMLparser.h>

#include <algorithm>
#include <cstring>

#include "bench_util.h"
#include "html/html_visibility.h"

namespace cm::bench {

namespace {

constexpr int kOptions = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                         HTML_PARSE_IGNORE_ENC;

// Handlers that only count, so the parser does all its work but nothing of ours runs.
struct Counter {
    long events = 0;
    static void start(void* c, const xmlChar*, const xmlChar**) { ++static_cast<Counter*>(c)->events; }
    static void end(void* c, const xmlChar*) { ++static_cast<Counter*>(c)->events; }
    static void chars(void* c, const xmlChar*, int) { ++static_cast<Counter*>(c)->events; }
    static void comment(void* c, const xmlChar*) { ++static_cast<Counter*>(c)->events; }
};

xmlSAXHandler counting_sax() {
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.startElement = &Counter::start;
    sax.endElement = &Counter::end;
    sax.characters = &Counter::chars;
    sax.ignorableWhitespace = &Counter::chars;
    sax.cdataBlock = &Counter::chars;
    sax.comment = &Counter::comment;
    return sax;
}

}  // namespace

long html_sax_alone(std::string_view html) {
    xmlInitParser();  // once; a no-op afterwards
    xmlSAXHandler sax = counting_sax();
    Counter c;
    htmlParserCtxtPtr ctxt = htmlCreatePushParserCtxt(&sax, &c, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8);
    htmlCtxtUseOptions(ctxt, kOptions);
    constexpr std::size_t kChunk = 64 * 1024;
    for (std::size_t off = 0; off < html.size(); off += kChunk)
        htmlParseChunk(ctxt, html.data() + off, static_cast<int>(std::min(kChunk, html.size() - off)), 0);
    htmlParseChunk(ctxt, nullptr, 0, 1);
    htmlFreeParserCtxt(ctxt);
    return c.events;
}

namespace {

long sax_memory(const std::string& html) {
    Counter c;
    htmlParserCtxtPtr ctxt = htmlCreateMemoryParserCtxt(html.data(), static_cast<int>(html.size()));
    *ctxt->sax = counting_sax();
    ctxt->userData = &c;
    htmlCtxtUseOptions(ctxt, kOptions);
    htmlParseDocument(ctxt);
    if (ctxt->myDoc) xmlFreeDoc(ctxt->myDoc);
    htmlFreeParserCtxt(ctxt);
    return c.events;
}

}  // namespace

std::vector<ComponentTiming> time_html_components(const std::string& html, int rounds, double seconds) {
    xmlInitParser();
    std::vector<ComponentTiming> out = {
        {"libxml2 HTML SAX alone, push parser (64 KB chunks)", {}},
        {"libxml2 HTML SAX alone, memory parser (htmlParseDocument)", {}},
        {"extract_html_links (libxml2 + our visibility scanner)", {}},
    };
    volatile long sink = 0;
    for (int r = 0; r < rounds; ++r) {
        out[0].per_round.push_back(rate([&] { sink = sink + html_sax_alone(html); }, seconds));
        out[1].per_round.push_back(rate([&] { sink = sink + sax_memory(html); }, seconds));
        out[2].per_round.push_back(rate([&] { sink = sink + static_cast<long>(extract_html_links(html).links.size()); }, seconds));
    }
    return out;
}

}  // namespace cm::bench
