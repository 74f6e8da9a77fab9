// SPDX-License-Identifier: Apache-2.0
#include "policy/traffic_sample.h"

#include <algorithm>

namespace cm {

TrafficSample traffic_sample(const Report& report, std::size_t rcpts, std::string day) {
    TrafficSample sample;
    sample.scope = report.scope;
    sample.day = std::move(day);
    sample.verdict = verdict_name(report.verdict);
    const std::size_t removed = std::min(report.removed_recipients.size(), rcpts);
    sample.recipients = static_cast<std::int64_t>(rcpts - removed);
    for (Reason reason : report.reasons) {
        std::int64_t concerned = static_cast<std::int64_t>(rcpts);
        if (reason_info(reason).check == Check::consent) {
            concerned = 0;
            for (const RecipientConsent& r : report.consent.recipients) concerned += r.reason == reason;
        }
        sample.reasons.emplace_back(qualified_code(reason), concerned);
    }
    return sample;
}

}  // namespace cm
