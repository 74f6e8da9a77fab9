// SPDX-License-Identifier: Apache-2.0
// test_mode.h - `consent-milter --test FILE`: one message judged exactly as the milter would.
#pragma once

#include "options.h"
#include "runtime.h"

namespace cm {

// Prints the report (human-readable or JSON) on stdout; returns the exit code.
int run_test_mode(const Options& options, const Policy& policy, ConsentStore* store);

}  // namespace cm
