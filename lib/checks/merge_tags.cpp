// SPDX-License-Identifier: Apache-2.0
// merge_tags.cpp - hand-written scanner for unresolved template placeholders.
//
// Each syntax is one small function "does a tag of this kind start at position i?". The
// URL is scanned as given and once more after one round of percent-decoding, so that
// "%7B%7Bunsubscribe_url%7D%7D" is caught like "{{unsubscribe_url}}".
//
// False-positive guards (real URLs must pass):
//   - "%XY" with two hex digits is a percent-escape, never the start of a Mailgun %tag%;
//   - "[...]" holding ':' (IPv6 / IPvFuture literal hosts) is no tag, and neither is a
//     subscript "name[key]" (PHP/Rails array query parameters such as filter[status]=x);
//   - "{...}" must hold an identifier: JSON ({"a":1}), hyphenated GUIDs and long hex runs
//     are not tags;
//   - "{%" followed by a percent-escape is JSON-in-a-query ("{%22a%22:1}"), not Liquid.
#include "checks/merge_tags.h"

#include <string>
#include "util/text_util.h"

namespace cm {
namespace {

constexpr std::size_t kMaxTagContent = 200;  // a placeholder is short; bounds every search

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ident_start(char c) { return is_alpha(c) || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool starts_with(std::string_view s, std::size_t i, std::string_view prefix) {
    return s.substr(i, prefix.size()) == prefix;
}

bool percent_escape_at(std::string_view s, std::size_t i) {
    return i + 2 < s.size() && s[i] == '%' && is_hex(s[i + 1]) && is_hex(s[i + 2]);
}

// Length of the identifier [A-Za-z_][A-Za-z0-9_.]* starting at i (0 when none).
std::size_t ident_len(std::string_view s, std::size_t i) {
    if (i >= s.size() || !is_ident_start(s[i])) return 0;
    std::size_t n = 1;
    while (i + n < s.size() && is_ident_char(s[i + n])) ++n;
    return n;
}

// True when `open` starts at i and `close` follows within kMaxTagContent characters with
// at least one non-space character between them.
bool delimited_at(std::string_view s, std::size_t i, std::string_view open, std::string_view close) {
    if (!starts_with(s, i, open)) return false;
    std::size_t from = i + open.size();
    std::size_t end = s.find(close, from);
    if (end == std::string_view::npos || end - from > kMaxTagContent) return false;
    for (std::size_t k = from; k < end; ++k)
        if (!is_space(s[k])) return true;
    return false;
}

// Mailchimp *|UNSUB|*, *|IF:FNAME|* - any content without '|'.
bool mailchimp_at(std::string_view s, std::size_t i) {
    if (!starts_with(s, i, "*|")) return false;
    std::size_t end = s.find("|*", i + 2);
    if (end == std::string_view::npos || end == i + 2 || end - i - 2 > kMaxTagContent) return false;
    return s.substr(i + 2, end - i - 2).find('|') == std::string_view::npos;
}

// Handlebars/Liquid/Jinja/Mustache {{ x }}, {{{x}}}; Liquid/Jinja/Twig {% x %};
// SendGrid/ERB/ASP <%x%>, <%= x %>.
bool double_brace_at(std::string_view s, std::size_t i) { return delimited_at(s, i, "{{", "}}"); }
bool brace_percent_at(std::string_view s, std::size_t i) {
    return !percent_escape_at(s, i + 1) && delimited_at(s, i, "{%", "%}");
}
bool angle_percent_at(std::string_view s, std::size_t i) { return delimited_at(s, i, "<%", "%>"); }

// Salesforce/ExactTarget %%unsub_center_url%%, AMPscript %%=RedirectTo(@u)=%%.
bool double_percent_at(std::string_view s, std::size_t i) {
    if (!starts_with(s, i, "%%")) return false;
    std::size_t end = s.find("%%", i + 2);
    if (end == std::string_view::npos || end == i + 2 || end - i - 2 > kMaxTagContent) return false;
    std::string_view content = s.substr(i + 2, end - i - 2);
    return content.find('%') == std::string_view::npos &&
           (ident_len(content, 0) == content.size() || content.front() == '=');
}

// Mailgun %unsubscribe_url%, %recipient.name%: an identifier of 3+ characters between
// single '%'. "%Bad%20" is not one: "%Ba" is a valid escape and the closing '%' starts
// another escape, so the text reads as percent-encoding.
bool single_percent_at(std::string_view s, std::size_t i) {
    if (s[i] != '%') return false;
    std::size_t n = ident_len(s, i + 1);
    std::size_t close = i + 1 + n;
    if (n < 3 || close >= s.size() || s[close] != '%') return false;
    return !(percent_escape_at(s, i) && percent_escape_at(s, close));
}

// Single braces around an identifier: Mautic {unsubscribe_url} / {contactfield=email},
// Smarty {$unsubscribe}, and so also ${unsubscribe} and #{unsubscribe}.
bool single_brace_at(std::string_view s, std::size_t i) {
    if (s[i] != '{') return false;
    std::size_t k = i + 1;
    while (k < s.size() && is_space(s[k])) ++k;
    if (k < s.size() && s[k] == '$') ++k;
    std::size_t n = ident_len(s, k);
    if (n == 0) return false;
    std::string_view ident = s.substr(k, n);
    bool all_hex = true;
    for (char c : ident) all_hex = all_hex && is_hex(c);
    if (all_hex && n >= 8) return false;  // a bare hex id such as {0A1B2C3D...}
    k += n;
    if (k < s.size() && s[k] == '=') {  // Mautic {contactfield=email}
        ++k;
        while (k < s.size() && s[k] != '}' && s[k] != '{' && !is_space(s[k]) && k - i <= kMaxTagContent) ++k;
    }
    while (k < s.size() && is_space(s[k])) ++k;
    return k < s.size() && s[k] == '}';
}

// SendGrid [Unsubscribe], [unsubscribe_preferences]; also the inner part of [[unsubscribe]].
// The bracketed identifier must stand alone as a URL component (followed by the end or one
// of / ? & # ]). Not a tag: IPv6 literals (':' is no identifier character), subscripts
// like a[b], and a list's subject tag in a mailto ("subject=[Announce]%20unsubscribe").
bool bracket_at(std::string_view s, std::size_t i) {
    if (s[i] != '[') return false;
    if (i > 0 && (is_ident_char(s[i - 1]) || s[i - 1] == ']')) return false;
    std::size_t n = ident_len(s, i + 1);
    std::size_t close = i + 1 + n;
    if (n == 0 || close >= s.size() || s[close] != ']') return false;
    return close + 1 == s.size() || std::string_view("/?&#]").find(s[close + 1]) != std::string_view::npos;
}

// $unsubscribe$ - an identifier of 2+ characters between dollars.
bool dollar_at(std::string_view s, std::size_t i) {
    if (s[i] != '$') return false;
    std::size_t n = ident_len(s, i + 1);
    return n >= 2 && i + 1 + n < s.size() && s[i + 1 + n] == '$';
}

bool scan(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        switch (s[i]) {
        case '*': if (mailchimp_at(s, i)) return true; break;
        case '{':
            if (double_brace_at(s, i) || brace_percent_at(s, i) || single_brace_at(s, i)) return true;
            break;
        case '<': if (angle_percent_at(s, i)) return true; break;
        case '%': if (double_percent_at(s, i) || single_percent_at(s, i)) return true; break;
        case '[': if (bracket_at(s, i)) return true; break;
        case '$': if (dollar_at(s, i)) return true; break;
        default: break;
        }
    }
    return false;
}

}  // namespace

bool has_unresolved_merge_tag(std::string_view url) {
    if (scan(url)) return true;
    if (url.find('%') == std::string_view::npos) return false;
    return scan(percent_decode(url));
}

}  // namespace cm
