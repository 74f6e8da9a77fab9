// SPDX-License-Identifier: Apache-2.0
// CachingConsentStore: fresh answers served from memory, misses in one round trip, errors
// never cached, entries expire after the TTL or go at once with flush().
#include <catch2/catch.hpp>

#include <functional>

#include "consent/consent_cache.h"

namespace {

// Counts calls; answers has_record = (address starts with 'y'); fails while `down`; runs
// `during` inside each call (as if a change were committed while the store answers).
class CountingStore final : public cm::ConsentStore {
public:
    int calls = 0;
    int sender_calls = 0;
    int traffic_calls = 0;
    std::size_t last_batch = 0;
    bool down = false;
    bool suspended = false;
    std::function<void()> during = [] {};
    cm::Result<std::vector<cm::ConsentLookup>> lookup(std::string_view,
                                                      const std::vector<std::string>& addresses) override {
        ++calls;
        last_batch = addresses.size();
        during();
        if (down) return cm::Status::Unavailable("down");
        std::vector<cm::ConsentLookup> out;
        for (const auto& a : addresses) {
            cm::ConsentLookup l;
            l.address = a;
            l.has_record = !a.empty() && a[0] == 'y';
            out.push_back(l);
        }
        return out;
    }
    cm::Result<cm::SenderState> sender_state(std::string_view, std::string_view) override {
        ++sender_calls;
        during();
        if (down) return cm::Status::Unavailable("down");
        cm::SenderState state;
        state.suspended = suspended;
        return state;
    }
    cm::Status add_traffic(const std::vector<cm::TrafficRow>&) override {
        ++traffic_calls;
        return cm::Status::OK();
    }
    cm::Result<cm::ChangeResult> suspend(const cm::Suspension&, std::int64_t) override { return cm::ChangeResult{}; }
};

}  // namespace

TEST_CASE("consent cache: hits, misses, expiry, errors") {
    auto inner = std::make_shared<CountingStore>();
    std::int64_t now = 1000;
    cm::CachingConsentStore cache(inner, 30, [&] { return now; });

    auto first = cache.lookup("s", {"yes@x", "no@x"});
    REQUIRE(first.ok());
    CHECK(inner->calls == 1);
    CHECK((*first)[0].has_record);
    CHECK_FALSE((*first)[1].has_record);

    auto second = cache.lookup("s", {"no@x", "yes@x", "yet@x"});
    REQUIRE(second.ok());
    CHECK(inner->calls == 2);
    CHECK(inner->last_batch == 1);  // only the address not seen before
    CHECK((*second)[1].has_record);
    CHECK((*second)[2].address == "yet@x");

    (void)cache.lookup("other-scope", {"yes@x"});
    CHECK(inner->calls == 3);  // scopes are cached apart

    now += 31;
    inner->down = true;
    auto failed = cache.lookup("s", {"yes@x"});
    CHECK_FALSE(failed.ok());
    inner->down = false;
    auto again = cache.lookup("s", {"yes@x"});
    REQUIRE(again.ok());
    CHECK(inner->calls == 5);  // the failure was not cached
}

TEST_CASE("consent cache: TTL 0 disables caching") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 0, [] { return std::int64_t{0}; });
    (void)cache.lookup("s", {"a@x"});
    (void)cache.lookup("s", {"a@x"});
    CHECK(inner->calls == 2);
}

TEST_CASE("consent cache: bounded size") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 30, [] { return std::int64_t{0}; }, 4);
    for (int i = 0; i < 20; ++i) (void)cache.lookup("s", {"a" + std::to_string(i) + "@x"});
    (void)cache.lookup("s", {"a19@x"});
    CHECK(inner->calls == 20);  // the newest entry survived the trimming
}

TEST_CASE("consent cache: expired entries are swept once per TTL, not only when full") {
    auto inner = std::make_shared<CountingStore>();
    std::int64_t now = 0;
    cm::CachingConsentStore cache(inner, 30, [&] { return now; }, 1000);
    (void)cache.lookup("s", {"a@x", "b@x", "c@x"});
    CHECK(cache.size() == 3);
    now = 31;  // all three expired: swept, though the cache is far from full
    (void)cache.lookup("s", {"d@x"});
    CHECK(cache.size() == 1);
    (void)cache.lookup("s", {"e@x", "f@x"});
    (void)cache.lookup("s", {"d@x"});
    CHECK(inner->calls == 3);  // d@x is still cached
}

TEST_CASE("consent cache: flush() forgets every answer at once, whatever the TTL") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 3600, [] { return std::int64_t{0}; });
    (void)cache.lookup("s", {"yes@x"});
    (void)cache.sender_state("s", "2026-11-27");
    (void)cache.lookup("s", {"yes@x"});
    (void)cache.sender_state("s", "2026-11-27");
    CHECK(inner->calls == 1);
    CHECK(inner->sender_calls == 1);
    CHECK(cache.size() == 2);

    cache.flush();
    CHECK(cache.size() == 0);
    (void)cache.lookup("s", {"yes@x"});
    (void)cache.sender_state("s", "2026-11-27");
    CHECK(inner->calls == 2);
    CHECK(inner->sender_calls == 2);
}

TEST_CASE("consent cache: sender_state is kept per scope and day, failures never") {
    auto inner = std::make_shared<CountingStore>();
    std::int64_t now = 0;
    cm::CachingConsentStore cache(inner, 30, [&] { return now; });
    inner->suspended = true;
    auto first = cache.sender_state("s", "2026-11-27");
    REQUIRE(first.ok());
    CHECK(first->suspended);
    inner->suspended = false;  // changed behind the cache's back (no flush): still the old answer
    auto second = cache.sender_state("s", "2026-11-27");
    REQUIRE(second.ok());
    CHECK(second->suspended);
    CHECK(inner->sender_calls == 1);

    (void)cache.sender_state("s", "2026-11-28");      // another day
    (void)cache.sender_state("other", "2026-11-27");  // another scope
    CHECK(inner->sender_calls == 3);

    inner->down = true;
    CHECK_FALSE(cache.sender_state("down", "2026-11-27").ok());
    inner->down = false;
    CHECK(cache.sender_state("down", "2026-11-27").ok());
    CHECK(inner->sender_calls == 5);  // the failure was not kept

    now = 31;
    auto expired = cache.sender_state("s", "2026-11-27");
    REQUIRE(expired.ok());
    CHECK_FALSE(expired->suspended);
    CHECK(inner->sender_calls == 6);
}

TEST_CASE("consent cache: an answer fetched while a flush happened is not kept") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 3600, [] { return std::int64_t{0}; });
    inner->during = [&] { cache.flush(); };  // the change commits while the store answers
    auto got = cache.lookup("s", {"yes@x"});
    REQUIRE(got.ok());
    CHECK((*got)[0].has_record);  // this caller still gets the answer
    CHECK(cache.size() == 0);
    REQUIRE(cache.sender_state("s", "2026-11-27").ok());
    CHECK(cache.size() == 0);
    inner->during = [] {};
    (void)cache.lookup("s", {"yes@x"});
    (void)cache.sender_state("s", "2026-11-27");
    CHECK(inner->calls == 2);
    CHECK(inner->sender_calls == 2);
    CHECK(cache.size() == 2);
}

TEST_CASE("consent cache: disabled, it keeps nothing until enabled again") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 3600, [] { return std::int64_t{0}; });
    (void)cache.lookup("s", {"yes@x"});
    cache.set_enabled(false);
    CHECK(cache.size() == 0);
    for (int i = 0; i < 2; ++i) {
        (void)cache.lookup("s", {"yes@x"});
        (void)cache.sender_state("s", "2026-11-27");
    }
    CHECK(inner->calls == 3);
    CHECK(inner->sender_calls == 2);
    cache.set_enabled(true);
    for (int i = 0; i < 2; ++i) {
        (void)cache.lookup("s", {"yes@x"});
        (void)cache.sender_state("s", "2026-11-27");
    }
    CHECK(inner->calls == 4);
    CHECK(inner->sender_calls == 3);
}

TEST_CASE("consent cache: add_traffic goes to the store every time") {
    auto inner = std::make_shared<CountingStore>();
    cm::CachingConsentStore cache(inner, 3600, [] { return std::int64_t{0}; });
    std::vector<cm::TrafficRow> rows(1);
    REQUIRE(cache.add_traffic(rows).ok());
    REQUIRE(cache.add_traffic(rows).ok());
    CHECK(inner->traffic_calls == 2);
}
