// SPDX-License-Identifier: Apache-2.0
// charset.h - bytes in a declared charset -> UTF-8; private helper of mime_walk.cpp.
//
// Conversion goes through GMime's iconv cache (g_mime_iconv_open), so GMime must already be
// initialised (parse_message() does it). Invalid or truncated sequences become U+FFFD and are
// counted; nothing throws. No shared mutable state: safe from several threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cm::charset {

bool is_valid_utf8(std::string_view s);

struct Decoded {
    std::string text;          // valid UTF-8
    std::size_t invalid = 0;   // input bytes/sequences replaced by U+FFFD
    bool known = true;         // false: the label named no charset we can convert
};

// `label` is a MIME or HTML charset label ("ISO-8859-1", "gb2312", "utf8", ...). Labels are
// widened to the superset real senders mean (ISO-8859-1 and US-ASCII -> windows-1252,
// GB2312/GBK -> GB18030, Shift_JIS -> CP932, EUC-KR -> CP949, Big5 -> Big5-HKSCS).
// An empty, US-ASCII or unknown label means: UTF-8 if the bytes are valid UTF-8, else
// windows-1252.
Decoded to_utf8(std::string bytes, std::string_view label);

// The charset named by <meta charset=...> or <meta http-equiv content="...; charset=...">
// in the head of an HTML document (first 16 KiB), lower case; "" when there is none.
std::string sniff_html_charset(std::string_view html);

// Lower-cased label with white space and quotes trimmed.
std::string normalize_label(std::string_view label);

}  // namespace cm::charset
