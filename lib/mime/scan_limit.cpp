// SPDX-License-Identifier: Apache-2.0
#include "mime/scan_limit.h"

namespace cm {

ScanPrefix scan_prefix(std::string_view raw, std::size_t max_body) {
    // The body starts after the first empty line (LF or CRLF line ends).
    std::size_t body = std::string_view::npos;
    if (raw.substr(0, 2) == "\r\n") body = 2;
    else if (raw.substr(0, 1) == "\n") body = 1;
    for (std::size_t i = raw.find('\n'); body == std::string_view::npos && i != std::string_view::npos;
         i = raw.find('\n', i + 1)) {
        if (i + 1 < raw.size() && raw[i + 1] == '\n') body = i + 2;
        else if (i + 2 < raw.size() && raw[i + 1] == '\r' && raw[i + 2] == '\n') body = i + 3;
    }
    if (body == std::string_view::npos || raw.size() - body <= max_body) return {raw, false};
    return {raw.substr(0, body + max_body), true};
}

}  // namespace cm
