// SPDX-License-Identifier: Apache-2.0
// text_links.h - links in plain text: http(s) URLs, mailto: URLs and bare e-mail addresses,
// and which of them an unsubscribe phrase points at.
//
// Used for text/plain parts (and anything else without markup). A URL is an unsubscribe link
// when the PhraseSet (plain_text context) matches in its sentence - on its line, up to three
// lines before it in the same paragraph, or the line after it - or its path/query holds an
// unsubscribe keyword. Pure functions, thread-safe; results own their strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "checks/phrases.h"

namespace cm {

struct TextLink {
    enum class Kind { http, mailto, address };
    Kind kind = Kind::http;
    std::string url;           // as written, brackets and trailing punctuation removed;
                               // for Kind::address the bare address
    bool unsubscribe = false;  // a phrase near it, or an unsubscribe keyword in the URL
    std::string context;       // the text that made it an unsubscribe link (trimmed, capped),
                               // or the URL itself when only its keyword did
};

// Every link of `text` in document order.
// `budget` (the current message's, may be null): see pattern_budget.h.
std::vector<TextLink> find_text_links(std::string_view text, const PhraseSet& phrases,
                                      PatternBudget* budget = nullptr);

// Does the URL's path, query or fragment (for mailto: the address and its query) hold an
// unsubscribe keyword (unsubscribe, unsub, optout, opt-out, remove, abmelden, desinscri, ...)?
// Percent-escapes are decoded first; the host name is not looked at.
bool url_has_unsubscribe_keyword(std::string_view url);

}  // namespace cm
