// SPDX-License-Identifier: Apache-2.0
// change_watch.h - the PostgreSQL ChangeSource (consent/change_watch.h) and its channel.
//
// Every committed change NOTIFYs kChangeChannel in its own transaction (pg/backend.cpp), so
// the notification arrives only if and when the change is visible. The source holds one
// dedicated connection (not a pool's) that LISTENs on the channel and waits with poll() on its
// socket; an idle connection is checked with an empty query every 30 s, so a server that went
// away is noticed even when nothing is written. Used on the watch's thread only.
#pragma once

#include <memory>
#include <string>

#include "consent/change_watch.h"

namespace cm {

inline constexpr const char* kChangeChannel = "consent_changed";

// `conninfo` as for open_pg_backend(); it is connected by connect().
std::unique_ptr<ChangeSource> make_pg_change_source(const std::string& conninfo);

}  // namespace cm
