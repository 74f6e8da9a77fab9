// SPDX-License-Identifier: Apache-2.0
#include "traffic_writer.h"

#include <syslog.h>

#include "log.h"

namespace cm {

TrafficWriter::TrafficWriter(TrafficCounters& counters, SnapshotHolder& holder, std::chrono::milliseconds interval)
    : counters_(counters), holder_(holder), interval_(interval), thread_([this] { run(); }) {}

TrafficWriter::~TrafficWriter() { stop(); }

void TrafficWriter::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void TrafficWriter::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
        const bool last = stopping_;
        lock.unlock();
        write(last);
        lock.lock();
    }
}

void TrafficWriter::write(bool last) {
    std::vector<TrafficRow> rows = counters_.drain();
    if (rows.empty()) return;
    // Counted under a store that a reload has since removed: nowhere to write them.
    const std::shared_ptr<ConsentStore> store = holder_.get().store;
    if (!store) return;
    const Status status = store->add_traffic(rows);
    if (status.ok()) {
        if (failing_) log_message(LOG_INFO, "traffic counters: written to the consent store again");
        failing_ = false;
        return;
    }
    // Rows the store refuses would be refused again: kept only while the store is out of reach.
    if (last || status.code() == Status::Code::invalid_argument) {
        log_message(LOG_WARNING, "traffic counters: " + std::to_string(rows.size()) +
                                     " row(s) not written: " + status.ToString());
        return;
    }
    counters_.restore(rows);
    if (!failing_)
        log_message(LOG_WARNING, "traffic counters: cannot write to the consent store, retrying every " +
                                     std::to_string(interval_.count() / 1000) + " s: " + status.ToString());
    failing_ = true;
}

}  // namespace cm
