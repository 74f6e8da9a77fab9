// SPDX-License-Identifier: Apache-2.0
// bench_messages.h - synthetic messages for the benchmarks (tests/bench/), built in code.
//
// Every function is deterministic (same bytes on every run and machine) and returns the raw
// RFC 5322 message with CRLF line ends. The newsletter is compliant with the default policy
// (RFC 8058 List-Unsubscribe, a visible unsubscribe link in both alternatives), so a
// benchmark measures the normal path to "accept". Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>

namespace cm::bench {

// A multipart/alternative newsletter of about 59 KB: a ~48 KB quoted-printable HTML part
// (<style> block, MSO conditional comments, layout tables, 32 links) and a plain-text part.
// `rcpt` goes into To:; `sender` into From: (its domain is the consent scope).
std::string newsletter(const std::string& sender = "news@shop.example",
                       const std::string& rcpt = "reader@example.net");

// The HTML part of newsletter() before transfer encoding (for sizing reports).
std::string newsletter_html();

// multipart/mixed: the newsletter's two alternatives plus one base64 application/pdf
// attachment of `attachment_bytes` (before encoding), e.g. 9 MB for a ~10 MB message.
std::string newsletter_with_attachment(std::size_t attachment_bytes,
                                       const std::string& sender = "news@shop.example",
                                       const std::string& rcpt = "reader@example.net");

}  // namespace cm::bench
