// SPDX-License-Identifier: Apache-2.0
#include "callbacks.h"

#include <netdb.h>
#include <sys/socket.h>
#include <syslog.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "log.h"
#include "mime/message_buffer.h"
#include "util/pattern_budget.h"
#include "policy/report_text.h"
#include "policy/traffic_sample.h"
#include "policy/verdict.h"
#include "util/utc_day.h"
#include "util/text_util.h"

namespace cm {

namespace {

SnapshotHolder* g_holder = nullptr;
Metrics* g_metrics = nullptr;
TrafficCounters* g_traffic = nullptr;  // null: traffic not counted

// SMFIF_SETSYMLIST: the protocol lets a filter send macro lists only with this action negotiated
// (Sendmail ignores the lists otherwise).
constexpr unsigned long kWantedActions =
    SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT | SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
constexpr unsigned long kWantedSteps = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NR_CONN |
                                       SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_SKIP;

// One message in progress on a connection.
struct MessageState {
    Snapshot snapshot;
    std::optional<MessageBuffer> buffer;  // set with the snapshot (MaxScanSize comes from it)
    std::string mail_from;
    std::vector<std::string> rcpts;
    std::string auth_user;
    int forged_tag_headers = 0;
    std::string exempt_why;
    PatternBudget exempt_budget;  // ExemptHeader patterns spent on this message's fields
    std::string internal_error;   // set when a callback failed; the message follows OnError
    bool after_stop = false;      // MAIL came after begin_stopping(): tempfailed at its end
};

struct Connection {
    unsigned long steps = 0;      // negotiated protocol flags
    std::string client_ip;
    MessageState message;
    bool in_progress = false;     // between MAIL and the message's end (counted in g_metrics)
};

std::atomic<bool> g_stopping{false};

void set_in_progress(Connection& c, bool in_progress) {
    if (c.in_progress == in_progress) return;
    c.in_progress = in_progress;
    if (in_progress) g_metrics->message_started();
    else g_metrics->message_finished();
}

Connection* connection(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

sfsistat no_reply(const Connection& c, unsigned long flag) {
    return (c.steps & flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

std::string strip_angles(const char* arg) {
    std::string s = arg ? arg : "";
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    return s;
}

std::string macro(SMFICTX* ctx, const char* name) {
    const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
    return value ? value : "";
}

std::string numeric_host(const sockaddr* address) {
    if (!address) return {};
    char host[NI_MAXHOST];
    socklen_t len = address->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    if (address->sa_family != AF_INET && address->sa_family != AF_INET6) return {};
    if (getnameinfo(address, len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return {};
    return host;
}

// Starts a message: fresh state under the snapshot in force now.
void begin_message(Connection& c) {
    c.message = MessageState{};
    c.message.snapshot = g_holder->get();
    c.message.buffer.emplace(c.message.snapshot.policy->config().max_scan_size);
}

Envelope envelope_of(const Connection& c) {
    const MessageState& m = c.message;
    return Envelope{m.mail_from, m.rcpts, m.auth_user, c.client_ip};
}

void note_internal_error(Connection* c, const char* where, const char* what) {
    if (!c) return;
    if (c->message.internal_error.empty()) c->message.internal_error = std::string(where) + ": " + what;
}

// smfi_setreply treats '%' as a format character.
std::string escape_percent(const std::string& text) {
    std::string out;
    for (char ch : text) {
        out += ch;
        if (ch == '%') out += '%';
    }
    return out;
}

sfsistat reply(SMFICTX* ctx, const SmtpReply& r, sfsistat status) {
    std::string text = escape_percent(r.text);
    smfi_setreply(ctx, const_cast<char*>(r.code.c_str()), r.xcode.empty() ? nullptr : const_cast<char*>(r.xcode.c_str()),
                  const_cast<char*>(text.c_str()));
    return status;
}

using Clock = std::chrono::steady_clock;

// `started`: when the filter's own work on the decision began (end of message, or the body
// chunk that found an exemption); ms= is that work, not the time the client took (DESIGN §8).
void log_decision(SMFICTX* ctx, const Connection& c, const Report& report, Clock::time_point started) {
    const MessageState& m = c.message;
    LogContext context;
    context.queue_id = macro(ctx, "i");
    context.rcpts = m.rcpts.size();
    context.size = m.buffer ? m.buffer->size() : 0;
    context.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    log_message(LOG_INFO, log_line(context, report));
    g_metrics->count_message(static_cast<std::size_t>(report.verdict), report.reasons);
    // Traffic goes to the store, so it is counted only with one; a message refused because
    // the milter is stopping was not judged.
    if (g_traffic && m.snapshot.store && !m.after_stop)
        g_traffic->add(traffic_sample(report, m.rcpts.size(), utc_day(static_cast<std::int64_t>(std::time(nullptr)))));
    if (log_enabled(LOG_DEBUG)) {
        std::istringstream lines(human_report(report));
        for (std::string line; std::getline(lines, line);)
            log_message(LOG_DEBUG, (context.queue_id.empty() ? "NOQUEUE" : context.queue_id) + ": " + escape_for_log(line));
    }
}

void remove_forged_tag_headers(SMFICTX* ctx, const MessageState& m) {
    const std::string& name = m.snapshot.policy->config().tag_header;
    for (int index = m.forged_tag_headers; index >= 1; --index)
        smfi_chgheader(ctx, const_cast<char*>(name.c_str()), index, nullptr);
}

// Carries out the report's verdict at end of message.
sfsistat apply(SMFICTX* ctx, const MessageState& m, const Report& report) {
    const Config& config = m.snapshot.policy->config();
    remove_forged_tag_headers(ctx, m);
    switch (report.verdict) {
    case Verdict::reject: return reply(ctx, smtp_reply(config, report), SMFIS_REJECT);
    case Verdict::tempfail: return reply(ctx, smtp_reply(config, report), SMFIS_TEMPFAIL);
    case Verdict::quarantine: {
        std::string reason = "consent-milter: " + reasons_text(report);
        smfi_quarantine(ctx, const_cast<char*>(reason.c_str()));
        break;
    }
    case Verdict::tag: {
        std::string value = tag_header_value(report);
        smfi_insheader(ctx, 0, const_cast<char*>(config.tag_header.c_str()), const_cast<char*>(value.c_str()));
        break;
    }
    case Verdict::accept: break;
    }
    for (const std::string& rcpt : report.removed_recipients) {
        std::string arg = "<" + rcpt + ">";
        smfi_delrcpt(ctx, const_cast<char*>(arg.c_str()));
    }
    return SMFIS_ACCEPT;
}

// ComplaintRateAction suspend: records the automatic suspension evaluate() called for. The
// message keeps its verdict (sender:suspended) either way; a failed write is retried by the
// scope's next message, which finds the same figures.
void record_suspension(ConsentStore& store, const Suspension& suspension, std::int64_t now) {
    auto result = store.suspend(suspension, now);
    if (!result.ok())
        log_message(LOG_ERR, "cannot suspend scope " + escape_for_log(suspension.scope) + ": " +
                                 result.status().ToString());
    else if (result->changed)
        log_message(LOG_WARNING, "scope " + escape_for_log(suspension.scope) + " suspended: " +
                                     escape_for_log(suspension.reason));
}

// The report for a message whose checks could not run (internal error).
Report internal_error_report(const MessageState& m) {
    Report report;
    report.error = m.internal_error;
    const Config& config = m.snapshot.policy->config();
    report.verdict = config.on_error == OnErrorAction::tempfail ? Verdict::tempfail : Verdict::accept;
    return report;
}

// ---- callbacks ----

sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long, unsigned long,
                      unsigned long* actions_out, unsigned long* steps_out, unsigned long* f2, unsigned long* f3) noexcept {
    try {
        auto* c = new Connection;
        smfi_setpriv(ctx, c);
        c->steps = steps & kWantedSteps;
        *actions_out = actions & kWantedActions;
        *steps_out = c->steps;
        *f2 = 0;
        *f3 = 0;
        // Without SMFIF_SETSYMLIST the MTA's own macro lists apply (Sendmail: confMILTER_MACROS_*).
        if (actions & SMFIF_SETSYMLIST) {
            smfi_setsymlist(ctx, SMFIM_CONNECT, const_cast<char*>("{client_addr} {daemon_name}"));
            smfi_setsymlist(ctx, SMFIM_ENVFROM, const_cast<char*>("i {auth_authen}"));
            smfi_setsymlist(ctx, SMFIM_EOM, const_cast<char*>("i"));
        }
        return SMFIS_CONTINUE;
    } catch (...) {
        return SMFIS_ALL_OPTS;  // let the MTA offer its defaults
    }
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR* address) noexcept {
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        c->client_ip = numeric_host(address);
        if (c->client_ip.empty()) c->client_ip = macro(ctx, "{client_addr}");
    } catch (const std::exception& e) {
        note_internal_error(c, "connect", e.what());
    }
    return no_reply(*c, SMFIP_NR_CONN);
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) noexcept {
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        begin_message(*c);
        MessageState& m = c->message;
        m.after_stop = g_stopping.load();
        if (!m.after_stop) set_in_progress(*c, true);
        m.mail_from = strip_angles(argv ? argv[0] : nullptr);
        m.auth_user = macro(ctx, "{auth_authen}");
        m.exempt_why = exemption(*m.snapshot.policy, envelope_of(*c), {}, m.exempt_budget);
    } catch (const std::exception& e) {
        note_internal_error(c, "mail", e.what());
    }
    return no_reply(*c, SMFIP_NR_MAIL);
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) noexcept {
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        c->message.rcpts.push_back(strip_angles(argv ? argv[0] : nullptr));
    } catch (const std::exception& e) {
        note_internal_error(c, "rcpt", e.what());
    }
    return no_reply(*c, SMFIP_NR_RCPT);
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) noexcept {
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        MessageState& m = c->message;
        if (!m.snapshot.policy) begin_message(*c);
        std::string_view n = name ? name : "", v = value ? value : "";
        if (iequals(n, m.snapshot.policy->config().tag_header)) ++m.forged_tag_headers;
        m.buffer->add_header(n, v);
    } catch (const std::exception& e) {
        note_internal_error(c, "header", e.what());
    }
    return no_reply(*c, SMFIP_NR_HDR);
}

sfsistat on_eoh(SMFICTX* ctx) noexcept {
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        MessageState& m = c->message;
        if (!m.snapshot.policy) begin_message(*c);
        const Policy& policy = *m.snapshot.policy;
        if (m.exempt_why.empty() && !policy.config().exempt_headers.empty())
            m.exempt_why = exemption(policy, envelope_of(*c), m.buffer->parse_headers().headers, m.exempt_budget);
    } catch (const std::exception& e) {
        note_internal_error(c, "eoh", e.what());
    }
    return no_reply(*c, SMFIP_NR_EOH);
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) noexcept {
    const Clock::time_point started = Clock::now();
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    try {
        MessageState& m = c->message;
        if (!m.snapshot.policy) begin_message(*c);
        // An exempt message with no forged tag header to remove needs nothing more from us,
        // unless its scope is suspended (DESIGN §11: exemptions do not apply). That is asked
        // here, at the first body chunk, not at MAIL or end of headers: the scope may come from
        // a header (ConsentScope header:NAME) and all headers are in now.
        if (!m.exempt_why.empty() && m.forged_tag_headers == 0) {
            const Policy& policy = *m.snapshot.policy;
            const std::vector<Header> headers = policy.config().consent_scope == ScopeKind::header
                                                    ? m.buffer->parse_headers().headers
                                                    : std::vector<Header>{};
            std::optional<Report> report = exempt_report(policy, envelope_of(*c), headers, m.snapshot.store.get(),
                                                         static_cast<std::int64_t>(std::time(nullptr)), m.exempt_why);
            if (report) {
                m.buffer->add_body(std::string_view(reinterpret_cast<const char*>(chunk), len));  // for size=
                log_decision(ctx, *c, *report, started);
                const sfsistat status = report->verdict == Verdict::tempfail
                                            ? reply(ctx, smtp_reply(policy.config(), *report), SMFIS_TEMPFAIL)
                                            : SMFIS_ACCEPT;
                begin_message(*c);
                set_in_progress(*c, false);
                return status;
            }
            m.exempt_why.clear();  // suspended: buffered and judged in full at end of message
        }
        if (!m.buffer->add_body(std::string_view(reinterpret_cast<const char*>(chunk), len)) &&
            (c->steps & SMFIP_SKIP))
            return SMFIS_SKIP;
    } catch (const std::exception& e) {
        note_internal_error(c, "body", e.what());
    }
    return SMFIS_CONTINUE;
}

sfsistat on_eom(SMFICTX* ctx) noexcept {
    const Clock::time_point started = Clock::now();
    Connection* c = connection(ctx);
    if (!c) return SMFIS_CONTINUE;
    sfsistat status = SMFIS_CONTINUE;
    try {
        MessageState& m = c->message;
        if (!m.snapshot.policy) begin_message(*c);
        Report report;
        if (m.after_stop) {
            report.verdict = Verdict::tempfail;
            report.error = "shutting down";
        } else if (!m.internal_error.empty()) {
            report = internal_error_report(m);
            log_message(LOG_ERR, "internal error: " + escape_for_log(m.internal_error));
        } else {
            ParsedMessage message = m.buffer->finish();
            const auto now = static_cast<std::int64_t>(std::time(nullptr));
            report = evaluate(message, envelope_of(*c), *m.snapshot.policy, m.snapshot.store.get(), now);
            if (report.sender.suspend) record_suspension(*m.snapshot.store, *report.sender.suspend, now);
        }
        status = apply(ctx, m, report);
        log_decision(ctx, *c, report, started);
    } catch (const std::exception& e) {
        note_internal_error(c, "eom", e.what());
        Report report = internal_error_report(c->message);
        log_message(LOG_ERR, "internal error: " + escape_for_log(c->message.internal_error));
        status = report.verdict == Verdict::tempfail
                     ? reply(ctx, smtp_reply(c->message.snapshot.policy->config(), report), SMFIS_TEMPFAIL)
                     : SMFIS_ACCEPT;
    } catch (...) {
        status = SMFIS_TEMPFAIL;
    }
    c->message = MessageState{};
    set_in_progress(*c, false);
    return status;
}

sfsistat on_abort(SMFICTX* ctx) noexcept {
    if (Connection* c = connection(ctx)) {
        c->message = MessageState{};
        set_in_progress(*c, false);
    }
    return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) noexcept {
    if (Connection* c = connection(ctx)) set_in_progress(*c, false);
    delete connection(ctx);
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

}  // namespace

std::size_t messages_in_progress() { return static_cast<std::size_t>(g_metrics->in_progress()); }

void begin_stopping() { g_stopping = true; }

smfiDesc make_milter_descriptor(SnapshotHolder& holder, Metrics& metrics, TrafficCounters* traffic) {
    static_assert(static_cast<std::size_t>(Verdict::tempfail) == 4 && Metrics::kVerdicts.size() == 5,
                  "Metrics::kVerdicts follows the Verdict enum");
    g_metrics = &metrics;
    g_holder = &holder;
    g_traffic = traffic;
    smfiDesc d{};
    d.xxfi_name = const_cast<char*>("consent-milter");
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = kWantedActions;
    d.xxfi_connect = on_connect;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_envrcpt = on_envrcpt;
    d.xxfi_header = on_header;
    d.xxfi_eoh = on_eoh;
    d.xxfi_body = on_body;
    d.xxfi_eom = on_eom;
    d.xxfi_abort = on_abort;
    d.xxfi_close = on_close;
    d.xxfi_negotiate = on_negotiate;
    return d;
}

}  // namespace cm
