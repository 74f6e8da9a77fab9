// SPDX-License-Identifier: Apache-2.0
#include "test_mode.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>

#include "mime/addresses.h"
#include "mime/message_buffer.h"
#include "policy/report_json.h"
#include "policy/report_text.h"

namespace cm {

namespace {

// Reads at most `limit` bytes of the file ("-" = standard input), as much as the milter would
// buffer; `cut` says there was more. Memory stays bounded whatever the file's size.
bool read_input(const std::string& path, std::size_t limit, std::string& out, bool& cut) {
    FILE* in = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (!in) return false;
    struct stat st {};
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
        out.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), limit + 1));
    char buffer[1 << 16];
    while (out.size() <= limit) {
        std::size_t n = std::fread(buffer, 1, std::min(sizeof buffer, limit + 1 - out.size()), in);
        if (n == 0) break;
        out.append(buffer, n);
    }
    bool ok = !std::ferror(in);
    if (in != stdin) std::fclose(in);
    cut = out.size() > limit;
    if (cut) out.resize(limit);
    return ok;
}

}  // namespace

int run_test_mode(const Options& options, const Policy& policy, ConsentStore* store) {
    // The same MessageBuffer as the milter; the file is read only as far as it can keep.
    const std::size_t max_scan = policy.config().max_scan_size;
    MessageBuffer buffer(max_scan);
    std::string raw;
    bool cut = false;
    if (!read_input(options.test_file, ParseLimits{}.max_header_bytes + 4 + max_scan, raw, cut)) {
        std::fprintf(stderr, "consent-milter: %s: cannot read: %s\n", options.test_file.c_str(), std::strerror(errno));
        return EX_NOINPUT;
    }
    add_raw_message(buffer, raw);
    if (cut) buffer.mark_truncated();
    ParsedMessage message = buffer.finish();

    Envelope envelope;
    envelope.mail_from = options.from_given ? options.from : sender_from_headers(message);
    envelope.rcpts = options.rcpts.empty() ? recipients_from_headers(message) : options.rcpts;
    envelope.auth_user = options.auth;
    envelope.client_ip = options.client_ip;

    Report report = evaluate(message, envelope, policy, store, static_cast<std::int64_t>(std::time(nullptr)));
    if (options.json)
        std::cout << report_to_json(report) << "\n";
    else
        std::cout << human_report(report);
    return EX_OK;
}

}  // namespace cm
