// SPDX-License-Identifier: Apache-2.0
// snapshot.h - the policy and consent store in force, swapped atomically on SIGUSR1.
//
// Each message takes a Snapshot when it starts (MAIL FROM) and keeps it to the end, so a
// reload never changes the rules under an in-flight message. The holder is the milter's only
// mutable global besides libmilter's descriptor; get()/set() are thread-safe.
#pragma once

#include <memory>
#include <mutex>

#include "consent/consent_store.h"
#include "policy/evaluate.h"

namespace cm {

struct Snapshot {
    std::shared_ptr<const Policy> policy;
    std::shared_ptr<ConsentStore> store;  // null: no ConsentDatabase configured
};

class SnapshotHolder {
public:
    Snapshot get() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return current_;
    }
    void set(Snapshot snapshot) {
        std::lock_guard<std::mutex> lock(mutex_);
        current_ = std::move(snapshot);
    }

private:
    mutable std::mutex mutex_;
    Snapshot current_;
};

}  // namespace cm
