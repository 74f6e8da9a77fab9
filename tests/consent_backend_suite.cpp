// SPDX-License-Identifier: Apache-2.0
// The backend-independent consent store tests (see consent_backend_suite.h).
#include "consent_backend_suite.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "util/utc_day.h"

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

std::int64_t day_start(const char* day) {
    std::optional<std::int64_t> t = utc_day_start(day);
    REQUIRE(t.has_value());
    return *t;
}

template <class T>
std::function<Status(const T&)> into(std::vector<T>& out) {
    return [&out](const T& item) {
        out.push_back(item);
        return Status::OK();
    };
}

std::vector<Complaint> complaints(ConsentDatabase& db, const std::string& scope = "", std::int64_t since = 0) {
    std::vector<Complaint> out;
    Status st = db.each_complaint(scope, since, into(out));
    INFO(st.ToString());
    REQUIRE(st.ok());
    return out;
}

std::vector<TrafficRow> traffic(ConsentDatabase& db, const std::string& since_day = "0000-03-01",
                                const std::string& until_day = "9999-12-31") {
    std::vector<TrafficRow> out;
    Status st = db.each_traffic(since_day, until_day, into(out));
    INFO(st.ToString());
    REQUIRE(st.ok());
    return out;
}

// "scope event address" of each history event with since <= at < until.
std::vector<std::string> events_between(ConsentDatabase& db, std::int64_t since, std::int64_t until) {
    std::vector<HistoryEvent> h;
    Status st = db.each_history(since, until, into(h));
    INFO(st.ToString());
    REQUIRE(st.ok());
    std::vector<std::string> out;
    for (const HistoryEvent& e : h) out.push_back(e.scope + " " + e.event + " " + e.address);
    return out;
}

SenderState sender_state(ConsentDatabase& db, const std::string& scope, const std::string& since_day) {
    auto r = db.sender_state(scope, since_day);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
}

Complaint complaint(const std::string& scope, const std::string& address, std::int64_t received_at,
                    const std::string& ref, const std::string& source = "arf:report.eml") {
    Complaint c;
    c.scope = scope;
    c.address = address;
    c.received_at = received_at;
    c.report_ref = ref;
    c.source = source;
    return c;
}

TrafficRow verdict(const std::string& scope, const std::string& day, const std::string& key, std::int64_t messages,
                   std::int64_t recipients) {
    return TrafficRow{scope, day, TrafficRow::Kind::verdict, key, messages, recipients};
}

TrafficRow reason(const std::string& scope, const std::string& day, const std::string& key, std::int64_t messages,
                  std::int64_t recipients) {
    return TrafficRow{scope, day, TrafficRow::Kind::reason, key, messages, recipients};
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

void run_sender_backend_suite(const ConsentDatabaseFactory& open_fresh_store) {
    using S = ConsentStatus;

    SECTION("suspend is a no-op when suspended, unsuspend when not; both are in the history") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->suspend(Suspension{"shop", "spam run 2026-12-01", "consentctl", 0}, kNow)));
        CHECK_FALSE(changed(db->suspend(Suspension{"shop", "another reason", "complaint-rate", 0}, kNow + 1)));
        REQUIRE(changed(db->suspend(Suspension{"news", "bought list", "consentctl", 0}, kNow + 2)));
        auto all = db->suspensions();
        REQUIRE(all.ok());
        REQUIRE(all->size() == 2);
        CHECK((*all)[0].scope == "news");
        CHECK((*all)[1].scope == "shop");
        CHECK((*all)[1].reason == "spam run 2026-12-01");  // the first suspension stands
        CHECK((*all)[1].source == "consentctl");
        CHECK((*all)[1].created_at == kNow);

        SenderState shop = sender_state(*db, "shop", "2026-12-01");
        CHECK(shop.suspended);
        CHECK(shop.suspension_reason == "spam run 2026-12-01");
        CHECK_FALSE(sender_state(*db, "blog", "2026-12-01").suspended);

        REQUIRE(changed(db->unsuspend("shop", "consentctl", kNow + 3)));
        CHECK_FALSE(changed(db->unsuspend("shop", "consentctl", kNow + 4)));
        CHECK_FALSE(changed(db->unsuspend("never-suspended", "consentctl", kNow + 5)));
        CHECK_FALSE(sender_state(*db, "shop", "2026-12-01").suspended);
        CHECK(sender_state(*db, "news", "2026-12-01").suspended);
        all = db->suspensions();
        REQUIRE(all.ok());
        REQUIRE(all->size() == 1);
        CHECK((*all)[0].scope == "news");

        std::vector<HistoryEvent> h;
        REQUIRE(db->each_history(0, kNow + 100, into(h)).ok());
        REQUIRE(h.size() == 3);
        CHECK(h[0].event == "suspend");
        CHECK(h[0].scope == "shop");
        CHECK(h[0].address.empty());
        CHECK(h[0].at == kNow);
        CHECK(h[0].detail == "reason=\"spam run 2026-12-01\" source=consentctl");
        CHECK(h[1].event == "suspend");
        CHECK(h[1].scope == "news");
        CHECK(h[2].event == "unsuspend");
        CHECK(h[2].detail == "source=consentctl");
        // Suspending again after the lift is a change again.
        REQUIRE(changed(db->suspend(Suspension{"shop", "again", "consentctl", 0}, kNow + 6)));
        CHECK(sender_state(*db, "shop", "2026-12-01").suspension_reason == "again");
    }

    SECTION("a suspension needs one sender's scope") {
        auto db = fresh(open_fresh_store);
        for (const char* scope : {"", "*"}) {
            INFO("'" << scope << "'");
            CHECK(db->suspend(Suspension{scope, "x", "consentctl", 0}, kNow).status().code() ==
                  Status::Code::invalid_argument);
            CHECK(db->unsuspend(scope, "consentctl", kNow).status().code() == Status::Code::invalid_argument);
        }
        auto all = db->suspensions();
        REQUIRE(all.ok());
        CHECK(all->empty());
        CHECK(events_between(*db, 0, kNow + 1).empty());
    }

    SECTION("a complaint keeps the consent record as it stood, suppresses, and is idempotent by report_ref") {
        auto db = fresh(open_fresh_store);
        ConsentRecord had = record("shop", "a@example.com", S::confirmed, kNow - 30 * kDay, kNow - 29 * kDay);
        REQUIRE(changed(db->grant(had, kNow - 30 * kDay)));
        REQUIRE(changed(db->record_complaint(complaint("shop", " A@Example.COM ", kNow - 100, "arf-1@isp.example"), kNow)));
        // The record changes later; the complaint keeps what it was when the complaint came.
        REQUIRE(changed(db->revoke("shop", "a@example.com", "unsubscribe link", kNow + 1)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "b@example.com", kNow - 50, "", "manual:phone call"), kNow + 2)));
        // The same report again changes nothing, even after the suppression was lifted.
        REQUIRE(changed(db->unsuppress("shop", "a@example.com", kNow + 3)));
        CHECK_FALSE(changed(db->record_complaint(complaint("shop", "a@example.com", kNow - 100, "arf-1@isp.example"), kNow + 4)));
        CHECK_FALSE(lookup_one(*db, "shop", "a@example.com").suppressed);

        std::vector<Complaint> got = complaints(*db);
        REQUIRE(got.size() == 2);
        CHECK(got[1].id > got[0].id);
        CHECK(got[0].scope == "shop");
        CHECK(got[0].address == "a@example.com");
        CHECK(got[0].received_at == kNow - 100);
        CHECK(got[0].report_ref == "arf-1@isp.example");
        CHECK(got[0].source == "arf:report.eml");
        REQUIRE(got[0].consent.has_value());
        check_same(*got[0].consent, had);
        CHECK(got[1].address == "b@example.com");
        CHECK(got[1].report_ref.empty());
        CHECK(got[1].source == "manual:phone call");
        CHECK_FALSE(got[1].consent.has_value());  // no record at all: a bought or harvested list

        ConsentLookup b = lookup_one(*db, "shop", "b@example.com");
        CHECK(b.suppressed);
        CHECK(b.suppression_reason == "complaint");
        auto shown = db->show("b@example.com", "shop");
        REQUIRE(shown.ok());
        REQUIRE(shown->suppressions.size() == 1);
        CHECK(shown->suppressions[0].source == "manual:phone call");
        CHECK(shown->suppressions[0].created_at == kNow + 2);

        std::vector<HistoryEvent> h = history(*db, "a@example.com");
        std::vector<std::string> events;
        for (const HistoryEvent& e : h) events.push_back(e.event);
        CHECK(events == std::vector<std::string>{"grant", "complaint", "revoke", "unsuppress"});
        REQUIRE(h.size() == 4);
        CHECK(h[1].ref == "arf-1@isp.example");
        CHECK(h[1].at == kNow);
        CHECK(h[1].detail == "source=arf:report.eml consent=confirmed");
        std::vector<HistoryEvent> hb = history(*db, "b@example.com");
        REQUIRE(hb.size() == 1);
        CHECK(hb[0].detail == "source=\"manual:phone call\" consent=none");
    }

    SECTION("a complaint keeps an existing suppression, counts without a ref each time, and defaults its time") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->suppress(Suppression{"shop", "c@example.com", "unsubscribe", "footer link", 0}, "", kNow)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "c@example.com", 0, ""), kNow + 5)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "c@example.com", 0, ""), kNow + 6)));
        ConsentLookup c = lookup_one(*db, "shop", "c@example.com");
        CHECK(c.suppression_reason == "unsubscribe");
        std::vector<Complaint> got = complaints(*db, "shop");
        REQUIRE(got.size() == 2);
        CHECK(got[0].received_at == kNow + 5);
        CHECK(got[1].received_at == kNow + 6);
        // A complaint in one scope suppresses only there.
        REQUIRE(changed(db->grant(record("news", "c@example.com", S::confirmed), kNow)));
        CHECK(judge(*db, "news", "c@example.com").pass);

        for (auto bad : {complaint("", "c@example.com", kNow, ""), complaint("*", "c@example.com", kNow, ""),
                         complaint("shop", " ", kNow, "")}) {
            INFO("'" << bad.scope << "' '" << bad.address << "'");
            CHECK(db->record_complaint(bad, kNow).status().code() == Status::Code::invalid_argument);
        }
        CHECK(complaints(*db).size() == 2);
    }

    SECTION("each_complaint filters by scope and time and lists oldest first") {
        auto db = fresh(open_fresh_store);
        const std::int64_t t0 = kNow - 10 * kDay;
        REQUIRE(changed(db->record_complaint(complaint("shop", "late@example.com", t0 + 300, "r3"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("news", "x@example.com", t0 + 200, "r2"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "early@example.com", t0 + 100, "r1"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "same@example.com", t0 + 300, "r4"), kNow)));
        std::vector<std::string> got;
        for (const Complaint& c : complaints(*db)) got.push_back(c.report_ref);
        CHECK(got == std::vector<std::string>{"r1", "r2", "r3", "r4"});  // by time, then as recorded
        got.clear();
        for (const Complaint& c : complaints(*db, "shop", t0 + 200)) got.push_back(c.report_ref);
        CHECK(got == std::vector<std::string>{"r3", "r4"});
        CHECK(complaints(*db, "shop", t0 + 301).empty());
        CHECK(complaints(*db, "blog").empty());
        // An error from the consumer stops the listing and is returned.
        int seen = 0;
        Status st = db->each_complaint("", 0, [&](const Complaint&) {
            ++seen;
            return Status::Internal("stop");
        });
        CHECK(st.code() == Status::Code::internal);
        CHECK(seen == 1);
    }

    SECTION("traffic rows add up across calls, are listed in order and bounded by day") {
        auto db = fresh(open_fresh_store);
        REQUIRE(db->add_traffic({verdict("shop", "2026-12-01", "accept", 3, 30), reason("shop", "2026-12-01",
                                 "body_link:hidden", 1, 10), verdict("news", "2026-12-02", "reject", 1, 2)}).ok());
        REQUIRE(db->add_traffic({verdict("shop", "2026-12-01", "accept", 2, 5), verdict("shop", "2026-12-01", "accept",
                                 1, 1), verdict("shop", "2026-11-30", "tag", 4, 4), verdict("shop", "2026-12-03",
                                 "accept", 1, 1)}).ok());
        REQUIRE(db->add_traffic({}).ok());
        std::vector<TrafficRow> want = {
            verdict("news", "2026-12-02", "reject", 1, 2),
            verdict("shop", "2026-11-30", "tag", 4, 4),
            reason("shop", "2026-12-01", "body_link:hidden", 1, 10),  // kinds by name: reason, verdict
            verdict("shop", "2026-12-01", "accept", 6, 36),
            verdict("shop", "2026-12-03", "accept", 1, 1),
        };
        CHECK(traffic(*db) == want);
        CHECK(traffic(*db, "2026-12-01", "2026-12-02") ==
              std::vector<TrafficRow>{want[0], want[2], want[3]});  // both ends included
        CHECK(traffic(*db, "2026-12-04", "2026-12-31").empty());
        CHECK(db->each_traffic("2026-12-1", "2026-12-31", into(want)).code() == Status::Code::invalid_argument);
    }

    SECTION("add_traffic refuses a bad row and then writes none of the call's rows") {
        auto db = fresh(open_fresh_store);
        for (const TrafficRow& bad : {verdict("shop", "2026-13-01", "accept", 1, 1), verdict("", "2026-12-01", "accept",
                                      1, 1), verdict("shop", "2026-12-01", "", 1, 1), verdict("shop", "2026-12-01",
                                      "accept", -1, 1)}) {
            INFO(bad.scope << " " << bad.day << " " << bad.key << " " << bad.messages);
            Status st = db->add_traffic({verdict("shop", "2026-12-01", "accept", 1, 1), bad});
            CHECK(st.code() == Status::Code::invalid_argument);
        }
        CHECK(traffic(*db).empty());
    }

    SECTION("sender_state: delivered recipients and complaints from since_day 00:00 UTC on") {
        auto db = fresh(open_fresh_store);
        REQUIRE(db->add_traffic({
            verdict("shop", "2026-11-30", "accept", 10, 100),
            verdict("shop", "2026-12-01", "accept", 5, 50),
            verdict("shop", "2026-12-01", "tag", 1, 7),
            verdict("shop", "2026-12-01", "reject", 3, 30),
            verdict("shop", "2026-12-01", "quarantine", 1, 4),
            verdict("shop", "2026-12-01", "tempfail", 1, 4),
            reason("shop", "2026-12-01", "consent:no-record", 2, 20),
            verdict("shop", "2026-12-03", "accept", 1, 2),
            verdict("news", "2026-12-01", "accept", 1, 1000),
        }).ok());
        const std::int64_t dec1 = day_start("2026-12-01");
        REQUIRE(changed(db->record_complaint(complaint("shop", "a@example.com", dec1 - 1, "c1"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "b@example.com", dec1, "c2"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "c@example.com", dec1 + 3 * kDay - 1, "c3"), kNow)));
        REQUIRE(changed(db->record_complaint(complaint("news", "d@example.com", dec1, "c4"), kNow)));

        SenderState dec = sender_state(*db, "shop", "2026-12-01");
        CHECK_FALSE(dec.suspended);
        CHECK(dec.suspension_reason.empty());
        CHECK(dec.accepted_recipients == 59);  // accept 50 + tag 7 + accept 2
        CHECK(dec.complaints == 2);
        SenderState nov = sender_state(*db, "shop", "2026-11-30");
        CHECK(nov.accepted_recipients == 159);
        CHECK(nov.complaints == 3);
        SenderState later = sender_state(*db, "shop", "2026-12-04");
        CHECK(later.accepted_recipients == 0);
        CHECK(later.complaints == 0);
        SenderState none = sender_state(*db, "blog", "2026-11-01");
        CHECK(none.accepted_recipients == 0);
        CHECK(none.complaints == 0);
        CHECK(db->sender_state("shop", "yesterday").status().code() == Status::Code::invalid_argument);
    }

    SECTION("each_history lists every scope's events with since <= at < until, oldest first") {
        auto db = fresh(open_fresh_store);
        REQUIRE(changed(db->grant(record("shop", "a@example.com", S::pending), kNow + 10)));
        REQUIRE(changed(db->suppress(suppression("*", "t@example.com", "spamtrap"), "", kNow + 20)));
        REQUIRE(changed(db->suspend(Suspension{"news", "spam", "consentctl", 0}, kNow + 30)));
        REQUIRE(changed(db->record_complaint(complaint("shop", "a@example.com", kNow, "r1"), kNow + 40)));
        REQUIRE(changed(db->confirm("shop", "a@example.com", kNow + 5)));  // recorded later, earlier time
        CHECK(events_between(*db, 0, kNow + 1000) ==
              std::vector<std::string>{"shop confirm a@example.com", "shop grant a@example.com",
                                       "* suppress t@example.com", "news suspend ", "shop complaint a@example.com"});
        CHECK(events_between(*db, kNow + 20, kNow + 40) ==
              std::vector<std::string>{"* suppress t@example.com", "news suspend "});
        CHECK(events_between(*db, kNow + 41, kNow + 1000).empty());
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

const char* const kVersion1Rows =
    "INSERT INTO consent (scope, address, status, granted_at, confirmed_at)"
    " VALUES ('shop', 'a@example.com', 'confirmed', 1699999990, 1699999995);"
    " INSERT INTO history (at, scope, address, event) VALUES (1699999990, 'shop', 'a@example.com', 'grant');";

void check_version1_rows_kept(ConsentDatabase& db) {
    ConsentLookup l = lookup_one(db, "shop", "a@example.com");
    CHECK(l.has_record);
    CHECK(l.confirmed_at == 1699999995);
    std::vector<HistoryEvent> h = history(db, "a@example.com");
    REQUIRE(h.size() == 1);
    CHECK(h[0].event == "grant");
    REQUIRE(db.add_traffic({verdict("shop", "2026-12-01", "accept", 1, 4)}).ok());
    REQUIRE(changed(db.suspend(Suspension{"shop", "spam", "consentctl", 0}, kNow)));
    REQUIRE(changed(db.record_complaint(complaint("shop", "a@example.com", kNow, "r1"), kNow)));
    SenderState state = sender_state(db, "shop", "2026-12-01");
    CHECK(state.suspended);
    CHECK(state.accepted_recipients == 4);
    CHECK(complaints(db).at(0).consent.has_value());
}

void run_traffic_shared_writers(const ConsentDatabaseFactory& open_same_store) {
    constexpr int kStores = 2, kThreadsPerStore = 2, kCalls = 25;
    std::vector<std::unique_ptr<ConsentDatabase>> stores;
    for (int i = 0; i < kStores; ++i) stores.push_back(fresh(open_same_store));
    const std::vector<TrafficRow> rows = {
        verdict("shop", "2026-12-01", "accept", 1, 3),
        reason("shop", "2026-12-01", "consent:no-record", 1, 2),
        verdict("shop", "2026-12-02", "tag", 2, 5),
        verdict("news", "2026-12-01", "reject", 1, 1),
    };
    std::atomic<int> errors{0};
    std::string first_error;
    std::mutex first_error_mu;
    std::vector<std::thread> threads;
    for (int i = 0; i < kStores * kThreadsPerStore; ++i) {
        threads.emplace_back([&, i] {
            ConsentDatabase& db = *stores[i % kStores];
            std::vector<TrafficRow> mine = rows;
            if (i % 2) std::reverse(mine.begin(), mine.end());  // the engine orders them
            for (int n = 0; n < kCalls; ++n) {
                Status st = db.add_traffic(mine);
                if (!st.ok() && errors++ == 0) {
                    std::lock_guard<std::mutex> lock(first_error_mu);
                    first_error = st.ToString();
                }
            }
        });
    }
    for (std::thread& t : threads) t.join();
    INFO("first error: " << first_error);
    CHECK(errors.load() == 0);
    const std::int64_t n = kStores * kThreadsPerStore * kCalls;
    std::vector<TrafficRow> want = {
        verdict("news", "2026-12-01", "reject", n, n),
        reason("shop", "2026-12-01", "consent:no-record", n, 2 * n),
        verdict("shop", "2026-12-01", "accept", n, 3 * n),
        verdict("shop", "2026-12-02", "tag", 2 * n, 5 * n),
    };
    for (auto& db : stores) CHECK(traffic(*db) == want);
}

}  // namespace cm::testing
