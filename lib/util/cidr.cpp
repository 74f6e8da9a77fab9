// SPDX-License-Identifier: Apache-2.0
#include "util/cidr.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace cm {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// Parses a bare address; sets is_v4 when it was dotted-quad IPv4.
std::optional<IpAddress> parse_bare(std::string_view text, bool& is_v4) {
    if (text.empty() || text.size() > 64) return std::nullopt;
    const std::string s(text);
    IpAddress out{};
    unsigned char v4[4];
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), v4) != 1) return std::nullopt;
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, v4, 4);
        is_v4 = true;
        return out;
    }
    if (inet_pton(AF_INET6, s.c_str(), out.data()) != 1) return std::nullopt;
    is_v4 = false;
    return out;
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (starts_with_nocase(text, "ipv6:")) text.remove_prefix(5);
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    if (const auto pct = text.find('%'); pct != std::string_view::npos) text = text.substr(0, pct);
    bool is_v4 = false;
    return parse_bare(text, is_v4);
}

std::optional<CidrRange> parse_cidr(std::string_view text) {
    std::string_view addr_text = text;
    std::string_view len_text;
    const bool has_len = text.find('/') != std::string_view::npos;
    if (has_len) {
        addr_text = text.substr(0, text.find('/'));
        len_text = text.substr(text.find('/') + 1);
    }
    bool is_v4 = false;
    const auto addr = parse_bare(addr_text, is_v4);
    if (!addr) return std::nullopt;
    const int max_len = is_v4 ? 32 : 128;
    int len = max_len;
    if (has_len) {
        if (len_text.empty() || len_text.size() > 3) return std::nullopt;
        len = 0;
        for (char c : len_text) {
            if (c < '0' || c > '9') return std::nullopt;
            len = len * 10 + (c - '0');
        }
        if (len > max_len) return std::nullopt;
    }
    CidrRange r;
    r.prefix_len = is_v4 ? 96 + len : len;
    for (int i = 0; i < 16; ++i) {
        const int bits = r.prefix_len - 8 * i;
        const unsigned mask = bits >= 8 ? 0xffu : bits <= 0 ? 0u : (0xffu << (8 - bits)) & 0xffu;
        r.addr[i] = static_cast<unsigned char>((*addr)[i] & mask);
    }
    return r;
}

bool cidr_contains(const CidrRange& range, const IpAddress& addr) {
    for (int i = 0; i < 16; ++i) {
        const int bits = range.prefix_len - 8 * i;
        if (bits <= 0) return true;
        const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((addr[i] & mask) != range.addr[i]) return false;
    }
    return true;
}

bool ip_in_ranges(std::string_view ip, const std::vector<CidrRange>& ranges) {
    const auto addr = parse_ip(ip);
    if (!addr) return false;
    for (const CidrRange& r : ranges)
        if (cidr_contains(r, *addr)) return true;
    return false;
}

}  // namespace cm
