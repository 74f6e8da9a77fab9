// SPDX-License-Identifier: Apache-2.0
#include "mime/envelope_from_headers.h"

#include <gmime/gmime.h>

#include "mime/gmime_init.h"

namespace cm {

namespace {

void collect(InternetAddressList* list, std::vector<std::string>& out) {
    int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(address)) {
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address));
            if (addr && *addr) out.emplace_back(addr);
        } else if (INTERNET_ADDRESS_IS_GROUP(address)) {
            collect(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out);
        }
    }
}

}  // namespace

std::vector<std::string> parse_address_list(std::string_view text) {
    ensure_gmime_init();
    std::vector<std::string> out;
    std::string copy(text);
    InternetAddressList* list = internet_address_list_parse(nullptr, copy.c_str());
    if (!list) return out;
    collect(list, out);
    g_object_unref(list);
    return out;
}

std::string sender_from_headers(const ParsedMessage& message) {
    for (const char* name : {"Return-Path", "Sender", "From"}) {
        const Header* h = message.find(name);
        if (!h) continue;
        auto addresses = parse_address_list(h->value);
        if (!addresses.empty()) return addresses.front();
    }
    return {};
}

std::vector<std::string> recipients_from_headers(const ParsedMessage& message) {
    std::vector<std::string> out;
    for (const char* name : {"To", "Cc"})
        for (const Header* h : message.find_all(name)) {
            auto addresses = parse_address_list(h->value);
            out.insert(out.end(), addresses.begin(), addresses.end());
        }
    return out;
}

}  // namespace cm
