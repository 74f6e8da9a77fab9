// SPDX-License-Identifier: Apache-2.0
// envelope_from_headers.h - an envelope for offline evaluation, taken from the headers.
//
// `consent-milter --test` without --from/--rcpt uses the sender from Return-Path (else From)
// and the recipients from To and Cc, so an offline run sees what the MTA would have seen.
// Pure; uses GMime's address-list parser (thread-safe after ensure_gmime_init()).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/message.h"

namespace cm {

// Every mailbox address in an RFC 5322 address list (groups flattened), in order.
std::vector<std::string> parse_address_list(std::string_view list);

std::string sender_from_headers(const ParsedMessage& message);
std::vector<std::string> recipients_from_headers(const ParsedMessage& message);

}  // namespace cm
