// SPDX-License-Identifier: Apache-2.0
// dkim_coverage.h - which header fields a DKIM-Signature says it signs (RFC 6376 h= tag).
//
// Syntactic only: parses the tag-list of DKIM-Signature fields and reads h=. It verifies
// nothing cryptographic (no key lookup, no hashing): that is the receiver's job. Pure
// functions over caller-owned strings; results own their data; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"
#include "util/status.h"

namespace cm {

struct DkimTag {
    std::string name;   // as written (tag names are case-sensitive, RFC 6376 §3.2)
    std::string value;  // surrounding white space removed, inner folding kept
};

// The tags of an RFC 6376 §3.2 tag-list ("v=1; a=rsa-sha256; h=from:to; ..."). White space
// and folding (SP, HTAB, CR, LF) are allowed around names, '=' and values; one trailing ';'
// is allowed. Error on an empty tag-spec, a bad tag name, a missing '=' or a duplicate tag.
Result<std::vector<DkimTag>> parse_dkim_tag_list(std::string_view text);

// The header field names listed in h= of one DKIM-Signature field value, in order, case
// preserved. Error when the tag-list is malformed, v= is not "1", a required tag (v, a, b,
// bh, d, h, s) is missing, or h= is not a colon-separated list of field names.
Result<std::vector<std::string>> dkim_signed_headers(std::string_view field_value);

// True when at least one syntactically valid DKIM-Signature field of the message lists
// every name in `names` in its h= tag (field names compared case-insensitively).
bool dkim_covers(const ParsedMessage& message, const std::vector<std::string_view>& names);

}  // namespace cm
