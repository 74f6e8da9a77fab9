// SPDX-License-Identifier: Apache-2.0
// milter_load - drives a milter the way Postfix does, as fast as it answers (issue 15, fleet).
//
// Speaks the MTA side of the milter protocol, version 6 (constants from libmilter's mfdef.h):
// OPTNEG, then per connection CONNECT and HELO, per message MAIL, RCPT..., DATA, HEADER...,
// EOH, BODY chunks of at most MILTER_CHUNK_SIZE bytes and EOM, each preceded by its macros
// (Postfix's default lists, or those the filter asked for with setsymlist). It honours the
// steps and no-reply flags the filter negotiated, SMFIR_SKIP, SMFIR_PROGRESS and the
// modification replies, and writes like Postfix: buffered until it needs a reply.
//
//   milter_load --socket SPEC --message FILE [--messages N] [--connections C]
//               [--per-connection M] [--rcpt PATTERN] [--rcpts R] [--first I] [--range K]
//               [--from ADDR] [--timeout S]
//
// SPEC: unix:PATH, local:PATH, PATH, inet:PORT@HOST or inet:HOST:PORT. C threads each hold
// one milter connection and send up to M messages on it before QUIT and a new connection.
// Message n asks for R recipients PATTERN % (first + (n*R + j) mod K) (K 0: no wrap).
// Prints msgs/s, the latency from MAIL to the final reply (p50/p90/p99/max), the count of
// each final reply and of each modification, and a last tab-separated "RESULT" line for
// scripts. A message whose connection breaks (error, EOF, timeout) or cannot be opened is
// counted as "lost"; after 30 refused connections in a row every message not yet sent is lost
// too. The exit status is 1 when any was lost, 2 on bad usage.
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// Macro stages of SMFIR_SETSYMLIST (libmilter's SMFIM_*, defined in mfapi.h, not mfdef.h).
enum Stage { kConnect = 0, kHelo, kMail, kRcpt, kData, kEom, kEoh, kStages };
// The command each stage's macros precede.
constexpr char kStageCommand[kStages] = {SMFIC_CONNECT, SMFIC_HELO, SMFIC_MAIL, SMFIC_RCPT,
                                         SMFIC_DATA,    SMFIC_BODYEOB, SMFIC_EOH};
// Postfix 3.7's milter_*_macros defaults, by stage.
const std::vector<std::string> kDefaultMacros[kStages] = {
    {"j", "{daemon_name}", "{daemon_addr}", "v", "_"},
    {"{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}", "{cert_issuer}"},
    {"i", "{auth_type}", "{auth_authen}", "{auth_author}", "{mail_addr}", "{mail_host}", "{mail_mailer}"},
    {"i", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}"},
    {"i"},
    {"i"},
    {"i"},
};
constexpr const char* kClientName = "client.example";
constexpr const char* kClientAddr = "192.0.2.10";
constexpr std::uint16_t kClientPort = 40000;
constexpr std::size_t kMaxReply = 8 << 20;  // longest reply packet accepted (SMFIR_REPLBODY chunks)
constexpr int kMaxFailedOpens = 30;        // connections refused in a row (100 ms apart) before giving up

struct Options {
    std::string socket, message_file, from = "news@shop.example", rcpt = "%drcpt@example.net";
    long messages = 1000, per_connection = 100, first = 0, range = 0;
    int connections = 1, rcpts = 1;
    double timeout = 60;
};

// The message file split as Postfix hands it to a filter: header fields unfolded into name
// and value (value with its leading space; stripped unless SMFIP_HDR_LEADSPC), body in CRLF
// lines cut into chunks.
struct Message {
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<std::string> chunks;
    std::size_t bytes = 0;
};

bool load_message(const std::string& path, Message& m) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string line, body;
    bool in_body = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        m.bytes += line.size() + 1;
        if (in_body) {
            body += line + "\r\n";
        } else if (line.empty()) {
            in_body = true;
        } else if ((line[0] == ' ' || line[0] == '\t') && !m.headers.empty()) {
            m.headers.back().second += "\n" + line;
        } else if (auto colon = line.find(':'); colon != std::string::npos) {
            m.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
        }
    }
    for (std::size_t at = 0; at < body.size(); at += MILTER_CHUNK_SIZE)
        m.chunks.push_back(body.substr(at, MILTER_CHUNK_SIZE));
    return !m.headers.empty();
}

// What one thread counted; merged at the end.
struct Tally {
    std::vector<double> latency_ms;
    std::map<std::string, long> finals, modifications;
    std::map<std::string, std::string> sample_text;  // first reply text per final kind
    long lost = 0, rejected_rcpts = 0;
    bool gave_up = false;  // the filter refused kMaxFailedOpens connections in a row

    void merge(const Tally& o) {
        latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
        for (auto& [k, v] : o.finals) finals[k] += v;
        for (auto& [k, v] : o.modifications) modifications[k] += v;
        for (auto& [k, v] : o.sample_text) sample_text.emplace(k, v);
        lost += o.lost;
        rejected_rcpts += o.rejected_rcpts;
        gave_up = gave_up || o.gave_up;
    }
};

std::uint32_t get32(const char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return ntohl(v);
}

void put32(std::string& out, std::uint32_t v) {
    v = htonl(v);
    out.append(reinterpret_cast<const char*>(&v), 4);
}

const char* modification_name(char c) {
    switch (c) {
    case SMFIR_ADDRCPT: return "addrcpt";
    case SMFIR_DELRCPT: return "delrcpt";
    case SMFIR_ADDRCPT_PAR: return "addrcpt_par";
    case SMFIR_REPLBODY: return "replbody";
    case SMFIR_CHGFROM: return "chgfrom";
    case SMFIR_ADDHEADER: return "addheader";
    case SMFIR_INSHEADER: return "insheader";
    case SMFIR_CHGHEADER: return "chgheader";
    case SMFIR_QUARANTINE: return "quarantine";
    default: return nullptr;
    }
}

// One milter connection: buffered writes, packet reads, the negotiated flags and macros.
class Connection {
public:
    explicit Connection(const Options& o) : o_(o) {}
    ~Connection() { close_fd(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool open();
    void close_fd() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    bool is_open() const { return fd_ >= 0; }
    bool step(unsigned long no_send) const { return !(pflags_ & no_send); }
    bool replies(unsigned long no_reply) const { return !(pflags_ & no_reply); }
    unsigned long pflags() const { return pflags_; }

    void queue(char cmd, const std::string& data = {}) {
        put32(out_, static_cast<std::uint32_t>(data.size() + 1));
        out_ += cmd;
        out_ += data;
    }
    // Macros of `stage` whose value `value_of` knows, as one SMFIC_MACRO packet (none if empty).
    template <class ValueOf>
    void queue_macros(Stage stage, ValueOf&& value_of) {
        std::string data(1, kStageCommand[stage]);
        for (const auto& name : symlist_[stage]) {
            std::string v = value_of(name);
            if (!v.empty()) data += name + '\0' + v + '\0';
        }
        if (data.size() > 1) queue(SMFIC_MACRO, data);
    }
    bool flush();
    // Flushes, then reads the next reply that is not SMFIR_PROGRESS. False: connection broken.
    bool reply(char& cmd, std::string& data);

private:
    bool read_exact(char* p, std::size_t n);

    const Options& o_;
    int fd_ = -1;
    unsigned long pflags_ = 0;
    std::vector<std::string> symlist_[kStages];
    std::string out_, in_;
    std::size_t in_at_ = 0;
};

bool connect_socket(const std::string& spec, int& fd) {
    std::string s = spec;
    for (const char* p : {"unix:", "local:"})
        if (s.rfind(p, 0) == 0) s = s.substr(std::strlen(p));
    if (s.rfind("inet:", 0) == 0) {
        s = s.substr(5);
        std::string host, port;
        if (auto at = s.find('@'); at != std::string::npos) {
            port = s.substr(0, at);
            host = s.substr(at + 1);
        } else if (auto colon = s.rfind(':'); colon != std::string::npos) {
            host = s.substr(0, colon);
            port = s.substr(colon + 1);
        }
        addrinfo hints{}, *res = nullptr;
        hints.ai_socktype = SOCK_STREAM;
        if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return false;
        fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok = fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0;
        freeaddrinfo(res);
        int one = 1;  // Postfix's writes are whole commands; do not let Nagle hold them
        if (ok) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return ok;
    }
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (s.size() >= sizeof sa.sun_path) return false;
    std::memcpy(sa.sun_path, s.c_str(), s.size() + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
}

// Connects and negotiates: offers version 6, every action and every protocol step; keeps the
// flags and macro lists the filter answers with.
bool Connection::open() {
    close_fd();
    out_.clear();
    in_.clear();
    in_at_ = 0;
    if (!connect_socket(o_.socket, fd_)) {
        close_fd();
        return false;
    }
    timeval tv{static_cast<time_t>(o_.timeout), static_cast<suseconds_t>(std::fmod(o_.timeout, 1.0) * 1e6)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::string neg;
    put32(neg, SMFI_PROT_VERSION);
    put32(neg, SMFI_CURR_ACTS);
    put32(neg, SMFI_CURR_PROT);
    queue(SMFIC_OPTNEG, neg);
    char cmd;
    std::string data;
    if (!reply(cmd, data) || cmd != SMFIC_OPTNEG || data.size() < MILTER_OPTLEN) {
        close_fd();
        return false;
    }
    pflags_ = get32(data.data() + 8);
    for (int s = 0; s < kStages; ++s) symlist_[s] = kDefaultMacros[s];
    for (std::size_t at = MILTER_OPTLEN; at + 4 < data.size();) {  // [stage][names\0]...
        std::uint32_t stage = get32(data.data() + at);
        std::string names(data.c_str() + at + 4);
        at += 4 + names.size() + 1;
        if (stage >= kStages) continue;
        symlist_[stage].clear();
        std::istringstream words(names);
        for (std::string w; words >> w;) symlist_[stage].push_back(w.size() > 1 && w[0] != '{' ? "{" + w + "}" : w);
    }
    return true;
}

bool Connection::flush() {
    std::size_t at = 0;
    while (at < out_.size()) {
        ssize_t n = send(fd_, out_.data() + at, out_.size() - at, MSG_NOSIGNAL);
        if (n <= 0) return false;
        at += static_cast<std::size_t>(n);
    }
    out_.clear();
    return true;
}

bool Connection::read_exact(char* p, std::size_t n) {
    while (n > 0) {
        if (in_at_ == in_.size()) {
            in_.resize(16384);
            in_at_ = 0;
            ssize_t got = recv(fd_, in_.data(), in_.size(), 0);
            if (got <= 0) {
                in_.clear();
                return false;
            }
            in_.resize(static_cast<std::size_t>(got));
        }
        std::size_t take = std::min(n, in_.size() - in_at_);
        std::memcpy(p, in_.data() + in_at_, take);
        in_at_ += take;
        p += take;
        n -= take;
    }
    return true;
}

bool Connection::reply(char& cmd, std::string& data) {
    if (!flush()) return false;
    do {
        char len[4];
        if (!read_exact(len, 4)) return false;
        std::uint32_t n = get32(len);
        if (n == 0 || n > kMaxReply) return false;
        data.resize(n);
        if (!read_exact(data.data(), n)) return false;
        cmd = data[0];
        data.erase(0, 1);
    } while (cmd == SMFIR_PROGRESS);
    return true;
}

// A reply that ends the message (or, at CONNECT/HELO, every message of the connection);
// SMFIR_CONTINUE is none, except at EOM where it means accept. Empty: not final.
std::string final_kind(char cmd, const std::string& data) {
    switch (cmd) {
    case SMFIR_ACCEPT: return "accept";
    case SMFIR_DISCARD: return "discard";
    case SMFIR_REJECT: return "reject";
    case SMFIR_TEMPFAIL: return "tempfail";
    case SMFIR_CONN_FAIL: return "connfail";
    case SMFIR_SHUTDOWN: return "shutdown";
    case SMFIR_REPLYCODE: return std::string("reply-") + (data.empty() ? '?' : data[0]) + "xx";
    default: return {};
    }
}

class Worker {
public:
    Worker(const Options& o, const Message& m, std::atomic<long>& next) : o_(o), m_(m), next_(next), c_(o) {}
    void run();
    Tally tally;

private:
    enum class Outcome { done, lost };
    Outcome open_session();
    Outcome message(long n);
    // Sends nothing more for this message and records `kind` (with the reply text) as its end.
    void finish(const std::string& kind, const std::string& text, std::chrono::steady_clock::time_point t0) {
        tally.finals[kind]++;
        if (!text.empty()) tally.sample_text.emplace(kind, text.substr(0, text.find('\0')));
        tally.latency_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::string macro(const std::string& name) const;

    const Options& o_;
    const Message& m_;
    std::atomic<long>& next_;
    Connection c_;
    std::string session_final_, session_text_;  // a CONNECT/HELO verdict for the whole session
    std::string queue_id_, rcpt_addr_;
};

std::string Worker::macro(const std::string& name) const {
    if (name == "i") return queue_id_;
    if (name == "j" || name == "{daemon_name}") return "mta.load.invalid";
    if (name == "{daemon_addr}") return "127.0.0.1";
    if (name == "v") return "Postfix 3.7.11";
    if (name == "_") return std::string(kClientName) + " [" + kClientAddr + "]";
    if (name == "{client_addr}") return kClientAddr;
    if (name == "{client_name}") return kClientName;
    if (name == "{client_port}") return std::to_string(kClientPort);
    if (name == "{mail_addr}") return o_.from;
    if (name == "{mail_host}") return o_.from.substr(o_.from.find('@') + 1);
    if (name == "{mail_mailer}" || name == "{rcpt_mailer}") return "smtp";
    if (name == "{rcpt_addr}") return rcpt_addr_;
    if (name == "{rcpt_host}") return rcpt_addr_.substr(rcpt_addr_.find('@') + 1);
    return {};  // unset (no TLS, no AUTH): Postfix sends nothing for it
}

Worker::Outcome Worker::open_session() {
    session_final_.clear();
    if (!c_.open()) return Outcome::lost;
    char cmd;
    std::string data;
    if (c_.step(SMFIP_NOCONNECT)) {
        c_.queue_macros(kConnect, [&](const std::string& n) { return macro(n); });
        std::string conn = std::string(kClientName) + '\0' + SMFIA_INET;
        std::uint16_t port = htons(kClientPort);
        conn.append(reinterpret_cast<const char*>(&port), 2);
        conn += std::string(kClientAddr) + '\0';
        c_.queue(SMFIC_CONNECT, conn);
        if (c_.replies(SMFIP_NR_CONN)) {
            if (!c_.reply(cmd, data)) return Outcome::lost;
            session_final_ = final_kind(cmd, data);
            session_text_ = data;
        }
    }
    if (session_final_.empty() && c_.step(SMFIP_NOHELO)) {
        c_.queue_macros(kHelo, [&](const std::string& n) { return macro(n); });
        c_.queue(SMFIC_HELO, std::string(kClientName) + '\0');
        if (c_.replies(SMFIP_NR_HELO)) {
            if (!c_.reply(cmd, data)) return Outcome::lost;
            session_final_ = final_kind(cmd, data);
            session_text_ = data;
        }
    }
    if (!session_final_.empty()) session_final_ += "(session)";
    return Outcome::done;
}

// One message, MAIL to the final reply. `lost` leaves the connection to be closed.
Worker::Outcome Worker::message(long n) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!session_final_.empty()) {
        finish(session_final_, session_text_, t0);
        return Outcome::done;
    }
    char id[32];
    std::snprintf(id, sizeof id, "%05X%07lX", static_cast<unsigned>(getpid()) & 0xFFFFF, n);
    queue_id_ = id;
    rcpt_addr_.clear();
    auto macros = [&](const std::string& name) { return macro(name); };
    char cmd;
    std::string data;
    // Sends the queued command and, unless `no_reply` was negotiated, reads its reply: true
    // with `kind` set when the message ended there.
    auto ask = [&](unsigned long no_reply, std::string& kind) {
        kind.clear();
        if (!c_.replies(no_reply)) return true;
        if (!c_.reply(cmd, data)) return false;
        kind = final_kind(cmd, data);
        return true;
    };
    std::string kind;
    auto ended_early = [&]() {  // a verdict before EOM: the MTA then aborts the transaction
        finish(kind, data, t0);
        c_.queue(SMFIC_ABORT);
        return Outcome::done;
    };

    if (c_.step(SMFIP_NOMAIL)) {
        c_.queue_macros(kMail, macros);
        c_.queue(SMFIC_MAIL, "<" + o_.from + ">" + '\0');
        if (!ask(SMFIP_NR_MAIL, kind)) return Outcome::lost;
        if (!kind.empty()) return ended_early();
    }
    int accepted = 0;
    std::string last_refusal, last_text;
    char addr[512];
    for (int j = 0; j < o_.rcpts; ++j) {
        long k = n * o_.rcpts + j;
        if (o_.range > 0) k %= o_.range;
        std::snprintf(addr, sizeof addr, o_.rcpt.c_str(), o_.first + k);
        rcpt_addr_ = addr;
        if (!c_.step(SMFIP_NORCPT)) {
            ++accepted;
            continue;
        }
        c_.queue_macros(kRcpt, macros);
        c_.queue(SMFIC_RCPT, "<" + rcpt_addr_ + ">" + '\0');
        if (!ask(SMFIP_NR_RCPT, kind)) return Outcome::lost;
        if (kind.empty() || kind == "accept") {
            ++accepted;
        } else if (kind == "discard" || kind == "connfail" || kind == "shutdown") {
            return ended_early();
        } else {
            ++tally.rejected_rcpts;
            last_refusal = kind;
            last_text = data;
        }
    }
    if (accepted == 0) {
        kind = "all-rcpts-" + last_refusal;
        data = last_text;
        return ended_early();
    }
    if (c_.step(SMFIP_NODATA)) {
        c_.queue_macros(kData, macros);
        c_.queue(SMFIC_DATA);
        if (!ask(SMFIP_NR_DATA, kind)) return Outcome::lost;
        if (!kind.empty()) return ended_early();
    }
    if (c_.step(SMFIP_NOHDRS)) {
        const bool leadspc = c_.pflags() & SMFIP_HDR_LEADSPC;
        for (const auto& [name, value] : m_.headers) {
            std::size_t skip = 0;
            if (!leadspc) skip = std::min(value.find_first_not_of(" \t"), value.size());
            c_.queue(SMFIC_HEADER, name + '\0' + value.substr(skip) + '\0');
            if (!ask(SMFIP_NR_HDR, kind)) return Outcome::lost;
            if (!kind.empty()) return ended_early();
        }
    }
    if (c_.step(SMFIP_NOEOH)) {
        c_.queue_macros(kEoh, macros);
        c_.queue(SMFIC_EOH);
        if (!ask(SMFIP_NR_EOH, kind)) return Outcome::lost;
        if (!kind.empty()) return ended_early();
    }
    if (c_.step(SMFIP_NOBODY)) {
        for (const auto& chunk : m_.chunks) {
            c_.queue(SMFIC_BODY, chunk);
            if (!ask(SMFIP_NR_BODY, kind)) return Outcome::lost;
            if (cmd == SMFIR_SKIP && c_.replies(SMFIP_NR_BODY)) break;
            if (!kind.empty()) return ended_early();
        }
    }
    c_.queue_macros(kEom, macros);
    c_.queue(SMFIC_BODYEOB);
    for (;;) {
        if (!c_.reply(cmd, data)) return Outcome::lost;
        if (const char* mod = modification_name(cmd)) {
            tally.modifications[mod]++;
            continue;
        }
        kind = cmd == SMFIR_CONTINUE ? "continue" : final_kind(cmd, data);
        if (kind.empty()) kind = std::string("unexpected-") + cmd;
        finish(kind, data, t0);
        return Outcome::done;
    }
}

void Worker::run() {
    long on_connection = 0;
    int failed_opens = 0;
    for (long n; (n = next_.fetch_add(1)) < o_.messages;) {
        if (!c_.is_open()) {
            on_connection = 0;
            if (open_session() == Outcome::lost) {
                c_.close_fd();
                ++tally.lost;
                if (++failed_opens == kMaxFailedOpens) {  // the filter is gone: the rest is lost too
                    long rest = next_.exchange(o_.messages);
                    if (rest < o_.messages) tally.lost += o_.messages - rest;
                    tally.gave_up = true;
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(100));  // no busy loop on a dead filter
                continue;
            }
            failed_opens = 0;
        }
        if (message(n) == Outcome::lost) {
            c_.close_fd();
            ++tally.lost;
            continue;
        }
        if (++on_connection >= o_.per_connection) {
            c_.queue(SMFIC_QUIT);
            c_.flush();
            c_.close_fd();
        }
    }
    if (c_.is_open()) {
        c_.queue(SMFIC_QUIT);
        c_.flush();
    }
}

double percentile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    std::size_t i = static_cast<std::size_t>(std::ceil(q * sorted.size()));
    return sorted[i ? i - 1 : 0];
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "milter_load: %s\nusage: milter_load --socket SPEC --message FILE [--messages N] [--connections C]\n"
                 "       [--per-connection M] [--rcpt PATTERN] [--rcpts R] [--first I] [--range K] [--from ADDR]\n"
                 "       [--timeout SECONDS]\n",
                 why);
    std::exit(2);
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) usage(("missing value for " + a).c_str());
        const char* v = argv[++i];
        if (a == "--socket") o.socket = v;
        else if (a == "--message") o.message_file = v;
        else if (a == "--messages") o.messages = std::atol(v);
        else if (a == "--connections") o.connections = std::atoi(v);
        else if (a == "--per-connection") o.per_connection = std::atol(v);
        else if (a == "--rcpt") o.rcpt = v;
        else if (a == "--rcpts") o.rcpts = std::atoi(v);
        else if (a == "--first") o.first = std::atol(v);
        else if (a == "--range") o.range = std::atol(v);
        else if (a == "--from") o.from = v;
        else if (a == "--timeout") o.timeout = std::atof(v);
        else usage(("unknown option " + a).c_str());
    }
    if (o.socket.empty() || o.message_file.empty()) usage("--socket and --message are required");
    if (o.messages < 1 || o.connections < 1 || o.per_connection < 1 || o.rcpts < 1 || o.range < 0 || o.timeout <= 0)
        usage("counts must be positive");
    auto pct = o.rcpt.find('%');
    if (pct == std::string::npos || o.rcpt.compare(pct, 2, "%d") != 0 || o.rcpt.find('%', pct + 1) != std::string::npos)
        usage("--rcpt needs exactly one %d");
    o.rcpt.replace(pct, 2, "%ld");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    Message m;
    if (!load_message(o.message_file, m)) {
        std::fprintf(stderr, "milter_load: %s: cannot read a message with headers\n", o.message_file.c_str());
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    std::atomic<long> next{0};
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < o.connections; ++i) workers.push_back(std::make_unique<Worker>(o, m, next));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
    for (auto& t : threads) t.join();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    Tally all;
    for (const auto& w : workers) all.merge(w->tally);
    std::sort(all.latency_ms.begin(), all.latency_ms.end());
    const long answered = static_cast<long>(all.latency_ms.size());
    std::printf("milter_load: %s, %ld messages of %zu bytes (%zu header fields, %zu body chunks), %d recipient(s) each,"
                " %d connections x up to %ld messages\n",
                o.socket.c_str(), o.messages, m.bytes, m.headers.size(), m.chunks.size(), o.rcpts, o.connections,
                o.per_connection);
    std::printf("%ld answered in %.2f s: %.1f msgs/s, %.1f recipients/s\n", answered, secs, answered / secs,
                answered * o.rcpts / secs);
    std::printf("latency, MAIL to final reply (ms): p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
                percentile(all.latency_ms, 0.5), percentile(all.latency_ms, 0.9), percentile(all.latency_ms, 0.99),
                all.latency_ms.empty() ? 0.0 : all.latency_ms.back());
    std::string finals, mods;
    for (auto& [k, v] : all.finals) finals += " " + k + "=" + std::to_string(v);
    for (auto& [k, v] : all.modifications) mods += " " + k + "=" + std::to_string(v);
    std::printf("final replies:%s  lost=%ld  (recipients refused: %ld)\n", finals.c_str(), all.lost,
                all.rejected_rcpts);
    std::printf("modifications:%s\n", mods.empty() ? " none" : mods.c_str());
    for (auto& [k, v] : all.sample_text) std::printf("  %s, e.g.: %s\n", k.c_str(), v.c_str());
    if (all.lost)
        std::printf("LOST: %ld message(s) whose milter connection broke%s\n", all.lost,
                    all.gave_up ? " (gave up: the filter refused connections for 3 s)" : "");
    std::printf("RESULT\tmessages=%ld\tseconds=%.3f\tmsgs_per_s=%.1f\trcpts_per_s=%.1f\tp50_ms=%.3f\tp90_ms=%.3f"
                "\tp99_ms=%.3f\tmax_ms=%.3f\tlost=%ld%s\n",
                answered, secs, answered / secs, answered * o.rcpts / secs, percentile(all.latency_ms, 0.5),
                percentile(all.latency_ms, 0.9), percentile(all.latency_ms, 0.99),
                all.latency_ms.empty() ? 0.0 : all.latency_ms.back(), all.lost, [&] {
                    std::string s;
                    for (auto& [k, v] : all.finals) s += "\t" + k + "=" + std::to_string(v);
                    return s;
                }().c_str());
    return all.lost ? 1 : 0;
}
