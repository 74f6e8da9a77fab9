// SPDX-License-Identifier: Apache-2.0
// message_buffer.cpp - see message_buffer.h.
#include "mime/message_buffer.h"

#include <algorithm>
#include <cassert>

namespace cm {

MessageBuffer::MessageBuffer(std::size_t max_body, const ParseLimits& limits)
    : limits_(limits), max_body_(max_body) {}

void MessageBuffer::add_header(std::string_view name, std::string_view value) {
    assert(!in_body_);
    const std::size_t field = name.size() + value.size() + 4;  // "name: value\r\n"
    header_bytes_ += field;
    // From the first field past the limit on, nothing is kept (as parse_message() cuts).
    if (header_limit_hit_ || kept_header_bytes_ + field > limits_.max_header_bytes) {
        header_limit_hit_ = true;
        return;
    }
    kept_header_bytes_ += field;
    raw_.append(name).append(": ").append(value).append("\r\n");
}

bool MessageBuffer::add_body(std::string_view chunk) {
    if (!in_body_) {
        raw_ += "\r\n";
        in_body_ = true;
    }
    const std::size_t room = body_bytes_ < max_body_ ? max_body_ - body_bytes_ : 0;
    body_bytes_ += chunk.size();
    raw_.append(chunk.substr(0, std::min(room, chunk.size())));
    if (chunk.size() > room) truncated_ = true;
    return !truncated_;
}

void MessageBuffer::note_header_limit(ParsedMessage& message) const {
    if (!header_limit_hit_ || message.has_note("limit:header-bytes")) return;
    message.notes.push_back({"limit:header-bytes",
                             "more than " + std::to_string(limits_.max_header_bytes) + " bytes of header fields"});
}

ParsedMessage MessageBuffer::parse_headers() const {
    std::string block = in_body_ ? raw_.substr(0, kept_header_bytes_) : raw_;
    ParsedMessage message = parse_message(block + "\r\n", limits_, truncated_);
    note_header_limit(message);
    return message;
}

ParsedMessage MessageBuffer::finish() {
    if (!in_body_) add_body({});
    ParsedMessage message = parse_message(raw_, limits_, truncated_);
    note_header_limit(message);
    return message;
}

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// "Name:" at the start of `line` (RFC 5322 ftext, white space allowed before the colon):
// the position of the colon, or npos.
std::size_t field_colon(std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos) return std::string_view::npos;
    std::size_t end = colon;
    while (end > 0 && is_wsp(line[end - 1])) --end;
    if (end == 0) return std::string_view::npos;
    for (std::size_t i = 0; i < end; ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c <= 32 || c >= 127) return std::string_view::npos;
    }
    return colon;
}

}  // namespace

void add_raw_message(MessageBuffer& buffer, std::string_view raw) {
    std::string name, value;
    bool have_field = false;
    std::size_t pos = 0;
    while (pos < raw.size()) {
        const std::size_t eol = raw.find('\n', pos);
        const std::size_t next = eol == std::string_view::npos ? raw.size() : eol + 1;
        std::string_view content = raw.substr(pos, next - pos);
        if (!content.empty() && content.back() == '\n') content.remove_suffix(1);
        if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
        if (have_field && !content.empty() && is_wsp(content[0])) {  // continuation line
            value.append("\r\n").append(content);
            pos = next;
            continue;
        }
        if (have_field) buffer.add_header(name, value);
        have_field = false;
        if (content.empty()) {  // the empty line: the body follows it
            pos = next;
            break;
        }
        const std::size_t colon = field_colon(content);
        if (colon == std::string_view::npos) break;  // not a field: the body starts here
        std::string_view n = content.substr(0, colon);
        while (is_wsp(n.back())) n.remove_suffix(1);
        std::string_view v = content.substr(colon + 1);
        while (!v.empty() && is_wsp(v.front())) v.remove_prefix(1);
        name.assign(n);
        value.assign(v);
        have_field = true;
        pos = next;
    }
    if (have_field) buffer.add_header(name, value);
    buffer.add_body(raw.substr(pos));
}

}  // namespace cm
