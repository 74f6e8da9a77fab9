// SPDX-License-Identifier: Apache-2.0
// html_visibility.cpp - libxml2 SAX walk computing link visibility (see html_visibility.h).
//
// One Scanner per document. It mirrors libxml2's start/end events (which already include the
// elements libxml2 implies or auto-closes) on its own stack of Levels, each holding the
// computed style of that element. Text is appended, white space collapsed, to two buffers:
// all_ (every rendered-or-not text except style/script) and vis_ (only text a reader sees).
// A link remembers where its anchor text and its block start in both buffers and is finalised
// when its block element closes, so text after the anchor belongs to its block_text.
//
// Decisions worth knowing:
// - A link is visible when any text run or image inside it is; the why of a hidden link is
//   that of its first hidden run. An anchor with no text and no image is hidden (zero-size).
// - A visible link's text/block_text hold only visible text; a hidden link's hold all text.
// - Links inside comments (MSO conditionals) are found by re-parsing the comment: why=comment.
// - Content deeper than max_depth is ignored (note limit:html-depth); libxml2 2.9's push
//   parser itself has no depth limit for HTML, so this stack is the bound.
// - Under a background image (and no opaque colour) contrast is not judged.
// - Each Level has a desktop style and, once a @media rule made them differ, a mobile one
//   (css_media.h); text is hidden only when hidden in both.
#include "html/html_visibility.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "html/css.h"

#include "util/text_util.h"

namespace cm {
namespace {

constexpr std::size_t kBlockTextCap = 1000;
constexpr std::size_t kTextBeforeCap = 200;  // HtmlLink::text_before
// Selector tests per document (a few ms of work); past it <style> rules stop applying.
constexpr std::size_t kCssMatchBudget = 5'000'000;
// Comments re-parsed for links per document; a flood of them is not worth more.
constexpr std::size_t kMaxCommentParses = 1000;
// Preceding siblings kept per element for `+` / `~` selectors; `~` looks no further back.
constexpr std::size_t kMaxSiblings = 32;
// Distinct style attributes whose parsed declarations are kept per document.
constexpr std::size_t kInlineStyleCache = 512;

bool in_list(std::string_view tag, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), tag) != list.end();
}

bool is_block_tag(std::string_view t) {
    return in_list(t, {"html", "body", "p", "div", "td", "th", "tr", "table", "tbody", "thead",
                       "tfoot", "caption", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
                       "h4", "h5", "h6", "center", "blockquote", "section", "footer", "header",
                       "article", "aside", "nav", "main", "pre", "address", "form", "fieldset",
                       "figure", "figcaption", "hr", "details", "summary", "map"});
}

bool is_ascii_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Appends UTF-8 text with white space (incl. NBSP) collapsed to single spaces and invisible
// format characters (zero-width space/joiners, BOM, soft hyphen, CGJ) dropped.
void append_collapsed(std::string& buf, const char* s, std::size_t n) {
    auto space = [&] {
        if (!buf.empty() && buf.back() != ' ') buf.push_back(' ');
    };
    for (std::size_t i = 0; i < n; ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c > 0x20 && c < 0x80) {
            // The common case, copied at once: visible ASCII, and single spaces between two
            // such characters (a space after a visible character collapses to itself).
            auto visible = [&](std::size_t k) {
                return static_cast<unsigned char>(s[k]) > 0x20 && static_cast<unsigned char>(s[k]) < 0x80;
            };
            std::size_t j = i + 1;
            for (;;) {
                while (j < n && visible(j)) ++j;
                if (j + 1 < n && s[j] == ' ' && visible(j + 1)) j += 2;
                else break;
            }
            buf.append(s + i, j - i);
            i = j - 1;
            continue;
        }
        if (is_ascii_space(c)) { space(); continue; }
        if (c == 0xC2 && i + 1 < n) {
            auto d = static_cast<unsigned char>(s[i + 1]);
            if (d == 0xA0) { space(); ++i; continue; }
            if (d == 0xAD) { ++i; continue; }
        }
        if (c == 0xCD && i + 1 < n && static_cast<unsigned char>(s[i + 1]) == 0x8F) { ++i; continue; }
        if (c == 0xE2 && i + 2 < n) {
            auto d = static_cast<unsigned char>(s[i + 1]), e = static_cast<unsigned char>(s[i + 2]);
            if ((d == 0x80 && e >= 0x8B && e <= 0x8D) || (d == 0x81 && e == 0xA0)) { i += 2; continue; }
        }
        if (c == 0xEF && i + 2 < n && static_cast<unsigned char>(s[i + 1]) == 0xBB &&
            static_cast<unsigned char>(s[i + 2]) == 0xBF) { i += 2; continue; }
        buf.push_back(static_cast<char>(c));
    }
}

void append_separator(std::string& buf) {
    if (!buf.empty() && buf.back() != ' ') buf.push_back(' ');
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return std::string(s);
}

std::string trim_ascii(std::string_view s) {
    while (!s.empty() && is_ascii_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return std::string(s);
}

inline unsigned char fold(char c) { return static_cast<unsigned char>(ascii_lower(c)); }

// Position of the first (or last) case-insensitive occurrence of needle, or npos.
std::size_t ifind(std::string_view hay, std::string_view needle, bool last = false) {
    // The needle starts with a non-letter ('<'): memchr/memrchr find it, the rest is folded.
    assert(!needle.empty() && fold(needle[0]) == static_cast<unsigned char>(needle[0]));
    if (needle.size() > hay.size()) return std::string_view::npos;
    auto same_at = [&](std::size_t at) {
        for (std::size_t i = 1; i < needle.size(); ++i)
            if (fold(hay[at + i]) != fold(needle[i])) return false;
        return true;
    };
    const std::size_t limit = hay.size() - needle.size() + 1;  // candidate starts: [0, limit)
    if (last) {
        std::size_t end = limit;
        while (end > 0) {
            const void* p = memrchr(hay.data(), needle[0], end);
            if (!p) break;
            std::size_t at = static_cast<const char*>(p) - hay.data();
            if (same_at(at)) return at;
            end = at;
        }
    } else {
        std::size_t from = 0;
        while (from < limit) {
            const void* p = std::memchr(hay.data() + from, needle[0], limit - from);
            if (!p) break;
            std::size_t at = static_cast<const char*>(p) - hay.data();
            if (same_at(at)) return at;
            from = at + 1;
        }
    }
    return std::string_view::npos;
}

// A <style> block after the start of the body applies to the whole document, including
// elements before it: then the styles are collected in a first, cheap pass.
bool has_late_style(std::string_view html) {
    std::size_t last_style = ifind(html, "<style", true);
    if (last_style == std::string_view::npos) return false;
    std::size_t body = ifind(html, "<body");
    if (body == std::string_view::npos) {
        // No <body> tag: any element before the last <style> may be styled by it.
        std::size_t first_tag = html.find('<');
        while (first_tag != std::string_view::npos && first_tag + 1 < html.size() &&
               !std::isalpha(static_cast<unsigned char>(html[first_tag + 1])))
            first_tag = html.find('<', first_tag + 1);
        body = first_tag;
    }
    return body != std::string_view::npos && last_style > body;
}

// [from, to) moved inward to UTF-8 character boundaries.
std::string_view utf8_slice(const std::string& buf, std::size_t from, std::size_t to) {
    while (from < to && (static_cast<unsigned char>(buf[from]) & 0xC0) == 0x80) ++from;
    while (to > from && to < buf.size() && (static_cast<unsigned char>(buf[to]) & 0xC0) == 0x80) --to;
    return std::string_view(buf).substr(from, to - from);
}

// The attributes that matter here; views into libxml2's strings for one callback.
struct Attrs {
    std::string_view style, cls, id, href, bgcolor, color, size, text, link, width, height, alt,
        title, background;
    bool has_href = false, hidden = false;
};

Attrs read_attrs(const char** attrs) {
    Attrs at;
    for (const char** a = attrs; a && a[0]; a += 2) {
        std::string_view k(a[0]);
        std::string_view v(a[1] ? a[1] : "");
        if (k == "style") at.style = v;
        else if (k == "class") at.cls = v;
        else if (k == "id") at.id = v;
        else if (k == "href") { at.href = v; at.has_href = true; }
        else if (k == "hidden") at.hidden = true;
        else if (k == "bgcolor") at.bgcolor = v;
        else if (k == "color") at.color = v;
        else if (k == "size") at.size = v;
        else if (k == "text") at.text = v;
        else if (k == "link") at.link = v;
        else if (k == "width") at.width = v;
        else if (k == "height") at.height = v;
        else if (k == "alt") at.alt = v;
        else if (k == "title") at.title = v;
        else if (k == "background") at.background = v;
    }
    return at;
}

struct Level {
    ComputedStyle style;            // desktop viewport
    ComputedStyle mobile;           // mobile viewport, when split
    bool split = false;             // mobile differs from style (a @media rule applied)
    std::vector<CssElement> children;  // closed children, nearest last (only for `+` / `~` rules)
    const char* context = nullptr;  // "head" / "non-rendered": nothing inside is shown
    bool raw = false;               // style/script: content is not text
    bool is_style = false;
    bool is_block = false;
    bool is_head = false;
    bool opens_anchor = false;
    int anchor = -1;                // pending link the content of this element belongs to
    std::size_t block = 0;          // index of the nearest block level (self when a block)
    std::size_t all_start = 0, vis_start = 0;
    std::vector<std::uint32_t> block_links;  // pending links finalised when this block ends
};

struct Pending {
    std::size_t link = 0;  // index into HtmlScan::links
    std::size_t all_a0 = 0, all_a1 = 0, vis_a0 = 0, vis_a1 = 0;
    std::size_t blk_all0 = 0, blk_vis0 = 0;
    bool open = true;
    bool has_content = false;
    bool any_visible = false;
    const char* first_hidden = nullptr;
    std::string title;
};

class Scanner {
public:
    Scanner(const VisibilityOptions& options, HtmlScan& out, bool inside_comment)
        : opt_(options), out_(out), inside_comment_(inside_comment) {
        levels_.emplace_back();
        levels_[0].is_block = true;
        chain_.emplace_back();
    }

    void run(std::string_view html);

private:
    void preload_styles(std::string_view html);

    static void on_start(void* ctx, const xmlChar* name, const xmlChar** attrs) {
        static_cast<Scanner*>(ctx)->start(reinterpret_cast<const char*>(name),
                                          reinterpret_cast<const char**>(attrs));
    }
    static void on_end(void* ctx, const xmlChar* name) {
        (void)name;
        static_cast<Scanner*>(ctx)->end();
    }
    static void on_text(void* ctx, const xmlChar* s, int len) {
        static_cast<Scanner*>(ctx)->text(reinterpret_cast<const char*>(s), static_cast<std::size_t>(len));
    }
    static void on_comment(void* ctx, const xmlChar* value) {
        static_cast<Scanner*>(ctx)->comment(reinterpret_cast<const char*>(value));
    }

    void start(const char* name, const char** attrs);
    void end();
    void text(const char* s, std::size_t n);
    void comment(const char* value);
    void note(const char* what);
    const char* hidden_reason(const ComputedStyle& s, bool is_text) const;
    const char* hidden_reason(const Level& lv, bool is_text) const;
    void add_hints(const std::string& tag, const Attrs& at, double parent_px);
    const std::vector<CssDeclaration>& inline_declarations(std::string_view style);
    void open_link(Level& lv, const std::string& tag, std::string_view href, std::string_view title);
    void finalize(std::uint32_t pending, std::size_t all_end, std::size_t vis_end);

    const VisibilityOptions& opt_;
    HtmlScan& out_;
    bool inside_comment_;
    htmlParserCtxtPtr ctxt_ = nullptr;
    std::vector<Level> levels_;
    std::vector<CssElement> chain_;  // parallel to levels_; [0] is the document root
    std::vector<Pending> pending_;
    std::vector<CssDeclaration> decls_;  // scratch: presentational hints
    // Parsed style="..." attributes by their text: a newsletter repeats the same few on
    // hundreds of elements. At most kInlineStyleCache entries; references stay valid.
    std::unordered_map<std::string, std::vector<CssDeclaration>, StringHash, std::equal_to<>> inline_cache_;
    std::vector<CssDeclaration> inline_scratch_;  // an attribute parsed when the cache is full
    std::vector<std::uint32_t> hits_;    // scratch: matching <style> rules
    Stylesheet sheet_;
    std::string all_, vis_, style_text_;
    Rgba link_color_{0, 0, 0xEE, 1};
    std::size_t skipped_ = 0;  // open elements ignored (too deep, or after the element limit)
    std::size_t elements_ = 0;
    bool stopped_ = false;
    bool styles_preloaded_ = false;
    std::size_t css_budget_ = kCssMatchBudget;
    std::size_t comment_parses_ = 0;
};

// Collects the text of every <style> element (what the main pass would see) into sheet_.
void Scanner::preload_styles(std::string_view html) {
    struct Collector {
        Scanner* self;
        int in_style = 0;
        std::string text;
        static void start(void* ctx, const xmlChar* name, const xmlChar**) {
            auto* c = static_cast<Collector*>(ctx);
            if (xmlStrcasecmp(name, BAD_CAST "style") == 0) ++c->in_style;
        }
        static void end(void* ctx, const xmlChar* name) {
            auto* c = static_cast<Collector*>(ctx);
            if (c->in_style == 0 || xmlStrcasecmp(name, BAD_CAST "style") != 0) return;
            --c->in_style;
            if (!c->self->sheet_.add(c->text, c->self->opt_.max_css_rules)) c->self->note("limit:css-rules");
            c->text.clear();
        }
        static void chars(void* ctx, const xmlChar* s, int len) {
            auto* c = static_cast<Collector*>(ctx);
            if (c->in_style > 0) c->text.append(reinterpret_cast<const char*>(s), static_cast<std::size_t>(len));
        }
    };
    Collector collector{this, 0, {}};
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.startElement = &Collector::start;
    sax.endElement = &Collector::end;
    sax.characters = &Collector::chars;
    sax.cdataBlock = &Collector::chars;
    htmlParserCtxtPtr ctxt = htmlCreatePushParserCtxt(&sax, &collector, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8);
    if (!ctxt) return;
    htmlCtxtUseOptions(ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                 HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    // Past the '>' after the last "<style", the input cannot start a style element. Once the
    // parser has consumed everything fed to it, sits in content and has no style open, the
    // rest cannot add style text and is not parsed. Pieces end just after a '>' so that the
    // parser, which holds back an unfinished token, can be caught with nothing pending.
    auto feed = [&](std::size_t from, std::size_t to) {
        constexpr std::size_t kChunk = 64 * 1024;
        for (std::size_t off = from; off < to; off += kChunk)
            htmlParseChunk(ctxt, html.data() + off, static_cast<int>(std::min(kChunk, to - off)), 0);
    };
    auto inert = [&] {
        return collector.in_style == 0 && ctxt->instate == XML_PARSER_CONTENT && ctxt->input &&
               ctxt->input->cur == ctxt->input->end;
    };
    constexpr std::size_t kStep = 4 * 1024;
    std::size_t off = html.find('>', ifind(html, "<style", true));
    off = off == std::string_view::npos ? html.size() : off + 1;
    feed(0, off);
    while (off < html.size() && !inert()) {
        std::size_t gt = html.find('>', std::min(off + kStep, html.size()));
        std::size_t to = gt == std::string_view::npos ? html.size() : gt + 1;
        feed(off, to);
        off = to;
    }
    if (off == html.size()) htmlParseChunk(ctxt, nullptr, 0, 1);
    htmlFreeParserCtxt(ctxt);
    styles_preloaded_ = true;
}

void Scanner::note(const char* what) {
    if (std::find(out_.notes.begin(), out_.notes.end(), what) == out_.notes.end()) out_.notes.emplace_back(what);
}

// A link is hidden only when hidden in both viewports; the desktop's reason is given.
const char* Scanner::hidden_reason(const Level& lv, bool is_text) const {
    if (lv.context) return lv.context;
    const char* why = hidden_reason(lv.style, is_text);
    return why && lv.split && !hidden_reason(lv.mobile, is_text) ? nullptr : why;
}

const char* Scanner::hidden_reason(const ComputedStyle& s, bool is_text) const {
    if (s.box_hidden) return s.box_hidden;
    if (s.visibility_hidden) return "visibility-hidden";
    if (s.opacity <= 0.1) return "opacity";
    if (!is_text) return nullptr;
    if (s.font_px < opt_.min_font_px) return "font-size";
    if (s.background_known) {
        Rgba fg = s.color;
        fg.a *= s.opacity;  // faded text blends into its background
        if (contrast_ratio(fg, s.background) < opt_.min_contrast) return "contrast";
    }
    return nullptr;
}

// User-agent defaults and presentational attributes, as the lowest-priority declarations.
void Scanner::add_hints(const std::string& tag, const Attrs& at, double parent_px) {
    auto hint = [&](CssProp p, std::string_view v, bool shorthand = false) {
        decls_.push_back(CssDeclaration{p, shorthand, false, std::string(v)});
    };
    if (tag == "small" || tag == "sub" || tag == "sup") hint(CssProp::font_size, "smaller");
    else if (tag == "big") hint(CssProp::font_size, "larger");
    else if (tag == "h1") hint(CssProp::font_size, "2em");
    else if (tag == "h2") hint(CssProp::font_size, "1.5em");
    else if (tag == "h3") hint(CssProp::font_size, "1.17em");
    else if (tag == "h5") hint(CssProp::font_size, "0.83em");
    else if (tag == "h6") hint(CssProp::font_size, "0.67em");
    if (at.hidden) hint(CssProp::display, "none");
    if (!at.bgcolor.empty()) hint(CssProp::background, at.bgcolor);
    if (!at.background.empty()) hint(CssProp::background, "url(" + std::string(at.background) + ")", true);
    if (tag == "font") {
        if (!at.color.empty()) hint(CssProp::color, at.color);
        if (auto px = font_size_from_legacy_attr(at.size, parent_px))
            hint(CssProp::font_size, std::to_string(*px) + "px");
    }
    if (tag == "body") {
        if (!at.text.empty()) hint(CssProp::color, at.text);
        if (auto c = parse_css_color(at.link)) link_color_ = *c;
    }
    if (tag == "img") {
        if (!at.width.empty()) hint(CssProp::width, at.width);
        if (!at.height.empty()) hint(CssProp::height, at.height);
    }
}

const std::vector<CssDeclaration>& Scanner::inline_declarations(std::string_view style) {
    if (auto it = inline_cache_.find(style); it != inline_cache_.end()) return it->second;
    std::vector<CssDeclaration>& out =
        inline_cache_.size() < kInlineStyleCache ? inline_cache_[std::string(style)] : inline_scratch_;
    out.clear();
    parse_css_declarations(style, out);
    return out;
}

void Scanner::start(const char* name, const char** attrs) {
    if (stopped_ || skipped_ > 0 || levels_.size() > opt_.max_depth) {
        if (!stopped_ && skipped_ == 0) note("limit:html-depth");
        ++skipped_;
        return;
    }
    if (++elements_ > opt_.max_elements) {
        note("limit:html-elements");
        stopped_ = true;
        ++skipped_;
        xmlStopParser(ctxt_);
        return;
    }
    std::string tag(name);
    for (char& c : tag) c = char(std::tolower(static_cast<unsigned char>(c)));

    const Attrs at = read_attrs(attrs);
    const Level& parent = levels_.back();
    Level lv;
    lv.context = parent.context;
    lv.anchor = parent.anchor;
    lv.block = parent.block;
    // libxml2 keeps an implied <head> open around unknown elements (<container>, Inky ...)
    // where a browser would start the body: only head-only elements are hidden by <head>.
    lv.is_head = tag == "head";
    if (in_list(tag, {"title", "style", "script", "template", "xml", "noembed", "noframes"})) {
        if (!lv.context) lv.context = "non-rendered";
    } else if (parent.is_head && in_list(tag, {"meta", "link", "base", "noscript", "object"})) {
        if (!lv.context) lv.context = "head";
    }
    lv.raw = tag == "style" || tag == "script";
    lv.is_style = tag == "style";
    bool is_link = at.has_href && (tag == "a" || tag == "area");

    // Cascade: user-agent defaults and presentational hints, <style> rules, inline style.
    decls_.clear();
    add_hints(tag, at, parent.style.font_px);
    CascadedStyle cascaded;
    CssPriority prio;
    std::uint32_t order = 0;
    prio.origin = CssPriority::hint;
    for (const CssDeclaration& d : decls_) {
        prio.order = order++;
        cascaded.apply(d, prio);
    }
    if (!at.style.empty()) {
        prio.origin = CssPriority::inline_style;
        for (const CssDeclaration& d : inline_declarations(at.style)) {
            prio.order = order++;
            cascaded.apply(d, prio);
        }
    }
    CssElement& el = chain_.emplace_back();
    el.tag = tag;
    el.id.assign(at.id);
    el.classes.assign(at.cls);
    el.is_link = is_link;
    for (const char** a = attrs; sheet_.uses_attributes() && a && a[0]; a += 2) {
        el.attrs.append(a[0]).push_back('\0');
        el.attrs.append(a[1] ? a[1] : "").push_back('\0');
    }
    el.preceding = std::move(levels_.back().children);
    set_ancestry(el, chain_[chain_.size() - 2]);
    // The desktop cascade, and the mobile one when a @media rule applies here or above.
    hits_.clear();
    if (!sheet_.empty() && css_budget_ > 0 &&
        !sheet_.match(std::span<const CssElement>(chain_).subspan(1), hits_, css_budget_)) {
        note("limit:css-work");
        hits_.clear();
    }
    const bool split = parent.split || sheet_.viewport_specific(hits_);
    CascadedStyle mobile;
    if (split) {
        mobile = cascaded;
        sheet_.apply(hits_, Viewport::mobile, mobile);
    }
    sheet_.apply(hits_, Viewport::desktop, cascaded);
    const Rgba* link_color = tag == "a" && at.has_href ? &link_color_ : nullptr;
    lv.style = compute_style(parent.style, cascaded, link_color);
    if (split) {
        lv.mobile = compute_style(parent.split ? parent.mobile : parent.style, mobile, link_color);
        lv.split = !(lv.style == lv.mobile);  // else its children need one cascade again
    }

    if (is_block_tag(tag)) {
        append_separator(all_);
        append_separator(vis_);
        lv.is_block = true;
        lv.block = levels_.size();
        lv.all_start = all_.size();
        lv.vis_start = vis_.size();
    } else if (tag == "br") {
        append_separator(all_);
        append_separator(vis_);
    }

    if (is_link) {
        open_link(lv, tag, at.href, at.title);
        if (tag == "area" && lv.opens_anchor && !at.alt.empty()) {
            append_separator(all_);
            append_collapsed(all_, at.alt.data(), at.alt.size());
            if (pending_.back().any_visible) {
                append_separator(vis_);
                append_collapsed(vis_, at.alt.data(), at.alt.size());
            }
        }
    } else if (tag == "img" && lv.anchor >= 0) {
        Pending& p = pending_[static_cast<std::size_t>(lv.anchor)];
        // An image of at most 1px shows nothing.
        auto img_hidden = [&](const ComputedStyle& s, const CascadedStyle& c) -> const char* {
            if (const char* why = hidden_reason(s, false)) return why;
            for (CssProp d : {CssProp::width, CssProp::height}) {
                const auto& v = c.get(d);
                auto px = v.set ? parse_css_length(v.text, s.font_px) : std::nullopt;
                if (px && *px <= 1) return "zero-size";
            }
            return nullptr;
        };
        const char* why = lv.context ? lv.context : img_hidden(lv.style, cascaded);
        if (why && !lv.context && split && !img_hidden(lv.mobile, mobile)) why = nullptr;
        p.has_content = true;
        if (!why) p.any_visible = true;
        else if (!p.first_hidden) p.first_hidden = why;
        for (std::string_view t : {at.alt, at.title}) {
            if (t.empty()) continue;
            append_separator(all_);
            append_collapsed(all_, t.data(), t.size());
            if (!why) {
                append_separator(vis_);
                append_collapsed(vis_, t.data(), t.size());
            }
        }
    }
    levels_.push_back(std::move(lv));
}

void Scanner::open_link(Level& lv, const std::string& tag, std::string_view href, std::string_view title) {
    if (out_.links.size() >= opt_.max_links) {
        note("limit:links");
        return;
    }
    HtmlLink link;
    link.href = trim_ascii(href);
    out_.links.push_back(std::move(link));
    Pending p;
    p.link = out_.links.size() - 1;
    p.title.assign(title);
    const Level& block = levels_[lv.block];
    p.blk_all0 = block.all_start;
    p.blk_vis0 = block.vis_start;
    p.all_a0 = all_.size();
    p.vis_a0 = vis_.size();
    auto index = static_cast<std::uint32_t>(pending_.size());
    pending_.push_back(std::move(p));
    levels_[lv.block].block_links.push_back(index);
    lv.anchor = static_cast<int>(index);
    lv.opens_anchor = true;
    if (tag == "area") {
        // An image-map area has no content of its own: its box decides.
        Pending& a = pending_.back();
        a.has_content = true;
        if (const char* why = hidden_reason(lv, false)) a.first_hidden = why;
        else a.any_visible = true;
    }
}

void Scanner::end() {
    if (skipped_ > 0) {
        --skipped_;
        return;
    }
    if (levels_.size() <= 1) return;
    Level& lv = levels_.back();
    if (lv.is_style && !styles_preloaded_) {
        if (!sheet_.add(style_text_, opt_.max_css_rules)) note("limit:css-rules");
        style_text_.clear();
    }
    if (lv.opens_anchor) {
        Pending& p = pending_[static_cast<std::size_t>(lv.anchor)];
        p.open = false;
        p.all_a1 = all_.size();
        p.vis_a1 = vis_.size();
    }
    if (lv.is_block) {
        append_separator(all_);
        append_separator(vis_);
        for (std::uint32_t idx : lv.block_links) finalize(idx, all_.size(), vis_.size());
    }
    levels_.pop_back();
    CssElement done = std::move(chain_.back());
    chain_.pop_back();
    if (sheet_.uses_siblings()) {
        // The next sibling's preceding ones: this element's, then this element.
        std::vector<CssElement> siblings = std::move(done.preceding);
        done.preceding.clear();
        if (siblings.size() >= kMaxSiblings) siblings.erase(siblings.begin());
        siblings.push_back(std::move(done));
        levels_.back().children = std::move(siblings);
    }
}

void Scanner::text(const char* s, std::size_t n) {
    if (skipped_ > 0 || stopped_) return;
    const Level& lv = levels_.back();
    if (lv.raw) {
        if (lv.is_style && !styles_preloaded_) style_text_.append(s, n);
        return;
    }
    std::size_t before = all_.size();
    append_collapsed(all_, s, n);
    bool glyphs = all_.find_first_not_of(' ', before) != std::string::npos;
    if (!glyphs) {
        if (all_.size() > before) append_separator(vis_);
        return;
    }
    const char* why = hidden_reason(lv, true);
    if (!why) append_collapsed(vis_, s, n);
    if (lv.anchor >= 0) {
        Pending& p = pending_[static_cast<std::size_t>(lv.anchor)];
        p.has_content = true;
        if (!why) p.any_visible = true;
        else if (!p.first_hidden) p.first_hidden = why;
    }
}

void Scanner::comment(const char* value) {
    if (skipped_ > 0 || stopped_ || inside_comment_ || !value) return;
    std::string_view v(value);
    if (!icontains(v, "href")) return;
    if (++comment_parses_ > kMaxCommentParses) {
        note("limit:comments");
        return;
    }
    // Links inside comments (e.g. MSO conditional comments) never count as visible.
    HtmlScan inner;
    VisibilityOptions o = opt_;
    o.max_links = opt_.max_links > out_.links.size() ? opt_.max_links - out_.links.size() : 0;
    Scanner nested(o, inner, true);
    nested.run(v);
    for (auto& link : inner.links) {
        link.visible = false;
        link.why = "comment";
        out_.links.push_back(std::move(link));
    }
    for (const auto& n : inner.notes) note(n.c_str());
}

void Scanner::finalize(std::uint32_t index, std::size_t all_end, std::size_t vis_end) {
    Pending& p = pending_[index];
    if (p.open) {
        p.open = false;
        p.all_a1 = all_.size();
        p.vis_a1 = vis_.size();
    }
    HtmlLink& link = out_.links[p.link];
    if (p.any_visible) {
        link.visible = true;
    } else {
        link.visible = false;
        link.why = p.has_content && p.first_hidden ? p.first_hidden : "zero-size";
    }
    const std::string& buf = link.visible ? vis_ : all_;
    std::size_t a0 = link.visible ? p.vis_a0 : p.all_a0;
    std::size_t a1 = link.visible ? p.vis_a1 : p.all_a1;
    std::size_t b0 = link.visible ? p.blk_vis0 : p.blk_all0;
    std::size_t b1 = link.visible ? vis_end : all_end;
    a1 = std::min(a1, b1);
    a0 = std::min(a0, a1);
    b0 = std::min(b0, a0);
    const std::size_t before0 = b0 > kTextBeforeCap ? b0 - kTextBeforeCap : 0;
    link.text_before = trimmed(utf8_slice(buf, before0, b0));
    std::string text(utf8_slice(buf, a0, a1));
    if (!p.title.empty()) {
        text += ' ';
        append_collapsed(text, p.title.data(), p.title.size());
    }
    link.text = trimmed(text);
    if (b1 - b0 > kBlockTextCap) {
        std::size_t span = a1 - a0;
        if (span >= kBlockTextCap) {
            b0 = a0;
            b1 = a0 + kBlockTextCap;
        } else {
            std::size_t room = kBlockTextCap - span;
            std::size_t left = std::min(a0 - b0, room / 2);
            std::size_t right = std::min(b1 - a1, room - left);
            left = std::min(a0 - b0, room - right);
            b0 = a0 - left;
            b1 = a1 + right;
        }
    }
    link.block_text = trimmed(utf8_slice(buf, b0, b1));
}

void Scanner::run(std::string_view html) {
    if (has_late_style(html)) preload_styles(html);
    xmlSAXHandler sax;
    std::memset(&sax, 0, sizeof sax);
    sax.startElement = &Scanner::on_start;
    sax.endElement = &Scanner::on_end;
    sax.characters = &Scanner::on_text;
    sax.ignorableWhitespace = &Scanner::on_text;
    sax.cdataBlock = &Scanner::on_text;
    sax.comment = &Scanner::on_comment;
    ctxt_ = htmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr, XML_CHAR_ENCODING_UTF8);
    if (!ctxt_) {
        note("html:parser-init");
        return;
    }
    htmlCtxtUseOptions(ctxt_, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                  HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    constexpr std::size_t kChunk = 64 * 1024;
    for (std::size_t off = 0; off < html.size() && !stopped_; off += kChunk) {
        std::size_t n = std::min(kChunk, html.size() - off);
        htmlParseChunk(ctxt_, html.data() + off, static_cast<int>(n), 0);
    }
    if (!stopped_) htmlParseChunk(ctxt_, nullptr, 0, 1);
    htmlFreeParserCtxt(ctxt_);
    ctxt_ = nullptr;
    // Close whatever libxml2 left open (stopped parse) so every link is finalised.
    skipped_ = 0;
    while (levels_.size() > 1) end();
    for (std::uint32_t idx : levels_[0].block_links) finalize(idx, all_.size(), vis_.size());
    levels_[0].block_links.clear();
    out_.visible_text = std::move(vis_);
    vis_.clear();
}

}  // namespace

HtmlScan extract_html_links(std::string_view html_utf8, const VisibilityOptions& options) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    HtmlScan scan;
    Scanner scanner(options, scan, false);
    scanner.run(html_utf8);
    return scan;
}

}  // namespace cm
