// SPDX-License-Identifier: Apache-2.0
// null_milter - the end-to-end benchmark's baseline filter (issue 5, configuration ii).
//
// Accepts every message after receiving its headers and body, doing nothing else. It asks
// for the same protocol steps, no-reply flags, macros and actions as consent-milter
// (milter/callbacks.cpp, DESIGN §9), so the difference between the two is the cost of our
// own work, not of the milter protocol. `-R` instead replies to every step (no SMFIP_NR_*),
// to show what the no-reply flags are worth.
//
//   null_milter -p SOCKET [-R]      runs in the foreground until SIGTERM
#include <libmilter/mfapi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace {

constexpr unsigned long kActions = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT | SMFIF_QUARANTINE;
constexpr unsigned long kNoReply = SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH;
constexpr unsigned long kSteps = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_SKIP | kNoReply;

bool g_reply_always = false;

// The steps granted for this connection live in the private pointer (no allocation).
unsigned long granted(SMFICTX* ctx) { return reinterpret_cast<unsigned long>(smfi_getpriv(ctx)); }
sfsistat quiet(SMFICTX* ctx, unsigned long flag) { return (granted(ctx) & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE; }

sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long, unsigned long,
                      unsigned long* actions_out, unsigned long* steps_out, unsigned long* f2, unsigned long* f3) {
    unsigned long want = g_reply_always ? (kSteps & ~kNoReply) : kSteps;
    *actions_out = actions & kActions;
    *steps_out = steps & want;
    *f2 = 0;
    *f3 = 0;
    smfi_setpriv(ctx, reinterpret_cast<void*>(*steps_out));
    smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{client_addr} {daemon_name}"));
    smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("i {auth_authen}"));
    smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("i"));
    return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR*) { return quiet(ctx, SMFIP_NR_CONN); }
sfsistat on_envfrom(SMFICTX* ctx, char**) { return quiet(ctx, SMFIP_NR_MAIL); }
sfsistat on_envrcpt(SMFICTX* ctx, char**) { return quiet(ctx, SMFIP_NR_RCPT); }
sfsistat on_header(SMFICTX* ctx, char*, char*) { return quiet(ctx, SMFIP_NR_HDR); }
sfsistat on_eoh(SMFICTX* ctx) { return quiet(ctx, SMFIP_NR_EOH); }
sfsistat on_body(SMFICTX*, unsigned char*, size_t) { return SMFIS_CONTINUE; }
sfsistat on_eom(SMFICTX*) { return SMFIS_ACCEPT; }
sfsistat on_close(SMFICTX* ctx) {
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
    const char* socket = nullptr;
    for (int opt; (opt = getopt(argc, argv, "p:R")) != -1;) {
        if (opt == 'p') socket = optarg;
        else if (opt == 'R') g_reply_always = true;
        else socket = nullptr, argc = 0;
    }
    if (!socket) {
        std::fprintf(stderr, "usage: null_milter -p SOCKET [-R]\n");
        return 64;
    }
    smfiDesc d{};
    d.xxfi_name = const_cast<char*>("null-milter");
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = kActions;
    d.xxfi_connect = on_connect;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_envrcpt = on_envrcpt;
    d.xxfi_header = on_header;
    d.xxfi_eoh = on_eoh;
    d.xxfi_body = on_body;
    d.xxfi_eom = on_eom;
    d.xxfi_close = on_close;
    d.xxfi_negotiate = on_negotiate;
    if (std::strncmp(socket, "local:", 6) == 0 || std::strncmp(socket, "unix:", 5) == 0)
        unlink(std::strchr(socket, ':') + 1);
    umask(0111);  // a benchmark socket in a private temp dir: let Postfix's smtpd connect
    if (smfi_setconn(const_cast<char*>(socket)) == MI_FAILURE || smfi_register(d) == MI_FAILURE ||
        smfi_opensocket(1) == MI_FAILURE) {
        std::fprintf(stderr, "null_milter: cannot open %s\n", socket);
        return 1;
    }
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
