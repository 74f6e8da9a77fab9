// SPDX-License-Identifier: Apache-2.0
// version.h - the release version, printed by -V.
#pragma once

namespace cm {
inline constexpr const char* kVersion = "0.1.0";
}
