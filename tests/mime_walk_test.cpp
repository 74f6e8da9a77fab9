// SPDX-License-Identifier: Apache-2.0
// Tests for parse_message() (lib/mime/mime_walk.h): headers, transfer encodings, charsets,
// MIME structure, limits and hostile input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mime/charset.h"
#include "mime/mime_walk.h"

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A one-part message with the given Content-Type / Content-Transfer-Encoding ("" = absent).
std::string single_part(const std::string& content_type, const std::string& cte, const std::string& body) {
    std::string m = "From: a@example.com\r\nSubject: test\r\n";
    if (!content_type.empty()) m += "Content-Type: " + content_type + "\r\n";
    if (!cte.empty()) m += "Content-Transfer-Encoding: " + cte + "\r\n";
    return m + "\r\n" + body;
}

std::string first_text(const cm::ParsedMessage& m) {
    REQUIRE(m.parts.size() >= 1);
    return m.parts[0].text;
}

const cm::ParseNote* find_note(const cm::ParsedMessage& m, const std::string& code) {
    for (const cm::ParseNote& n : m.notes)
        if (n.code == code) return &n;
    return nullptr;
}

std::string corpus_dir() {
    const char* env = std::getenv("CORPUS_DIR");
    return env && *env ? env : "../shared/corpus/public";
}

}  // namespace

TEST_CASE("declared charsets are converted to UTF-8", "[mime_walk][charset]") {
    struct Case {
        const char* charset;
        std::string bytes;
        std::string want;
    };
    auto c = GENERATE(values<Case>({
        {"iso-8859-1", "caf\xe9", "caf\xc3\xa9"},                                     // café
        {"ISO-8859-1", "\x93x\x94", "\xe2\x80\x9cx\xe2\x80\x9d"},                     // read as windows-1252
        {"windows-1252", "\x93quoted\x94 \x80", "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac"},
        {"windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},  // Привет
        {"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},        // Привет
        {"gb2312", "\xd6\xd0\xce\xc4", "\xe4\xb8\xad\xe6\x96\x87"},                   // 中文
        {"gb2312", "\x81\x40", "\xe4\xb8\x82"},                                       // GBK-only 丂
        {"GBK", "\xd6\xd0\xce\xc4", "\xe4\xb8\xad\xe6\x96\x87"},
        {"gb18030", "\x81\x40\xd6\xd0", "\xe4\xb8\x82\xe4\xb8\xad"},
        {"big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87"},                     // 中文
        {"shift_jis", "\x93\xfa\x96\x7b\x8c\xea", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"},  // 日本語
        {"iso-2022-jp", "\x1b$BF|K\\8l\x1b(B", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"},
        {"euc-kr", "\xc7\xd1\xb1\xb9\xbe\xee", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4"},     // 한국어
        {"ks_c_5601-1987", "\xc7\xd1\xb1\xb9", "\xed\x95\x9c\xea\xb5\xad"},
        {"utf-8", "caf\xc3\xa9", "caf\xc3\xa9"},
        {"\"UTF-8\"", "caf\xc3\xa9", "caf\xc3\xa9"},
        {"us-ascii", "plain", "plain"},
    }));
    CAPTURE(c.charset);
    for (const char* type : {"text/plain", "text/html"}) {
        CAPTURE(type);
        auto m = cm::parse_message(single_part(std::string(type) + "; charset=" + c.charset, "8bit", c.bytes));
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text == c.want);
        CHECK_FALSE(m.has_note("charset:unknown"));
        CHECK_FALSE(m.has_note("charset:invalid-bytes"));
    }
}

TEST_CASE("the declared charset is recorded in lower case", "[mime_walk][charset]") {
    auto m = cm::parse_message(single_part("text/plain; charset=\"ISO-8859-1\"", "", "x"));
    REQUIRE(m.parts.size() == 1);
    CHECK(m.parts[0].charset == "iso-8859-1");
    CHECK(cm::parse_message(single_part("text/plain", "", "x")).parts.at(0).charset.empty());
}

TEST_CASE("invalid bytes become U+FFFD and are noted", "[mime_walk][charset]") {
    SECTION("UTF-8 with a stray byte") {
        auto m = cm::parse_message(single_part("text/plain; charset=utf-8", "8bit", "a\xff" "b"));
        CHECK(first_text(m) == "a\xef\xbf\xbd" "b");
        REQUIRE(m.has_note("charset:invalid-bytes"));
        CHECK(find_note(m, "charset:invalid-bytes")->detail.find("utf-8") != std::string::npos);
    }
    SECTION("UTF-8 cut in the middle of a sequence") {
        auto m = cm::parse_message(single_part("text/plain; charset=utf-8", "8bit", "ok\xe2\x82"));
        CHECK(first_text(m).rfind("ok", 0) == 0);
        CHECK(first_text(m).find("\xef\xbf\xbd") != std::string::npos);
        CHECK(m.has_note("charset:invalid-bytes"));
    }
    SECTION("Shift_JIS with a broken lead byte") {
        auto m = cm::parse_message(single_part("text/plain; charset=shift_jis", "8bit", "\x93\xfa\xa0\xff"));
        CHECK(first_text(m).rfind("\xe6\x97\xa5", 0) == 0);  // 日 survives
        CHECK(m.has_note("charset:invalid-bytes"));
    }
}

TEST_CASE("unknown charsets fall back without crashing", "[mime_walk][charset]") {
    auto [body, want] = GENERATE(table<std::string, std::string>({
        {"caf\xe9", "caf\xc3\xa9"},        // not UTF-8: read as windows-1252
        {"caf\xc3\xa9", "caf\xc3\xa9"},    // valid UTF-8 is kept
    }));
    auto m = cm::parse_message(single_part("text/plain; charset=x-no-such-charset", "8bit", body));
    CHECK(first_text(m) == want);
    const cm::ParseNote* note = find_note(m, "charset:unknown");
    REQUIRE(note != nullptr);
    CHECK(note->detail.find("x-no-such-charset") != std::string::npos);
}

TEST_CASE("parts without a declared charset", "[mime_walk][charset]") {
    SECTION("text/plain: UTF-8 if valid, else windows-1252") {
        CHECK(first_text(cm::parse_message(single_part("text/plain", "8bit", "caf\xc3\xa9"))) == "caf\xc3\xa9");
        CHECK(first_text(cm::parse_message(single_part("text/plain", "8bit", "caf\xe9"))) == "caf\xc3\xa9");
    }
    SECTION("text/html: <meta charset> in the head") {
        auto m = cm::parse_message(single_part(
            "text/html", "8bit", "<html><head><meta charset=\"windows-1251\"></head><body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>"));
        CHECK(first_text(m).find("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82") != std::string::npos);
        CHECK(m.parts[0].charset == "windows-1251");
    }
    SECTION("text/html: http-equiv Content-Type") {
        auto m = cm::parse_message(single_part(
            "text/html", "8bit",
            "<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=KOI8-R\"></HEAD>"
            "<BODY>\xf0\xd2\xc9\xd7\xc5\xd4</BODY></HTML>"));
        CHECK(first_text(m).find("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82") != std::string::npos);
    }
    SECTION("text/html: no meta, not UTF-8 -> windows-1252") {
        auto m = cm::parse_message(single_part("text/html", "8bit", "<p>caf\xe9 \x80</p>"));
        CHECK(first_text(m) == "<p>caf\xc3\xa9 \xe2\x82\xac</p>");
    }
    SECTION("the Content-Type charset beats the meta tag") {
        auto m = cm::parse_message(single_part("text/html; charset=iso-8859-1", "8bit",
                                               "<meta charset=\"utf-8\"><p>caf\xe9</p>"));
        CHECK(first_text(m).find("caf\xc3\xa9") != std::string::npos);
    }
}

TEST_CASE("transfer encodings are undone", "[mime_walk][encoding]") {
    auto [cte, body, want] = GENERATE(table<std::string, std::string, std::string>({
        {"base64", "SGVsbG8sIHfDtnJsZA==\r\n", "Hello, w\xc3\xb6rld"},
        {"BASE64", "SGVs\r\nbG8=\r\n", "Hello"},
        {"quoted-printable", "caf=C3=A9 soft=\r\nbreak=3D", "caf\xc3\xa9 softbreak="},
        {"7bit", "plain\r\n", "plain\r\n"},
        {"8bit", "caf\xc3\xa9", "caf\xc3\xa9"},
        {"binary", "a\r\nb", "a\r\nb"},
        {"x-unknown-encoding", "as is", "as is"},
    }));
    CAPTURE(cte);
    auto m = cm::parse_message(single_part("text/plain; charset=utf-8", cte, body));
    CHECK(first_text(m) == want);
}

TEST_CASE("broken base64 and quoted-printable are decoded as far as possible", "[mime_walk][encoding]") {
    SECTION("base64 with junk characters and no padding") {
        auto m = cm::parse_message(single_part("text/plain", "base64", "SGVs!!bG8g@@d29y*bGQ\r\n%%%"));
        // Junk is skipped; GMime drops an unpadded last group ("bGQ"), which is acceptable.
        CHECK(first_text(m).rfind("Hello wor", 0) == 0);
    }
    SECTION("quoted-printable with bad escapes") {
        auto m = cm::parse_message(single_part("text/plain; charset=utf-8", "quoted-printable", "a=ZZb =4 c=C3=A9="));
        CHECK(first_text(m).find("c\xc3\xa9") != std::string::npos);
        CHECK(first_text(m).find("a=ZZb") != std::string::npos);
    }
    SECTION("base64 decoding to invalid UTF-8") {
        auto m = cm::parse_message(single_part("text/plain; charset=utf-8", "base64", "//79\r\n"));  // ff fe fd
        CHECK(first_text(m) == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
        CHECK(m.has_note("charset:invalid-bytes"));
    }
}

TEST_CASE("a message without Content-Type is text/plain", "[mime_walk]") {
    auto m = cm::parse_message("From: a@example.com\nSubject: x\n\nJust a body.\n");
    REQUIRE(m.parts.size() == 1);
    CHECK(m.parts[0].kind == cm::PartKind::plain);
    CHECK(m.parts[0].text == "Just a body.\n");
    CHECK(m.parts[0].depth == 0);
    CHECK(m.parts[0].alternative_group == -1);
}

TEST_CASE("nested multiparts: text leaves, alternative groups, attachments skipped", "[mime_walk][structure]") {
    auto m = cm::parse_message(read_file("tests/data/mime/nested.eml"));
    struct Want {
        cm::PartKind kind;
        const char* text;
        int group;
        int depth;
    };
    const std::vector<Want> want = {
        {cm::PartKind::plain, "First plain alternative.", 0, 2},
        {cm::PartKind::html, "<p>First html alternative.</p>", 0, 3},
        {cm::PartKind::plain, "Second plain alternative.", 1, 2},
        {cm::PartKind::html, "<p>Second html alternative.</p>", 1, 2},
    };
    REQUIRE(m.parts.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        CAPTURE(i);
        CHECK(m.parts[i].kind == want[i].kind);
        CHECK(m.parts[i].text.find(want[i].text) != std::string::npos);
        CHECK(m.parts[i].alternative_group == want[i].group);
        CHECK(m.parts[i].depth == want[i].depth);
    }
    for (const cm::TextPart& p : m.parts) {
        CHECK(p.text.find("Attached text") == std::string::npos);   // attachment not decoded
        CHECK(p.text.find("QXR0YWNoZWQ") == std::string::npos);     // nor kept raw
        CHECK(p.text.find("Forwarded inner text") == std::string::npos);  // not this message's body
    }
    CHECK(m.notes.empty());
    // Only the outer headers; the forwarded message's are not ours.
    REQUIRE(m.find("Subject") != nullptr);
    CHECK(m.find("Subject")->value == "Nested structure");
    CHECK(m.find_all("From").size() == 1);
}

TEST_CASE("a missing closing boundary is noted as malformed", "[mime_walk][structure]") {
    auto m = cm::parse_message(read_file("tests/data/mime/missing-close.eml"));
    CHECK(m.has_note("mime:malformed"));
    REQUIRE(m.parts.size() == 2);
    CHECK(m.parts[1].text.find("html text") != std::string::npos);
}

TEST_CASE("each parser limit becomes a note", "[mime_walk][limits]") {
    const std::string nested = read_file("tests/data/mime/nested.eml");
    SECTION("header bytes") {
        cm::ParseLimits limits;
        limits.max_header_bytes = 60;
        auto m = cm::parse_message(nested, limits);
        CHECK(m.has_note("limit:header-bytes"));
        CHECK(m.headers.size() < 5);
        CHECK_FALSE(m.has_note("limit:headers"));
    }
    SECTION("header count") {
        cm::ParseLimits limits;
        limits.max_headers = 2;
        auto m = cm::parse_message(nested, limits);
        CHECK(m.has_note("limit:headers"));
        REQUIRE(m.headers.size() == 2);
        CHECK(m.headers[1].name == "To");
    }
    SECTION("MIME depth") {
        cm::ParseLimits limits;
        limits.max_mime_depth = 2;  // the html leaf sits at depth 3
        auto m = cm::parse_message(nested, limits);
        CHECK(m.has_note("limit:mime-depth"));
        CHECK(m.parts.size() == 3);
    }
    SECTION("part count") {
        cm::ParseLimits limits;
        limits.max_parts = 3;  // mixed, alternative, first plain
        auto m = cm::parse_message(nested, limits);
        CHECK(m.has_note("limit:part-count"));
        CHECK(m.parts.size() == 1);
    }
    SECTION("text bytes, cut on a character boundary") {
        cm::ParseLimits limits;
        limits.max_text_bytes = 5;
        auto m = cm::parse_message(single_part("text/plain; charset=utf-8", "", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), limits);
        CHECK(m.has_note("limit:text-bytes"));
        CHECK(first_text(m) == "\xc3\xa9\xc3\xa9");
    }
    SECTION("text bytes over several parts") {
        cm::ParseLimits limits;
        limits.max_text_bytes = 30;
        auto m = cm::parse_message(nested, limits);
        CHECK(m.has_note("limit:text-bytes"));
        std::size_t total = 0;
        for (const auto& p : m.parts) total += p.text.size();
        CHECK(total <= 30);
    }
    SECTION("unbounded limits do not overflow") {
        cm::ParseLimits limits;
        limits.max_text_bytes = SIZE_MAX;
        limits.max_header_bytes = SIZE_MAX;
        auto m = cm::parse_message(nested, limits);
        CHECK(m.parts.size() == 4);
        CHECK(m.notes.empty());
    }
    SECTION("nothing noted within the defaults") {
        auto m = cm::parse_message(nested);
        CHECK(m.notes.empty());
    }
}

TEST_CASE("deep nesting is cut off without recursion trouble", "[mime_walk][limits]") {
    std::string m;
    const int n = 2000;
    for (int i = 0; i < n; ++i)
        m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" + std::to_string(i) + "\n";
    m += "Content-Type: text/plain\n\ndeep\n";
    for (int i = n - 1; i >= 0; --i) m += "--b" + std::to_string(i) + "--\n";
    auto parsed = cm::parse_message(m);
    CHECK(parsed.has_note("limit:mime-depth"));
    CHECK(parsed.parts.empty());
}

TEST_CASE("header values are unfolded and RFC 2047 decoded, raw keeps the folding", "[mime_walk][headers]") {
    const std::string msg =
        "From: =?iso-8859-1?q?Andr=E9?= <andre@example.com>\r\n"
        "Subject: first line\r\n"
        "\tsecond line \r\n"
        "List-Unsubscribe: =?utf-8?q?=3Chttps=3A=2F=2Fexample=2Ecom=2Fu=3E?=\r\n"
        "X-B64: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
        "X-Raw-Utf8: Gr\xc3\xbc\xc3\x9f" "e\r\n"
        "X-Raw-Latin1: Gr\xfc\xdf" "e\r\n"
        "Content-Type: text/plain\r\n"
        "X-After: last\r\n"
        "\r\n"
        "body\r\n";
    auto m = cm::parse_message(msg);
    struct Want {
        const char* name;
        const char* raw;
        const char* value;
    };
    const std::vector<Want> want = {
        {"From", " =?iso-8859-1?q?Andr=E9?= <andre@example.com>", "Andr\xc3\xa9 <andre@example.com>"},
        {"Subject", " first line\r\n\tsecond line ", "first line\tsecond line"},
        {"List-Unsubscribe", " =?utf-8?q?=3Chttps=3A=2F=2Fexample=2Ecom=2Fu=3E?=", "<https://example.com/u>"},
        {"X-B64", " =?UTF-8?B?R3LDvMOfZQ==?=", "Gr\xc3\xbc\xc3\x9f" "e"},
        {"X-Raw-Utf8", " Gr\xc3\xbc\xc3\x9f" "e", "Gr\xc3\xbc\xc3\x9f" "e"},
        {"X-Raw-Latin1", " Gr\xfc\xdf" "e", "Gr\xc3\xbc\xc3\x9f" "e"},
        {"Content-Type", " text/plain", "text/plain"},
        {"X-After", " last", "last"},
    };
    REQUIRE(m.headers.size() == want.size());  // document order, Content-* included
    for (std::size_t i = 0; i < want.size(); ++i) {
        CAPTURE(i);
        CHECK(m.headers[i].name == want[i].name);
        CHECK(m.headers[i].raw == want[i].raw);
        CHECK(m.headers[i].value == want[i].value);
    }
    CHECK(m.find("list-unsubscribe") == &m.headers[2]);
}

TEST_CASE("raw 8-bit header text falls back to the body's charset, then windows-1252", "[mime_walk][headers]") {
    auto [body_charset, subject, want] = GENERATE(table<std::string, std::string, std::string>({
        {"gb2312", "\xd6\xd0\xce\xc4", "\xe4\xb8\xad\xe6\x96\x87"},          // 中文
        {"windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},
        {"utf-8", "caf\xe9", "caf\xc3\xa9"},                                       // body is UTF-8: windows-1252
        {"gb2312", "caf\xe9", "caf\xc3\xa9"},                                      // not valid GB18030: windows-1252
        {"x-no-such-charset", "caf\xe9", "caf\xc3\xa9"},
    }));
    CAPTURE(body_charset);
    auto m = cm::parse_message("Subject: " + subject + "\nContent-Type: text/plain; charset=" + body_charset +
                               "\n\nbody\n");
    REQUIRE(m.find("Subject") != nullptr);
    CHECK(m.find("Subject")->value == want);
}

TEST_CASE("decoded header values are always valid UTF-8", "[mime_walk][headers]") {
    auto raw = GENERATE(as<std::string>{}, "=?utf-8?q?a=FFb?=", "=?x-bogus?q?caf=E9?=", "=?utf-8?b?//79?=",
                        "=?iso-8859-1?q?unterminated", "caf\xe9 =?utf-8?q?ok?=");
    CAPTURE(raw);
    auto m = cm::parse_message("Subject: " + raw + "\n\nbody\n");
    REQUIRE(m.find("Subject") != nullptr);
    CHECK(cm::charset::is_valid_utf8(m.find("Subject")->value));
    CHECK(m.find("Subject")->raw == " " + raw);
}

TEST_CASE("parser warnings become readable notes", "[mime_walk][structure]") {
    auto m = cm::parse_message("Subject: x\nthis is not a header\nFrom: a@example.com\n\nbody\n");
    const cm::ParseNote* note = find_note(m, "mime:malformed");
    REQUIRE(note != nullptr);
    CHECK(note->detail.find("this is not a header") != std::string::npos);
    CHECK(note->detail.find('\n') == std::string::npos);
}

TEST_CASE("hostile and degenerate input", "[mime_walk][robustness]") {
    SECTION("empty input") {
        auto m = cm::parse_message("");
        CHECK(m.headers.empty());
        CHECK(m.parts.empty());
        CHECK(m.size == 0);
    }
    SECTION("only headers") {
        auto m = cm::parse_message("From: a@example.com\nSubject: hi\n");
        CHECK(m.headers.size() == 2);
        for (const auto& p : m.parts) CHECK(p.text.empty());
    }
    SECTION("no header block: the input is read as a plain body") {
        auto m = cm::parse_message("just some text\nand more\n");
        CHECK(m.has_note("mime:malformed"));
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text == "just some text\nand more\n");
    }
    SECTION("binary garbage with NUL bytes") {
        std::string garbage;
        for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) % 256);
        auto m = cm::parse_message(garbage);
        CHECK(m.size == garbage.size());
        for (const auto& p : m.parts) CHECK(p.text.size() <= garbage.size() * 3);
    }
    SECTION("NUL bytes in headers and body") {
        const std::string msg("Subject: a\0b\nContent-Type: text/plain\n\nx\0y\n", 42);
        auto m = cm::parse_message(msg);
        REQUIRE(m.parts.size() == 1);
        CHECK(m.parts[0].text.find('y') != std::string::npos);
    }
    SECTION("CRLF and LF line endings give the same values") {
        const std::string lf = "Subject: a\n b\nContent-Type: text/html; charset=utf-8\n\n<p>x</p>\n";
        std::string crlf;
        for (char c : lf) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
        auto a = cm::parse_message(lf);
        auto b = cm::parse_message(crlf);
        REQUIRE(a.headers.size() == b.headers.size());
        CHECK(a.find("Subject")->value == b.find("Subject")->value);
        REQUIRE(a.parts.size() == 1);
        REQUIRE(b.parts.size() == 1);
        CHECK(a.parts[0].kind == cm::PartKind::html);
        CHECK(b.parts[0].text.find("<p>x</p>") != std::string::npos);
    }
    SECTION("the truncated flag is passed through") {
        CHECK(cm::parse_message("Subject: x\n\nbody", {}, true).truncated);
        CHECK_FALSE(cm::parse_message("Subject: x\n\nbody").truncated);
    }
}

TEST_CASE("every corpus message parses", "[mime_walk][corpus]") {
    namespace fs = std::filesystem;
    const std::string dir = corpus_dir();
    REQUIRE(fs::is_directory(dir));
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".eml") continue;
        ++files;
        CAPTURE(entry.path().filename().string());
        const std::string raw = read_file(entry.path().string());
        auto m = cm::parse_message(raw);
        CHECK(m.size == raw.size());
        CHECK_FALSE(m.headers.empty());
        CHECK_FALSE(m.parts.empty());
    }
    CHECK(files > 0);

    auto katjes = cm::parse_message(read_file(dir + "/nl-de-klaviyo-katjes.eml"));
    const cm::Header* lu = katjes.find("List-Unsubscribe");
    REQUIRE(lu != nullptr);
    CHECK(lu->value.rfind("<https", 0) == 0);
}

TEST_CASE("parse_message is safe from several threads", "[mime_walk][threads]") {
    namespace fs = std::filesystem;
    std::vector<std::string> inputs;
    for (const auto& entry : fs::directory_iterator(corpus_dir()))
        if (entry.path().extension() == ".eml") inputs.push_back(read_file(entry.path().string()));
    inputs.push_back(read_file("tests/data/mime/nested.eml"));

    auto fingerprint = [](const cm::ParsedMessage& m) {
        std::string f;
        for (const auto& h : m.headers) f += h.name + ":" + h.value + "\n";
        for (const auto& p : m.parts) f += std::to_string(p.alternative_group) + p.charset + p.text;
        for (const auto& n : m.notes) f += n.code + n.detail;
        return f;
    };
    std::vector<std::string> want;
    for (const auto& in : inputs) want.push_back(fingerprint(cm::parse_message(in)));

    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round)
                for (std::size_t i = 0; i < inputs.size(); ++i)
                    if (fingerprint(cm::parse_message(inputs[i])) != want[i]) ++mismatches[t];
        });
    for (auto& th : threads) th.join();
    for (int n : mismatches) CHECK(n == 0);
}

TEST_CASE("format=flowed text is unflowed (RFC 3676)", "[mime_walk][issue12]") {
    CHECK(cm::unflow_text("To unsubscribe, follow \r\nthe link below:\r\n https://x.example/u\r\n", false) ==
          "To unsubscribe, follow the link below:\nhttps://x.example/u\n");
    CHECK(cm::unflow_text("https://x.example/very/long/ \r\npath\r\n", true) == "https://x.example/very/long/path\n");
    CHECK(cm::unflow_text("-- \r\nsig\r\n", false) == "-- \nsig\n");
    cm::ParsedMessage m = cm::parse_message(
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\n"
        "Abmelden: https://x.example/a/ \r\nb?id=1\r\n");
    REQUIRE(m.parts.size() == 1);
    CHECK(m.parts[0].text == "Abmelden: https://x.example/a/b?id=1\n");
}
