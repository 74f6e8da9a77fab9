// SPDX-License-Identifier: Apache-2.0
// phrases.h - the multilingual unsubscribe phrase set, compiled once with PCRE2 JIT.
//
// The built-in set lives in lib/checks/phrases.txt (compiled into the library); UnsubscribePhrases
// adds patterns from a file. A PhraseSet is immutable after construction and safe to share
// between threads (match data is per call). Matching is Unicode-aware and caseless, with
// PCRE2 match/depth limits so that no pattern can hang a message.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace cm {

class PatternBudget;

// Where a text was found: words that also mean "log out" (German "abmelden", Dutch
// "afmelden") only count as the link or block text of an <a href>.
enum class PhraseContext { html_link, plain_text };

class PhraseSet {
public:
    // The built-in set plus `extra` user patterns (PCRE2 syntax, one per element).
    // A pattern that does not compile is an InvalidArgument naming it.
    static Result<std::shared_ptr<const PhraseSet>> create(const std::vector<std::string>& extra = {});

    // Does the (UTF-8) text contain an unsubscribe phrase valid in this context?
    // `budget` (the current message's, may be null) skips patterns spent on PCRE2 limits.
    bool is_unsubscribe(std::string_view text, PhraseContext context, PatternBudget* budget = nullptr) const;
    // Is a [link-only] word (one that also means "log out": "Abmelden", "Afmelden") a label
    // directly attached to a plain-text URL on its line: `before` (the line up to the URL)
    // ends with it ("Abmelden: ", "Afmelden <"), or `after` (the rest of the line) is just it
    // ("> (abmelden)")? Separators in between are white space, punctuation and symbols.
    bool is_url_label(std::string_view before, std::string_view after, PatternBudget* budget = nullptr) const;
    // Does the text tell the reader to unsubscribe by sending an e-mail ("reply with REMOVE in
    // the subject", "Betreff: Abmelden"; the [by-mail] section)?
    bool is_mail_instruction(std::string_view text, PatternBudget* budget = nullptr) const;
    // Is the text neutral link wording ("click here", "hier", "ici", a bare URL or address, empty) that
    // takes its meaning from the surrounding block?
    bool is_neutral(std::string_view text, PatternBudget* budget = nullptr) const;

    ~PhraseSet();
    PhraseSet(const PhraseSet&) = delete;
    PhraseSet& operator=(const PhraseSet&) = delete;

    struct Impl;
    explicit PhraseSet(std::unique_ptr<Impl> impl);

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace cm
