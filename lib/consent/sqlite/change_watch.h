// SPDX-License-Identifier: Apache-2.0
// change_watch.h - the SQLite ChangeSource (consent/change_watch.h).
//
// Its own connection to the file checks PRAGMA data_version once a second; the number moves
// when another connection (consentctl, or this process's own pool) commits. Since every change
// appends to the history (DESIGN §7) and a traffic-counter write does not, a move counts as a
// change only when the history's highest id moved too: the milter's own counter writes every
// 10 s flush nothing. Used on the watch's thread only.
#pragma once

#include <memory>
#include <string>

#include "consent/change_watch.h"

namespace cm {

// `path` is the database file (the part after "sqlite:"); it is opened by connect().
std::unique_ptr<ChangeSource> make_sqlite_change_source(const std::string& path);

}  // namespace cm
