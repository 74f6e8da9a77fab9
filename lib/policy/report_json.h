// SPDX-License-Identifier: Apache-2.0
// report_json.h - the DESIGN §6 JSON report. Keys may be added, never renamed. Pure.
#pragma once

#include <string>

#include "policy/report.h"

namespace cm {

// One JSON object, no trailing newline.
std::string report_to_json(const Report& report);

}  // namespace cm
