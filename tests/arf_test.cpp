// SPDX-License-Identifier: Apache-2.0
// Tests for ARF report and forwarded-spam parsing, mbox splitting and complaint decisions
// (lib/consent/arf.h), against the sample reports in tests/data/arf/.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "consent/arf.h"

using namespace cm;

namespace {

std::string data_dir() {
    const char* dir = std::getenv("ARF_DATA_DIR");
    return dir ? dir : "tests/data/arf";
}

std::string read_sample(const std::string& name) {
    std::ifstream in(data_dir() + "/" + name, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

ArfReport parse_sample(const std::string& raw) {
    auto r = parse_arf(raw);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
}

const Header* find(const ArfReport& r, const char* name) {
    for (const Header& h : r.original_headers)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

}  // namespace

TEST_CASE("yahoo-style report: feedback fields and the full original message", "[arf]") {
    std::string raw = read_sample("yahoo_abuse.eml");
    ArfReport r = parse_sample(raw);
    CHECK(r.message_id == "fbl.1714572189.7731@fbl.example-provider.net");
    CHECK(r.feedback_type == "abuse");
    CHECK(r.user_agent == "Example-Provider-Mail-Feedback/2.0");
    CHECK(r.original_rcpt_to == std::vector<std::string>{"Alice.Jones@Example.NET"});
    CHECK(r.original_mail_from == "bounce-7f3a@mail.shop.example");
    CHECK(r.arrival_date == "Wed, 01 May 2024 13:58:40 +0000");
    CHECK(r.source_ip == "203.0.113.45");
    CHECK(r.reported_domains == std::vector<std::string>{"shop.example"});
    REQUIRE(r.has_original);
    REQUIRE(find(r, "Message-ID"));
    CHECK(find(r, "X-Customer")->value == "ACME-42");

    struct Case {
        ScopeKind kind;
        const char* header;
        const char* want_scope;
    };
    auto c = GENERATE(values<Case>({
        {ScopeKind::sender_domain, "", "mail.shop.example"},
        {ScopeKind::sender, "", "bounce-7f3a@mail.shop.example"},
        {ScopeKind::header, "x-customer", "acme-42"},
    }));
    ArfDecision d = decide_arf(r, raw, c.kind, c.header);
    REQUIRE(d.outcome == ArfOutcome::suppress);
    CHECK(d.scope == c.want_scope);
    CHECK(d.recipients == std::vector<std::string>{"alice.jones@example.net"});
    CHECK(d.refs == std::vector<std::string>{"<fbl.1714572189.7731@fbl.example-provider.net>"});
}

TEST_CASE("scope auth cannot come from a report; a missing scope header is named", "[arf]") {
    std::string raw = read_sample("yahoo_abuse.eml");
    ArfReport r = parse_sample(raw);
    ArfDecision auth = decide_arf(r, raw, ScopeKind::auth, "");
    CHECK(auth.outcome == ArfOutcome::unattributable);
    CHECK(auth.reason == "scope auth not derivable from a report");
    ArfDecision header = decide_arf(r, raw, ScopeKind::header, "X-Tenant");
    CHECK(header.outcome == ArfOutcome::unattributable);
    CHECK(header.reason == "scope header X-Tenant not in the original headers");
}

TEST_CASE("JMRP-style report with text/rfc822-headers and no Original-Rcpt-To", "[arf]") {
    std::string raw = read_sample("jmrp_headers.eml");
    ArfReport r = parse_sample(raw);
    CHECK(r.message_id == "");
    CHECK(r.feedback_type == "abuse");
    CHECK(r.original_rcpt_to.empty());
    REQUIRE(r.has_original);
    CHECK(find(r, "Subject")->value == "Fresh bread this weekend");

    // No Return-Path in the headers: the sender is Original-Mail-From; the recipient the To.
    ArfDecision d = decide_arf(r, raw, ScopeKind::sender_domain, "");
    REQUIRE(d.outcome == ArfOutcome::suppress);
    CHECK(d.sender == "list-owner@letters.bakery.example");
    CHECK(d.scope == "letters.bakery.example");
    CHECK(d.recipients == std::vector<std::string>{"bob@mail.example.com"});
    // No Message-ID: the report is identified by its bytes.
    REQUIRE(d.refs.size() == 1);
    CHECK(d.refs[0].rfind("sha256:", 0) == 0);
    CHECK(d.refs[0].size() == 7 + 64);
    CHECK(arf_report_ref(r, raw) == d.refs[0]);
    CHECK(arf_report_ref(r, raw + " ") != d.refs[0]);
}

TEST_CASE("redacted recipient is unattributable, with the reason", "[arf]") {
    std::string raw = read_sample("redacted.eml");
    ArfReport r = parse_sample(raw);
    ArfDecision d = decide_arf(r, raw, ScopeKind::sender_domain, "");
    CHECK(d.outcome == ArfOutcome::unattributable);
    CHECK(d.reason == "recipient redacted by the reporter (no usable Original-Rcpt-To or To)");
    CHECK(d.recipients.empty());
}

TEST_CASE("a non-abuse feedback type is ignored, with the reason", "[arf]") {
    std::string raw = read_sample("not_spam.eml");
    ArfReport r = parse_sample(raw);
    CHECK(r.feedback_type == "not-spam");
    ArfDecision d = decide_arf(r, raw, ScopeKind::sender_domain, "");
    CHECK(d.outcome == ArfOutcome::ignored);
    CHECK(d.reason == "Feedback-Type not-spam is not a complaint");
}

TEST_CASE("a message that is not a feedback report is refused", "[arf]") {
    auto r = parse_arf(read_sample("not_arf.eml"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "not an ARF report: Content-Type is text/plain, not multipart/report");

    auto dsn = parse_arf(
        "From: MAILER-DAEMON@x.example\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=zz\n\n--zz\n"
        "Content-Type: text/plain\n\nbounce\n--zz--\n");
    REQUIRE_FALSE(dsn.ok());
    CHECK(dsn.status().message() == "not an ARF report: report-type is delivery-status, not feedback-report");

    auto no_part = parse_arf(
        "From: a@x.example\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=zz\n\n--zz\n"
        "Content-Type: text/plain\n\nhello\n--zz--\n");
    REQUIRE_FALSE(no_part.ok());
    CHECK(no_part.status().message() == "not an ARF report: no message/feedback-report part");
}

TEST_CASE("redaction heuristics", "[arf]") {
    CHECK(is_redacted_address("redacted"));
    CHECK(is_redacted_address("redacted@isp.example"));
    CHECK(is_redacted_address("xxxxxxxx@aol.example"));
    CHECK(is_redacted_address("***@isp.example"));
    CHECK(is_redacted_address("user@[REDACTED]"));
    CHECK(is_redacted_address(""));
    CHECK_FALSE(is_redacted_address("xavier@example.org"));
    CHECK(is_redacted_address("x@example.org"));  // a lone "x" cannot be told from a blanked one
}

TEST_CASE("mbox with three reports: split, un-escaped, each decided", "[arf]") {
    std::string data = read_sample("three_reports.mbox");
    REQUIRE(looks_like_mbox(data));
    CHECK_FALSE(looks_like_mbox(read_sample("yahoo_abuse.eml")));
    std::vector<MboxMessage> messages;
    split_mbox(data, [&](MboxMessage&& m) { messages.push_back(std::move(m)); });
    REQUIRE(messages.size() == 3);
    CHECK(messages[0].line == 2);
    CHECK(messages[0].text.rfind("From: fbl@isp.example\n", 0) == 0);
    CHECK(messages[0].text.find("\nFrom the team: the seeds are in.\n") != std::string::npos);
    CHECK(messages[0].text.find(">From") == std::string::npos);
    CHECK(messages[0].text.find("From fbl@isp.example") == std::string::npos);
    CHECK(messages[1].line > messages[0].line);

    std::vector<ArfDecision> got;
    for (const MboxMessage& m : messages) got.push_back(decide_arf(parse_sample(m.text), m.text, ScopeKind::sender_domain, ""));
    CHECK(got[0].outcome == ArfOutcome::suppress);
    CHECK(got[0].scope == "news.garden.example");
    CHECK(got[0].recipients == std::vector<std::string>{"dave@example.net"});
    CHECK(got[1].outcome == ArfOutcome::suppress);
    CHECK(got[1].recipients == std::vector<std::string>{"eve@example.org"});
    CHECK(got[2].outcome == ArfOutcome::unattributable);
    CHECK(got[2].reason == "recipient unknown: no Original-Rcpt-To and the original To lists 2 addresses");
}

TEST_CASE("several Original-Rcpt-To fields: one suppression each, distinct refs", "[arf]") {
    std::string raw =
        "From: fbl@isp.example\nMessage-ID: <multi@isp.example>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=zz\n\n"
        "--zz\nContent-Type: text/plain\n\nreport\n"
        "--zz\nContent-Type: message/feedback-report\n\nFeedback-Type: Abuse\n"
        "Original-Rcpt-To: a@example.org\nOriginal-Rcpt-To: <B@example.org>\nOriginal-Rcpt-To: a@example.org\n"
        "Original-Mail-From: <bounce@esp.example>\n"
        "--zz--\n";
    ArfReport r = parse_sample(raw);
    CHECK_FALSE(r.has_original);
    ArfDecision d = decide_arf(r, raw, ScopeKind::sender, "");
    REQUIRE(d.outcome == ArfOutcome::suppress);
    CHECK(d.scope == "bounce@esp.example");
    CHECK(d.recipients == std::vector<std::string>{"a@example.org", "b@example.org"});
    CHECK(d.refs == std::vector<std::string>{"<multi@isp.example> a@example.org", "<multi@isp.example> b@example.org"});
}

TEST_CASE("mbox: CRLF lines, mboxrd quoting, From inside a paragraph is not a separator", "[arf]") {
    std::string data =
        "From a@x  Mon May  6 08:00:00 2024\r\n"
        "Subject: one\r\n\r\n"
        ">>From here, one level less\r\n"
        "From inside a paragraph stays\r\n"
        "\r\n"
        "From b@x  Mon May  6 09:00:00 2024\r\n"
        "Subject: two\r\n\r\nbody\r\n";
    std::vector<MboxMessage> got;
    split_mbox(data, [&](MboxMessage&& m) { got.push_back(std::move(m)); });
    REQUIRE(got.size() == 2);
    CHECK(got[0].text == "Subject: one\r\n\r\n>From here, one level less\r\nFrom inside a paragraph stays\r\n");
    CHECK(got[1].line == 8);
    CHECK(got[1].text == "Subject: two\r\n\r\nbody\r\n");
}

TEST_CASE("ARF received_at: Arrival-Date, else the report's Date", "[arf]") {
    std::string raw = read_sample("yahoo_abuse.eml");
    ArfDecision d = decide_arf(parse_sample(raw), raw, ScopeKind::sender_domain, "");
    CHECK(d.received_at == 1714571920);  // Wed, 01 May 2024 13:58:40 +0000

    std::string no_arrival =
        "From: fbl@isp.example\nDate: Mon, 30 Nov 2026 15:05:00 +0100\nMIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=feedback-report; boundary=zz\n\n"
        "--zz\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
        "Original-Rcpt-To: a@example.org\nOriginal-Mail-From: <bounce@esp.example>\n--zz--\n";
    CHECK(decide_arf(parse_sample(no_arrival), no_arrival, ScopeKind::sender, "").received_at == 1796047500);
    std::string undated = no_arrival.substr(no_arrival.find("MIME-Version"));
    CHECK(decide_arf(parse_sample(undated), undated, ScopeKind::sender, "").received_at == 0);
}

TEST_CASE("forwarded spam in real-world shapes: scope, recipient and ref from the attached message", "[arf]") {
    struct Case {
        const char* file;
        const char* want_scope;
        const char* want_rcpt;
        const char* want_ref;         // "" = a sha256 of the file
        std::int64_t want_received;   // the forward's Date
    };
    auto c = GENERATE(values<Case>({
        // Thunderbird "Forward as attachment": message/rfc822, X-Original-To wins over To.
        {"forwarded_thunderbird.eml", "mail.furniture.example", "carla@example.net",
         "<deal-20261130-0042@mail.furniture.example>", 1796043900},
        // Outlook: multipart/alternative note, then message/rfc822; no envelope headers: the To.
        {"forwarded_outlook.eml", "news.travel.example", "dieter@contoso-mail.example",
         "<inv.7731.20261201@news.travel.example>", 1796113811},
        // Gmail with a downloaded .eml: application/octet-stream, base64, CRLF; Delivered-To.
        {"forwarded_gmail_eml.eml", "bulk.pharma.example", "frank.reader@gmail.example",
         "<CAF4410.pharma@bulk.pharma.example>", 1796224833},
        // A helpdesk's forward of a forward: nested multipart, null Return-Path (the From
        // gives the scope), undisclosed recipients and Envelope-To, no Message-ID.
        {"forwarded_nested.eml", "coins.example", "gina@isp.example", "", 1796292000},
    }));
    INFO(c.file);
    std::string raw = read_sample(c.file);
    CHECK_FALSE(parse_arf(raw).ok());
    auto r = parse_complaint(raw);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->kind == ComplaintKind::forwarded);
    CHECK(r->feedback_type == "abuse");
    CHECK(r->has_original);
    ArfDecision d = decide_arf(*r, raw, ScopeKind::sender_domain, "");
    REQUIRE(d.outcome == ArfOutcome::suppress);
    CHECK(d.scope == c.want_scope);
    CHECK(d.recipients == std::vector<std::string>{c.want_rcpt});
    REQUIRE(d.refs.size() == 1);
    if (*c.want_ref) CHECK(d.refs[0] == c.want_ref);
    else CHECK(d.refs[0].rfind("sha256:", 0) == 0);
    CHECK(d.received_at == c.want_received);
}

TEST_CASE("parse_complaint: an ARF report stays ARF; inline forwards and bounces are no complaint", "[arf]") {
    auto arf = parse_complaint(read_sample("yahoo_abuse.eml"));
    REQUIRE(arf.ok());
    CHECK(arf->kind == ComplaintKind::arf);
    CHECK(arf->message_id == "fbl.1714572189.7731@fbl.example-provider.net");

    auto inline_fwd = parse_complaint(read_sample("forwarded_inline.eml"));
    REQUIRE_FALSE(inline_fwd.ok());
    CHECK(inline_fwd.status().message() ==
          "not a complaint: not an ARF report (Content-Type is text/plain, not multipart/report) and "
          "no attached message (message/rfc822 or .eml)");

    auto dsn = parse_complaint(read_sample("bounce_dsn.eml"));
    REQUIRE_FALSE(dsn.ok());
    CHECK(dsn.status().message() ==
          "not a complaint: not an ARF report (report-type is delivery-status, not feedback-report) and "
          "a report of type delivery-status quotes a message but is no forwarded spam");
}
