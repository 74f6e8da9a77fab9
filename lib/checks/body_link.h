// SPDX-License-Identifier: Apache-2.0
// body_link.h - is there a visible, usable unsubscribe link in the body?
//
// Looks at every text part of a ParsedMessage: HTML parts through extract_html_links()
// (html_visibility.h), plain parts through find_text_links() (text_links.h), and decides with
// the PhraseSet which links are unsubscribe links. Usable = http(s), no unresolved merge tag,
// not a sign-in page, visible. Returns a BodyLinkFinding with the DESIGN §5 reason codes.
// Pure function, thread-safe.
#pragma once

#include "html/html_visibility.h"
#include "mime/message.h"
#include "checks/phrases.h"
#include "checks/findings.h"

namespace cm {

struct BodyLinkOptions {
    bool require_link_in_every_part = true;  // RequireLinkInEveryPart
    VisibilityOptions visibility;
};

BodyLinkFinding check_body_link(const ParsedMessage& message, const PhraseSet& phrases,
                                const BodyLinkOptions& options);

// True for URLs whose target is a sign-in page (/login, /signin, /account/login, a
// returnUrl= pointing at one, ...).
bool is_login_url(std::string_view url);

}  // namespace cm
