// SPDX-License-Identifier: Apache-2.0
// evaluate(): exemptions, consent scope, consent per recipient, and the failure policy with a
// store that fails on demand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "policy/evaluate.h"
#include "mime/mime_walk.h"

namespace {

// In-memory store for the decision logic; fails every lookup while `down` is set.
class FakeStore final : public cm::ConsentStore {
public:
    bool down = false;
    int lookups = 0;
    std::string last_scope;
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
    cm::Result<cm::SenderState> sender_state(std::string_view, std::string_view) override {
        if (down) return cm::Status::Unavailable("connection refused");
        return cm::SenderState{};
    }
    cm::Status add_traffic(const std::vector<cm::TrafficRow>&) override { return cm::Status::OK(); }
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

TEST_CASE("evaluate: exemptions skip every check") {
    FakeStore store;
    store.down = true;  // would tempfail if consulted
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
