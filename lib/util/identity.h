// SPDX-License-Identifier: Apache-2.0
// identity.h - a UserID value ("user[:group]") -> the numeric ids it names.
//
// One reading of UserID for the milter (dropping privileges) and consentctl (giving the store
// to the milter's user). Reads the system's user and group databases; thread-safe as far as
// getpwnam_r/getgrnam_r are.
#pragma once

#include <sys/types.h>

#include <string>

#include "util/status.h"

namespace cm {

struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;      // the named group, else the user's primary group
    std::string user;
    std::string group;  // the group's name ("" when the system has none for gid)
};

// InvalidArgument "unknown user 'x'" / "unknown group 'y'".
Result<Identity> resolve_identity(const std::string& spec);

}  // namespace cm
