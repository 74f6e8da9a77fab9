// SPDX-License-Identifier: Apache-2.0
#include "mime/addresses.h"

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

std::vector<std::string> sender_candidates(const std::vector<Header>& headers, std::string_view envelope) {
    std::vector<std::string> out;
    auto add = [&](std::string_view address) {
        if (address.find('@') != std::string_view::npos) out.emplace_back(address);
    };
    auto add_field = [&](std::string_view name) {
        for (const Header& h : headers)
            if (iequals(h.name, name))
                for (const std::string& a : parse_address_list(h.value)) add(a);
    };
    add_field("Return-Path");
    add(trim(envelope));
    add_field("From");
    return out;
}

std::string sender_from_headers(const ParsedMessage& message) {
    std::vector<std::string> candidates = sender_candidates(message.headers);
    return candidates.empty() ? std::string() : candidates.front();
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
