// SPDX-License-Identifier: Apache-2.0
// complaint_rate.h - the complaint-rate rule of DESIGN §11, as one pure function.
//
// A scope's complaint rate is its complaints divided by its accepted recipients (of messages
// accepted or tagged) over ComplaintRateWindow UTC days. It is judged only when
// ComplaintRateLimit is above 0 and the window holds at least ComplaintRateMinVolume accepted
// recipients; it breaks the rule when, as a percentage, it is above the limit. No state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.h"

namespace cm {

// nullopt when the rule holds (or is off); else the figures, e.g. "complaint rate 0.52%
// (26 complaints / 5000 accepted recipients in 7 days) above ComplaintRateLimit 0.3%": the
// text of an automatic suspension and of the report.
std::optional<std::string> complaint_rate_excess(const Config& config, std::int64_t complaints,
                                                 std::int64_t accepted_recipients);

}  // namespace cm
