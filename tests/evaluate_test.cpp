// SPDX-License-Identifier: Apache-2.0
// evaluate(): exemptions, consent scope, consent per recipient, and the failure policy with a
// store that fails on demand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "policy/evaluate.h"
#include "mime/mime_walk.h"

namespace {

// In-memory store for the decision logic; fails every call while `down` is set, and only
// sender_state() while `sender_down` is.
class FakeStore final : public cm::ConsentStore {
public:
    bool down = false;
    bool sender_down = false;
    int lookups = 0;
    int sender_states = 0;
    std::string last_scope;
    std::string last_since_day;
    cm::SenderState state;                   // what sender_state() answers
    std::vector<cm::Suspension> suspensions;  // what suspend() was given
    std::map<std::pair<std::string, std::string>, cm::ConsentLookup> records;

    void put(const std::string& scope, const std::string& address, cm::ConsentStatus status, bool suppressed = false) {
        cm::ConsentLookup l;
        l.address = address;
        l.has_record = true;
        l.status = status;
        l.granted_at = l.confirmed_at = 1600000000;
        l.suppressed = suppressed;
        records[{scope, address}] = l;
    }

    cm::Result<std::vector<cm::ConsentLookup>> lookup(std::string_view scope,
                                                      const std::vector<std::string>& addresses) override {
        ++lookups;
        last_scope = scope;
        if (down) return cm::Status::Unavailable("connection refused");
        std::vector<cm::ConsentLookup> out;
        for (const auto& a : addresses) {
            auto it = records.find({std::string(scope), a});
            cm::ConsentLookup none;
            none.address = a;
            out.push_back(it == records.end() ? none : it->second);
        }
        return out;
    }
    cm::Result<cm::SenderState> sender_state(std::string_view scope, std::string_view since_day) override {
        ++sender_states;
        last_scope = scope;
        last_since_day = since_day;
        if (down || sender_down) return cm::Status::Unavailable("connection refused");
        return state;
    }
    cm::Status add_traffic(const std::vector<cm::TrafficRow>&) override { return cm::Status::OK(); }
    cm::Result<cm::ChangeResult> suspend(const cm::Suspension& s, std::int64_t) override {
        if (down) return cm::Status::Unavailable("connection refused");
        suspensions.push_back(s);
        return cm::ChangeResult{true};
    }
};

const char* kCompliant =
    "From: News <news@shop.example>\r\n"
    "To: a@example.net\r\n"
    "Subject: Offers\r\n"
    "List-Unsubscribe: <https://shop.example/u/1>\r\n"
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Great offers.\r\n\r\nTo unsubscribe: https://shop.example/u/1\r\n";

std::shared_ptr<const cm::Policy> make_policy(cm::Config config) {
    config.consent_database = "sqlite:/unused";  // enables the consent check
    auto p = cm::Policy::create(std::move(config));
    REQUIRE(p.ok());
    return *p;
}

cm::Envelope envelope(std::vector<std::string> rcpts) {
    return cm::Envelope{"bounce@shop.example", std::move(rcpts), "customer42", "198.51.100.7"};
}

}  // namespace

TEST_CASE("evaluate: a compliant message with consented recipients is accepted") {
    FakeStore store;
    store.put("shop.example", "a@example.net", cm::ConsentStatus::confirmed);
    auto policy = make_policy({});
    auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *policy, &store, 1700000000);
    CHECK(report.verdict == cm::Verdict::accept);
    CHECK(report.list_unsubscribe.pass);
    CHECK(report.body_link.pass);
    CHECK(report.consent.result == "pass");
    CHECK(report.scope == "shop.example");
    CHECK(report.reasons.empty());
}

TEST_CASE("evaluate: recipients without consent are removed, the others kept") {
    FakeStore store;
    store.put("shop.example", "a@example.net", cm::ConsentStatus::confirmed);
    store.put("shop.example", "b@example.net", cm::ConsentStatus::revoked);
    store.put("shop.example", "c@example.net", cm::ConsentStatus::confirmed, /*suppressed=*/true);
    auto policy = make_policy({});
    auto report = cm::evaluate(cm::parse_message(kCompliant),
                               envelope({"a@example.net", "B@Example.NET", "c@example.net", "d@example.net"}), *policy,
                               &store, 1700000000);
    CHECK(store.lookups == 1);  // one round trip for all recipients
    CHECK(report.consent.result == "partial");
    REQUIRE(report.consent.recipients.size() == 4);
    CHECK(report.consent.recipients[1].address == "B@Example.NET");
    CHECK(report.consent.recipients[1].reason == cm::Reason::consent_revoked);
    CHECK(report.consent.recipients[2].reason == cm::Reason::consent_suppressed);
    CHECK(report.consent.recipients[3].reason == cm::Reason::consent_no_record);
    CHECK(report.verdict == cm::Verdict::accept);
    CHECK(report.removed_recipients == std::vector<std::string>{"B@Example.NET", "c@example.net", "d@example.net"});
}

TEST_CASE("evaluate: consent scope per ConsentScope") {
    FakeStore store;
    cm::Config config;
    SECTION("sender-domain") {
        auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                                   &store, 0);
        CHECK(store.last_scope == "shop.example");
    }
    SECTION("sender") {
        config.consent_scope = cm::ScopeKind::sender;
        cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config), &store, 0);
        CHECK(store.last_scope == "bounce@shop.example");
    }
    SECTION("auth") {
        config.consent_scope = cm::ScopeKind::auth;
        cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config), &store, 0);
        CHECK(store.last_scope == "customer42");
    }
    SECTION("header") {
        config.consent_scope = cm::ScopeKind::header;
        config.consent_scope_header = "Subject";
        cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config), &store, 0);
        CHECK(store.last_scope == "offers");
    }
}

TEST_CASE("evaluate: store down follows OnError") {
    FakeStore store;
    store.down = true;
    cm::Config config;
    SECTION("tempfail") {
        auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                                   &store, 0);
        CHECK(report.verdict == cm::Verdict::tempfail);
        CHECK(report.error.find("connection refused") != std::string::npos);
        CHECK(report.consent.result == "skipped");
    }
    SECTION("accept") {
        config.on_error = cm::OnErrorAction::accept;
        auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                                   &store, 0);
        CHECK(report.verdict == cm::Verdict::accept);
        CHECK_FALSE(report.error.empty());
    }
}

TEST_CASE("evaluate: exemptions skip every check but the suspension") {
    FakeStore store;
    cm::Config config;
    const char* bare = "From: a@bank.example\r\nTo: b@example.net\r\nX-Mail-Class: transactional\r\n\r\nYour statement.\r\n";
    SECTION("client") {
        cm::CidrRange range;  // 198.51.100.0/24 as IPv4-mapped IPv6
        range.addr[10] = range.addr[11] = 0xff;
        range.addr[12] = 198;
        range.addr[13] = 51;
        range.addr[14] = 100;
        range.prefix_len = 96 + 24;
        config.exempt_clients.push_back(range);
    }
    SECTION("sender domain") { config.exempt_senders = {"shop.example"}; }
    SECTION("header") { config.exempt_headers.push_back({"X-Mail-Class", "^transactional$"}); }
    auto report = cm::evaluate(cm::parse_message(bare), envelope({"b@example.net"}), *make_policy(config), &store, 0);
    CHECK(report.exempt);
    CHECK(report.verdict == cm::Verdict::accept);
    CHECK(store.lookups == 0);
    CHECK(store.sender_states == 1);
}

TEST_CASE("evaluate: a non-exempt bare message fails both checks") {
    auto policy = make_policy({});
    const char* bare = "From: a@shop.example\r\nTo: b@example.net\r\n\r\nBuy now.\r\n";
    auto report = cm::evaluate(cm::parse_message(bare), envelope({"b@example.net"}), *policy, nullptr, 0);
    CHECK(report.verdict == cm::Verdict::reject);
    CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::list_unsubscribe_missing, cm::Reason::body_link_missing});
    CHECK(report.consent.result == "skipped");
}

TEST_CASE("evaluate: sender exemption matches the domain and its subdomains only") {
    cm::Config config;
    config.exempt_senders = {"bank.example", "alerts@shop.example"};
    auto policy = make_policy(config);
    CHECK_FALSE(policy->sender_exemption("x@bank.example").empty());
    CHECK_FALSE(policy->sender_exemption("x@mail.bank.example").empty());
    CHECK(policy->sender_exemption("x@evilbank.example").empty());
    CHECK_FALSE(policy->sender_exemption("Alerts@Shop.example").empty());
    CHECK(policy->sender_exemption("news@shop.example").empty());
}

TEST_CASE("evaluate: parser notes reach the report once each") {
    auto policy = make_policy({});
    std::string deep = "From: a@shop.example\r\nTo: b@example.net\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n";
    for (int i = 0; i < 40; ++i) deep += "--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n";
    auto report = cm::evaluate(cm::parse_message(deep), envelope({"b@example.net"}), *policy, nullptr, 0);
    CHECK(std::count(report.notes.begin(), report.notes.end(), "limit:mime-depth") == 1);
}

// ---- the sender check (DESIGN §11) ----

namespace {

const char* kBare = "From: a@shop.example\r\nTo: b@example.net\r\n\r\nBuy now.\r\n";

cm::Config exempting_client(cm::Config config) {
    cm::CidrRange range;  // 198.51.100.0/24 as IPv4-mapped IPv6
    range.addr[10] = range.addr[11] = 0xff;
    range.addr[12] = 198;
    range.addr[13] = 51;
    range.addr[14] = 100;
    range.prefix_len = 96 + 24;
    config.exempt_clients.push_back(range);
    return config;
}

cm::Config rate_limited(cm::ComplaintRateAction action) {
    cm::Config config;
    config.complaint_rate_limit = 0.3;
    config.complaint_rate_action = action;
    return config;
}

}  // namespace

TEST_CASE("evaluate: a suspended scope fails check sender with SuspendedAction") {
    FakeStore store;
    store.put("shop.example", "a@example.net", cm::ConsentStatus::confirmed);
    store.state.suspended = true;
    store.state.suspension_reason = "spam run, ticket 4711";
    cm::Config config;
    cm::Verdict want = cm::Verdict::reject;
    SECTION("default reject") {}
    SECTION("tag") {
        config.suspended_action = cm::Action::tag;
        want = cm::Verdict::tag;
    }
    SECTION("quarantine") {
        config.suspended_action = cm::Action::quarantine;
        want = cm::Verdict::quarantine;
    }
    auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                               &store, 1700000000);
    CHECK(report.verdict == want);
    CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_suspended});
    CHECK(report.sender.result == "fail");
    CHECK(report.sender.detail == "spam run, ticket 4711");
    CHECK_FALSE(report.sender.suspend);  // already suspended: nothing to record
    CHECK(store.sender_states == 1);
    CHECK(store.last_scope == "shop.example");
}

TEST_CASE("evaluate: sender_state is asked once, over the complaint-rate window") {
    FakeStore store;
    cm::Config config;
    std::string want = "2023-11-08";  // 1700000000 is 2023-11-14 22:13 UTC; 7 days, today included
    SECTION("default window") {}
    SECTION("one day") {
        config.complaint_rate_window_days = 1;
        want = "2023-11-14";
    }
    SECTION("30 days") {
        config.complaint_rate_window_days = 30;
        want = "2023-10-16";
    }
    auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                               &store, 1700000000);
    CHECK(store.sender_states == 1);
    CHECK(store.last_since_day == want);
    CHECK(report.sender.result == "pass");
}

TEST_CASE("evaluate: without a store or a scope the sender check is skipped") {
    FakeStore store;
    SECTION("no store") {
        auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy({}),
                                   nullptr, 0);
        CHECK(report.sender.result == "skipped");
    }
    SECTION("no scope") {
        cm::Config config;
        config.consent_scope = cm::ScopeKind::header;
        config.consent_scope_header = "X-Customer";
        auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                                   &store, 0);
        CHECK(report.sender.result == "skipped");
        CHECK(store.sender_states == 0);
    }
}

TEST_CASE("evaluate: exemptions do not apply to a suspended scope") {
    FakeStore store;
    store.state.suspended = true;
    auto policy = make_policy(exempting_client({}));
    auto report = cm::evaluate(cm::parse_message(kBare), envelope({"b@example.net"}), *policy, &store, 0);
    CHECK_FALSE(report.exempt);
    CHECK(report.exempt_why == "client 198.51.100.7");
    CHECK(report.verdict == cm::Verdict::reject);
    // judged in full: the other checks' failures are reported too
    CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_suspended, cm::Reason::list_unsubscribe_missing,
                                                    cm::Reason::body_link_missing, cm::Reason::consent_no_record});
    CHECK(store.sender_states == 1);

    SECTION("exempt_report sends the message to the full evaluation") {
        CHECK_FALSE(cm::exempt_report(*policy, envelope({"b@example.net"}), {}, &store, 0, report.exempt_why));
    }
    SECTION("not suspended: exempt_report and evaluate agree on an exempt accept") {
        store.state.suspended = false;
        auto early = cm::exempt_report(*policy, envelope({"b@example.net"}), {}, &store, 0, "client 198.51.100.7");
        REQUIRE(early);
        auto late = cm::evaluate(cm::parse_message(kBare), envelope({"b@example.net"}), *policy, &store, 0);
        CHECK(early->exempt);
        CHECK(late.exempt);
        CHECK(early->verdict == cm::Verdict::accept);
        CHECK(late.verdict == cm::Verdict::accept);
        CHECK(early->scope == "shop.example");
        CHECK(late.scope == "shop.example");
    }
}

TEST_CASE("evaluate: exempt_report takes the scope from a header when ConsentScope says so") {
    FakeStore store;
    store.state.suspended = true;
    cm::Config config = exempting_client({});
    config.consent_scope = cm::ScopeKind::header;
    config.consent_scope_header = "X-Customer";
    auto policy = make_policy(config);
    const std::vector<cm::Header> headers = {{"X-Customer", " Shop42", "Shop42"}};
    CHECK_FALSE(cm::exempt_report(*policy, envelope({"b@example.net"}), headers, &store, 0, "client"));
    CHECK(store.last_scope == "shop42");
    SECTION("no header: no scope, nothing to look up, the exemption stands") {
        store.sender_states = 0;
        auto report = cm::exempt_report(*policy, envelope({"b@example.net"}), {}, &store, 0, "client");
        REQUIRE(report);
        CHECK(report->verdict == cm::Verdict::accept);
        CHECK(store.sender_states == 0);
    }
}

TEST_CASE("evaluate: a store error on sender_state follows OnError") {
    FakeStore store;
    store.sender_down = true;
    store.put("shop.example", "a@example.net", cm::ConsentStatus::confirmed);
    cm::Config config;
    cm::Verdict want = cm::Verdict::tempfail;
    SECTION("tempfail") {}
    SECTION("accept") {
        config.on_error = cm::OnErrorAction::accept;
        want = cm::Verdict::accept;
    }
    SECTION("an exempt message too: the suspension cannot be ruled out") {
        config = exempting_client(config);
        auto early = cm::exempt_report(*make_policy(config), envelope({"a@example.net"}), {}, &store, 0, "client");
        REQUIRE(early);
        CHECK(early->verdict == cm::Verdict::tempfail);
        CHECK(early->error.find("connection refused") != std::string::npos);
    }
    auto report = cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config),
                               &store, 0);
    CHECK(report.verdict == want);
    CHECK(report.error.find("connection refused") != std::string::npos);
    CHECK(report.sender.result == "skipped");
    CHECK(store.lookups == 0);  // the store failed: not asked again for the recipients
}

TEST_CASE("evaluate: complaint rate above ComplaintRateLimit") {
    FakeStore store;
    store.put("shop.example", "a@example.net", cm::ConsentStatus::confirmed);
    store.state.accepted_recipients = 5000;
    store.state.complaints = 26;
    const std::string figures =
        "complaint rate 0.52% (26 complaints / 5000 accepted recipients in 7 days) above ComplaintRateLimit 0.3%";
    auto judge = [&](const cm::Config& config) {
        return cm::evaluate(cm::parse_message(kCompliant), envelope({"a@example.net"}), *make_policy(config), &store,
                            1700000000);
    };
    SECTION("tag") {
        auto report = judge(rate_limited(cm::ComplaintRateAction::tag));
        CHECK(report.verdict == cm::Verdict::tag);
        CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_complaint_rate});
        CHECK(report.sender.detail == figures);
        CHECK_FALSE(report.sender.suspend);
    }
    SECTION("reject") {
        auto report = judge(rate_limited(cm::ComplaintRateAction::reject));
        CHECK(report.verdict == cm::Verdict::reject);
        CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_complaint_rate});
    }
    SECTION("suspend: an automatic suspension stating the figures, and SuspendedAction") {
        cm::Config config = rate_limited(cm::ComplaintRateAction::suspend);
        config.suspended_action = cm::Action::quarantine;
        auto report = judge(config);
        CHECK(report.verdict == cm::Verdict::quarantine);
        CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_suspended});
        REQUIRE(report.sender.suspend);
        CHECK(report.sender.suspend->scope == "shop.example");
        CHECK(report.sender.suspend->reason == figures);
        CHECK(report.sender.suspend->source == "complaint-rate");
        CHECK(report.sender.suspend->created_at == 1700000000);
        CHECK(store.suspensions.empty());  // evaluate() decides; the milter records
    }
    SECTION("suspend in monitor mode: nothing to record, the rate is reported and tagged") {
        cm::Config config = rate_limited(cm::ComplaintRateAction::suspend);
        config.monitor = true;
        auto report = judge(config);
        CHECK(report.verdict == cm::Verdict::tag);
        CHECK(report.reasons == std::vector<cm::Reason>{cm::Reason::sender_complaint_rate});
        CHECK_FALSE(report.sender.suspend);
    }
    SECTION("below ComplaintRateMinVolume") {
        store.state.accepted_recipients = 999;
        auto report = judge(rate_limited(cm::ComplaintRateAction::reject));
        CHECK(report.verdict == cm::Verdict::accept);
        CHECK(report.sender.result == "pass");
    }
    SECTION("an exempt message skips the rate (only a recorded suspension voids an exemption)") {
        auto report = judge(exempting_client(rate_limited(cm::ComplaintRateAction::suspend)));
        CHECK(report.exempt);
        CHECK(report.verdict == cm::Verdict::accept);
        CHECK_FALSE(report.sender.suspend);
    }
}
