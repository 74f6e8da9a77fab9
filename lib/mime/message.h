// SPDX-License-Identifier: Apache-2.0
// message.h - a parsed message as the checks see it: headers in order, decoded text parts.
//
// Produced by parse_message() (mime_walk.h) from raw RFC 5322 bytes; owns all its data
// (plain std::strings, no GMime objects survive parsing), so it may outlive the input
// buffer and be read from any thread. Checks only read it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/text_util.h"  // iequals() for header names

namespace cm {

struct Header {
    std::string name;   // field name as received (case preserved)
    std::string raw;    // value as received, folding kept, not decoded
    std::string value;  // unfolded, RFC 2047 decoded to UTF-8, outer white space trimmed
};

enum class PartKind { plain, html };

struct TextPart {
    PartKind kind = PartKind::plain;
    std::string text;        // transfer-decoded and converted to UTF-8 (invalid bytes replaced)
    std::string charset;     // declared charset, lower case; "" when none was declared
    // Index of the multipart/alternative this part is a direct or nested alternative of,
    // or -1. Parts with the same group are renderings of the same content.
    int alternative_group = -1;
    int depth = 0;           // MIME nesting depth (0 = top-level body)
};

// Parser observations and limit breaches, as stable codes: "limit:header-bytes",
// "limit:mime-depth", "limit:part-count", "limit:text-bytes", "charset:unknown",
// "charset:invalid-bytes", "mime:malformed", ... They never stop the checks.
struct ParseNote {
    std::string code;
    std::string detail;
};

struct ParsedMessage {
    std::vector<Header> headers;
    std::vector<TextPart> parts;  // text/plain and text/html leaves, document order
    std::vector<ParseNote> notes;
    std::size_t size = 0;         // bytes of input seen
    bool truncated = false;       // the input was only a prefix of the message (MaxScanSize)

    // First header with this name (case-insensitive), or nullptr.
    const Header* find(std::string_view name) const;
    // Every header with this name, in order.
    std::vector<const Header*> find_all(std::string_view name) const;
    bool has_note(std::string_view code) const;
};

}  // namespace cm
