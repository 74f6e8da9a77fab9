// SPDX-License-Identifier: Apache-2.0
// arf.cpp - ARF (RFC 5965) report and forwarded-spam parsing with GMime, mbox splitting,
// complaint decisions.
#include "consent/arf.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <utility>

#include "consent/consent_scope.h"
#include "consent/consent_store.h"
#include "mime/gmime_init.h"
#include "util/text_util.h"
#include "mime/addresses.h"

namespace cm {

namespace {

// Owns one GObject reference.
template <class T>
struct GRef {
    T* p = nullptr;
    explicit GRef(T* ptr = nullptr) : p(ptr) {}
    GRef(const GRef&) = delete;
    GRef& operator=(const GRef&) = delete;
    ~GRef() {
        if (p) g_object_unref(p);
    }
};

GMimeMessage* parse_gmime_message(std::string_view raw) {
    GRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.p));
    g_mime_parser_set_format(parser.p, GMIME_FORMAT_MESSAGE);
    return g_mime_parser_construct_message(parser.p, nullptr);
}

// The transfer-decoded content of a leaf part.
std::string part_content(GMimeObject* object) {
    if (!GMIME_IS_PART(object)) return {};
    GMimeDataWrapper* wrapper = g_mime_part_get_content(GMIME_PART(object));
    if (!wrapper) return {};
    GRef<GMimeStream> mem(g_mime_stream_mem_new());
    g_mime_data_wrapper_write_to_stream(wrapper, mem.p);
    GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
    return bytes ? std::string(reinterpret_cast<const char*>(bytes->data), bytes->len) : std::string();
}

std::vector<Header> headers_of(GMimeObject* object) {
    std::vector<Header> out;
    GMimeHeaderList* list = g_mime_object_get_header_list(object);
    int count = list ? g_mime_header_list_get_count(list) : 0;
    for (int i = 0; i < count; ++i) {
        GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
        const char* name = g_mime_header_get_name(h);
        const char* raw = g_mime_header_get_raw_value(h);
        const char* value = g_mime_header_get_value(h);
        out.push_back(Header{name ? name : "", raw ? raw : "", std::string(trim(value ? value : ""))});
    }
    return out;
}

// "Name: value" fields with folded continuation lines (the feedback-report body).
std::vector<std::pair<std::string, std::string>> parse_fields(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if ((line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
            fields.back().second += " " + std::string(trim(line));
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        fields.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return fields;
}

// "<a@b>", "rfc822; a@b", "a@b" -> "a@b".
std::string bare_address(std::string_view value) {
    value = trim(value);
    auto semicolon = value.find(';');
    if (semicolon != std::string_view::npos && iequals(trim(value.substr(0, semicolon)), "rfc822"))
        value = trim(value.substr(semicolon + 1));
    if (value.size() >= 2 && value.front() == '<' && value.back() == '>') value = trim(value.substr(1, value.size() - 2));
    return std::string(value);
}

const Header* find_header(const std::vector<Header>& headers, std::string_view name) {
    for (const Header& h : headers)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

void read_original(GMimeObject* part, ArfReport& report) {
    GMimeMessage* original = nullptr;
    GMimeMessage* owned = nullptr;
    if (GMIME_IS_MESSAGE_PART(part)) {
        original = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
    } else {
        // text/rfc822-headers: the header block alone; parse it as a message without a body.
        std::string text = part_content(part);
        text += "\r\n\r\n";
        owned = original = parse_gmime_message(text);
    }
    if (original) {
        report.original_headers = headers_of(GMIME_OBJECT(original));
        report.has_original = !report.original_headers.empty();
    }
    if (owned) g_object_unref(owned);
}

bool is_type(GMimeObject* object, const char* type, const char* subtype) {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

std::string own_date(GMimeMessage* message) {
    const char* date = g_mime_object_get_header(GMIME_OBJECT(message), "Date");
    return date ? std::string(trim(date)) : std::string();
}

bool has_eml_name(GMimeObject* object) {
    if (!GMIME_IS_PART(object)) return false;
    const char* name = g_mime_part_get_filename(GMIME_PART(object));
    return name && ascii_lower(trim(name)).ends_with(".eml");
}

// The first attached message below `object`, depth first (at most 8 levels down); `owned`
// keeps one parsed from a .eml part alive. nullptr when there is none.
GMimeMessage* find_attached(GMimeObject* object, int depth, GRef<GMimeMessage>& owned) {
    if (!object || depth > 8) return nullptr;
    if (GMIME_IS_MESSAGE_PART(object)) return g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
    if (has_eml_name(object)) {
        GRef<GMimeMessage> parsed(parse_gmime_message(part_content(object)));
        if (!parsed.p || !g_mime_message_get_mime_part(parsed.p)) return nullptr;
        std::swap(owned.p, parsed.p);
        return owned.p;
    }
    if (!GMIME_IS_MULTIPART(object)) return nullptr;
    GMimeMultipart* multipart = GMIME_MULTIPART(object);
    for (int i = 0, n = g_mime_multipart_get_count(multipart); i < n; ++i)
        if (GMimeMessage* found = find_attached(g_mime_multipart_get_part(multipart, i), depth + 1, owned)) return found;
    return nullptr;
}

// The one address of `value` ("<a@b>", "a@b", "Name <a@b>"), else "".
std::string single_address(std::string_view value) {
    std::vector<std::string> list = parse_address_list(value);
    return list.size() == 1 ? list[0] : "";
}

// The envelope recipient a receiving MTA recorded in the message's header: X-Original-To
// (Postfix, before aliasing), else the oldest (last) Delivered-To, else Envelope-To (Exim).
std::string envelope_recipient(const std::vector<Header>& headers) {
    if (const Header* h = find_header(headers, "X-Original-To")) return single_address(h->value);
    for (auto it = headers.rbegin(); it != headers.rend(); ++it)
        if (iequals(it->name, "Delivered-To")) return single_address(it->value);
    if (const Header* h = find_header(headers, "Envelope-To")) return single_address(h->value);
    return {};
}

// RFC 5322 date -> unix seconds, 0 when unparsable or empty.
std::int64_t parse_mail_date(const std::string& text) {
    if (text.empty()) return 0;
    GDateTime* when = g_mime_utils_header_decode_date(text.c_str());
    if (!when) return 0;
    std::int64_t t = g_date_time_to_unix(when);
    g_date_time_unref(when);
    return t;
}

}  // namespace

Result<ArfReport> parse_arf(std::string_view raw) {
    ensure_gmime_init();
    GRef<GMimeMessage> message(parse_gmime_message(raw));
    if (!message.p) return Status::InvalidArgument("not an ARF report: not a MIME message");
    GMimeObject* body = g_mime_message_get_mime_part(message.p);
    if (!body || !GMIME_IS_MULTIPART(body) || !is_type(body, "multipart", "report")) {
        GMimeContentType* ct = body ? g_mime_object_get_content_type(body) : nullptr;
        char* type = ct ? g_mime_content_type_get_mime_type(ct) : nullptr;
        std::string shown = type ? type : "none";
        g_free(type);
        return Status::InvalidArgument("not an ARF report: Content-Type is " + shown + ", not multipart/report");
    }
    const char* report_type = g_mime_object_get_content_type_parameter(body, "report-type");
    if (!report_type || !iequals(report_type, "feedback-report")) {
        return Status::InvalidArgument(std::string("not an ARF report: report-type is ") +
                                       (report_type ? report_type : "missing") + ", not feedback-report");
    }

    ArfReport report;
    if (const char* id = g_mime_message_get_message_id(message.p)) report.message_id = id;
    report.date = own_date(message.p);
    GMimeMultipart* multipart = GMIME_MULTIPART(body);
    bool found_feedback = false;
    int count = g_mime_multipart_get_count(multipart);
    for (int i = 0; i < count; ++i) {
        GMimeObject* part = g_mime_multipart_get_part(multipart, i);
        if (!found_feedback && is_type(part, "message", "feedback-report")) {
            found_feedback = true;
            for (const auto& [name, value] : parse_fields(part_content(part))) {
                if (iequals(name, "Feedback-Type")) report.feedback_type = ascii_lower(value);
                else if (iequals(name, "User-Agent")) report.user_agent = value;
                else if (iequals(name, "Original-Rcpt-To")) report.original_rcpt_to.push_back(bare_address(value));
                else if (iequals(name, "Original-Mail-From")) report.original_mail_from = bare_address(value);
                else if (iequals(name, "Arrival-Date")) report.arrival_date = value;
                else if (iequals(name, "Received-Date") && report.arrival_date.empty()) report.arrival_date = value;
                else if (iequals(name, "Reporting-MTA")) report.reporting_mta = value;
                else if (iequals(name, "Source-IP")) report.source_ip = value;
                else if (iequals(name, "Reported-Domain")) report.reported_domains.push_back(value);
            }
        } else if (!report.has_original && i > 0 &&
                   (GMIME_IS_MESSAGE_PART(part) || is_type(part, "text", "rfc822-headers"))) {
            read_original(part, report);
        }
    }
    if (!found_feedback) return Status::InvalidArgument("not an ARF report: no message/feedback-report part");
    return report;
}

Result<ArfReport> parse_forwarded(std::string_view raw) {
    ensure_gmime_init();
    GRef<GMimeMessage> message(parse_gmime_message(raw));
    if (!message.p) return Status::InvalidArgument("not a MIME message");
    GMimeObject* body = g_mime_message_get_mime_part(message.p);
    // A delivery (or other) report quotes the message it is about: that is no complaint.
    if (body && is_type(body, "multipart", "report")) {
        const char* type = g_mime_object_get_content_type_parameter(body, "report-type");
        if (!type || !iequals(type, "feedback-report"))
            return Status::InvalidArgument(std::string("a report of type ") + (type ? type : "(none)") +
                                           " quotes a message but is no forwarded spam");
    }
    GRef<GMimeMessage> owned;
    GMimeMessage* attached = find_attached(body, 0, owned);
    if (!attached) return Status::InvalidArgument("no attached message (message/rfc822 or .eml)");
    ArfReport report;
    report.kind = ComplaintKind::forwarded;
    report.feedback_type = "abuse";
    report.date = own_date(message.p);
    if (const char* id = g_mime_message_get_message_id(attached)) report.message_id = id;
    report.original_headers = headers_of(GMIME_OBJECT(attached));
    report.has_original = !report.original_headers.empty();
    if (std::string rcpt = envelope_recipient(report.original_headers); !rcpt.empty())
        report.original_rcpt_to.push_back(rcpt);
    return report;
}

Result<ArfReport> parse_complaint(std::string_view raw) {
    auto arf = parse_arf(raw);
    if (arf.ok()) return arf;
    auto forwarded = parse_forwarded(raw);
    if (forwarded.ok()) return forwarded;
    std::string why = arf.status().message();
    if (why.starts_with("not an ARF report: ")) why = why.substr(19);
    return Status::InvalidArgument("not a complaint: not an ARF report (" + why + ") and " +
                                   forwarded.status().message());
}

bool looks_like_mbox(std::string_view data) { return data.starts_with("From "); }

void split_mbox(std::string_view data, const std::function<void(MboxMessage&&)>& each) {
    MboxMessage current;
    bool in_message = false;
    bool previous_blank = true;
    long line_no = 0;
    std::size_t pos = 0;
    auto flush = [&] {
        if (!in_message) return;
        // The blank line before the next "From " belongs to the separator, not the message.
        if (current.text.ends_with("\r\n\r\n")) current.text.resize(current.text.size() - 2);
        else if (current.text.ends_with("\n\n")) current.text.pop_back();
        each(std::move(current));
        current = MboxMessage{};
    };
    while (pos < data.size()) {
        std::size_t end = data.find('\n', pos);
        std::size_t next = end == std::string_view::npos ? data.size() : end + 1;
        std::string_view line = data.substr(pos, next - pos);
        pos = next;
        ++line_no;
        if (previous_blank && line.starts_with("From ")) {
            flush();
            in_message = true;
            current.line = line_no + 1;
            previous_blank = false;
            continue;
        }
        std::string_view content = line;
        while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.remove_suffix(1);
        previous_blank = content.empty();
        if (!in_message) continue;  // text before the first separator is not a message
        std::size_t quotes = 0;
        while (quotes < line.size() && line[quotes] == '>') ++quotes;
        if (quotes > 0 && line.substr(quotes).starts_with("From ")) line.remove_prefix(1);
        current.text.append(line);
    }
    flush();
}

bool is_redacted_address(std::string_view address) {
    std::string a = ascii_lower(trim(address));
    auto at = a.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.size()) return true;
    if (a.find("redacted") != std::string::npos) return true;
    std::string_view local = std::string_view(a).substr(0, at);
    return local.find_first_not_of("x*#.-_") == std::string_view::npos;
}

std::string arf_report_ref(const ArfReport& report, std::string_view raw) {
    if (!report.message_id.empty()) return "<" + report.message_id + ">";
    gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(raw.data()), raw.size());
    std::string ref = std::string("sha256:") + hex;
    g_free(hex);
    return ref;
}

ArfDecision decide_arf(const ArfReport& report, std::string_view raw, ScopeKind kind, std::string_view scope_header) {
    ArfDecision d;
    if (report.feedback_type != "abuse") {
        d.outcome = ArfOutcome::ignored;
        d.reason = report.feedback_type.empty() ? "no Feedback-Type field"
                                                : "Feedback-Type " + report.feedback_type + " is not a complaint";
        return d;
    }

    // Recipient(s): Original-Rcpt-To, else the one address in the original To.
    bool saw_redacted = false;
    for (const std::string& r : report.original_rcpt_to) {
        if (is_redacted_address(r)) { saw_redacted = true; continue; }
        std::string a = normalize_address(r);
        if (std::find(d.recipients.begin(), d.recipients.end(), a) == d.recipients.end()) d.recipients.push_back(a);
    }
    if (d.recipients.empty()) {
        const Header* to = find_header(report.original_headers, "To");
        std::vector<std::string> listed = to ? parse_address_list(to->value) : std::vector<std::string>{};
        std::vector<std::string> usable;
        for (const std::string& a : listed) {
            if (is_redacted_address(a)) saw_redacted = true;
            else usable.push_back(normalize_address(a));
        }
        if (usable.size() == 1) {
            d.recipients = usable;
        } else {
            d.outcome = ArfOutcome::unattributable;
            if (usable.size() > 1)
                d.reason = "recipient unknown: no Original-Rcpt-To and the original To lists " +
                           std::to_string(usable.size()) + " addresses";
            else if (saw_redacted)
                d.reason = "recipient redacted by the reporter (no usable Original-Rcpt-To or To)";
            else if (!report.has_original)
                d.reason = "recipient unknown: no Original-Rcpt-To and no original headers";
            else
                d.reason = "recipient unknown: no Original-Rcpt-To and no To in the original headers";
            return d;
        }
    }

    // Sender, as the milter would see the envelope sender.
    for (const std::string& candidate : sender_candidates(report.original_headers, report.original_mail_from))
        if (!is_redacted_address(candidate)) {
            d.sender = candidate;
            break;
        }

    if (kind == ScopeKind::auth) {
        d.outcome = ArfOutcome::unattributable;
        d.reason = "scope auth not derivable from a report";
        return d;
    }
    if (kind == ScopeKind::header && !find_header(report.original_headers, scope_header)) {
        d.outcome = ArfOutcome::unattributable;
        d.reason = report.has_original ? "scope header " + std::string(scope_header) + " not in the original headers"
                                       : "scope unknown: the report carries no original headers";
        return d;
    }
    d.scope = scope_for(kind, scope_header, report.original_headers, d.sender, "");
    if (d.scope.empty()) {
        d.outcome = ArfOutcome::unattributable;
        d.reason = "scope unknown: no sender in Return-Path, Original-Mail-From or From";
        return d;
    }

    d.outcome = ArfOutcome::suppress;
    d.received_at = parse_mail_date(report.arrival_date);
    if (d.received_at == 0) d.received_at = parse_mail_date(report.date);
    std::string ref = arf_report_ref(report, raw);
    for (const std::string& r : d.recipients) d.refs.push_back(d.recipients.size() == 1 ? ref : ref + " " + r);
    return d;
}

}  // namespace cm
