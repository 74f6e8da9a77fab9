// SPDX-License-Identifier: Apache-2.0
// The consent engine (lib/consent/engine.h) over an in-memory backend: the shared backend
// suite without SQL, and a backend that fails on demand (LevelDB's ErrorEnv) to prove that a
// failure at any step of a change is reported and leaves the store as it was.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

#include "consent/backend.h"
#include "consent/engine.h"
#include "consent_backend_suite.h"

namespace {

using cm::ConsentRecord;
using cm::Each;
using cm::HistoryEvent;
using cm::Result;
using cm::Status;
using cm::Suppression;
using cm::TrafficRow;
using Key = std::pair<std::string, std::string>;

constexpr std::int64_t kNow = 1'700'000'000;

// A row of text columns; std::nullopt is NULL.
class MemoryRow final : public cm::Row {
public:
    explicit MemoryRow(std::vector<std::optional<std::string>> cols) : cols_(std::move(cols)) {}
    std::string text(int col) const override { return cols_.at(col).value_or(""); }
    std::int64_t integer(int col) const override { return std::stoll(cols_.at(col).value_or("0")); }
    bool is_null(int col) const override { return !cols_.at(col); }

private:
    std::vector<std::optional<std::string>> cols_;
};

// (scope, day, kind name, key): the order traffic rows are listed in.
using TrafficKey = std::tuple<std::string, std::string, std::string, std::string>;

struct Tables {
    std::map<Key, ConsentRecord> records;
    std::map<Key, Suppression> suppressions;
    std::vector<HistoryEvent> history;
    std::map<std::string, cm::Suspension> suspensions;
    std::vector<cm::Complaint> complaints;  // in id order
    std::map<TrafficKey, TrafficRow> traffic;
};

// Every primitive call counts down `fail_in`; the call that reaches 0 fails.
class MemoryTxn final : public cm::ConsentTxn {
public:
    MemoryTxn(Tables& t, int& fail_in) : t_(t), fail_in_(fail_in) {}

    Result<std::optional<ConsentRecord>> get_record(const std::string& scope, const std::string& address) override {
        if (Status st = step(); !st.ok()) return st;
        auto it = t_.records.find({scope, address});
        return it == t_.records.end() ? std::optional<ConsentRecord>() : std::optional<ConsentRecord>(it->second);
    }
    Status put_record(const ConsentRecord& r) override {
        if (Status st = step(); !st.ok()) return st;
        t_.records[{r.scope, r.address}] = r;
        return Status::OK();
    }
    Result<std::optional<Suppression>> get_suppression(const std::string& scope, const std::string& address) override {
        if (Status st = step(); !st.ok()) return st;
        auto it = t_.suppressions.find({scope, address});
        return it == t_.suppressions.end() ? std::optional<Suppression>() : std::optional<Suppression>(it->second);
    }
    Status put_suppression(const Suppression& s) override {
        if (Status st = step(); !st.ok()) return st;
        t_.suppressions[{s.scope, s.address}] = s;
        return Status::OK();
    }
    Result<bool> delete_suppression(const std::string& scope, const std::string& address) override {
        if (Status st = step(); !st.ok()) return st;
        return t_.suppressions.erase({scope, address}) > 0;
    }
    Result<bool> ref_seen(const std::string& ref) override {
        if (Status st = step(); !st.ok()) return st;
        for (const HistoryEvent& e : t_.history)
            if (e.ref == ref) return true;
        return false;
    }
    Status append_history(const HistoryEvent& e) override {
        if (Status st = step(); !st.ok()) return st;
        t_.history.push_back(e);
        t_.history.back().id = static_cast<std::int64_t>(t_.history.size());
        return Status::OK();
    }

    Status each_record(const std::string& scope, const Each<ConsentRecord>& out) override {
        for (const auto& [key, r] : t_.records)
            if (scope.empty() || key.first == scope)
                if (Status st = out(r); !st.ok()) return st;
        return Status::OK();
    }
    Status records_of(const std::string& address, const std::string& scope,
                      const Each<ConsentRecord>& out) override {
        for (const auto& [key, r] : t_.records)
            if (key.second == address && (scope.empty() || key.first == scope))
                if (Status st = out(r); !st.ok()) return st;
        return Status::OK();
    }
    Status suppressions_of(const std::string& address, const std::string& scope,
                           const Each<Suppression>& out) override {
        for (const auto& [key, s] : t_.suppressions)
            if (key.second == address && in_scope(key.first, scope))
                if (Status st = out(s); !st.ok()) return st;
        return Status::OK();
    }
    Status history_of(const std::string& address, const std::string& scope,
                      const Each<HistoryEvent>& out) override {
        for (const HistoryEvent& e : t_.history)
            if (e.address == address && in_scope(e.scope, scope))
                if (Status st = out(e); !st.ok()) return st;
        return Status::OK();
    }
    Status scope_counts(const Each<cm::ScopeStats>& out) override {
        for (const auto& [key, r] : t_.records) {
            cm::ScopeStats one{key.first, 0, 0, 0, 0};
            (r.status == cm::ConsentStatus::confirmed ? one.confirmed
             : r.status == cm::ConsentStatus::pending ? one.pending
                                                      : one.revoked) = 1;
            if (Status st = out(one); !st.ok()) return st;
        }
        for (const auto& [key, s] : t_.suppressions)
            if (Status st = out(cm::ScopeStats{key.first, 0, 0, 0, 1}); !st.ok()) return st;
        return Status::OK();
    }

    Result<std::optional<cm::Suspension>> get_suspension(const std::string& scope) override {
        if (Status st = step(); !st.ok()) return st;
        auto it = t_.suspensions.find(scope);
        return it == t_.suspensions.end() ? std::optional<cm::Suspension>() : std::optional<cm::Suspension>(it->second);
    }
    Status put_suspension(const cm::Suspension& s) override {
        if (Status st = step(); !st.ok()) return st;
        t_.suspensions[s.scope] = s;
        return Status::OK();
    }
    Result<bool> delete_suspension(const std::string& scope) override {
        if (Status st = step(); !st.ok()) return st;
        return t_.suspensions.erase(scope) > 0;
    }
    Status each_suspension(const Each<cm::Suspension>& out) override {
        for (const auto& [scope, s] : t_.suspensions)
            if (Status st = out(s); !st.ok()) return st;
        return Status::OK();
    }
    Status insert_complaint(const cm::Complaint& c) override {
        if (Status st = step(); !st.ok()) return st;
        t_.complaints.push_back(c);
        t_.complaints.back().id = static_cast<std::int64_t>(t_.complaints.size());
        return Status::OK();
    }
    Status each_complaint(const std::string& scope, std::int64_t since, const Each<cm::Complaint>& out) override {
        std::vector<cm::Complaint> found;
        for (const cm::Complaint& c : t_.complaints)
            if ((scope.empty() || c.scope == scope) && c.received_at >= since) found.push_back(c);
        std::stable_sort(found.begin(), found.end(),
                         [](const cm::Complaint& a, const cm::Complaint& b) { return a.received_at < b.received_at; });
        for (const cm::Complaint& c : found)
            if (Status st = out(c); !st.ok()) return st;
        return Status::OK();
    }
    Result<std::int64_t> count_complaints(const std::string& scope, std::int64_t since) override {
        if (Status st = step(); !st.ok()) return st;
        std::int64_t n = 0;
        for (const cm::Complaint& c : t_.complaints) n += c.scope == scope && c.received_at >= since;
        return n;
    }
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        for (const TrafficRow& r : rows) {
            if (Status st = step(); !st.ok()) return st;
            auto [it, fresh] = t_.traffic.try_emplace(TrafficKey{r.scope, r.day, cm::traffic_kind_name(r.kind), r.key}, r);
            if (!fresh) {
                it->second.messages += r.messages;
                it->second.recipients += r.recipients;
            }
        }
        return Status::OK();
    }
    Status each_traffic(const std::string& since_day, const std::string& until_day,
                        const Each<TrafficRow>& out) override {
        for (const auto& [key, r] : t_.traffic)
            if (r.day >= since_day && r.day <= until_day)
                if (Status st = out(r); !st.ok()) return st;
        return Status::OK();
    }
    Status verdict_totals(const std::string& scope, const std::string& since_day,
                          const Each<TrafficRow>& out) override {
        if (Status st = step(); !st.ok()) return st;
        std::map<std::string, TrafficRow> sums;
        for (const auto& [key, r] : t_.traffic) {
            if (r.scope != scope || r.day < since_day || r.kind != TrafficRow::Kind::verdict) continue;
            TrafficRow& sum = sums.try_emplace(r.key, TrafficRow{scope, "", r.kind, r.key, 0, 0}).first->second;
            sum.messages += r.messages;
            sum.recipients += r.recipients;
        }
        for (const auto& [key, r] : sums)
            if (Status st = out(r); !st.ok()) return st;
        return Status::OK();
    }
    Status history_between(std::int64_t since, std::int64_t until, const Each<HistoryEvent>& out) override {
        std::vector<HistoryEvent> found;
        for (const HistoryEvent& e : t_.history)
            if (e.at >= since && e.at < until) found.push_back(e);
        std::stable_sort(found.begin(), found.end(), [](const HistoryEvent& a, const HistoryEvent& b) { return a.at < b.at; });
        for (const HistoryEvent& e : found)
            if (Status st = out(e); !st.ok()) return st;
        return Status::OK();
    }

private:
    static bool in_scope(const std::string& have, const std::string& want) {
        return want.empty() || have == want || have == "*";
    }
    Status step() { return --fail_in_ == 0 ? Status::IOError("injected failure") : Status::OK(); }

    Tables& t_;
    int& fail_in_;
};

// Writes work on a copy that replaces the tables only on success: all or nothing.
class MemoryBackend final : public cm::ConsentBackend {
public:
    explicit MemoryBackend(int fail_in = 0) : fail_in_(fail_in) {}

    Status write(std::optional<cm::ConsentKey>, const std::function<Status(cm::ConsentTxn&)>& body,
                 cm::Notify) override {
        std::lock_guard lock(mu_);
        Tables copy = tables_;
        MemoryTxn txn(copy, fail_in_);
        if (Status st = body(txn); !st.ok()) return st;
        tables_ = std::move(copy);
        return Status::OK();
    }
    Status read(const std::function<Status(cm::ConsentTxn&)>& body) override {
        std::lock_guard lock(mu_);
        MemoryTxn txn(tables_, fail_in_);
        return body(txn);
    }
    Status lookup(std::string_view scope, const std::vector<std::string>& keys,
                  const Each<cm::Row>& out) override {
        std::lock_guard lock(mu_);
        for (const std::string& address : keys) {
            std::vector<std::optional<std::string>> cols(4);
            if (auto r = tables_.records.find({std::string(scope), address}); r != tables_.records.end()) {
                cols[0] = cm::consent_status_name(r->second.status);
                cols[1] = std::to_string(r->second.granted_at);
                cols[2] = std::to_string(r->second.confirmed_at);
            }
            for (const std::string& s : {std::string(scope), std::string("*")}) {  // the scope's own first
                auto sup = tables_.suppressions.find({s, address});
                if (!cols[3] && sup != tables_.suppressions.end()) cols[3] = sup->second.reason;
            }
            if (Status st = out(MemoryRow(std::move(cols))); !st.ok()) return st;
        }
        return Status::OK();
    }

private:
    std::mutex mu_;
    Tables tables_;
    int fail_in_;
};

std::unique_ptr<cm::ConsentDatabase> memory_engine(int fail_in = 0) {
    return cm::make_consent_engine(std::make_unique<MemoryBackend>(fail_in));
}

}  // namespace

TEST_CASE("consent engine over an in-memory backend passes the shared backend suite", "[consent][engine]") {
    cm::testing::run_consent_backend_suite([] { return memory_engine(); });
}

TEST_CASE("consent engine over an in-memory backend passes the sender suite", "[consent][engine]") {
    cm::testing::run_sender_backend_suite([] { return memory_engine(); });
}

TEST_CASE("consent engine: a failure at any step of a change is reported and changes nothing",
          "[consent][engine]") {
    ConsentRecord r;
    r.scope = "shop";
    r.address = "a@example.com";
    r.status = cm::ConsentStatus::confirmed;
    std::vector<ConsentRecord> rows(300, r);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i].address = "u" + std::to_string(i) + "@example.com";
    // Each change is run with the 1st, 2nd, ... primitive call failing until it succeeds.
    struct Case {
        const char* name;
        std::function<Status(cm::ConsentDatabase&)> run;
    };
    std::vector<Case> cases = {
        {"grant", [&](cm::ConsentDatabase& db) { return db.grant(r, kNow).status(); }},
        {"suppress with ref",
         [&](cm::ConsentDatabase& db) {
             return db.suppress(Suppression{"shop", "a@example.com", "complaint", "arf", 0}, "ref-1", kNow).status();
         }},
        {"import",
         [&](cm::ConsentDatabase& db) {
             std::size_t i = 0;
             return db.import_records([&](ConsentRecord& out) -> Result<bool> {
                 if (i == rows.size()) return false;
                 out = rows[i++];
                 return true;
             }, kNow).status();
         }},
        {"suspend",
         [&](cm::ConsentDatabase& db) {
             return db.suspend(cm::Suspension{"shop", "spam", "consentctl", 0}, kNow).status();
         }},
        {"record_complaint with ref",
         [&](cm::ConsentDatabase& db) {
             cm::Complaint c;
             c.scope = "shop";
             c.address = "a@example.com";
             c.report_ref = "arf-1";
             return db.record_complaint(c, kNow).status();
         }},
        {"add_traffic",
         [&](cm::ConsentDatabase& db) {
             return db.add_traffic({{"shop", "2026-12-01", TrafficRow::Kind::verdict, "accept", 1, 2},
                                    {"shop", "2026-12-01", TrafficRow::Kind::reason, "consent:revoked", 1, 1}});
         }},
    };
    // Nothing at all is stored: records, suppressions, suspensions, complaints, traffic, history.
    auto check_empty = [](cm::ConsentDatabase& db) {
        auto all = db.stats();
        REQUIRE(all.ok());
        CHECK(all->empty());
        auto suspended = db.suspensions();
        REQUIRE(suspended.ok());
        CHECK(suspended->empty());
        int rows = 0;
        auto count = [&rows](const auto&) {
            ++rows;
            return Status::OK();
        };
        REQUIRE(db.each_complaint("", 0, count).ok());
        REQUIRE(db.each_traffic("2000-01-01", "2099-12-31", count).ok());
        REQUIRE(db.each_history(0, kNow + 1, count).ok());
        CHECK(rows == 0);
    };
    for (const Case& c : cases) {
        for (int fail_in = 1;; ++fail_in) {
            INFO(c.name << ", failing primitive call " << fail_in);
            auto db = memory_engine(fail_in);
            Status st = c.run(*db);
            if (st.ok()) break;  // fail_in is past the last call: every earlier one was covered
            CHECK(st.code() == Status::Code::io_error);
            check_empty(*db);
            REQUIRE(fail_in < 2000);
        }
    }
}
