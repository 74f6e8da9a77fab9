// SPDX-License-Identifier: Apache-2.0
#include "util/status.h"

namespace cm {

std::string Status::ToString() const {
    const char* name = "OK";
    switch (code_) {
    case Code::ok: return "OK";
    case Code::invalid_argument: name = "invalid argument"; break;
    case Code::not_found: name = "not found"; break;
    case Code::io_error: name = "I/O error"; break;
    case Code::unavailable: name = "unavailable"; break;
    case Code::corruption: name = "corruption"; break;
    case Code::internal: name = "internal error"; break;
    }
    return std::string(name) + ": " + message_;
}

}  // namespace cm
