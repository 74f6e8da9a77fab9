// SPDX-License-Identifier: Apache-2.0
// gmime_init.h - one thread-safe GMime initialisation for the whole process.
//
// g_mime_init() is not safe to call from two threads at once; every lib/ module that uses
// GMime calls ensure_gmime_init() first instead.
#pragma once

namespace cm {

void ensure_gmime_init();

}  // namespace cm
