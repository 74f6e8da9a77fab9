// SPDX-License-Identifier: Apache-2.0
// The backend-independent consent store tests (see consent_backend_suite.h).
#include "consent_backend_suite.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cm::testing {

namespace {

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kDay = 86400;

ConsentRecord record(const std::string& scope, const std::string& address, ConsentStatus status,
                     std::int64_t granted_at = kNow - kDay, std::int64_t confirmed_at = 0) {
    ConsentRecord r;
    r.scope = scope;
    r.address = address;
    r.status = status;
    r.method = "double-opt-in";
    r.source = "https://shop.example/signup";
    r.ip = "192.0.2.7";
    r.granted_at = granted_at;
    r.confirmed_at = status == ConsentStatus::confirmed && confirmed_at == 0 ? granted_at : confirmed_at;
    return r;
}

Suppression suppression(const std::string& scope, const std::string& address, const std::string& reason) {
    return Suppression{scope, address, reason, "test", 0};
}

bool changed(const Result<ChangeResult>& r) {
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return r->changed;
}

ConsentLookup lookup_one(ConsentDatabase& db, const std::string& scope, const std::string& address) {
    auto r = db.lookup(scope, {address});
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    return (*r)[0];
}

RecipientConsent judge(ConsentDatabase& db, const std::string& scope, const std::string& address,
                       ConsentPolicy policy = {}) {
    return judge_consent(lookup_one(db, scope, address), policy, kNow);
}

std::vector<HistoryEvent> history(ConsentDatabase& db, const std::string& address, const std::string& scope = "") {
    auto r = db.show(address, scope);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return r->history;
}

std::vector<ConsentRecord> export_all(ConsentDatabase& db, const std::string& scope = "") {
    std::vector<ConsentRecord> out;
    Status st = db.export_records(scope, [&](const ConsentRecord& r) { out.push_back(r); });
    INFO(st.ToString());
    REQUIRE(st.ok());
    return out;
}

// A `next` callback over a vector, failing at row `fail_at` (1-based) when non-zero.
std::function<Result<bool>(ConsentRecord&)> rows(const std::vector<ConsentRecord>& in, std::size_t fail_at = 0) {
    auto i = std::make_shared<std::size_t>(0);
    return [in, fail_at, i](ConsentRecord& out) -> Result<bool> {
        if (fail_at != 0 && *i + 1 == fail_at) return Status::InvalidArgument("bad row " + std::to_string(fail_at));
        if (*i >= in.size()) return false;
        out = in[(*i)++];
        return true;
    };
}

void check_same(const ConsentRecord& got, const ConsentRecord& want) {
    INFO(want.scope << " " << want.address);
    CHECK(got.scope == want.scope);
    CHECK(got.address == want.address);
    CHECK(got.status == want.status);
    CHECK(got.method == want.method);
    CHECK(got.source == want.source);
    CHECK(got.ip == want.ip);
    CHECK(got.granted_at == want.granted_at);
    CHECK(got.confirmed_at == want.confirmed_at);
    CHECK(got.revoked_at == want.revoked_at);
}

std::unique_ptr<ConsentDatabase> fresh(const ConsentDatabaseFactory& open_fresh_store) {
    std::unique_ptr<ConsentDatabase> db = open_fresh_store();
    REQUIRE(db != nullptr);
    return db;
}

}  // namespace

void run_consent_backend_suite(const ConsentDatabaseFactory& open_fresh_store) {
    using S = ConsentStatus;

    SECTION("lookup + judge_consent reaches every status path") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "confirmed@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->grant(record("shop", "pending@example.com", S::pending), kNow)));
        REQUIRE(changed(db->grant(record("shop", "revoked@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->revoke("shop", "revoked@example.com", "unsubscribe link", kNow)));
        REQUIRE(changed(db->grant(record("shop", "old@example.com", S::confirmed, kNow - 400 * kDay), kNow)));

        struct Case {
            const char* address;
            ConsentPolicy policy;
            bool want_pass;
            const char* want_reason;
        };
        auto c = GENERATE(values<Case>({
            {"confirmed@example.com", {true, 0}, true, ""},
            {"pending@example.com", {true, 0}, false, "unconfirmed"},
            {"pending@example.com", {false, 0}, true, ""},
            {"revoked@example.com", {true, 0}, false, "revoked"},
            {"revoked@example.com", {false, 0}, false, "revoked"},
            {"old@example.com", {true, 0}, true, ""},
            {"old@example.com", {true, 365}, false, "expired"},
            {"confirmed@example.com", {true, 365}, true, ""},
            {"nobody@example.com", {true, 0}, false, "no-record"},
        }));
        INFO(c.address << " require_confirmed=" << c.policy.require_confirmed << " max_age=" << c.policy.max_age_days);
        RecipientConsent got = judge(*db, "shop", c.address, c.policy);
        CHECK(got.pass == c.want_pass);
        CHECK(cm::reason_code(got.reason) == c.want_reason);
    }

    SECTION("lookup reports the record's timestamps and status") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::confirmed, kNow - 10, kNow - 5), kNow)));
        ConsentLookup l = lookup_one(*db, "shop", "a@example.com");
        CHECK(l.has_record);
        CHECK(l.status == S::confirmed);
        CHECK(l.granted_at == kNow - 10);
        CHECK(l.confirmed_at == kNow - 5);
        CHECK_FALSE(l.suppressed);
        CHECK(l.suppression_reason.empty());
    }

    SECTION("a suppression in the scope overrides confirmed consent; unsuppress restores it") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "", kNow)));
        ConsentLookup l = lookup_one(*db, "shop", "a@example.com");
        CHECK(l.has_record);
        CHECK(l.suppressed);
        CHECK(l.suppression_reason == "complaint");
        CHECK(cm::reason_code(judge(*db, "shop", "a@example.com").reason) == "suppressed");
        // Another scope is not affected by this scope's suppression.
        REQUIRE(changed(db->grant(record("other", "a@example.com", S::confirmed), kNow)));
        CHECK(judge(*db, "other", "a@example.com").pass);

        REQUIRE(changed(db->unsuppress("shop", "a@example.com", kNow)));
        CHECK(judge(*db, "shop", "a@example.com").pass);
        CHECK_FALSE(lookup_one(*db, "shop", "a@example.com").suppressed);
    }

    SECTION("a global '*' suppression applies to every scope, with or without a record") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "trap@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->grant(record("news", "trap@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->suppress(suppression("*", "trap@example.com", "spamtrap"), "", kNow)));
        for (const char* scope : {"shop", "news", "never-seen"}) {
            INFO(scope);
            ConsentLookup l = lookup_one(*db, scope, "trap@example.com");
            CHECK(l.suppressed);
            CHECK(l.suppression_reason == "spamtrap");
            CHECK(cm::reason_code(judge(*db, scope, "trap@example.com").reason) == "suppressed");
        }
        // Unsuppressing in one scope does not lift the global suppression.
        CHECK_FALSE(changed(db->unsuppress("shop", "trap@example.com", kNow)));
        CHECK(cm::reason_code(judge(*db, "shop", "trap@example.com").reason) == "suppressed");
        REQUIRE(changed(db->unsuppress("*", "trap@example.com", kNow)));
        CHECK(judge(*db, "shop", "trap@example.com").pass);
        CHECK(judge(*db, "news", "trap@example.com").pass);
    }

    SECTION("the scope's own suppression reason wins over the global one") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->suppress(suppression("*", "a@example.com", "bounce"), "", kNow)));
        REQUIRE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "", kNow)));
        CHECK(lookup_one(*db, "shop", "a@example.com").suppression_reason == "complaint");
        CHECK(lookup_one(*db, "news", "a@example.com").suppression_reason == "bounce");
    }

    SECTION("addresses are compared case-insensitively, and lookup echoes them as asked") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "User@Example.COM", S::confirmed), kNow)));
        auto r = db->lookup("shop", {"user@example.com", "USER@EXAMPLE.COM", " <User@example.com> "});
        REQUIRE(r.ok());
        REQUIRE(r->size() == 3);
        CHECK((*r)[0].address == "user@example.com");
        CHECK((*r)[1].address == "USER@EXAMPLE.COM");
        CHECK((*r)[2].address == " <User@example.com> ");
        for (const ConsentLookup& l : *r) CHECK(l.has_record);
        // The stored key is the normalised form, and a differently-cased grant is a no-op.
        CHECK(export_all(*db).at(0).address == "user@example.com");
        CHECK_FALSE(changed(db->grant(record("shop", "USER@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->suppress(suppression("shop", "USER@EXAMPLE.com", "manual"), "", kNow)));
        CHECK(cm::reason_code(judge(*db, "shop", "user@example.com").reason) == "suppressed");
        REQUIRE(changed(db->revoke("shop", "uSeR@eXaMpLe.CoM", "", kNow)));
        CHECK(export_all(*db).at(0).status == S::revoked);
    }

    SECTION("scopes are isolated from each other") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->grant(record("news", "a@example.com", S::pending), kNow)));
        CHECK(judge(*db, "shop", "a@example.com").pass);
        CHECK(cm::reason_code(judge(*db, "news", "a@example.com").reason) == "unconfirmed");
        CHECK(cm::reason_code(judge(*db, "blog", "a@example.com").reason) == "no-record");
        REQUIRE(changed(db->revoke("shop", "a@example.com", "", kNow)));
        CHECK(cm::reason_code(judge(*db, "shop", "a@example.com").reason) == "revoked");
        CHECK(lookup_one(*db, "news", "a@example.com").status == S::pending);
        REQUIRE(export_all(*db, "news").size() == 1);
        CHECK(export_all(*db, "news")[0].scope == "news");
    }

    SECTION("every change appends exactly one history event; no-ops append nothing") {
        auto db = fresh(open_fresh_store);
        const std::string a = "a@example.com";
        REQUIRE(changed(db->grant(record("shop", a, S::pending), kNow + 1)));
        CHECK_FALSE(changed(db->grant(record("shop", a, S::pending), kNow + 2)));
        REQUIRE(changed(db->confirm("shop", a, kNow + 3)));
        CHECK_FALSE(changed(db->confirm("shop", a, kNow + 4)));
        REQUIRE(changed(db->revoke("shop", a, "unsubscribe link", kNow + 5)));
        CHECK_FALSE(changed(db->revoke("shop", a, "unsubscribe link", kNow + 6)));
        REQUIRE(changed(db->suppress(suppression("shop", a, "unsubscribe"), "", kNow + 7)));
        CHECK_FALSE(changed(db->suppress(suppression("shop", a, "unsubscribe"), "", kNow + 8)));
        REQUIRE(changed(db->unsuppress("shop", a, kNow + 9)));
        CHECK_FALSE(changed(db->unsuppress("shop", a, kNow + 10)));
        REQUIRE(changed(db->grant(record("shop", a, S::confirmed, kNow + 11), kNow + 11)));  // re-opt-in

        std::vector<HistoryEvent> h = history(*db, a);
        std::vector<std::string> events;
        for (const HistoryEvent& e : h) events.push_back(e.event);
        CHECK(events == std::vector<std::string>{"grant", "confirm", "revoke", "suppress", "unsuppress", "grant"});
        REQUIRE(h.size() == 6);
        std::vector<std::int64_t> at;
        for (const HistoryEvent& e : h) at.push_back(e.at);
        CHECK(at == std::vector<std::int64_t>{kNow + 1, kNow + 3, kNow + 5, kNow + 7, kNow + 9, kNow + 11});
        for (std::size_t i = 1; i < h.size(); ++i) CHECK(h[i].id > h[i - 1].id);
        for (const HistoryEvent& e : h) {
            CHECK(e.scope == "shop");
            CHECK(e.address == a);
        }
        CHECK(h[0].detail.find("double-opt-in") != std::string::npos);
        CHECK(h[2].detail.find("unsubscribe link") != std::string::npos);
        CHECK(h[3].detail.find("unsubscribe") != std::string::npos);

        // Earlier events are unchanged by later changes (append-only): re-read and compare.
        REQUIRE(changed(db->revoke("shop", a, "", kNow + 12)));
        std::vector<HistoryEvent> h2 = history(*db, a);
        REQUIRE(h2.size() == 7);
        for (std::size_t i = 0; i < h.size(); ++i) {
            CHECK(h2[i].id == h[i].id);
            CHECK(h2[i].at == h[i].at);
            CHECK(h2[i].event == h[i].event);
            CHECK(h2[i].detail == h[i].detail);
        }
    }

    SECTION("confirm and revoke need a record; a revoked record needs a new grant") {
        auto db = fresh(open_fresh_store);
        auto c = db->confirm("shop", "ghost@example.com", kNow);
        REQUIRE_FALSE(c.ok());
        CHECK(c.status().code() == Status::Code::not_found);
        auto r = db->revoke("shop", "ghost@example.com", "", kNow);
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::not_found);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::pending), kNow)));
        REQUIRE(changed(db->revoke("shop", "a@example.com", "", kNow)));
        CHECK_FALSE(db->confirm("shop", "a@example.com", kNow).ok());
        CHECK(cm::reason_code(judge(*db, "shop", "a@example.com").reason) == "revoked");
        CHECK(history(*db, "ghost@example.com").empty());
    }

    SECTION("invalid changes are refused and leave no trace") {
        auto db = fresh(open_fresh_store);
        CHECK(db->grant(record("", "a@example.com", S::confirmed), kNow).status().code() ==
              Status::Code::invalid_argument);
        CHECK(db->grant(record("shop", "  ", S::confirmed), kNow).status().code() == Status::Code::invalid_argument);
        CHECK(db->grant(record("*", "a@example.com", S::confirmed), kNow).status().code() ==
              Status::Code::invalid_argument);
        CHECK(db->suppress(suppression("shop", "a@example.com", "dislike"), "", kNow).status().code() ==
              Status::Code::invalid_argument);
        CHECK(export_all(*db).empty());
        CHECK(history(*db, "a@example.com").empty());
    }

    SECTION("suppress with a ref already in the history changes nothing (idempotent ARF import)") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "arf-1@isp.example", kNow)));
        CHECK_FALSE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "arf-1@isp.example", kNow)));
        // Even after a manual unsuppress, re-importing the same report does not suppress again.
        REQUIRE(changed(db->unsuppress("shop", "a@example.com", kNow + 1)));
        CHECK_FALSE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "arf-1@isp.example", kNow + 2)));
        CHECK(judge(*db, "shop", "a@example.com").pass);
        // A new report id is a new event.
        REQUIRE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "arf-2@isp.example", kNow + 3)));
        std::vector<HistoryEvent> h = history(*db, "a@example.com");
        REQUIRE(h.size() == 4);  // grant, suppress(arf-1), unsuppress, suppress(arf-2)
        CHECK(h[1].ref == "arf-1@isp.example");
        CHECK(h[2].ref.empty());
        CHECK(h[3].ref == "arf-2@isp.example");
    }

    SECTION("import is all-or-nothing: a callback error at row 3 leaves the store unchanged") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "keep@example.com", S::pending), kNow)));
        std::vector<ConsentRecord> before = export_all(*db);
        std::vector<HistoryEvent> history_before = history(*db, "keep@example.com");

        std::vector<ConsentRecord> in = {
            record("shop", "keep@example.com", S::confirmed),  // would change an existing row
            record("shop", "new1@example.com", S::confirmed),
            record("shop", "new2@example.com", S::confirmed),
        };
        auto r = db->import_records(rows(in, 3), kNow);
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Status::Code::invalid_argument);
        CHECK(r.status().message() == "bad row 3");

        std::vector<ConsentRecord> after = export_all(*db);
        REQUIRE(after.size() == before.size());
        check_same(after[0], before[0]);
        CHECK(history(*db, "keep@example.com").size() == history_before.size());
        CHECK(history(*db, "new1@example.com").empty());
        CHECK(cm::reason_code(judge(*db, "shop", "new1@example.com").reason) == "no-record");
    }

    SECTION("import upserts verbatim and is idempotent") {
        auto db = fresh(open_fresh_store);
        ConsentRecord revoked = record("shop", "R@Example.com", S::revoked, kNow - 9 * kDay, kNow - 8 * kDay);
        revoked.revoked_at = kNow - 7 * kDay;
        std::vector<ConsentRecord> in = {
            record("shop", "a@example.com", S::confirmed, kNow - 3 * kDay, kNow - 2 * kDay),
            record("shop", "b@example.com", S::pending, kNow - 3 * kDay),
            revoked,
        };
        auto first = db->import_records(rows(in), kNow);
        REQUIRE(first.ok());
        CHECK(*first == 3);
        auto second = db->import_records(rows(in), kNow + 1);
        REQUIRE(second.ok());
        CHECK(*second == 0);
        CHECK(history(*db, "a@example.com").size() == 1);
        CHECK(history(*db, "a@example.com")[0].event == "import");

        in[1].status = S::confirmed;
        in[1].confirmed_at = kNow;
        auto third = db->import_records(rows(in), kNow + 2);
        REQUIRE(third.ok());
        CHECK(*third == 1);
        CHECK(history(*db, "b@example.com").size() == 2);
        ConsentLookup r = lookup_one(*db, "shop", "r@example.com");
        CHECK(r.status == S::revoked);
        CHECK(r.granted_at == kNow - 9 * kDay);

        auto empty = db->import_records(rows({}), kNow);
        REQUIRE(empty.ok());
        CHECK(*empty == 0);
    }

    SECTION("import of a key repeated in one file records each change once, across bulk steps") {
        auto db = fresh(open_fresh_store);
        std::vector<ConsentRecord> in;
        for (int i = 0; i < 600; ++i)
            in.push_back(record("shop", "u" + std::to_string(i) + "@example.com", S::pending));
        ConsentRecord confirmed = record("shop", "u7@example.com", S::confirmed);
        in.push_back(record("shop", "U7@Example.com", S::pending));  // row 8's state again: no change
        in.push_back(confirmed);                                      // a change
        in.push_back(confirmed);                                      // the row before's state: no change
        auto n = db->import_records(rows(in), kNow);
        INFO(n.status().ToString());
        REQUIRE(n.ok());
        CHECK(*n == 601);
        CHECK(history(*db, "u7@example.com").size() == 2);
        CHECK(lookup_one(*db, "shop", "u7@example.com").status == S::confirmed);
        CHECK(export_all(*db).size() == 600);
    }

    SECTION("export is ordered by scope then address and round-trips every field") {
        auto db = fresh(open_fresh_store);
        ConsentRecord odd = record("b-scope", "z@example.com", S::revoked, kNow - 100, kNow - 50);
        odd.revoked_at = kNow - 10;
        odd.method = "import";
        odd.source = "list \"Spring sale\", row 7";
        odd.ip = "2001:db8::1";
        std::vector<ConsentRecord> in = {
            odd,
            record("b-scope", "a@example.com", S::pending, kNow - 300),
            record("a-scope", "m@example.com", S::confirmed, kNow - 200, kNow - 150),
            record("a-scope", "c@example.com", S::confirmed, 0, 0),
        };
        in[3].method.clear();
        in[3].source.clear();
        in[3].ip.clear();
        auto n = db->import_records(rows(in), kNow);
        REQUIRE(n.ok());
        CHECK(*n == 4);
        std::vector<ConsentRecord> out = export_all(*db);
        REQUIRE(out.size() == 4);
        check_same(out[0], in[3]);
        check_same(out[1], in[2]);
        check_same(out[2], in[1]);
        check_same(out[3], in[0]);
        // Importing the export back changes nothing.
        auto again = db->import_records(rows(out), kNow + 1);
        REQUIRE(again.ok());
        CHECK(*again == 0);
        std::vector<ConsentRecord> only_b = export_all(*db, "b-scope");
        REQUIRE(only_b.size() == 2);
        CHECK(only_b[0].address == "a@example.com");
        CHECK(only_b[1].address == "z@example.com");
        CHECK(export_all(*db, "no-such-scope").empty());
    }

    SECTION("show returns records, suppressions (with '*') and the full history oldest first") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::pending), kNow + 1)));
        REQUIRE(changed(db->grant(record("news", "a@example.com", S::confirmed), kNow + 2)));
        REQUIRE(changed(db->confirm("shop", "a@example.com", kNow + 3)));
        REQUIRE(changed(db->suppress(suppression("*", "a@example.com", "bounce"), "", kNow + 4)));
        REQUIRE(changed(db->suppress(suppression("news", "a@example.com", "complaint"), "arf-9", kNow + 5)));
        REQUIRE(changed(db->grant(record("shop", "b@example.com", S::confirmed), kNow + 6)));

        auto all = db->show("A@Example.com", "");
        REQUIRE(all.ok());
        REQUIRE(all->records.size() == 2);
        CHECK(all->records[0].scope == "news");
        CHECK(all->records[1].scope == "shop");
        CHECK(all->records[1].status == S::confirmed);
        CHECK(all->records[1].confirmed_at == kNow + 3);
        REQUIRE(all->suppressions.size() == 2);
        CHECK(all->suppressions[0].scope == "*");
        CHECK(all->suppressions[0].reason == "bounce");
        CHECK(all->suppressions[0].created_at == kNow + 4);
        CHECK(all->suppressions[1].scope == "news");
        REQUIRE(all->history.size() == 5);
        for (std::size_t i = 0; i < all->history.size(); ++i) CHECK(all->history[i].at == kNow + 1 + std::int64_t(i));
        CHECK(all->history[4].ref == "arf-9");

        auto shop = db->show("a@example.com", "shop");
        REQUIRE(shop.ok());
        REQUIRE(shop->records.size() == 1);
        CHECK(shop->records[0].scope == "shop");
        REQUIRE(shop->suppressions.size() == 1);
        CHECK(shop->suppressions[0].scope == "*");
        std::vector<std::string> events;
        for (const HistoryEvent& e : shop->history) events.push_back(e.scope + ":" + e.event);
        CHECK(events == std::vector<std::string>{"shop:grant", "shop:confirm", "*:suppress"});

        auto nobody = db->show("nobody@example.com", "");
        REQUIRE(nobody.ok());
        CHECK(nobody->records.empty());
        CHECK(nobody->suppressions.empty());
        CHECK(nobody->history.empty());
    }

    SECTION("stats counts records per scope and status, and suppressions per scope and '*'") {
        auto db = fresh(open_fresh_store);
        auto empty = db->stats();
        REQUIRE(empty.ok());
        CHECK(empty->empty());
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->grant(record("shop", "b@example.com", S::confirmed), kNow)));
        REQUIRE(changed(db->grant(record("shop", "c@example.com", S::pending), kNow)));
        REQUIRE(changed(db->grant(record("shop", "d@example.com", S::pending), kNow)));
        REQUIRE(changed(db->revoke("shop", "d@example.com", "", kNow)));
        REQUIRE(changed(db->grant(record("news", "a@example.com", S::pending), kNow)));
        REQUIRE(changed(db->suppress(suppression("shop", "a@example.com", "complaint"), "", kNow)));
        REQUIRE(changed(db->suppress(suppression("*", "x@example.com", "spamtrap"), "", kNow)));
        REQUIRE(changed(db->suppress(suppression("*", "y@example.com", "bounce"), "", kNow)));
        REQUIRE(changed(db->suppress(suppression("gone", "z@example.com", "manual"), "", kNow)));

        auto st = db->stats();
        REQUIRE(st.ok());
        std::vector<std::string> got;
        for (const ScopeStats& s : *st)
            got.push_back(s.scope + " " + std::to_string(s.confirmed) + "/" + std::to_string(s.pending) + "/" +
                          std::to_string(s.revoked) + "/" + std::to_string(s.suppressed));
        CHECK(got == std::vector<std::string>{"* 0/0/0/2", "gone 0/0/0/1", "news 0/1/0/0", "shop 2/1/1/1"});
    }

    SECTION("one lookup call answers 1,000 addresses in order") {
        auto db = fresh(open_fresh_store);
        std::vector<ConsentRecord> in;
        std::vector<std::string> asked;
        for (int i = 0; i < 1000; ++i) {
            std::string a = "user" + std::to_string(i) + "@example.com";
            if (i % 4 != 3) in.push_back(record("shop", a, i % 2 == 0 ? S::confirmed : S::pending, kNow - i));
            asked.push_back(i % 5 == 0 ? "USER" + std::to_string(i) + "@EXAMPLE.COM" : a);
        }
        auto n = db->import_records(rows(in), kNow);
        REQUIRE(n.ok());
        CHECK(*n == std::int64_t(in.size()));
        for (int i = 0; i < 1000; i += 7)
            REQUIRE(changed(db->suppress(suppression(i % 2 ? "*" : "shop", "user" + std::to_string(i) + "@example.com",
                                                     "bounce"),
                                         "", kNow)));
        auto r = db->lookup("shop", asked);
        INFO(r.status().ToString());
        REQUIRE(r.ok());
        REQUIRE(r->size() == 1000);
        int mismatches = 0;
        for (int i = 0; i < 1000; ++i) {
            const ConsentLookup& l = (*r)[i];
            bool ok = l.address == asked[i] && l.has_record == (i % 4 != 3) && l.suppressed == (i % 7 == 0) &&
                      (!l.has_record || (l.status == (i % 2 == 0 ? S::confirmed : S::pending) &&
                                         l.granted_at == kNow - i));
            if (!ok) {
                ++mismatches;
                UNSCOPED_INFO("mismatch at " << i << " " << l.address);
            }
        }
        CHECK(mismatches == 0);
        auto none = db->lookup("shop", {});
        REQUIRE(none.ok());
        CHECK(none->empty());
    }
}

void run_consent_backend_concurrency(const ConsentDatabaseFactory& open_fresh_store) {
    auto db = fresh(open_fresh_store);
    constexpr int kWrites = 400;
    constexpr int kReaders = 4;
    std::atomic<bool> done{false};
    std::atomic<int> errors{0}, torn{0}, lookups{0};
    std::string first_error;
    std::mutex first_error_mu;
    auto note_error = [&](const Status& st) {
        if (errors++ == 0) {
            std::lock_guard<std::mutex> lock(first_error_mu);
            first_error = st.ToString();
        }
    };

    std::vector<std::string> addresses;
    for (int i = 0; i < kWrites; ++i) addresses.push_back("w" + std::to_string(i) + "@example.com");

    std::vector<std::thread> readers;
    for (int t = 0; t < kReaders; ++t) {
        readers.emplace_back([&, t] {
            std::vector<std::string> batch;
            for (int i = t; i < kWrites; i += 8) batch.push_back(addresses[i]);
            while (!done.load()) {
                auto r = db->lookup("shop", batch);
                ++lookups;
                if (!r.ok()) {
                    note_error(r.status());
                    continue;
                }
                for (const ConsentLookup& l : *r)
                    if (l.has_record && (l.status != ConsentStatus::confirmed || l.granted_at != kNow - 1))
                        ++torn;
            }
        });
    }
    for (int i = 0; i < kWrites; ++i) {
        auto r = db->grant(record("shop", addresses[i], ConsentStatus::confirmed, kNow - 1), kNow);
        if (!r.ok()) note_error(r.status());
    }
    done = true;
    for (std::thread& t : readers) t.join();

    INFO("first error: " << first_error);
    CHECK(errors.load() == 0);
    CHECK(torn.load() == 0);
    CHECK(lookups.load() > 0);
    auto all = db->lookup("shop", addresses);
    REQUIRE(all.ok());
    int present = 0;
    for (const ConsentLookup& l : *all) present += l.has_record ? 1 : 0;
    CHECK(present == kWrites);
}

}  // namespace cm::testing
