// SPDX-License-Identifier: Apache-2.0
#include "mime/gmime_init.h"

#include <gmime/gmime.h>

#include <mutex>

namespace cm {

void ensure_gmime_init() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

}  // namespace cm
