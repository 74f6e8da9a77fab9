// SPDX-License-Identifier: Apache-2.0
// cidr.h - IP addresses and CIDR ranges (IPv4 and IPv6) for ExemptClients.
//
// Addresses are held as 16 bytes; IPv4 is mapped into ::ffff:0:0/96, so "10.0.0.0/8" is
// stored as ::ffff:10.0.0.0/104 and an IPv4-mapped IPv6 client matches IPv4 ranges.
// Pure functions on values; thread-safe.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

namespace cm {

using IpAddress = std::array<unsigned char, 16>;

// An address/prefix pair; IPv4 is stored as IPv4-mapped IPv6.
struct CidrRange {
    unsigned char addr[16] = {};
    int prefix_len = 128;
    bool operator==(const CidrRange&) const = default;
};

// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"; also tolerates "[...]" brackets, an
// "IPv6:" prefix (as Sendmail's {client_addr} gives it) and a "%zone" suffix.
std::optional<IpAddress> parse_ip(std::string_view text);

// "ADDR" or "ADDR/LEN" (LEN 0..32 for IPv4, 0..128 for IPv6). Host bits beyond the prefix
// are cleared. nullopt on any syntax error.
std::optional<CidrRange> parse_cidr(std::string_view text);

bool cidr_contains(const CidrRange& range, const IpAddress& addr);

// Does the client IP (text form, v4 or v6) fall in one of the ranges?
bool ip_in_ranges(std::string_view ip, const std::vector<CidrRange>& ranges);

}  // namespace cm
