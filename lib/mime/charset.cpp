// SPDX-License-Identifier: Apache-2.0
#include "mime/charset.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace cm::charset {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length (1..4) of the well-formed UTF-8 sequence at p, or 0 when it is ill-formed or cut.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t n) {
    const unsigned char c = p[0];
    if (c < 0x80) return 1;
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c == 0xE0) { len = 3; lo = 0xA0; }          // no overlongs
    else if (c == 0xED) { len = 3; hi = 0x9F; }          // no surrogates
    else if (c >= 0xE1 && c <= 0xEF) len = 3;
    else if (c == 0xF0) { len = 4; lo = 0x90; }          // no overlongs
    else if (c >= 0xF1 && c <= 0xF3) len = 4;
    else if (c == 0xF4) { len = 4; hi = 0x8F; }          // <= U+10FFFF
    else return 0;
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    for (std::size_t i = 2; i < len; ++i)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return len;
}

bool is_ascii(std::string_view s) {
    const char* p = s.data();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        if (word & 0x8080808080808080ull) return false;
    }
    for (; i < s.size(); ++i)
        if (static_cast<unsigned char>(p[i]) >= 0x80) return false;
    return true;
}

// UTF-8 with ill-formed bytes: each bad byte becomes one U+FFFD.
Decoded repair_utf8(std::string_view in) {
    Decoded out;
    out.text.reserve(in.size() + 16);
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    std::size_t i = 0;
    while (i < in.size()) {
        std::size_t len = utf8_sequence_length(p + i, in.size() - i);
        if (len == 0) {
            out.text += kReplacement;
            ++out.invalid;
            ++i;
        } else {
            out.text.append(in.data() + i, len);
            i += len;
        }
    }
    return out;
}

// iconv through GMime's descriptor cache. Returns false when the charset cannot be opened.
bool convert(std::string_view in, const char* from, Decoded& out) {
    iconv_t cd = g_mime_iconv_open("UTF-8", from);
    if (cd == reinterpret_cast<iconv_t>(-1)) return false;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // a cached descriptor may hold shift state

    std::string& text = out.text;
    text.resize(in.size() * 2 + 16);
    char* inp = const_cast<char*>(in.data());  // iconv's signature; input is not written
    std::size_t inleft = in.size();
    std::size_t used = 0;
    auto room = [&](std::size_t need) {
        if (text.size() - used < need) text.resize(std::max(text.size() * 2, used + need));
    };
    bool flushed = false;
    while (true) {
        char* outp = text.data() + used;
        std::size_t outleft = text.size() - used;
        std::size_t r = inleft > 0 ? iconv(cd, &inp, &inleft, &outp, &outleft)
                                   : iconv(cd, nullptr, nullptr, &outp, &outleft);
        const int err = errno;
        used = outp - text.data();
        if (r != static_cast<std::size_t>(-1)) {
            if (inleft > 0) continue;
            if (flushed) break;
            flushed = true;  // one more round emits any pending shift sequence
            continue;
        }
        if (err == E2BIG) {
            room(text.size() - used + 64);
        } else if (err == EILSEQ && inleft > 0) {
            room(kReplacement.size());
            text.replace(used, kReplacement.size(), kReplacement);
            used += kReplacement.size();
            ++out.invalid;
            ++inp;
            --inleft;
        } else {  // EINVAL: cut multibyte sequence at the end, or an unexpected error
            room(kReplacement.size());
            text.replace(used, kReplacement.size(), kReplacement);
            used += kReplacement.size();
            ++out.invalid;
            if (inleft == 0) break;
            inleft = 0;
        }
    }
    text.resize(used);
    g_mime_iconv_close(cd);
    return true;
}

struct Alias {
    std::string_view label;
    const char* iconv_name;
};

// What senders label vs. what they actually send (the WHATWG Encoding Standard's view).
// "" as iconv name means: UTF-8 if valid, else windows-1252.
constexpr Alias kAliases[] = {
    {"us-ascii", ""}, {"ascii", ""}, {"ansi_x3.4-1968", ""}, {"us", ""},
    {"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"unicode-1-1-utf-8", "UTF-8"},
    {"iso-8859-1", "WINDOWS-1252"}, {"iso8859-1", "WINDOWS-1252"}, {"iso_8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"}, {"latin-1", "WINDOWS-1252"}, {"l1", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"}, {"windows-1252", "WINDOWS-1252"}, {"cp1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"gb2312", "GB18030"}, {"gbk", "GB18030"}, {"x-gbk", "GB18030"}, {"cp936", "GB18030"},
    {"euc-cn", "GB18030"}, {"csgb2312", "GB18030"}, {"gb_2312-80", "GB18030"},
    {"gb18030", "GB18030"},
    {"shift_jis", "CP932"}, {"shift-jis", "CP932"}, {"sjis", "CP932"}, {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"}, {"windows-31j", "CP932"}, {"cp932", "CP932"},
    {"euc-kr", "CP949"}, {"ks_c_5601-1987", "CP949"}, {"ks_c_5601", "CP949"},
    {"ksc5601", "CP949"}, {"cp949", "CP949"}, {"windows-949", "CP949"},
    {"big5", "BIG5-HKSCS"}, {"big5-hkscs", "BIG5-HKSCS"}, {"x-x-big5", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"}, {"x-mac-ukrainian", "MAC-CYRILLIC"},
    {"x-mac-roman", "MACINTOSH"}, {"macintosh", "MACINTOSH"},
};

// Charsets whose ASCII bytes do not mean ASCII (stateful or wide encodings).
bool ascii_compatible(std::string_view name) {
    for (std::string_view p : {"iso-2022", "utf-7", "utf-16", "utf-32", "ucs", "hz"})
        if (name.substr(0, p.size()) == p) return false;
    return true;
}

bool iequal_prefix(std::string_view s, std::size_t pos, std::string_view word) {
    if (pos + word.size() > s.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        char c = s[pos + i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != word[i]) return false;
    }
    return true;
}

std::size_t ifind(std::string_view s, std::string_view word, std::size_t from) {
    for (std::size_t i = from; i + word.size() <= s.size(); ++i)
        if (iequal_prefix(s, i, word)) return i;
    return std::string_view::npos;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    std::size_t i = 0;
    while (i < s.size()) {
        if (i + 8 <= s.size()) {  // skip ASCII eight bytes at a time
            std::uint64_t word;
            std::memcpy(&word, p + i, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = utf8_sequence_length(p + i, s.size() - i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string normalize_label(std::string_view label) {
    auto junk = [](char c) { return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '\r' || c == '\n'; };
    while (!label.empty() && junk(label.front())) label.remove_prefix(1);
    while (!label.empty() && junk(label.back())) label.remove_suffix(1);
    std::string out(label);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

Decoded to_utf8(std::string bytes, std::string_view label) {
    const std::string name = normalize_label(label);
    const char* iconv_name = name.empty() ? "" : nullptr;
    for (const Alias& a : kAliases)
        if (a.label == name) iconv_name = a.iconv_name;

    Decoded out;
    const bool utf8 = iconv_name && std::strcmp(iconv_name, "UTF-8") == 0;
    const bool guess = iconv_name && *iconv_name == '\0';
    if (utf8 || guess) {
        if (is_valid_utf8(bytes)) {
            out.text = std::move(bytes);
            return out;
        }
        if (utf8) return repair_utf8(bytes);
        convert(bytes, "WINDOWS-1252", out);
        return out;
    }
    if (iconv_name && ascii_compatible(name) && is_ascii(bytes)) {  // a known charset, plain ASCII
        out.text = std::move(bytes);
        return out;
    }
    if (convert(bytes, iconv_name ? iconv_name : name.c_str(), out)) return out;

    // Unknown charset: best effort, and say so.
    out = Decoded{};
    if (is_valid_utf8(bytes)) out.text = std::move(bytes);
    else convert(bytes, "WINDOWS-1252", out);
    out.known = false;
    return out;
}

std::string sniff_html_charset(std::string_view html) {
    html = html.substr(0, 16 * 1024);
    std::size_t end = ifind(html, "<body", 0);
    if (end != std::string_view::npos) html = html.substr(0, end);
    for (std::size_t pos = ifind(html, "<meta", 0); pos != std::string_view::npos;
         pos = ifind(html, "<meta", pos + 5)) {
        std::size_t close = html.find('>', pos);
        std::string_view tag = html.substr(pos, close == std::string_view::npos ? close : close - pos);
        std::size_t at = ifind(tag, "charset", 0);
        if (at == std::string_view::npos) continue;
        at += 7;
        while (at < tag.size() && (tag[at] == ' ' || tag[at] == '\t')) ++at;
        if (at >= tag.size() || tag[at] != '=') continue;
        ++at;
        while (at < tag.size() && (tag[at] == ' ' || tag[at] == '\t' || tag[at] == '"' || tag[at] == '\''))
            ++at;
        std::size_t stop = at;
        while (stop < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[stop])) ||
                                     std::strchr("-_.:", tag[stop]) != nullptr))
            ++stop;
        if (stop == at) continue;
        std::string name = normalize_label(tag.substr(at, stop - at));
        // A document that reached us as bytes cannot be UTF-16; browsers read it as UTF-8.
        if (name.rfind("utf-16", 0) == 0) name = "utf-8";
        return name;
    }
    return {};
}

}  // namespace cm::charset
