// SPDX-License-Identifier: Apache-2.0
// CachingConsentStore: fresh answers served from memory, misses in one round trip, errors
// never cached, entries expire after the TTL.
#include <catch2/catch.hpp>

#include "consent/consent_cache.h"

namespace {

// Counts calls; answers has_record = (address starts with 'y'); fails while `down`.
class CountingStore final : public cm::ConsentStore {
public:
    int calls = 0;
    std::size_t last_batch = 0;
    bool down = false;
    cm::Result<std::vector<cm::ConsentLookup>> lookup(std::string_view,
                                                      const std::vector<std::string>& addresses) override {
        ++calls;
        last_batch = addresses.size();
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
        return cm::SenderState{};
    }
    cm::Status add_traffic(const std::vector<cm::TrafficRow>&) override { return cm::Status::OK(); }
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
