// SPDX-License-Identifier: Apache-2.0
#include "daemon.h"

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "callbacks.h"
#include "log.h"
#include "metrics_server.h"
#include "runtime.h"
#include "timed_store.h"
#include "traffic_writer.h"
#include "util/identity.h"
#include "util/version.h"

namespace cm {

namespace {

std::string local_socket_path(const std::string& spec) {
    for (const char* prefix : {"local:", "unix:"})
        if (spec.rfind(prefix, 0) == 0) return spec.substr(std::strlen(prefix));
    return {};
}

// Socket mode and group are set while still privileged, so a chrooted MTA can connect.
bool set_socket_permissions(const std::string& path, const Config& config, const Identity* id, std::string& error) {
    gid_t gid = static_cast<gid_t>(-1);
    if (!config.socket_group.empty()) {
        const struct group* gr = getgrnam(config.socket_group.c_str());
        if (!gr) {
            error = "unknown SocketGroup '" + config.socket_group + "'";
            return false;
        }
        gid = gr->gr_gid;
    } else if (id) {
        gid = id->gid;
    }
    uid_t uid = id ? id->uid : static_cast<uid_t>(-1);
    if (chown(path.c_str(), uid, gid) != 0 && (uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1))) {
        error = path + ": chown: " + std::strerror(errno);
        return false;
    }
    if (chmod(path.c_str(), config.socket_mode) != 0) {
        error = path + ": chmod: " + std::strerror(errno);
        return false;
    }
    return true;
}

bool drop_privileges(const Identity& id, std::string& error) {
    if (setgroups(0, nullptr) != 0 && errno != EPERM) {
        error = std::string("setgroups: ") + std::strerror(errno);
        return false;
    }
    if (setgid(id.gid) != 0 || setuid(id.uid) != 0) {
        error = std::string("cannot become ") + id.user + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

bool write_pid_file(const std::string& path, std::string& error) {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    std::string pid = std::to_string(getpid()) + "\n";
    bool ok = write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
    close(fd);
    if (!ok) error = path + ": write failed";
    return ok;
}

// libmilter never sets TCP_NODELAY, so a modification sent before the final reply waits for
// the MTA's delayed ACK (about 40 ms a message on Linux). Linux copies the option from a
// listening socket to the sockets it accepts, so it is set once on our TCP listener(s).
void set_nodelay_on_tcp_listeners() {
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return;
    while (const dirent* entry = readdir(dir)) {
        int fd = std::atoi(entry->d_name);
        if (fd <= 2 || fd == dirfd(dir)) continue;
        sockaddr_storage address{};
        socklen_t len = sizeof address;
        int listening = 0;
        socklen_t optlen = sizeof listening;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &len) != 0) continue;
        if (address.ss_family != AF_INET && address.ss_family != AF_INET6) continue;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) != 0 || !listening) continue;
        int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    closedir(dir);
}

// Logging as `config` and the command line ask: -d overrides LogLevel. In the foreground,
// stderr too - unless syslog already has the lines and stderr is not a terminal (under systemd
// both end in the journal: every line twice).
LogSettings log_settings(const Options& options, const Config& config) {
    const bool to_stderr = options.foreground && (!config.syslog || isatty(STDERR_FILENO));
    return LogSettings{config.syslog, config.syslog_facility,
                       options.debug_level >= 0 ? options.debug_level : config.log_level, to_stderr};
}

// libmilter runs each MTA connection on its own thread, and a message's memory (body buffer,
// GMime tree, decoded parts) is freed at its end. With glibc's defaults a thread's arena then
// hands the freed top back to the kernel (madvise) and faults it in again for the next
// message: a TLB shootdown across every core per message (issue 15: 4-6 % of the milter's
// CPU samples under load; end to end within noise). So each arena keeps up to kTrim free;
// blocks of kMmap or more (only big messages' buffers) are mapped on their own and unmapped
// when freed, which bounds the RSS kept after big messages to about kTrim per arena. Called
// before any thread exists.
void tune_allocator() {
    constexpr int kMmap = 1 << 20, kTrim = 2 << 20;
    mallopt(M_MMAP_THRESHOLD, kMmap);
    mallopt(M_TRIM_THRESHOLD, kTrim);
}

// SIGUSR1: reload config and patterns; a bad config keeps the old one. The new logging
// settings (LogLevel, Syslog, SyslogFacility) apply right after the "reloaded" line, which is
// still written as before (a quieter LogLevel does not hide that the reload happened).
void reload(const Options& options, SnapshotHolder& holder, Metrics& metrics) {
    LoadedPolicy loaded = load_policy(options);
    if (!loaded.policy) {
        for (const std::string& e : loaded.errors) log_message(LOG_ERR, "reload failed, keeping old config: " + e);
        return;
    }
    Snapshot current = holder.get();
    const Config& before = current.policy->config();
    const Config& after = loaded.policy->config();
    if (after.socket != before.socket || after.user_id != before.user_id || after.pid_file != before.pid_file ||
        after.metrics_socket != before.metrics_socket)
        log_message(LOG_WARNING, "reload: Socket, UserID, PidFile and MetricsSocket changes take effect after a restart");
    // The store is reopened on every reload, not only when ConsentDatabase changed: a store that
    // could not be opened before (created since, back up) must be picked up by SIGUSR1, and
    // the lookup cache starts afresh. In-flight messages keep the old store via their snapshot.
    Snapshot next{loaded.policy, current.store};
    if (!after.consent_database.empty() || after.consent_database != before.consent_database) {
        OpenedStore store = open_store(after, true);
        if (!store.status.ok())
            log_message(LOG_ERR, "reload: ConsentDatabase: " + store.status.ToString());
        next.store = timed(store.store, metrics);
    }
    holder.set(std::move(next));
    log_message(LOG_INFO, "reloaded " + options.config_path);
    log_configure(log_settings(options, after));
}

// The signals this process acts on. They are blocked in every thread (the mask is inherited);
// the main thread takes them with sigtimedwait(). Linux gives a process-directed signal to the
// main thread whenever it is waiting for it, so libmilter's own signal thread, which waits for
// SIGHUP/SIGINT/SIGTERM too, sees them only if one arrives while a reload is running.
sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGUSR1, SIGHUP, SIGINT, SIGTERM}) sigaddset(&set, sig);
    return set;
}

// Stopping (DESIGN §4): libmilter alone would stop serving its sessions at once, dropping the
// messages in progress. So first new messages are refused with a temporary failure, the ones
// in progress get up to kFinishSeconds to end, and only then is libmilter told to stop.
void stop_gracefully(int sig) {
    constexpr int kFinishSeconds = 30;
    begin_stopping();
    std::size_t waiting = messages_in_progress();
    log_message(LOG_INFO, std::string("stopping on ") + sigabbrev_np(sig) + ": " + std::to_string(waiting) +
                              " message(s) in progress");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kFinishSeconds);
    while ((waiting = messages_in_progress()) > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (waiting > 0)
        log_message(LOG_WARNING, "stopping: " + std::to_string(waiting) + " message(s) still in progress after " +
                                     std::to_string(kFinishSeconds) + " s; the MTA will retry them");
    smfi_stop();
}

// Runs smfi_main() on its own thread and serves signals on this one until libmilter returns:
// SIGUSR1 reloads, SIGTERM/SIGINT/SIGHUP stop gracefully. Returns smfi_main()'s result.
int serve(const Options& options, SnapshotHolder& holder, Metrics& metrics) {
    std::atomic<bool> done{false};
    int rc = MI_FAILURE;
    std::thread filter([&] {
        rc = smfi_main();
        done = true;
    });
    const sigset_t set = handled_signals();
    const timespec tick{0, 200 * 1000 * 1000};
    bool stopping = false;
    while (!done) {
        const int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGUSR1) {
            reload(options, holder, metrics);
        } else if (sig > 0 && !stopping) {
            stopping = true;
            stop_gracefully(sig);
        }
    }
    filter.join();
    return rc;
}

int fail(const std::string& message, int code = EX_CONFIG) {
    log_message(LOG_ERR, message);
    std::fprintf(stderr, "consent-milter: %s\n", message.c_str());
    return code;
}

}  // namespace

int run_daemon(const Options& options, std::shared_ptr<const Policy> policy) {
    const Config& config = policy->config();
    const std::string socket = options.socket.empty() ? config.socket : options.socket;
    const std::string user = options.user.empty() ? config.user_id : options.user;
    const std::string pid_file = options.pid_file.empty() ? config.pid_file : options.pid_file;
    const bool background = config.background && !options.foreground;

    log_configure(log_settings(options, config));
    tune_allocator();

    Identity id;
    std::string error;
    if (!user.empty()) {
        auto resolved = resolve_identity(user);
        if (!resolved.ok()) return fail("UserID: " + resolved.status().message());
        id = *resolved;
    }

    static SnapshotHolder holder;  // outlives smfi_main and the reload thread
    static Metrics metrics;        // outlives smfi_main and the metrics server
    static TrafficCounters traffic;  // outlives smfi_main and the traffic writer
    // CM_BENCH_NO_TRAFFIC=1 turns the traffic counters off, only to measure what they cost
    // (tests/bench/e2e.sh); it is not a setting.
    const bool count_traffic = std::getenv("CM_BENCH_NO_TRAFFIC") == nullptr;
    static smfiDesc descriptor = make_milter_descriptor(holder, metrics, count_traffic ? &traffic : nullptr);
    if (smfi_register(descriptor) == MI_FAILURE) return fail("smfi_register failed", 70);
    if (smfi_setconn(const_cast<char*>(socket.c_str())) == MI_FAILURE) return fail("bad socket " + socket);
    if (smfi_opensocket(true) == MI_FAILURE) return fail("cannot open socket " + socket, 71);
    set_nodelay_on_tcp_listeners();
    if (std::string path = local_socket_path(socket); !path.empty())
        if (!set_socket_permissions(path, config, user.empty() ? nullptr : &id, error)) return fail(error, 71);

    if (background && daemon(0, 0) != 0) return fail(std::string("daemon: ") + std::strerror(errno), 71);
    if (!pid_file.empty() && !write_pid_file(pid_file, error)) return fail("PidFile: " + error, 73);
    if (!user.empty() && getuid() == 0 && !drop_privileges(id, error)) return fail(error, 77);

    // Blocked before any thread exists (the store's change watch is the first), so that every
    // thread inherits the mask: a thread that left them unblocked would take the default action
    // (the process killed mid-message, socket and pid file left behind).
    const sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    // The store is opened as the unprivileged user: that user must be able to read it.
    OpenedStore store = open_store(config, true);
    if (!store.status.ok()) log_message(LOG_ERR, "ConsentDatabase: " + store.status.ToString() + " (OnError applies)");
    holder.set(Snapshot{std::move(policy), timed(store.store, metrics)});

    // Opened unprivileged, like the store, and after the mask so that its thread inherits it;
    // a port that cannot be had is a start-up error.
    std::unique_ptr<MetricsServer> metrics_server;
    if (!config.metrics_socket.empty()) {
        metrics_server = MetricsServer::start(config.metrics_socket, metrics, error);
        if (!metrics_server) {
            if (!pid_file.empty()) unlink(pid_file.c_str());
            return fail(error, 71);
        }
    }

    // Started after the signal mask, like the metrics server. Stopped once libmilter has
    // returned, so that its last write holds every message judged.
    TrafficWriter traffic_writer(traffic, holder, std::chrono::seconds(10));

    log_message(LOG_INFO, std::string("consent-milter ") + kVersion + " starting on " + socket);
    const int rc = serve(options, holder, metrics);
    traffic_writer.stop();
    log_message(LOG_INFO, "consent-milter stopped");
    if (!pid_file.empty()) unlink(pid_file.c_str());
    return rc == MI_SUCCESS ? EX_OK : 70;
}

}  // namespace cm
