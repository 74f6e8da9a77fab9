// SPDX-License-Identifier: Apache-2.0
// runtime.h - what every front end needs before it can judge mail: a Policy and a store.
//
// load_policy() reads the config (built-in defaults when the default path does not exist
// and -c was not given) and compiles it; open_store() opens ConsentDatabase. A store that
// cannot be opened is returned as a store whose lookups fail with that Status (so the message
// follows OnError, as if the store had gone down later) and that retries the open every few
// seconds, so a store that was down at start-up is used once it is back.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "consent/consent_store.h"
#include "policy/evaluate.h"
#include "exit_codes.h"
#include "options.h"

namespace cm {

struct LoadedPolicy {
    std::shared_ptr<const Policy> policy;   // null when errors is not empty
    std::vector<std::string> errors;        // "FILE:LINE: message"
};

LoadedPolicy load_policy(const Options& options);

struct OpenedStore {
    std::shared_ptr<ConsentStore> store;    // null when no ConsentDatabase is configured
    Status status;                          // why the real store could not be opened
};

// `cached`: wrap the store in a ConsentCacheTTL cache (the daemon; --test asks the store),
// which a change watch (consent/change_watch.h) on the store empties whenever another process
// commits a change, for as long as the returned store lives (DESIGN §11: within 2 s). The
// watch's own thread blocks every signal.
OpenedStore open_store(const Config& config, bool cached = false);

}  // namespace cm
