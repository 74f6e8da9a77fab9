// SPDX-License-Identifier: Apache-2.0
#include "mime/message.h"

#include <algorithm>

namespace cm {

bool iequals(std::string_view a, std::string_view b) {
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(),
                      [&](unsigned char x, unsigned char y) { return lower(x) == lower(y); });
}

const Header* ParsedMessage::find(std::string_view name) const {
    for (const Header& h : headers)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

std::vector<const Header*> ParsedMessage::find_all(std::string_view name) const {
    std::vector<const Header*> out;
    for (const Header& h : headers)
        if (iequals(h.name, name)) out.push_back(&h);
    return out;
}

bool ParsedMessage::has_note(std::string_view code) const {
    return std::any_of(notes.begin(), notes.end(), [&](const ParseNote& n) { return n.code == code; });
}

}  // namespace cm
