// SPDX-License-Identifier: Apache-2.0
// Tests for the streaming RFC 4180 reader and writer (lib/util/csv.h).
#include <catch2/catch.hpp>

#include <sstream>

#include "util/csv.h"

using cm::CsvReader;
using cm::CsvWriter;

namespace {

struct Row {
    long line;
    std::vector<std::string> fields;  // empty + error set when the record was rejected
    std::string error;
};

std::vector<Row> read_all(const std::string& text, std::size_t max_bytes = 1u << 20) {
    std::istringstream in(text);
    CsvReader reader(in, max_bytes);
    std::vector<Row> rows;
    std::vector<std::string> fields;
    for (int guard = 0; guard < 1000; ++guard) {
        auto got = reader.next(fields);
        if (got.ok() && !*got) break;
        rows.push_back(Row{reader.line(), fields, got.ok() ? "" : got.status().message()});
    }
    return rows;
}

using Fields = std::vector<std::string>;

}  // namespace

TEST_CASE("csv reader splits well-formed records", "[csv]") {
    struct Case {
        const char* name;
        std::string input;
        std::vector<Fields> want;
    };
    auto c = GENERATE(values<Case>({
        {"simple LF", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
        {"CRLF", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
        {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
        {"empty fields", ",,\n", {{"", "", ""}}},
        {"quoted comma", "\"x,y\",z\n", {{"x,y", "z"}}},
        {"doubled quote", "\"say \"\"hi\"\"\",b\n", {{"say \"hi\"", "b"}}},
        {"embedded LF", "\"line1\nline2\",b\n", {{"line1\nline2", "b"}}},
        {"embedded CRLF", "\"line1\r\nline2\",b\r\n", {{"line1\r\nline2", "b"}}},
        {"quoted empty", "\"\",b\n", {{"", "b"}}},
        {"blank lines skipped", "\na,b\n\r\n\n1,2\n\n", {{"a", "b"}, {"1", "2"}}},
        {"BOM dropped", "\xEF\xBB\xBFscope,address\n", {{"scope", "address"}}},
        {"UTF-8 kept", "Müller,東京\n", {{"Müller", "東京"}}},
        {"trailing comma", "a,\n", {{"a", ""}}},
    }));
    SECTION(c.name) {
        auto rows = read_all(c.input);
        REQUIRE(rows.size() == c.want.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            CHECK(rows[i].error == "");
            CHECK(rows[i].fields == c.want[i]);
        }
    }
}

TEST_CASE("csv reader reports the line a record starts on", "[csv]") {
    auto rows = read_all("h1,h2\n\"multi\nline\",x\nnext,row\n");
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].line == 1);
    CHECK(rows[1].line == 2);
    CHECK(rows[2].line == 4);
}

TEST_CASE("csv reader rejects malformed records and resumes at the next line", "[csv]") {
    struct Case {
        const char* name;
        std::string input;
        long bad_line;
        std::string want_error;
    };
    auto c = GENERATE(values<Case>({
        {"quote in unquoted field", "ok,1\nab\"c,2\nok,3\n", 2, "quote inside an unquoted field"},
        {"text after closing quote", "ok,1\n\"ab\"c,2\nok,3\n", 2, "unexpected character after closing quote"},
        {"bare CR", "ok,1\na\rb,2\nok,3\n", 2, "bare carriage return"},
    }));
    SECTION(c.name) {
        auto rows = read_all(c.input);
        REQUIRE(rows.size() == 3);
        CHECK(rows[0].fields == Fields{"ok", "1"});
        CHECK(rows[1].line == c.bad_line);
        CHECK(rows[1].error == c.want_error);
        CHECK(rows[1].fields.empty());
        CHECK(rows[2].fields == Fields{"ok", "3"});
        CHECK(rows[2].line == 3);
    }
}

TEST_CASE("csv reader: an unterminated quote is one error at the line it opened", "[csv]") {
    auto rows = read_all("a,b\n\"never closed,x\nmore\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[1].line == 2);
    CHECK(rows[1].error == "unterminated quoted field");
}

TEST_CASE("csv reader bounds the memory of one record", "[csv]") {
    std::string big(100, 'x');
    auto rows = read_all("a,b\n" + big + ",1\nc,d\n", 50);
    REQUIRE(rows.size() == 3);
    CHECK(rows[1].error == "record too long");
    CHECK(rows[2].fields == Fields{"c", "d"});
}

TEST_CASE("csv writer quotes only what needs it and round-trips", "[csv]") {
    CHECK(cm::csv_quote("plain") == "plain");
    CHECK(cm::csv_quote("") == "");
    CHECK(cm::csv_quote("a,b") == "\"a,b\"");
    CHECK(cm::csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(cm::csv_quote("two\nlines") == "\"two\nlines\"");
    CHECK(cm::csv_quote(" padded ") == "\" padded \"");

    std::vector<Fields> rows = {{"scope", "note"}, {"a,b", "x\"y"}, {"multi\r\nline", ""}, {"", " lead"}};
    std::ostringstream out;
    CsvWriter writer(out);
    for (const auto& r : rows) writer.write_row(r);
    CHECK(out.str().find("scope,note\r\n") == 0);
    auto back = read_all(out.str());
    REQUIRE(back.size() == rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) CHECK(back[i].fields == rows[i]);
}
