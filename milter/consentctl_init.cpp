// SPDX-License-Identifier: Apache-2.0
// consentctl_init.cpp - `init`: create the store and give an SQLite one to the milter's user.
//
// The milter writes to the store (traffic counters), so its UserID must be able to write the
// database file and create the -wal and -shm files beside it: the file and its -wal/-shm/
// -journal files get owner UserID, the UserID's group and mode 0660; the directory is made
// (0770, same owner) when missing, and an existing one the user cannot write is given to it
// only when it holds nothing but the store's files. Running init again changes nothing.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "consentctl.h"
#include "util/identity.h"

namespace cm::ctl {

namespace {

constexpr mode_t kFileMode = 0660, kDirMode = 0770;
const char* const kCompanions[] = {"", "-wal", "-shm", "-journal"};

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

std::string owner_name(const Identity& id) { return id.user + ":" + (id.group.empty() ? std::to_string(id.gid) : id.group); }

// "consentctl: WHAT PATH: strerror"; EX_NOPERM for a permission problem, else EX_CANTCREAT.
int os_failure(Ctl& ctl, const char* what, const std::string& path) {
    int e = errno;
    *ctl.err << "consentctl: " << what << " " << path << ": " << std::strerror(e)
             << (e == EPERM || e == EACCES ? " (run init as root)" : "") << "\n";
    return e == EPERM || e == EACCES ? EX_NOPERM : EX_CANTCREAT;
}

bool writable_by(const struct stat& st, const Identity& id) {
    if (st.st_uid == id.uid) return (st.st_mode & (S_IWUSR | S_IXUSR)) == (S_IWUSR | S_IXUSR);
    if (st.st_gid == id.gid) return (st.st_mode & (S_IWGRP | S_IXGRP)) == (S_IWGRP | S_IXGRP);
    return (st.st_mode & (S_IWOTH | S_IXOTH)) == (S_IWOTH | S_IXOTH);
}

// True when `dir` holds nothing but the store file `name` and its companions.
bool holds_only_store(const std::string& dir, const std::string& name) {
    DIR* d = opendir(dir.c_str());
    if (!d) return false;
    bool only = true;
    while (dirent* e = readdir(d)) {
        std::string entry = e->d_name;
        if (entry == "." || entry == "..") continue;
        bool known = false;
        for (const char* suffix : kCompanions) known = known || entry == name + suffix;
        only = only && known;
    }
    closedir(d);
    return only;
}

// Makes `dir` usable by `owner` (see the file comment). EX_OK or the exit code, printed.
int prepare_directory(Ctl& ctl, const std::string& dir, const std::string& name, const std::optional<Identity>& owner) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) {
        if (errno != ENOENT) return os_failure(ctl, "stat", dir);
        if (mkdir(dir.c_str(), kDirMode) != 0) return os_failure(ctl, "mkdir", dir);
        if (chmod(dir.c_str(), kDirMode) != 0) return os_failure(ctl, "chmod", dir);
        if (owner && chown(dir.c_str(), owner->uid, owner->gid) != 0) return os_failure(ctl, "chown", dir);
        *ctl.out << "created " << dir << " (" << (owner ? "owner " + owner_name(*owner) + ", " : "") << "mode "
                 << octal(kDirMode) << ")\n";
        return EX_OK;
    }
    if (!S_ISDIR(st.st_mode)) {
        *ctl.err << "consentctl: " << dir << " is not a directory\n";
        return EX_CANTCREAT;
    }
    if (!owner || writable_by(st, *owner)) return EX_OK;
    if (!holds_only_store(dir, name)) {
        *ctl.err << "consentctl: " << dir << " is not writable by " << owner->user
                 << " and holds other files: put the store in a directory of its own"
                    " (e.g. /var/lib/consent-milter/consent.db)\n";
        return EX_CANTCREAT;
    }
    if (chown(dir.c_str(), owner->uid, owner->gid) != 0) return os_failure(ctl, "chown", dir);
    if (chmod(dir.c_str(), kDirMode) != 0) return os_failure(ctl, "chmod", dir);
    *ctl.out << "gave " << dir << " to " << owner_name(*owner) << " (mode " << octal(kDirMode) << ")\n";
    return EX_OK;
}

// The UserID's identity, or none when UserID is not set. EX_OK or EX_CONFIG (printed).
int store_owner(Ctl& ctl, std::optional<Identity>& owner) {
    if (ctl.config.user_id.empty()) return EX_OK;
    auto id = resolve_identity(ctl.config.user_id);
    if (!id.ok()) {
        *ctl.err << "consentctl: UserID: " << id.status().message() << "\n";
        return EX_CONFIG;
    }
    owner = *id;
    return EX_OK;
}

}  // namespace

int init_prepare(Ctl& ctl) {
    const std::string path = sqlite_store_path(ctl.database);
    if (path.empty()) return EX_OK;
    std::optional<Identity> owner;
    if (int rc = store_owner(ctl, owner); rc != EX_OK) return rc;
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    return prepare_directory(ctl, dir, slash == std::string::npos ? path : path.substr(slash + 1), owner);
}

int cmd_init(Ctl& ctl, const Args&) {
    const std::string path = sqlite_store_path(ctl.database);
    if (path.empty()) {
        *ctl.out << "consent store ready: PostgreSQL schema in place\n";
        return EX_OK;
    }
    std::optional<Identity> owner;
    if (int rc = store_owner(ctl, owner); rc != EX_OK) return rc;
    // The store is open (main opened it after init_prepare): its -wal and -shm files exist
    // and are given away too.
    for (const char* suffix : kCompanions) {
        const std::string file = path + suffix;
        if (access(file.c_str(), F_OK) != 0) continue;
        if (owner && chown(file.c_str(), owner->uid, owner->gid) != 0) return os_failure(ctl, "chown", file);
        if (chmod(file.c_str(), kFileMode) != 0) return os_failure(ctl, "chmod", file);
    }
    *ctl.out << "consent store " << path << " ready (" << (owner ? "owner " + owner_name(*owner) + ", " : "")
             << "mode " << octal(kFileMode) << ")\n";
    return EX_OK;
}

}  // namespace cm::ctl
