// SPDX-License-Identifier: Apache-2.0
// addresses.h - mailbox addresses from header fields, and the envelope the headers record.
//
// One walk of RFC 5322 address lists (GMime's parser, groups flattened) and one rule for
// "the envelope sender according to the headers", shared by `consent-milter --test` (no
// --from/--rcpt given) and ARF ingestion (the complained-about message's sender).
// Pure; thread-safe after ensure_gmime_init() (called here).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace cm {

// Every mailbox address in an RFC 5322 address list (groups flattened), in order.
std::vector<std::string> parse_address_list(std::string_view list);

// Candidates for the envelope sender, best first: the Return-Path address, then `envelope`
// (e.g. an ARF report's Original-Mail-From) when not empty, then the From mailboxes. Only
// addresses with an '@' are listed (a null Return-Path "<>" is skipped).
std::vector<std::string> sender_candidates(const std::vector<Header>& headers, std::string_view envelope = {});

// The first sender candidate, or "" when there is none.
std::string sender_from_headers(const ParsedMessage& message);
// The To and Cc mailboxes, in order.
std::vector<std::string> recipients_from_headers(const ParsedMessage& message);

}  // namespace cm
