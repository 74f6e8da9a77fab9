// SPDX-License-Identifier: Apache-2.0
// MessageBuffer (lib/mime/message_buffer.h): one way a message is assembled, in the milter and
// in --test, with its limits.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mime/message_buffer.h"

namespace {

struct Field {
    std::string name, value;
};

std::vector<Field> fields_of(const cm::ParsedMessage& m) {
    std::vector<Field> out;
    for (const cm::Header& h : m.headers) out.push_back({h.name, h.raw});
    return out;
}

bool operator==(const Field& a, const Field& b) { return a.name == b.name && a.value == b.value; }

std::string body_text(const cm::ParsedMessage& m) { return m.parts.empty() ? "" : m.parts[0].text; }

}  // namespace

TEST_CASE("message_buffer: a file is split into the fields and body an MTA would send", "[message_buffer]") {
    struct Case {
        const char* name;
        std::string raw;
        std::vector<std::string> want_names;
        std::string want_body;
    };
    auto c = GENERATE(values<Case>({
        {"LF line ends", "From: a@x.example\nSubject: hi\n\nbody\n", {"From", "Subject"}, "body\n"},
        {"CRLF line ends", "From: a@x.example\r\nSubject: hi\r\n\r\nbody\r\n", {"From", "Subject"}, "body\r\n"},
        {"folded field is one field", "Subject: one\n two\nFrom: a@x.example\n\nb", {"Subject", "From"}, "b"},
        {"no empty line: headers only", "From: a@x.example\nSubject: hi\n", {"From", "Subject"}, ""},
        {"a non-field line starts the body", "From: a@x.example\nnot a field\nmore\n", {"From"}, "not a field\nmore\n"},
        {"space before the colon", "Subject : hi\n\nb", {"Subject"}, "b"},
    }));
    INFO("case: " << c.name);
    cm::MessageBuffer buffer(1000);
    cm::add_raw_message(buffer, c.raw);
    cm::ParsedMessage m = buffer.finish();
    std::vector<std::string> names;
    for (const cm::Header& h : m.headers) names.push_back(h.name);
    CHECK(names == c.want_names);
    CHECK(body_text(m) == c.want_body);
    CHECK_FALSE(m.truncated);
}

TEST_CASE("message_buffer: the milter's fields and chunks and the file give the same message", "[message_buffer]") {
    const std::string file = "From: a@x.example\r\nSubject: one\r\n two\r\n\r\nline 1\r\nline 2\r\n";
    cm::MessageBuffer offline(1000);
    cm::add_raw_message(offline, file);
    cm::MessageBuffer milter(1000);
    milter.add_header("From", "a@x.example");
    milter.add_header("Subject", "one\r\n two");
    milter.add_body("line 1\r\n");
    milter.add_body("line 2\r\n");
    cm::ParsedMessage a = offline.finish(), b = milter.finish();
    CHECK(fields_of(a) == fields_of(b));
    CHECK(body_text(a) == body_text(b));
    CHECK(offline.size() == milter.size());
}

TEST_CASE("message_buffer: MaxScanSize keeps a body prefix and marks the message truncated", "[message_buffer][limits]") {
    struct Case {
        std::vector<std::string> chunks;
        std::vector<bool> want_more;  // add_body's answer per chunk
        std::string want_body;
        bool want_truncated;
    };
    auto c = GENERATE(values<Case>({
        {{"12345678"}, {true}, "12345678", false},         // exactly the limit
        {{"1234", "5678"}, {true, true}, "12345678", false},
        {{"123456789"}, {false}, "12345678", true},        // one byte over
        {{"1234", "56789", "x"}, {true, false, false}, "12345678", true},
    }));
    cm::MessageBuffer buffer(8);
    buffer.add_header("Content-Type", "text/plain");
    std::vector<bool> more;
    std::size_t sent = 0;
    for (const std::string& chunk : c.chunks) {
        more.push_back(buffer.add_body(chunk));
        sent += chunk.size();
    }
    CHECK(more == c.want_more);
    CHECK(buffer.size() == std::string("Content-Type: text/plain\r\n").size() + sent);
    cm::ParsedMessage m = buffer.finish();
    CHECK(body_text(m) == c.want_body);
    CHECK(m.truncated == c.want_truncated);
}

TEST_CASE("message_buffer: header fields past max_header_bytes are dropped with a note", "[message_buffer][limits]") {
    cm::ParseLimits limits;
    limits.max_header_bytes = 64;
    struct Case {
        std::vector<Field> fields;
        std::vector<std::string> want_names;
        bool want_note;
    };
    auto c = GENERATE(values<Case>({
        {{{"A", std::string(26, 'a')}, {"B", std::string(28, 'b')}}, {"A", "B"}, false},  // 31 + 33 bytes: at the limit
        {{{"A", std::string(26, 'a')}, {"B", std::string(29, 'b')}}, {"A"}, true},        // 31 + 34 > 64
        {{{"A", std::string(70, 'a')}, {"B", "b"}}, {}, true},  // nothing after the first field past it
    }));
    cm::MessageBuffer buffer(1000, limits);
    for (const Field& f : c.fields) buffer.add_header(f.name, f.value);
    buffer.add_body("body");
    cm::ParsedMessage m = buffer.finish();
    std::vector<std::string> names;
    for (const cm::Header& h : m.headers) names.push_back(h.name);
    CHECK(names == c.want_names);
    CHECK(m.has_note("limit:header-bytes") == c.want_note);
}

TEST_CASE("message_buffer: parse_headers() sees the fields before the body arrives", "[message_buffer]") {
    cm::MessageBuffer buffer(1000);
    buffer.add_header("X-Mail-Class", "transactional");
    cm::ParsedMessage early = buffer.parse_headers();
    REQUIRE(early.headers.size() == 1);
    CHECK(early.headers[0].value == "transactional");
    buffer.add_body("text");
    CHECK(buffer.parse_headers().headers.size() == 1);
    CHECK(buffer.finish().headers.size() == 1);
}

TEST_CASE("message_buffer: a cut input is truncated", "[message_buffer][limits]") {
    cm::MessageBuffer buffer(1000);
    cm::add_raw_message(buffer, "Subject: x\n\nshort");
    buffer.mark_truncated();
    CHECK(buffer.finish().truncated);
}
