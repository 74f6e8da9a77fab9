// SPDX-License-Identifier: Apache-2.0
// daemon.h - run the filter: open the socket, set its mode and group, daemonize, write the
// pid file, drop privileges, open the consent store, then serve libmilter until stopped.
// SIGUSR1 reloads the config (a bad one is logged and the old one kept); SIGTERM stops after
// in-flight messages. See consent-milter(8), FILE PERMISSIONS and SIGNALS.
#pragma once

#include <memory>

#include "policy/evaluate.h"
#include "options.h"

namespace cm {

// Returns the process exit code.
int run_daemon(const Options& options, std::shared_ptr<const Policy> policy);

}  // namespace cm
