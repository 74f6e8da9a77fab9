// SPDX-License-Identifier: Apache-2.0
// reason.cpp - names for the reason table (reason.h).
#include "checks/reason.h"

#include <ostream>

namespace cm {

namespace {

constexpr bool table_in_enum_order() {
    for (std::size_t i = 0; i < std::size(kReasonTable); ++i)
        if (static_cast<std::size_t>(kReasonTable[i].reason) != i) return false;
    return true;
}
static_assert(table_in_enum_order(), "kReasonTable must be indexed by Reason");

}  // namespace

std::string_view check_name(Check c) {
    switch (c) {
    case Check::list_unsubscribe: return "list_unsubscribe";
    case Check::body_link: return "body_link";
    case Check::consent: return "consent";
    case Check::sender: return "sender";
    }
    return "?";
}

std::string qualified_code(Reason r) {
    if (r == Reason::none) return {};
    const ReasonInfo& info = reason_info(r);
    return std::string(check_name(info.check)) + ":" + std::string(info.code);
}

std::ostream& operator<<(std::ostream& out, Reason r) {
    return out << (r == Reason::none ? std::string("none") : qualified_code(r));
}

}  // namespace cm
