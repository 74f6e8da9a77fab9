// SPDX-License-Identifier: Apache-2.0
// Tests for judge_consent() and normalize_address() (lib/consent/consent_store.h).
#include <catch2/catch.hpp>

#include "consent/consent_store.h"

namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kDay = 86400;

cm::ConsentLookup found(cm::ConsentStatus status, std::int64_t granted, std::int64_t confirmed) {
    cm::ConsentLookup l;
    l.address = "a@example.com";
    l.has_record = true;
    l.status = status;
    l.granted_at = granted;
    l.confirmed_at = confirmed;
    return l;
}

}  // namespace

TEST_CASE("judge_consent gives each reason code in precedence order", "[consent]") {
    using S = cm::ConsentStatus;
    struct Case {
        const char* name;
        cm::ConsentLookup in;
        cm::ConsentPolicy policy;
        bool want_pass;
        const char* want_reason;
    };
    cm::ConsentLookup none;
    none.address = "a@example.com";
    cm::ConsentLookup suppressed_confirmed = found(S::confirmed, kNow - kDay, kNow - kDay);
    suppressed_confirmed.suppressed = true;
    cm::ConsentLookup suppressed_none = none;
    suppressed_none.suppressed = true;
    const cm::ConsentPolicy strict{true, 0};
    const cm::ConsentPolicy lax{false, 0};
    const cm::ConsentPolicy aged{true, 30};
    const cm::ConsentPolicy aged_lax{false, 30};

    auto c = GENERATE_COPY(values<Case>({
        {"confirmed passes", found(S::confirmed, kNow - kDay, kNow - kDay), strict, true, ""},
        {"no record", none, strict, false, "no-record"},
        {"revoked", found(S::revoked, kNow - kDay, kNow - kDay), strict, false, "revoked"},
        {"revoked even when unconfirmed is allowed", found(S::revoked, kNow - kDay, 0), lax, false, "revoked"},
        {"pending is unconfirmed", found(S::pending, kNow - kDay, 0), strict, false, "unconfirmed"},
        {"pending passes without RequireConfirmedConsent", found(S::pending, kNow - kDay, 0), lax, true, ""},
        {"suppression overrides confirmed consent", suppressed_confirmed, strict, false, "suppressed"},
        {"suppression wins over no-record", suppressed_none, strict, false, "suppressed"},
        {"confirmed 31 days ago is expired at 30", found(S::confirmed, kNow - 40 * kDay, kNow - 31 * kDay), aged,
         false, "expired"},
        {"age counts from confirmation, not grant", found(S::confirmed, kNow - 400 * kDay, kNow - 29 * kDay), aged,
         true, ""},
        {"exactly max age is still fresh", found(S::confirmed, kNow - 30 * kDay, kNow - 30 * kDay), aged, true, ""},
        {"one second past max age is expired", found(S::confirmed, 0, kNow - 30 * kDay - 1), aged, false,
         "expired"},
        {"pending ages from its grant", found(S::pending, kNow - 31 * kDay, 0), aged_lax, false, "expired"},
        {"unknown age under a max age is expired", found(S::confirmed, 0, 0), aged, false, "expired"},
        {"unknown age without a max age passes", found(S::confirmed, 0, 0), strict, true, ""},
        {"pending is unconfirmed before it is expired", found(S::pending, kNow - 31 * kDay, 0), aged, false,
         "unconfirmed"},
    }));
    INFO(c.name);
    cm::RecipientConsent got = cm::judge_consent(c.in, c.policy, kNow);
    CHECK(got.address == "a@example.com");
    CHECK(got.pass == c.want_pass);
    CHECK(cm::reason_code(got.reason) == c.want_reason);
}

TEST_CASE("normalize_address trims, strips angle brackets and lower-cases", "[consent]") {
    struct Case {
        const char* in;
        const char* want;
    };
    auto c = GENERATE(values<Case>({
        {"user@example.com", "user@example.com"},
        {"User@Example.COM", "user@example.com"},
        {"  USER@EXAMPLE.COM\t", "user@example.com"},
        {"<User@Example.com>", "user@example.com"},
        {" < User@Example.com > ", "user@example.com"},
        {"\r\n<a.B+Tag@Sub.Example.ORG>\r\n", "a.b+tag@sub.example.org"},
        {"", ""},
        {"   ", ""},
        {"<>", ""},
        {"Ünïcode@Example.COM", "Ünïcode@example.com"},  // non-ASCII bytes are kept as they are
    }));
    INFO("in: '" << c.in << "'");
    CHECK(cm::normalize_address(c.in) == c.want);
}
