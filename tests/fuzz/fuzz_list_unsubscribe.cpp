// SPDX-License-Identifier: Apache-2.0
// fuzz_list_unsubscribe.cpp - libFuzzer target: RFC 2369/8058 header analysis on raw bytes.
//
// The input is split at the first two NUL bytes into the List-Unsubscribe value, the
// List-Unsubscribe-Post value and a DKIM-Signature value; the value parser and the whole
// check (every option combination) must return without a crash, and every URI the parser
// accepts must be non-empty and free of '<' '>'.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "checks/list_unsubscribe.h"
#include "mime/message.h"

namespace {

std::string_view next_field(std::string_view& rest) {
    const auto nul = rest.find('\0');
    std::string_view field = rest.substr(0, nul);
    rest = nul == std::string_view::npos ? std::string_view{} : rest.substr(nul + 1);
    return field;
}

cm::Header header(const char* name, std::string_view value) {
    return cm::Header{name, std::string(value), std::string(value)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    const std::string_view value = next_field(rest);
    const std::string_view post = next_field(rest);
    const std::string_view dkim = next_field(rest);

    std::vector<std::string> uris;
    if (cm::parse_list_unsubscribe_value(value, uris)) {
        for (const std::string& uri : uris)
            if (uri.find_first_of("<>") != std::string::npos) std::abort();
    }

    cm::ParsedMessage message;
    message.headers.push_back(header("List-Unsubscribe", value));
    if (!post.empty()) message.headers.push_back(header("List-Unsubscribe-Post", post));
    if (!dkim.empty()) message.headers.push_back(header("DKIM-Signature", dkim));
    for (int opts = 0; opts < 4; ++opts) {
        cm::ListUnsubscribeOptions options{(opts & 1) != 0, (opts & 2) != 0};
        cm::ListUnsubscribeFinding f = cm::check_list_unsubscribe(message, options);
        if (f.pass != (f.reason == cm::Reason::none)) std::abort();  // contract: no reason = pass
    }
    return 0;
}
