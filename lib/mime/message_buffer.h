// SPDX-License-Identifier: Apache-2.0
// message_buffer.h - how a message is assembled before it is parsed, with its limits.
//
// Both front ends build a message the same way: the milter from libmilter's header and body
// callbacks, `--test` from a file split by add_raw_message(). So the offline verdict and the
// milter's are the same by construction. Limits: header fields are kept while they total at
// most ParseLimits::max_header_bytes (then "limit:header-bytes"); body bytes past MaxScanSize
// are counted, not kept, and the message is marked truncated. One MessageBuffer per message,
// used by one thread at a time; finish() returns a ParsedMessage that owns its data.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "mime/message.h"
#include "mime/mime_walk.h"

namespace cm {

class MessageBuffer {
public:
    // max_body: MaxScanSize. `limits` are handed to parse_message().
    explicit MessageBuffer(std::size_t max_body, const ParseLimits& limits = {});

    // One header field as the MTA sends it: name without the colon, value as received
    // (folding kept, leading white space dropped). Every header comes before any body.
    void add_header(std::string_view name, std::string_view value);

    // Appends what fits of a body chunk. Returns false once the body has gone past max_body:
    // the rest need not be sent (the milter answers SMFIS_SKIP).
    bool add_body(std::string_view chunk);

    // The input stopped before the message's end (a bounded read): the message is truncated.
    void mark_truncated() { truncated_ = true; }

    // The header fields received so far, parsed (body not included), for an early exemption
    // decision at end of headers.
    ParsedMessage parse_headers() const;

    // Parses the headers and the kept body prefix. Call once, last.
    ParsedMessage finish();

    std::size_t size() const { return header_bytes_ + body_bytes_; }  // bytes received, kept or not
    bool truncated() const { return truncated_; }

private:
    void note_header_limit(ParsedMessage& message) const;

    ParseLimits limits_;
    std::size_t max_body_;
    std::string raw_;                 // kept fields, then "\r\n" and the body once it starts
    std::size_t kept_header_bytes_ = 0;
    std::size_t header_bytes_ = 0;    // every field received, as "name: value\r\n"
    std::size_t body_bytes_ = 0;      // every body byte received
    bool in_body_ = false;
    bool header_limit_hit_ = false;
    bool truncated_ = false;
};

// Splits raw RFC 5322 bytes (a file) as an MTA does and feeds them to `buffer`: each header
// field, then everything after the first empty line as body. A line that is neither a field
// nor a continuation ends the header block and starts the body (Postfix does the same).
void add_raw_message(MessageBuffer& buffer, std::string_view raw);

}  // namespace cm
