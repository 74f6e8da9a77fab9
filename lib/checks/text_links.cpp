// SPDX-License-Identifier: Apache-2.0
// text_links.cpp - URL and address scanning of plain text, and the phrase-proximity rule.
//
// Proximity rule (per link on line i): the phrase text looked at is line i, plus up to five
// lines before it and one line after it, all in the same paragraph (no blank line between)
// and without an http(s) URL of their own - a phrase belongs to the URL nearest to it, so
// "To unsubscribe go to:\nhttp://a" links a, but "Unsubscribe: http://a\nShop: http://b"
// does not link b. A line that points at what follows (it ends in ':' or says "below",
// "following", "unten", ...) bridges one blank line. Lines are joined with a space, so a
// phrase may wrap across lines; then only the sentence holding the link counts - and, when
// the URL starts its line, also the sentence just before it ("... follow the link below to
// unsubscribe.\nhttps://..."). The links themselves are blanked out of that text: a keyword
// inside a URL only marks that URL.
// Labels: a [link-only] word ("Abmelden", "Afmelden") counts only directly attached to the URL
// on its line ("Abmelden: https://...", "https://... (afmelden)"), never as loose prose.
// Wrapped URLs: a URL that runs to the end of its line continues on the next line when it is
// inside an unclosed <...>, or when that line is one URL-like token (the URL broke at a
// delimiter or the token holds one); the lines are joined before scanning.
#include "checks/text_links.h"

#include <algorithm>
#include <cctype>

#include "mime/message.h"  // iequals
#include "util/text_util.h"

namespace cm {
namespace {

constexpr std::size_t kLinesBefore = 5;
constexpr std::size_t kMaxContext = 300;

struct Line {
    std::string_view text;
    std::string prose;  // the text with its links blanked out: phrases are looked for here
    std::vector<TextLink> links;
    bool has_http = false;
    bool blank = true;
};

bool is_blank(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

bool istarts(std::string_view s, std::size_t at, std::string_view prefix) {
    return s.size() - at >= prefix.size() && iequals(s.substr(at, prefix.size()), prefix);
}

bool url_char(unsigned char c) {
    return c > 0x20 && c != 0x7F && c != '<' && c != '>' && c != '"' && c != '\'' && c != '`';
}

// Trailing punctuation belongs to the sentence, not the URL; ')' only when unbalanced.
std::string_view strip_trailing(std::string_view url) {
    while (!url.empty()) {
        char c = url.back();
        if (std::string_view(".,;:!?]}*").find(c) != std::string_view::npos) {
            url.remove_suffix(1);
        } else if (c == ')' && std::count(url.begin(), url.end(), '(') <
                                   std::count(url.begin(), url.end(), ')')) {
            url.remove_suffix(1);
        } else {
            break;
        }
    }
    return url;
}

bool local_char(unsigned char c) {
    return std::isalnum(c) || std::string_view("._%+-=").find(c) != std::string_view::npos;
}
bool domain_char(unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; }

// Finds the links of one line. Spans already taken by a URL are not rescanned for addresses.
std::vector<TextLink> scan_line(std::string_view line) {
    std::vector<TextLink> out;
    std::vector<std::pair<std::size_t, std::size_t>> taken;
    std::size_t i = 0;
    while (i < line.size()) {
        // Every scheme below starts with h or m: other bytes are skipped without a compare.
        const unsigned char first = static_cast<unsigned char>(line[i]) | 0x20;
        if (first != 'h' && first != 'm') { ++i; continue; }
        TextLink::Kind kind;
        std::size_t scheme_len;
        if (istarts(line, i, "https://")) { kind = TextLink::Kind::http; scheme_len = 8; }
        else if (istarts(line, i, "http://")) { kind = TextLink::Kind::http; scheme_len = 7; }
        else if (istarts(line, i, "mailto:")) { kind = TextLink::Kind::mailto; scheme_len = 7; }
        else { ++i; continue; }
        if (i > 0 && std::isalnum(static_cast<unsigned char>(line[i - 1]))) { ++i; continue; }
        std::size_t end = i;
        while (end < line.size() && url_char(static_cast<unsigned char>(line[end]))) ++end;
        std::string_view url = strip_trailing(line.substr(i, end - i));
        if (url.size() > scheme_len) {
            out.push_back({kind, std::string(url), false, {}});
            taken.emplace_back(i, i + url.size());
        }
        i = std::max(end, i + 1);
    }
    for (std::size_t at = line.find('@'); at != std::string_view::npos; at = line.find('@', at + 1)) {
        bool inside = std::any_of(taken.begin(), taken.end(),
                                  [&](auto& span) { return at >= span.first && at < span.second; });
        if (inside) continue;
        std::size_t b = at, e = at + 1;
        while (b > 0 && local_char(static_cast<unsigned char>(line[b - 1]))) --b;
        while (e < line.size() && domain_char(static_cast<unsigned char>(line[e]))) ++e;
        while (e > at + 1 && (line[e - 1] == '.' || line[e - 1] == '-')) --e;
        std::string_view domain = line.substr(at + 1, e - at - 1);
        if (b == at || domain.find('.') == std::string_view::npos || domain.front() == '.') continue;
        out.push_back({TextLink::Kind::address, std::string(line.substr(b, e - b)), false, {}});
    }
    // Keep document order: URLs and addresses were collected in two passes.
    std::stable_sort(out.begin(), out.end(), [&](const TextLink& x, const TextLink& y) {
        return line.find(x.url) < line.find(y.url);
    });
    return out;
}

std::string cap(std::string s) {
    if (s.size() <= kMaxContext) return s;
    std::size_t n = kMaxContext;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // UTF-8 boundary
    return s.substr(0, n) + "...";
}

std::string collapse(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) { space = !out.empty(); continue; }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool ends_with_colon(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return !s.empty() && s.back() == ':';
}

// Length of a sentence terminator ending at window[pos] (". ", "! ", "? ", "。", "！", "？"),
// or 0. ASCII terminators need white space (or the end) after them: "e.g" and "v1.2" stay.
std::size_t terminator_at(std::string_view w, std::size_t pos) {
    char c = w[pos];
    if (c == '.' || c == '!' || c == '?')
        return (pos + 1 == w.size() || std::isspace(static_cast<unsigned char>(w[pos + 1]))) ? 1 : 0;
    if (c != '\xE3' && c != '\xEF') return 0;  // the lead bytes of the three below
    for (std::string_view t : {"\xE3\x80\x82", "\xEF\xBC\x81", "\xEF\xBC\x9F"})
        if (w.substr(pos, t.size()) == t) return t.size();
    return 0;
}

// The sentence of the window that holds [at, at+len): a phrase in another sentence of the same
// line ("Archive at http://a. To unsubscribe mail b@c") does not point at this link.
std::string_view sentence_around(std::string_view w, std::size_t at, std::size_t len) {
    at = std::min(at, w.size());
    std::size_t begin = 0;
    for (std::size_t p = 0; p < at; ++p)
        if (std::size_t n = terminator_at(w, p)) begin = p + n;
    std::size_t end = w.size();
    for (std::size_t p = std::min(at + len, w.size()); p < w.size(); ++p)
        if (std::size_t n = terminator_at(w, p)) { end = p + n; break; }
    return w.substr(begin, end - begin);
}

// The last sentence of `w` (which ends before the link's line), or "".
std::string_view last_sentence(std::string_view w) {
    while (!w.empty() && std::isspace(static_cast<unsigned char>(w.back()))) w.remove_suffix(1);
    if (w.empty()) return w;
    return sentence_around(w, w.size() - 1, 1);
}

// Nothing but white space, brackets and bullets ("  <", "* [")?
bool only_punctuation(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x80 && !std::isalnum(c); });
}

// Does the line point at what follows it: a trailing ':' or "below"/"following" wording?
bool points_ahead(std::string_view line) {
    if (ends_with_colon(line)) return true;
    std::string lower(line);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static constexpr std::string_view kWords[] = {
        "below", "following", "unten", "folgende", "nachfolgend", "ci-dessous", "suivant",
        "abajo", "siguiente", "sotto", "seguente", "abaixo", "seguinte", "hieronder", "volgende",
        "nedan", "följande", "nedenfor", "følgende", "poniż", "níže", "nasledujúc", "alább",
        "mai jos", "ниже", "нижче", "aşağıdaki", "以下", "下記", "下面", "아래", "di bawah", "dưới đây"};
    return std::any_of(std::begin(kWords), std::end(kWords),
                       [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

bool url_token_char(unsigned char c) { return url_char(c) && c != '(' && c != ')'; }

// Joins URLs wrapped over two lines (see the file comment). Keeps every other byte.
std::string unwrap_urls(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) break;
        std::string_view line = text.substr(start, nl - start);
        std::size_t cr = (!line.empty() && line.back() == '\r') ? 1 : 0;
        line.remove_suffix(cr);
        std::size_t next_end = text.find('\n', nl + 1);
        std::string_view next = text.substr(nl + 1, (next_end == std::string_view::npos ? text.size() : next_end) - nl - 1);
        if (!next.empty() && next.back() == '\r') next.remove_suffix(1);
        bool join = false;
        std::size_t http = std::string_view::npos;  // where the line's last URL starts
        for (std::size_t p = line.find("http"); p != std::string_view::npos; p = line.find("http", p + 1))
            if (istarts(line, p, "http://") || istarts(line, p, "https://")) http = p;
        if (http != std::string_view::npos && !next.empty() && url_token_char(next[0]) &&
            std::all_of(line.begin() + http, line.end(), [](unsigned char c) { return url_char(c); }) &&
            next.find("://") == std::string_view::npos) {
            std::size_t tok = 0;
            while (tok < next.size() && url_token_char(static_cast<unsigned char>(next[tok]))) ++tok;
            const bool bracketed = http > 0 && line[http - 1] == '<';
            const bool single = tok == next.size() || next.substr(tok).find_first_not_of(" \t>") == std::string_view::npos;
            const std::string_view delims = "/?=&%#-_";  // not ".": that ends a sentence
            const bool urlish = delims.find(line.back()) != std::string_view::npos ||
                                next.substr(0, tok).find_first_of("/?=&%#") != std::string_view::npos;
            join = bracketed ? next.find('>') != std::string_view::npos
                             : single && urlish && line.size() >= 60 && next.find('@') == std::string_view::npos;
        }
        out.append(text.substr(start, nl - start - cr));
        if (!join) out.append(text.substr(nl - cr, cr + 1));
        start = nl + 1;
    }
    out.append(text.substr(std::min(start, text.size())));
    return out;
}

}  // namespace

bool url_has_unsubscribe_keyword(std::string_view url) {
    std::size_t from;
    if (istarts(url, 0, "mailto:")) {
        from = 7;
    } else {
        std::size_t scheme = url.find("://");
        std::size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
        from = url.find_first_of("/?#", host);
        if (from == std::string_view::npos) return false;
    }
    std::string rest = ascii_lower(percent_decode(url.substr(from)));
    static constexpr std::string_view kKeywords[] = {
        "unsub", "optout", "opt-out", "opt_out", "remove", "abmeld", "abbestell", "austrag",
        "desinscri", "d\xC3\xA9sinscri", "desabonn", "d\xC3\xA9sabonn", "desuscri", "disiscri",
        "descadastr", "uitschrijv", "afmeld", "avregistr", "avmeld", "frameld", "wypisz", "odhlas",
        "leiratkoz", "dezabon", "otpis", "abmelde"};
    return std::any_of(std::begin(kKeywords), std::end(kKeywords),
                       [&](std::string_view k) { return rest.find(k) != std::string::npos; });
}

std::vector<TextLink> find_text_links(std::string_view raw, const PhraseSet& phrases, PatternBudget* budget) {
    const std::string unwrapped = unwrap_urls(raw);
    const std::string_view text = unwrapped;
    std::vector<Line> lines;
    for (std::size_t start = 0; start <= text.size();) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) nl = text.size();
        Line line;
        line.text = text.substr(start, nl - start);
        if (!line.text.empty() && line.text.back() == '\r') line.text.remove_suffix(1);
        line.blank = is_blank(line.text);
        if (!line.blank) line.links = scan_line(line.text);
        line.prose = std::string(line.text);
        for (const TextLink& l : line.links)
            for (std::size_t at = line.prose.find(l.url); at != std::string::npos;
                 at = line.prose.find(l.url, at + 1))
                line.prose.replace(at, l.url.size(), std::string(l.url.size(), ' '));
        line.has_http = std::any_of(line.links.begin(), line.links.end(),
                                    [](const TextLink& l) { return l.kind == TextLink::Kind::http; });
        lines.push_back(std::move(line));
        start = nl + 1;
    }

    std::vector<TextLink> out;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].links.empty()) continue;
        // The phrase window: quiet lines before the link's line, the line, one quiet line after.
        std::vector<std::size_t> window_lines;
        for (std::size_t k = i, taken = 0; k > 0 && taken < kLinesBefore;) {
            std::size_t prev = k - 1;
            // "... go to:" / "... the link below." + blank line + URL: bridges one blank line.
            if (lines[prev].blank && k == i && prev > 0 && points_ahead(lines[prev - 1].text))
                prev = prev - 1;
            if (lines[prev].blank || lines[prev].has_http) break;
            window_lines.insert(window_lines.begin(), prev);
            k = prev;
            ++taken;
        }
        window_lines.push_back(i);
        if (i + 1 < lines.size() && !lines[i + 1].blank && !lines[i + 1].has_http)
            window_lines.push_back(i + 1);

        std::string window;
        std::size_t line_offset = 0;
        for (std::size_t k : window_lines) {
            if (!window.empty()) window += ' ';
            if (k == i) line_offset = window.size();
            window += lines[k].prose;
        }
        std::size_t search_from = 0;
        for (TextLink& link : lines[i].links) {
            std::size_t at = lines[i].text.find(link.url, search_from);
            if (at == std::string_view::npos) at = lines[i].text.find(link.url);
            search_from = at == std::string_view::npos ? search_from : at + link.url.size();
            const std::size_t pos = at == std::string_view::npos ? 0 : at;
            std::string_view sentence = sentence_around(window, line_offset + pos, link.url.size());
            const std::string_view rest = lines[i].text.substr(std::min(pos + link.url.size(), lines[i].text.size()));
            std::string_view why;  // the phrase text that makes it an unsubscribe link
            if (phrases.is_unsubscribe(sentence, PhraseContext::plain_text, budget)) {
                why = sentence;
            } else if (only_punctuation(lines[i].text.substr(0, pos))) {
                // A URL that starts its line also takes the sentence just before it.
                std::string_view prev = last_sentence(std::string_view(window).substr(0, line_offset));
                if (phrases.is_unsubscribe(prev, PhraseContext::plain_text, budget)) why = prev;
            }
            if (!why.empty()) {
                link.unsubscribe = true;
                link.context = cap(collapse(why));
            } else if (phrases.is_url_label(lines[i].text.substr(0, pos), rest, budget)) {
                link.unsubscribe = true;
                link.context = cap(collapse(lines[i].text));
            } else if (link.kind != TextLink::Kind::address && url_has_unsubscribe_keyword(link.url)) {
                link.unsubscribe = true;
                link.context = link.url;
            }
            out.push_back(std::move(link));
        }
    }
    return out;
}

}  // namespace cm
