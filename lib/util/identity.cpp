// SPDX-License-Identifier: Apache-2.0
#include "util/identity.h"

#include <grp.h>
#include <pwd.h>

#include <vector>

namespace cm {

Result<Identity> resolve_identity(const std::string& spec) {
    const auto colon = spec.find(':');
    Identity id;
    id.user = spec.substr(0, colon);
    const std::string group = colon == std::string::npos ? "" : spec.substr(colon + 1);
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found_user = nullptr;
    if (getpwnam_r(id.user.c_str(), &pw, buf.data(), buf.size(), &found_user) != 0 || !found_user)
        return Status::InvalidArgument("unknown user '" + id.user + "'");
    id.uid = pw.pw_uid;
    id.gid = pw.pw_gid;
    struct group gr {};
    struct group* found_group = nullptr;
    if (!group.empty()) {
        if (getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &found_group) != 0 || !found_group)
            return Status::InvalidArgument("unknown group '" + group + "'");
        id.gid = gr.gr_gid;
        id.group = group;
    } else if (getgrgid_r(id.gid, &gr, buf.data(), buf.size(), &found_group) == 0 && found_group) {
        id.group = gr.gr_name;
    }
    return id;
}

}  // namespace cm
