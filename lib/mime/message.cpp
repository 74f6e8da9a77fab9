// SPDX-License-Identifier: Apache-2.0
#include "mime/message.h"

#include <algorithm>
#include "util/text_util.h"

namespace cm {

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
