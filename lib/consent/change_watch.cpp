// SPDX-License-Identifier: Apache-2.0
// change_watch.cpp - the watch's thread, written once over a backend's ChangeSource: connect,
// wait for changes, back off and reconnect after a failure; a self-pipe wakes it for stop().
#include "consent/change_watch.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace cm {

namespace {

class ThreadedWatch final : public ChangeWatch {
public:
    explicit ThreadedWatch(std::unique_ptr<ChangeSource> source) : source_(std::move(source)) {
        if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
    }
    ~ThreadedWatch() override {
        stop();
        for (int fd : wake_)
            if (fd >= 0) close(fd);
    }

    void start(Handler handler) override {
        if (thread_.joinable()) return;
        handler_ = std::move(handler);
        // The new thread inherits the mask in force here: block everything around its creation.
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        thread_ = std::thread([this] { run(); });
        pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    }

    void stop() override {
        if (!thread_.joinable()) return;
        stopping_ = true;
        if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
        thread_.join();
    }

private:
    // Sleeps `seconds`, or less when stop() wakes it.
    void pause(int seconds) {
        pollfd p{wake_[0], POLLIN, 0};
        (void)poll(&p, 1, seconds * 1000);
    }

    void run() {
        int failures = 0;
        while (!stopping_) {
            if (failures > 0) pause(std::min(30, 1 << std::min(failures - 1, 5)));
            if (stopping_) break;
            if (Status st = source_->connect(); !st.ok()) {
                ++failures;
                handler_(StoreEvent{StoreEvent::Kind::lost, st});
                continue;
            }
            failures = 0;
            handler_(StoreEvent{StoreEvent::Kind::connected, Status::OK()});
            while (!stopping_) {
                Result<bool> changed = source_->wait(wake_[0]);
                if (stopping_) break;
                if (!changed.ok()) {
                    failures = 1;
                    handler_(StoreEvent{StoreEvent::Kind::lost, changed.status()});
                    break;
                }
                if (*changed) handler_(StoreEvent{StoreEvent::Kind::changed, Status::OK()});
            }
        }
    }

    std::unique_ptr<ChangeSource> source_;
    Handler handler_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    int wake_[2] = {-1, -1};
};

}  // namespace

std::unique_ptr<ChangeWatch> make_change_watch(std::unique_ptr<ChangeSource> source) {
    return std::make_unique<ThreadedWatch>(std::move(source));
}

}  // namespace cm
