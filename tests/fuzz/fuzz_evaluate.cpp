// SPDX-License-Identifier: Apache-2.0
// fuzz_evaluate.cpp - libFuzzer target: the whole decision on raw message bytes.
//
// Exactly what `consent-milter --test` does with a file, minus the store: add_raw_message()
// into a MessageBuffer with the default MaxScanSize, the envelope from the headers, evaluate()
// with a default Policy (built-in phrases), then both report renderings. Any verdict is
// fine; a crash, a sanitizer report or a leak is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "mime/addresses.h"
#include "policy/evaluate.h"
#include "mime/mime_walk.h"
#include "policy/report_json.h"
#include "policy/report_text.h"
#include "mime/message_buffer.h"

namespace {

const cm::Policy& default_policy() {
    static const std::shared_ptr<const cm::Policy> policy = [] {
        auto created = cm::Policy::create(cm::Config{});
        if (!created.ok()) std::abort();
        return *created;
    }();
    return *policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const cm::Policy& policy = default_policy();
    const std::string_view raw(reinterpret_cast<const char*>(data), size);

    cm::MessageBuffer buffer(policy.config().max_scan_size);
    cm::add_raw_message(buffer, raw);
    const cm::ParsedMessage message = buffer.finish();

    cm::Envelope envelope;
    envelope.mail_from = cm::sender_from_headers(message);
    envelope.rcpts = cm::recipients_from_headers(message);
    envelope.client_ip = "192.0.2.1";

    const cm::Report report = cm::evaluate(message, envelope, policy, nullptr, 1700000000);
    if (report.verdict == cm::Verdict::tempfail && report.error.empty()) std::abort();
    (void)cm::report_to_json(report);
    (void)cm::human_report(report);
    return 0;
}
