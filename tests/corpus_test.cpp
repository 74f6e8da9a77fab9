// SPDX-License-Identifier: Apache-2.0
// Every file of the shared public corpus judged against tests/data/corpus_expectations.tsv.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "policy/evaluate.h"
#include "checks/merge_tags.h"
#include "mime/mime_walk.h"

namespace {

struct Expectation {
    std::string file, list_unsubscribe, body_link, body_link_real_hrefs;
};

std::string corpus_dir() {
    const char* dir = std::getenv("CORPUS_DIR");
    return dir && *dir ? dir : "../shared/corpus/public";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    INFO("reading " << path);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<Expectation> expectations() {
    std::vector<Expectation> out;
    std::istringstream lines(read_file("tests/data/corpus_expectations.tsv"));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        Expectation e;
        std::getline(fields, e.file, '\t');
        std::getline(fields, e.list_unsubscribe, '\t');
        std::getline(fields, e.body_link, '\t');
        std::getline(fields, e.body_link_real_hrefs, '\t');
        out.push_back(e);
    }
    return out;
}

// A bare template as the ESP would send it: HTML body, valid one-click header.
std::string wrap_template(const std::string& html) {
    return "From: News <news@esp-customer.example>\r\n"
           "To: reader@example.net\r\n"
           "Subject: Template\r\n"
           "List-Unsubscribe: <https://esp.example/u/1>\r\n"
           "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: text/html; charset=utf-8\r\n\r\n" +
           html;
}

// Every placeholder href (merge tag, "#", empty) becomes a distinct real URL.
std::string with_real_hrefs(const std::string& html) {
    static const std::regex href(R"((href\s*=\s*)(["'])(.*?)\2)", std::regex::icase);
    std::string out;
    int n = 0;
    auto last = html.cbegin();
    for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end; ++it) {
        const std::smatch& m = *it;
        out.append(last, m[0].first);
        std::string value = m[3].str();
        bool placeholder = value.empty() || value == "#" || cm::has_unresolved_merge_tag(value);
        out += placeholder ? m[1].str() + "\"https://links.esp.example/c/" + std::to_string(++n) + "\"" : m[0].str();
        last = m[0].second;
    }
    out.append(last, html.cend());
    return out;
}

cm::Report judge(const std::string& raw) {
    cm::Config config;
    config.require_link_in_every_part = false;
    auto policy = cm::Policy::create(config);
    REQUIRE(policy.ok());
    cm::ParsedMessage message = cm::parse_message(raw);
    cm::Envelope envelope{"news@esp-customer.example", {"reader@example.net"}, "", "192.0.2.1"};
    return cm::evaluate(message, envelope, **policy, nullptr, 1700000000);
}

std::string outcome(bool pass, cm::Reason reason) { return pass ? "pass" : std::string(cm::reason_code(reason)); }

}  // namespace

TEST_CASE("corpus: every shared file gets its expected findings", "[corpus]") {
    const auto all = expectations();
    REQUIRE(all.size() >= 48);
    for (const Expectation& e : all) {
        const std::string content = read_file(corpus_dir() + "/" + e.file);
        const bool is_template = e.file.size() > 5 && e.file.substr(e.file.size() - 5) == ".html";
        cm::Report report = judge(is_template ? wrap_template(content) : content);
        INFO("file " << e.file);
        CHECK(outcome(report.list_unsubscribe.pass, report.list_unsubscribe.reason) == e.list_unsubscribe);
        CHECK(outcome(report.body_link.pass, report.body_link.reason) == e.body_link);
        if (is_template && e.body_link_real_hrefs != "-") {
            cm::Report real = judge(wrap_template(with_real_hrefs(content)));
            INFO("with real hrefs");
            CHECK(outcome(real.body_link.pass, real.body_link.reason) == e.body_link_real_hrefs);
        }
    }
}
