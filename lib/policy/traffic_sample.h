// SPDX-License-Identifier: Apache-2.0
// traffic_sample.h - what one judged message adds to the per-sender traffic counters (§11).
//
// The milter counts every message it judged, exempt ones included: they were delivered, and a
// complaint about one counts against its scope like any other, so its recipients belong in the
// denominator of the complaint rate (an exempt message counts as verdict "accept", no reason).
// Pure.
#pragma once

#include <cstddef>
#include <string>

#include "policy/report.h"
#include "senders/traffic.h"

namespace cm {

// `rcpts`: the envelope recipients; those the report removes are not counted. A consent reason
// counts the recipients that failed with it, any other reason all the message's recipients.
TrafficSample traffic_sample(const Report& report, std::size_t rcpts, std::string day);

}  // namespace cm
