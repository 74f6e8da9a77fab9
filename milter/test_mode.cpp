#include "test_mode.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "envelope_from_headers.h"
#include "mime_walk.h"
#include "report_json.h"
#include "report_text.h"
#include "scan_limit.h"

namespace cm {

namespace {

bool read_input(const std::string& path, std::string& out) {
    if (path == "-") {
        std::ostringstream buffer;
        buffer << std::cin.rdbuf();
        out = buffer.str();
        return !std::cin.bad();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

}  // namespace

int run_test_mode(const Options& options, const Policy& policy, ConsentStore* store) {
    std::string raw;
    if (!read_input(options.test_file, raw)) {
        std::fprintf(stderr, "consent-milter: %s: cannot read: %s\n", options.test_file.c_str(), std::strerror(errno));
        return exit_noinput;
    }

    ScanPrefix scanned = scan_prefix(raw, policy.config().max_scan_size);
    ParsedMessage message = parse_message(scanned.bytes, ParseLimits{}, scanned.truncated);

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
    return exit_ok;
}

}  // namespace cm
