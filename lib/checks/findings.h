// SPDX-License-Identifier: Apache-2.0
// findings.h - what each check found for one message, as plain values.
//
// A failing check carries a Reason (reason.h), whose code is the stable string of the external
// contract (DESIGN §5). Reason::none means the check passed.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "checks/reason.h"

namespace cm {

struct ListUnsubscribeFinding {
    bool pass = false;
    Reason reason = Reason::none;    // a list_unsubscribe_* reason when failing
    std::vector<std::string> uris;   // every URI found, in order
    bool one_click = false;          // RFC 8058: exact One-Click field and an https URI
};

struct BodyLink {
    std::string part;     // "text/html" or "text/plain"
    std::string url;
    std::string text;     // the text that made it an unsubscribe link
    bool visible = true;
    std::string why;      // when not visible or not usable: hidden cause or problem code
};

// The outcome of one text part (DESIGN §5): pass when it has a usable unsubscribe link, else
// the reason it alone would fail with (hidden, mailto-only, ..., missing-in-html-part).
struct PartOutcome {
    std::string part;     // "text/html" or "text/plain"
    bool pass = false;
    Reason reason = Reason::none;  // a body_link_* reason when failing
};

struct BodyLinkFinding {
    bool pass = false;
    Reason reason = Reason::none;  // a body_link_* reason when failing
    std::vector<BodyLink> links;  // every unsubscribe candidate seen, usable or not
    std::vector<PartOutcome> parts;  // one per text part, in message order
    std::vector<std::string> notes;  // limit breaches met on the way (e.g. "limit:css-rules")
};

struct RecipientConsent {
    std::string address;
    bool pass = false;
    Reason reason = Reason::none;  // a consent_* reason when failing
};

struct ConsentFinding {
    std::string result = "skipped";   // pass, partial, fail, skipped
    std::vector<RecipientConsent> recipients;
};

// Appends `note` to `notes` unless it is already there (notes are a set, in first-seen order).
inline void add_note(std::vector<std::string>& notes, const std::string& note) {
    if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
}

}  // namespace cm
