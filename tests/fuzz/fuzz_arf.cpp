// SPDX-License-Identifier: Apache-2.0
// fuzz_arf.cpp - libFuzzer target: the ARF (RFC 5965) importer on raw bytes.
//
// As `consentctl import-arf` does: split an mbox into messages (or take the input as one
// message), parse each as an abuse report and decide what to suppress for every
// ConsentScope kind. Suppress decisions must name a scope and at least one recipient.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "consent/arf.h"

namespace {

void judge(std::string_view raw) {
    auto report = cm::parse_arf(raw);
    if (!report.ok()) return;
    for (cm::ScopeKind kind : {cm::ScopeKind::auth, cm::ScopeKind::sender, cm::ScopeKind::sender_domain,
                               cm::ScopeKind::header}) {
        const cm::ArfDecision d = cm::decide_arf(*report, raw, kind, "X-Customer");
        if (d.outcome == cm::ArfOutcome::suppress && (d.scope.empty() || d.recipients.empty())) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    if (cm::looks_like_mbox(raw))
        cm::split_mbox(raw, [](cm::MboxMessage&& m) { judge(m.text); });
    else
        judge(raw);
    return 0;
}
