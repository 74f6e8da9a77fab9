// SPDX-License-Identifier: Apache-2.0
// list_unsubscribe.cpp - the list_unsubscribe check (DESIGN §5).
//
// A failing message gets exactly one reason, the first that applies in this order:
//   1. missing               no List-Unsubscribe field
//   2. multiple              more than one List-Unsubscribe field
//   3. malformed             a field value that is not a comma list of <URI> (see below)
//   4. unresolved-merge-tag  some URI still holds a template placeholder (merge_tags.h)
//   5. no-http-uri           no http: or https: URI (mailto-only, even with One-Click)
//   6. no-one-click          RequireOneClick, and no List-Unsubscribe-Post field whose value
//                            is exactly "List-Unsubscribe=One-Click" or no https URI
//   7. not-dkim-covered      RequireDkimCoverage, and no DKIM-Signature whose h= lists
//                            List-Unsubscribe, plus List-Unsubscribe-Post when that field
//                            is present or one-click is required (RFC 8058 §4)
// The structural problems come first (nothing else can be judged without a parseable
// field), then what the URIs hold, then the policy options.
#include "checks/list_unsubscribe.h"

#include "checks/dkim_coverage.h"
#include "checks/merge_tags.h"
#include "util/text_util.h"

namespace cm {
namespace {

constexpr std::string_view kOneClickValue = "List-Unsubscribe=One-Click";

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Skips RFC 5322 CFWS: white space, folding and (nested, backslash-quoting) comments.
// False on an unterminated comment.
bool skip_cfws(std::string_view s, std::size_t& i) {
    while (i < s.size()) {
        if (is_wsp(s[i])) {
            ++i;
        } else if (s[i] == '(') {
            int depth = 0;
            for (; i < s.size(); ++i) {
                if (s[i] == '\\') { ++i; continue; }
                if (s[i] == '(') ++depth;
                if (s[i] == ')' && --depth == 0) break;
            }
            if (i >= s.size()) return false;
            ++i;
        } else {
            break;
        }
    }
    return true;
}

// The RFC 2369 list structure: 1*( CFWS "<" URI ">" CFWS ) separated by ",". White space
// inside the brackets is dropped (RFC 2369 §2: folded URLs). Does not judge the URIs
// themselves beyond "non-empty, no '<' or control characters". On failure `uris` holds the
// elements read before the error. Strict: an empty element (",," or a trailing ",") fails.
bool split_bracketed_list(std::string_view value, std::vector<std::string>& uris) {
    std::size_t i = 0;
    if (!skip_cfws(value, i) || i == value.size()) return false;  // empty value
    while (true) {
        if (value[i] != '<') return false;  // an element without angle brackets
        std::size_t close = value.find('>', i + 1);
        if (close == std::string_view::npos) return false;
        std::string uri;
        for (char c : value.substr(i + 1, close - i - 1)) {
            auto u = static_cast<unsigned char>(c);
            if (is_wsp(c)) continue;
            if (c == '<' || u < 0x20 || u == 0x7f) return false;
            uri.push_back(c);
        }
        if (uri.empty()) return false;
        uris.push_back(std::move(uri));
        i = close + 1;
        if (!skip_cfws(value, i)) return false;
        if (i == value.size()) return true;
        if (value[i] != ',') return false;  // trailing garbage after '>'
        ++i;
        if (!skip_cfws(value, i) || i == value.size()) return false;  // trailing comma
    }
}

// RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":", followed by something.
std::string_view scheme_of(std::string_view uri) {
    if (uri.empty() || !is_alpha(uri[0])) return {};
    for (std::size_t k = 1; k < uri.size(); ++k) {
        char c = uri[k];
        if (c == ':') return k + 1 < uri.size() ? uri.substr(0, k) : std::string_view{};
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
    }
    return {};
}

// An http(s) URI with an authority: "https://host...". `https_only` refuses plain http.
bool is_web_uri(std::string_view uri, bool https_only) {
    std::string_view scheme = scheme_of(uri);
    bool https = iequals(scheme, "https");
    if (!https && (https_only || !iequals(scheme, "http"))) return false;
    std::string_view rest = uri.substr(scheme.size() + 1);
    return rest.size() > 2 && rest.substr(0, 2) == "//" && rest[2] != '/';
}

// RFC 8058 §3.1: the field MUST hold the single key/value pair "List-Unsubscribe=One-Click",
// which the receiver POSTs back verbatim as a form body (form keys are case-sensitive).
// So: outer white space ignored, everything else compared exactly, case included.
bool has_exact_one_click(const ParsedMessage& message) {
    for (const Header* field : message.find_all("List-Unsubscribe-Post")) {
        std::string_view v = field->value;
        while (!v.empty() && is_wsp(v.front())) v.remove_prefix(1);
        while (!v.empty() && is_wsp(v.back())) v.remove_suffix(1);
        if (v == kOneClickValue) return true;
    }
    return false;
}

ListUnsubscribeFinding fail(ListUnsubscribeFinding f, Reason reason) {
    f.pass = false;
    f.reason = reason;
    return f;
}

}  // namespace

bool parse_list_unsubscribe_value(std::string_view value, std::vector<std::string>& uris) {
    if (!split_bracketed_list(value, uris)) return false;
    for (const std::string& uri : uris)
        if (scheme_of(uri).empty()) return false;
    return true;
}

ListUnsubscribeFinding check_list_unsubscribe(const ParsedMessage& message,
                                              const ListUnsubscribeOptions& options) {
    ListUnsubscribeFinding f;
    std::vector<const Header*> fields = message.find_all("List-Unsubscribe");

    bool structure_ok = true;
    for (const Header* field : fields)
        structure_ok = split_bracketed_list(field->value, f.uris) && structure_ok;

    bool any_https = false, any_web = false, any_merge_tag = false, scheme_ok = true;
    for (const std::string& uri : f.uris) {
        bool tag = has_unresolved_merge_tag(uri);
        any_merge_tag = any_merge_tag || tag;
        // "<*|UNSUB|*>" has no scheme, but the merge tag is the better diagnosis.
        if (scheme_of(uri).empty() && !tag) scheme_ok = false;
        any_https = any_https || is_web_uri(uri, true);
        any_web = any_web || is_web_uri(uri, false);
    }
    bool one_click_field = has_exact_one_click(message);
    f.one_click = one_click_field && any_https;

    if (fields.empty()) return fail(std::move(f), Reason::list_unsubscribe_missing);
    if (fields.size() > 1) return fail(std::move(f), Reason::list_unsubscribe_multiple);
    if (!structure_ok || !scheme_ok) return fail(std::move(f), Reason::list_unsubscribe_malformed);
    if (any_merge_tag) return fail(std::move(f), Reason::list_unsubscribe_merge_tag);
    if (!any_web) return fail(std::move(f), Reason::list_unsubscribe_no_http_uri);
    if (options.require_one_click && !f.one_click) return fail(std::move(f), Reason::list_unsubscribe_no_one_click);
    if (options.require_dkim_coverage) {
        std::vector<std::string_view> needed = {"List-Unsubscribe"};
        if (options.require_one_click || message.find("List-Unsubscribe-Post"))
            needed.push_back("List-Unsubscribe-Post");
        if (!dkim_covers(message, needed)) return fail(std::move(f), Reason::list_unsubscribe_not_dkim_covered);
    }
    f.pass = true;
    return f;
}

}  // namespace cm
