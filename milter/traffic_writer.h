// SPDX-License-Identifier: Apache-2.0
// traffic_writer.h - writes the milter's per-sender traffic counters to the store (DESIGN §11).
//
// Its thread drains TrafficCounters every `interval` (10 s in the daemon) and adds the rows to
// the store in force (SnapshotHolder) with one add_traffic() call, that is one transaction.
// A failed write gives the rows back to the counters (restore) for the next round and logs
// one warning; the first write that succeeds again says so. Rows the store refuses as invalid,
// and those of a failed last write, are dropped with a warning. stop() (and the destructor) wakes
// the thread for a last drain and joins it: call it after smfi_main() returned, so that every
// judged message is counted. The holder and counters must outlive the writer.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "senders/traffic.h"
#include "snapshot.h"

namespace cm {

class TrafficWriter {
public:
    TrafficWriter(TrafficCounters& counters, SnapshotHolder& holder, std::chrono::milliseconds interval);
    ~TrafficWriter();
    TrafficWriter(const TrafficWriter&) = delete;
    TrafficWriter& operator=(const TrafficWriter&) = delete;

    void stop();

private:
    void run();
    void write(bool last);

    TrafficCounters& counters_;
    SnapshotHolder& holder_;
    const std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool failing_ = false;  // the last write failed (only this thread reads or writes it)
    std::thread thread_;
};

}  // namespace cm
