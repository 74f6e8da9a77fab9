// SPDX-License-Identifier: Apache-2.0
// callbacks.h - the libmilter callbacks (DESIGN §9) and the descriptor that registers them.
//
// Every callback has the same beats: fetch the connection context, feed the message state,
// translate the result, log, return. Each is noexcept and catches at the boundary: an
// internal error makes the message follow OnError. Only what is needed is negotiated: no
// HELO/DATA/unknown steps, no-reply for connect, MAIL, RCPT, headers and end-of-headers.
#pragma once

#include <libmilter/mfapi.h>

#include <cstddef>

#include "senders/metrics.h"
#include "senders/traffic.h"
#include "snapshot.h"

namespace cm {

// The callbacks read the policy and store in force from `holder` and count every decision
// and the messages in progress into `metrics`, and every message judged with a consent store
// into `traffic` (null: not counted); all must outlive smfi_main.
smfiDesc make_milter_descriptor(SnapshotHolder& holder, Metrics& metrics, TrafficCounters* traffic);

// Messages between MAIL and their end (end of message, abort, or the connection closing) on
// all connections right now, not counting those begun after begin_stopping(). Thread-safe.
std::size_t messages_in_progress();

// From now on a new message is answered with a temporary failure at its end (the MTA retries
// it); the messages already in progress are judged as usual. Thread-safe; cannot be undone.
void begin_stopping();

}  // namespace cm
