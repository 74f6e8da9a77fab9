// SPDX-License-Identifier: Apache-2.0
// merge_tags.h - detection of unresolved template placeholders in URLs.
//
// An ESP that forgot to render its template sends "*|UNSUB|*", "{{unsubscribe_url}}",
// "%%unsub_center_url%%" and the like instead of a URL. Pure, thread-safe.
#pragma once

#include <string_view>

namespace cm {

// True when the URL (raw or percent-encoded) still holds a merge tag: Mailchimp *|X|*,
// Handlebars/Liquid/Jinja {{ x }} / {% x %}, Mautic {x}, SendGrid <%x%> and [X],
// Mailgun %x%, Salesforce %%x%%, $x$, ${x}, #{x}.
bool has_unresolved_merge_tag(std::string_view url);

}  // namespace cm
