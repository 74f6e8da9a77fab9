// SPDX-License-Identifier: Apache-2.0
// mime_walk.h - raw RFC 5322 bytes -> ParsedMessage, with GMime 3.
//
// parse_message() never fails: broken MIME, bad charsets and limit breaches become
// ParseNotes and the parts that could be read are returned. Attachments (anything that is
// not a text/plain or text/html leaf, or is marked Content-Disposition: attachment) are
// never decoded. GMime is initialised once, on first use, thread-safely; parse_message()
// is safe to call from several threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mime/message.h"

namespace cm {

struct ParseLimits {
    std::size_t max_header_bytes = 1u << 20;  // all top-level header fields together
    std::size_t max_headers = 10000;          // number of top-level header fields
    int max_mime_depth = 32;                  // multipart / message/rfc822 nesting
    std::size_t max_parts = 1000;             // MIME entities visited
    std::size_t max_text_bytes = 16u << 20;   // decoded text kept over all parts
};

// `truncated` says the input is only a prefix of the message (the rest was not scanned).
ParsedMessage parse_message(std::string_view raw, const ParseLimits& limits = {}, bool truncated = false);

// RFC 3676: the text of a format=flowed part as its author wrote it. Space-stuffing is
// undone and a line ending in a space (a soft break; not the signature separator "-- ") is
// joined with the next one, its trailing space removed too when `delsp`.
std::string unflow_text(std::string_view text, bool delsp);

}  // namespace cm
