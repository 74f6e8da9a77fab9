// SPDX-License-Identifier: Apache-2.0
// change_watch.h - tells a cache when the consent store changed (DESIGN §11, "At once, on
// every MTA"), so that a revoke, suppression or suspension made anywhere applies within 2 s.
//
// A ChangeWatch runs one thread with one store connection of its own: PostgreSQL LISTENs for
// the NOTIFY every change commits with (pg/change_watch.h); SQLite checks PRAGMA data_version
// once a second (sqlite/change_watch.h). It reports to its handler, on its own thread:
//   connected - after every (re)connect: changes may have been missed before it;
//   changed   - another connection or process committed a change;
//   lost      - the connection failed (`why`); it reconnects after 1 s, doubling up to 30 s.
// The thread is started with every signal blocked, so signals go to the threads that wait for
// them. stop() (also the destructor) wakes and joins the thread; the handler is not called
// after stop() returns. start() and stop() are for one owning thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "util/status.h"

namespace cm {

struct StoreEvent {
    enum class Kind { connected, changed, lost };
    Kind kind;
    Status why;  // lost: the connection's error
};

class ChangeWatch {
public:
    using Handler = std::function<void(const StoreEvent&)>;
    virtual ~ChangeWatch() = default;
    // Starts the thread (once); it connects at once.
    virtual void start(Handler handler) = 0;
    virtual void stop() = 0;
};

// What one backend does on the watch's thread (the rest is common: change_watch.cpp).
class ChangeSource {
public:
    virtual ~ChangeSource() = default;
    // Opens (again) the watching connection; changes committed after it returns are seen.
    virtual Status connect() = 0;
    // Waits until the store changed (true) or `wake_fd` became readable or a backend-chosen
    // interval passed (false); an error means the connection is lost. Only after connect().
    virtual Result<bool> wait(int wake_fd) = 0;
};

// The common thread over one backend's source.
std::unique_ptr<ChangeWatch> make_change_watch(std::unique_ptr<ChangeSource> source);

// A watch on the store a ConsentDatabase URI names (consent_db.h); it connects only when
// started. InvalidArgument for a URI open_consent_database() would refuse.
Result<std::unique_ptr<ChangeWatch>> open_change_watch(const std::string& uri);

}  // namespace cm
