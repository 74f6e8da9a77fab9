// SPDX-License-Identifier: Apache-2.0
// dkim_coverage.cpp - RFC 6376 tag-list parsing and the h= coverage test.
#include "checks/dkim_coverage.h"

#include <algorithm>
#include <array>
#include "util/text_util.h"

namespace cm {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// tag-name = ALPHA *ALNUMPUNC, ALNUMPUNC = ALPHA / DIGIT / "_"
bool valid_tag_name(std::string_view s) {
    if (s.empty() || !is_alpha(s.front())) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

// tag-value: VALCHARs (%x21-3A / %x3C-7E) separated by white space; ';' cannot occur here.
bool valid_tag_value(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return is_wsp(c) || (u >= 0x21 && u <= 0x7e);
    });
}

// RFC 5322 field-name: printable ASCII except ':'.
bool valid_field_name(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u >= 33 && u <= 126 && c != ':';
    });
}

const DkimTag* find_tag(const std::vector<DkimTag>& tags, std::string_view name) {
    for (const DkimTag& t : tags)
        if (t.name == name) return &t;
    return nullptr;
}

}  // namespace

Result<std::vector<DkimTag>> parse_dkim_tag_list(std::string_view text) {
    std::vector<DkimTag> tags;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t semi = text.find(';', pos);
        bool last = semi == std::string_view::npos;
        std::string_view spec = text.substr(pos, last ? std::string_view::npos : semi - pos);
        std::string_view trimmed = trim(spec);
        if (trimmed.empty()) {
            // Only the part after a final ';' may be empty (RFC 6376 allows one trailing ';').
            if (last && !tags.empty()) break;
            return Status::InvalidArgument("empty tag-spec in DKIM tag-list");
        }
        std::size_t eq = trimmed.find('=');
        if (eq == std::string_view::npos)
            return Status::InvalidArgument("tag-spec without '=': " + std::string(trimmed));
        std::string_view name = trim(trimmed.substr(0, eq));
        std::string_view value = trim(trimmed.substr(eq + 1));
        if (!valid_tag_name(name))
            return Status::InvalidArgument("bad DKIM tag name: " + std::string(name));
        if (!valid_tag_value(value))
            return Status::InvalidArgument("bad character in DKIM tag " + std::string(name));
        if (find_tag(tags, name))
            return Status::InvalidArgument("duplicate DKIM tag: " + std::string(name));
        tags.push_back({std::string(name), std::string(value)});
        if (last) break;
        pos = semi + 1;
    }
    return tags;
}

Result<std::vector<std::string>> dkim_signed_headers(std::string_view field_value) {
    Result<std::vector<DkimTag>> tags = parse_dkim_tag_list(field_value);
    if (!tags.ok()) return tags.status();
    static constexpr std::array<std::string_view, 7> kRequired = {"v", "a", "b", "bh", "d", "h", "s"};
    for (std::string_view name : kRequired)
        if (!find_tag(*tags, name))
            return Status::InvalidArgument("DKIM-Signature lacks the " + std::string(name) + "= tag");
    if (find_tag(*tags, "v")->value != "1")
        return Status::InvalidArgument("DKIM-Signature version is not 1");

    std::vector<std::string> names;
    std::string_view h = find_tag(*tags, "h")->value;
    std::size_t pos = 0;
    while (true) {
        std::size_t colon = h.find(':', pos);
        std::string_view name = trim(h.substr(pos, colon == std::string_view::npos ? colon : colon - pos));
        if (!valid_field_name(name))
            return Status::InvalidArgument("bad field name in DKIM h= tag");
        names.emplace_back(name);
        if (colon == std::string_view::npos) break;
        pos = colon + 1;
    }
    return names;
}

bool dkim_covers(const ParsedMessage& message, const std::vector<std::string_view>& names) {
    for (const Header* field : message.find_all("DKIM-Signature")) {
        // The raw value keeps the folding the tag-list grammar allows; fall back to the
        // unfolded value when a producer did not fill raw.
        Result<std::vector<std::string>> signed_names =
            dkim_signed_headers(field->raw.empty() ? field->value : field->raw);
        if (!signed_names.ok()) continue;
        bool all = std::all_of(names.begin(), names.end(), [&](std::string_view want) {
            return std::any_of(signed_names->begin(), signed_names->end(),
                               [&](const std::string& got) { return iequals(got, want); });
        });
        if (all) return true;
    }
    return false;
}

}  // namespace cm
