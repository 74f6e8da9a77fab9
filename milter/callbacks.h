// callbacks.h - the libmilter callbacks (DESIGN §9) and the descriptor that registers them.
//
// Every callback has the same beats: fetch the connection context, feed the message state,
// translate the result, log, return. Each is noexcept and catches at the boundary: an
// internal error makes the message follow OnError. Only what is needed is negotiated: no
// HELO/DATA/unknown steps, no-reply for connect, MAIL, RCPT, headers and end-of-headers.
#pragma once

#include <libmilter/mfapi.h>

#include "snapshot.h"

namespace cm {

// The callbacks read the policy and store in force from `holder`, which must outlive smfi_main.
smfiDesc make_milter_descriptor(SnapshotHolder& holder);

}  // namespace cm
