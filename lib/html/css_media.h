// SPDX-License-Identifier: Apache-2.0
// css_media.h - which of the two judged viewports a @media query list holds in.
//
// A mail is judged as a desktop client shows it (any width from 600 px up) and as a phone
// shows it (375 px wide); a link counts as hidden only when hidden in both. A query holds in a
// viewport only when it certainly does: `print`, `speech` and other media types, and features
// other than (min-/max-)(device-)width (prefers-color-scheme, orientation, resolution,
// -webkit-*), never do; a width condition true for some desktop widths only (min-width: 768px)
// does not either. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace cm {

enum class Viewport : std::uint8_t { desktop = 0, mobile = 1 };
constexpr std::uint8_t kAllViewports = 3;  // a set of viewports: bit (1 << viewport)
constexpr std::uint8_t viewport_bit(Viewport v) { return static_cast<std::uint8_t>(1u << unsigned(v)); }

constexpr double kDesktopMinWidthPx = 600;
constexpr double kMobileWidthPx = 375;

// The viewports where the query list of a @media rule ("only screen and (max-width:600px),
// print") holds. Empty = all media; a malformed query holds nowhere.
std::uint8_t media_viewports(std::string_view queries);

}  // namespace cm
