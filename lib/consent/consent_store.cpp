// SPDX-License-Identifier: Apache-2.0
// consent_store.cpp - the pure per-recipient consent judgement and the address key.
#include "consent/consent_store.h"

#include "util/text_util.h"

namespace cm {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

RecipientConsent verdict(const ConsentLookup& found, bool pass, Reason reason) {
    return RecipientConsent{found.address, pass, reason};
}

}  // namespace

RecipientConsent judge_consent(const ConsentLookup& found, const ConsentPolicy& policy, std::int64_t now) {
    // Order matters: a suppression overrides everything, then the record's own state.
    if (found.suppressed) return verdict(found, false, Reason::consent_suppressed);
    if (!found.has_record) return verdict(found, false, Reason::consent_no_record);
    if (found.status == ConsentStatus::revoked) return verdict(found, false, Reason::consent_revoked);
    if (found.status == ConsentStatus::pending && policy.require_confirmed) return verdict(found, false, Reason::consent_unconfirmed);
    if (policy.max_age_days > 0) {
        // The age counts from the confirmation when there is one, else from the grant. A
        // consent of unknown age (no timestamp) cannot be shown to be fresh: expired.
        std::int64_t since = found.confirmed_at != 0 ? found.confirmed_at : found.granted_at;
        std::int64_t oldest_fresh = now - static_cast<std::int64_t>(policy.max_age_days) * kSecondsPerDay;
        if (since == 0 || since < oldest_fresh) return verdict(found, false, Reason::consent_expired);
    }
    return verdict(found, true, Reason::none);
}

std::string normalize_address(std::string_view address) {
    std::string_view s = trim(address);
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = trim(s.substr(1, s.size() - 2));
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace cm
