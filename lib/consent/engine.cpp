// SPDX-License-Identifier: Apache-2.0
// engine.cpp - ConsentDatabase once, over any ConsentBackend (see engine.h).
//
// Each change follows the same beats: validate the key, open a write transaction on it, read
// the stored state, apply the rule, write the new state and its history event (or nothing, for
// a no-op), report whether anything changed. The body of a transaction may be run again by the
// backend after a lost connection, so bodies never mutate what they captured.
#include "consent/engine.h"

#include <map>
#include <tuple>
#include <utility>

#include "util/utc_day.h"

namespace cm {

namespace {

constexpr std::size_t kImportChunk = 256;  // rows read and written per bulk step
const std::string kScopeWide;              // the address of a scope-wide key and history event

// Same status, method, source, ip and timestamps (the key is not compared).
bool same_consent_state(const ConsentRecord& a, const ConsentRecord& b) {
    return a.status == b.status && a.method == b.method && a.source == b.source && a.ip == b.ip &&
           a.granted_at == b.granted_at && a.confirmed_at == b.confirmed_at && a.revoked_at == b.revoked_at;
}

// History detail: space-separated key=value pairs, empty values omitted, values with spaces
// or quotes double-quoted with backslash escapes.
void add_detail(std::string& out, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!out.empty()) out += ' ';
    out.append(key).append("=");
    if (value.find_first_of(" \t\"") == std::string_view::npos) {
        out.append(value);
        return;
    }
    out += '"';
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

void add_detail(std::string& out, std::string_view key, std::int64_t value) {
    if (value != 0) add_detail(out, key, std::to_string(value));
}

// Rejects an empty scope, and '*' where not allowed (only suppressions use it).
Status check_scope(const std::string& scope, bool allow_star) {
    if (scope.empty()) return Status::InvalidArgument("consent store: empty scope");
    if (scope == "*" && !allow_star) return Status::InvalidArgument("consent store: scope '*' is for suppressions only");
    return Status::OK();
}

// check_scope, and rejects an empty address; normalises `address` in place (normalize_address).
Status check_consent_key(const std::string& scope, std::string& address, bool allow_star) {
    if (Status st = check_scope(scope, allow_star); !st.ok()) return st;
    address = normalize_address(address);
    if (address.empty()) return Status::InvalidArgument("consent store: empty address");
    return Status::OK();
}

// A suppression's key (scope or '*', address normalised in place) and its reason.
Status check_suppression(Suppression& suppression) {
    if (Status st = check_consent_key(suppression.scope, suppression.address, true); !st.ok()) return st;
    const std::string& r = suppression.reason;
    if (r == "complaint" || r == "bounce" || r == "unsubscribe" || r == "manual" || r == "spamtrap") return Status::OK();
    return Status::InvalidArgument("suppression reason '" + r +
                                   "': expected complaint, bounce, unsubscribe, manual or spamtrap");
}

// The record a grant of `want` leaves, given what was stored (`had`). Unset method/source/ip
// keep the stored values; an unset granted_at keeps a live record's, else `now`; confirmed_at
// likewise for a confirmed grant and 0 for a pending one; revoked_at is cleared.
ConsentRecord merge_grant(const std::optional<ConsentRecord>& had, ConsentRecord want, std::int64_t now) {
    bool live = had && had->status != ConsentStatus::revoked;
    if (had && want.method.empty()) want.method = had->method;
    if (had && want.source.empty()) want.source = had->source;
    if (had && want.ip.empty()) want.ip = had->ip;
    if (want.granted_at == 0) want.granted_at = live ? had->granted_at : now;
    if (want.status == ConsentStatus::confirmed) {
        if (want.confirmed_at == 0)
            want.confirmed_at = (live && had->status == ConsentStatus::confirmed) ? had->confirmed_at : now;
    } else {
        want.confirmed_at = 0;
    }
    want.revoked_at = 0;
    return want;
}

// History detail of a record: status, method, source, ip, timestamps.
std::string record_detail(const ConsentRecord& r) {
    std::string d;
    add_detail(d, "status", consent_status_name(r.status));
    add_detail(d, "method", r.method);
    add_detail(d, "source", r.source);
    add_detail(d, "ip", r.ip);
    add_detail(d, "granted_at", r.granted_at);
    add_detail(d, "confirmed_at", r.confirmed_at);
    add_detail(d, "revoked_at", r.revoked_at);
    return d;
}

HistoryEvent event_for(std::int64_t now, const std::string& scope, const std::string& address, const char* event,
                       std::string detail = "", const std::string& ref = "") {
    return HistoryEvent{0, now, scope, address, event, std::move(detail), ref};
}

Status bad_day(std::string_view day) {
    return Status::InvalidArgument("consent store: day '" + std::string(day) + "': expected YYYY-MM-DD");
}

Status check_day(std::string_view day) { return utc_day_start(day) ? Status::OK() : bad_day(day); }

Status check_traffic_row(const TrafficRow& row) {
    if (row.scope.empty() || row.key.empty())
        return Status::InvalidArgument("consent store: traffic row with an empty scope or key");
    if (row.messages < 0 || row.recipients < 0)
        return Status::InvalidArgument("consent store: negative traffic count for " + row.scope + " " + row.key);
    return check_day(row.day);
}

Status no_record(const std::string& scope, const std::string& address) {
    return Status::NotFound("no consent record for " + address + " in scope " + scope);
}

class ConsentEngine final : public ConsentDatabase {
public:
    explicit ConsentEngine(std::unique_ptr<ConsentBackend> backend) : backend_(std::move(backend)) {}

    Result<std::vector<ConsentLookup>> lookup(std::string_view scope,
                                              const std::vector<std::string>& addresses) override {
        std::vector<ConsentLookup> out;
        if (addresses.empty()) return out;
        std::vector<std::string> keys;
        keys.reserve(addresses.size());
        for (const std::string& a : addresses) keys.push_back(normalize_address(a));
        out.reserve(addresses.size());
        Status st = backend_->lookup(scope, keys, [&](const Row& row) -> Status {
            if (out.size() == addresses.size()) return Status::Internal("consent lookup: more rows than addresses");
            ConsentLookup l;
            l.address = addresses[out.size()];
            if (Status d = lookup_from_row(row, l); !d.ok()) return d;
            out.push_back(std::move(l));
            return Status::OK();
        });
        if (!st.ok()) return st;
        if (out.size() != addresses.size())
            return Status::Internal("consent lookup: " + std::to_string(out.size()) + " rows for " +
                                    std::to_string(addresses.size()) + " addresses");
        return out;
    }

    Result<ChangeResult> grant(const ConsentRecord& record, std::int64_t now) override {
        ConsentRecord want = record;
        if (Status st = check_consent_key(want.scope, want.address, false); !st.ok()) return st;
        if (want.status == ConsentStatus::revoked)
            return Status::InvalidArgument("consent store: grant takes confirmed or pending; use revoke");
        return change(want.scope, want.address, [&](ConsentTxn& t) -> Result<bool> {
            auto had = t.get_record(want.scope, want.address);
            if (!had.ok()) return had.status();
            ConsentRecord next = merge_grant(*had, want, now);
            if (*had && same_consent_state(**had, next)) return false;
            return write_record(t, next, event_for(now, next.scope, next.address, "grant", record_detail(next)));
        });
    }

    Result<ChangeResult> confirm(const std::string& scope, const std::string& address, std::int64_t now) override {
        return change_record(scope, address, [&](ConsentRecord& r) -> Result<HistoryEvent> {
            if (r.status == ConsentStatus::revoked)
                return Status::InvalidArgument("consent for " + r.address + " in scope " + scope +
                                               " was revoked; a new grant is needed");
            r.status = ConsentStatus::confirmed;
            r.confirmed_at = now;
            return event_for(now, scope, r.address, "confirm");
        }, ConsentStatus::confirmed);
    }

    Result<ChangeResult> revoke(const std::string& scope, const std::string& address, const std::string& source,
                                std::int64_t now) override {
        return change_record(scope, address, [&](ConsentRecord& r) -> Result<HistoryEvent> {
            r.status = ConsentStatus::revoked;
            r.revoked_at = now;
            std::string detail;
            add_detail(detail, "source", source);
            return event_for(now, scope, r.address, "revoke", detail);
        }, ConsentStatus::revoked);
    }

    Result<ChangeResult> suppress(const Suppression& suppression, const std::string& ref, std::int64_t now) override {
        Suppression want = suppression;
        if (Status st = check_suppression(want); !st.ok()) return st;
        want.created_at = now;
        return change(want.scope, want.address, [&](ConsentTxn& t) -> Result<bool> {
            if (!ref.empty()) {
                auto seen = t.ref_seen(ref);
                if (!seen.ok()) return seen.status();
                if (*seen) return false;  // this report was already applied
            }
            auto old = t.get_suppression(want.scope, want.address);
            if (!old.ok()) return old.status();
            if (*old && (*old)->reason == want.reason && (want.source.empty() || (*old)->source == want.source))
                return false;
            if (Status st = t.put_suppression(want); !st.ok()) return st;
            std::string detail;
            add_detail(detail, "reason", want.reason);
            add_detail(detail, "source", want.source);
            return append(t, event_for(now, want.scope, want.address, "suppress", detail, ref));
        });
    }

    Result<ChangeResult> unsuppress(const std::string& scope, const std::string& address, std::int64_t now) override {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, true); !st.ok()) return st;
        return change(scope, addr, [&](ConsentTxn& t) -> Result<bool> {
            auto deleted = t.delete_suppression(scope, addr);
            if (!deleted.ok()) return deleted.status();
            if (!*deleted) return false;
            return append(t, event_for(now, scope, addr, "unsuppress"));
        });
    }

    Result<std::int64_t> import_records(const std::function<Result<bool>(ConsentRecord&)>& next,
                                        std::int64_t now) override {
        std::int64_t changed = 0;
        Status st = backend_->write(std::nullopt, [&](ConsentTxn& t) -> Status {
            changed = 0;
            std::vector<ConsentRecord> chunk;
            for (std::int64_t row = 1;; ++row) {
                ConsentRecord r;
                Result<bool> more = next(r);
                if (!more.ok()) return more.status();  // the transaction rolls back
                if (*more) {
                    if (Status k = check_consent_key(r.scope, r.address, false); !k.ok())
                        return Status::InvalidArgument("import row " + std::to_string(row) + ": " + k.message());
                    chunk.push_back(std::move(r));
                }
                if (chunk.size() == kImportChunk || (!*more && !chunk.empty())) {
                    auto n = import_chunk(t, chunk, now);
                    if (!n.ok()) return n.status();
                    changed += *n;
                    chunk.clear();
                }
                if (!*more) return Status::OK();
            }
        });
        if (!st.ok()) return st;
        return changed;
    }

    Status export_records(const std::string& scope, const std::function<void(const ConsentRecord&)>& out) override {
        return backend_->read([&](ConsentTxn& t) {
            return t.each_record(scope, [&](const ConsentRecord& r) {
                out(r);
                return Status::OK();
            });
        });
    }

    Result<AddressReport> show(const std::string& address, const std::string& scope) override {
        std::string addr = normalize_address(address);
        AddressReport rep;
        Status st = backend_->read([&](ConsentTxn& t) -> Status {
            rep = AddressReport{};
            if (Status s = t.records_of(addr, scope, collect(rep.records)); !s.ok()) return s;
            if (Status s = t.suppressions_of(addr, scope, collect(rep.suppressions)); !s.ok()) return s;
            return t.history_of(addr, scope, collect(rep.history));
        });
        if (!st.ok()) return st;
        return rep;
    }

    // Sender accountability (DESIGN §11). A scope-wide change is a write on the key
    // (scope, ""), so two suspends of one scope serialise like two changes to one address.
    Result<ChangeResult> suspend(const Suspension& suspension, std::int64_t now) override {
        Suspension want = suspension;
        if (Status st = check_scope(want.scope, false); !st.ok()) return st;
        want.created_at = now;
        return change(want.scope, kScopeWide, [&](ConsentTxn& t) -> Result<bool> {
            auto had = t.get_suspension(want.scope);
            if (!had.ok()) return had.status();
            if (*had) return false;  // the first suspension and its reason stand
            if (Status st = t.put_suspension(want); !st.ok()) return st;
            std::string detail;
            add_detail(detail, "reason", want.reason);
            add_detail(detail, "source", want.source);
            return append(t, event_for(now, want.scope, kScopeWide, "suspend", detail));
        });
    }

    Result<ChangeResult> unsuspend(const std::string& scope, const std::string& source, std::int64_t now) override {
        if (Status st = check_scope(scope, false); !st.ok()) return st;
        return change(scope, kScopeWide, [&](ConsentTxn& t) -> Result<bool> {
            auto deleted = t.delete_suspension(scope);
            if (!deleted.ok()) return deleted.status();
            if (!*deleted) return false;
            std::string detail;
            add_detail(detail, "source", source);
            return append(t, event_for(now, scope, kScopeWide, "unsuspend", detail));
        });
    }

    Result<std::vector<Suspension>> suspensions() override {
        std::vector<Suspension> out;
        Status st = backend_->read([&](ConsentTxn& t) {
            out.clear();
            return t.each_suspension(collect(out));
        });
        if (!st.ok()) return st;
        return out;
    }

    // One transaction: the complaint with the record as it stands, the scope's suppression
    // (an existing one, whatever its reason, is kept) and one "complaint" history event
    // carrying report_ref. received_at 0 means `now`.
    Result<ChangeResult> record_complaint(const Complaint& complaint, std::int64_t now) override {
        Complaint c = complaint;
        if (Status st = check_consent_key(c.scope, c.address, false); !st.ok()) return st;
        if (c.received_at == 0) c.received_at = now;
        return change(c.scope, c.address, [&](ConsentTxn& t) -> Result<bool> {
            if (!c.report_ref.empty()) {
                auto seen = t.ref_seen(c.report_ref);
                if (!seen.ok()) return seen.status();
                if (*seen) return false;  // this report was already applied
            }
            auto record = t.get_record(c.scope, c.address);
            if (!record.ok()) return record.status();
            Complaint stored = c;
            stored.consent = *record;
            if (Status st = t.insert_complaint(stored); !st.ok()) return st;
            auto suppressed = t.get_suppression(c.scope, c.address);
            if (!suppressed.ok()) return suppressed.status();
            if (!*suppressed)
                if (Status st = t.put_suppression(Suppression{c.scope, c.address, "complaint", c.source, now}); !st.ok())
                    return st;
            std::string detail;
            add_detail(detail, "source", c.source);
            add_detail(detail, "consent", *record ? consent_status_name((*record)->status) : "none");
            return append(t, event_for(now, c.scope, c.address, "complaint", detail, c.report_ref));
        });
    }

    Status each_complaint(const std::string& scope, std::int64_t since, const Each<Complaint>& out) override {
        return backend_->read([&](ConsentTxn& t) { return t.each_complaint(scope, since, out); });
    }

    Status each_traffic(const std::string& since_day, const std::string& until_day,
                        const Each<TrafficRow>& out) override {
        if (Status st = check_day(since_day); !st.ok()) return st;
        if (Status st = check_day(until_day); !st.ok()) return st;
        return backend_->read([&](ConsentTxn& t) { return t.each_traffic(since_day, until_day, out); });
    }

    Status each_history(std::int64_t since, std::int64_t until, const Each<HistoryEvent>& out) override {
        return backend_->read([&](ConsentTxn& t) { return t.history_between(since, until, out); });
    }

    // One read transaction: the suspension, the delivered recipients (is_delivered_verdict)
    // and the complaints received from since_day 00:00 UTC on.
    Result<SenderState> sender_state(std::string_view scope, std::string_view since_day) override {
        std::optional<std::int64_t> since = utc_day_start(since_day);
        if (!since) return bad_day(since_day);
        const std::string sc(scope), day(since_day);
        SenderState state;
        Status st = backend_->read([&](ConsentTxn& t) -> Status {
            state = SenderState{};
            auto suspension = t.get_suspension(sc);
            if (!suspension.ok()) return suspension.status();
            if (*suspension) {
                state.suspended = true;
                state.suspension_reason = (*suspension)->reason;
            }
            Status totals = t.verdict_totals(sc, day, [&](const TrafficRow& row) {
                if (is_delivered_verdict(row.key)) state.accepted_recipients += row.recipients;
                return Status::OK();
            });
            if (!totals.ok()) return totals;
            auto complaints = t.count_complaints(sc, *since);
            if (!complaints.ok()) return complaints.status();
            state.complaints = *complaints;
            return Status::OK();
        });
        if (!st.ok()) return st;
        return state;
    }

    // Rows of one key are summed first and the keys sorted, so every writer upserts in the
    // same order (two PostgreSQL writers never deadlock). write(nullopt): never replayed by
    // the backend, as adding is not idempotent (consent_store.h).
    Status add_traffic(const std::vector<TrafficRow>& rows) override {
        using Key = std::tuple<std::string, std::string, std::string, std::string>;  // kind by name
        std::map<Key, TrafficRow> merged;
        for (const TrafficRow& row : rows) {
            if (Status st = check_traffic_row(row); !st.ok()) return st;
            auto [it, fresh] = merged.try_emplace(Key{row.scope, row.day, traffic_kind_name(row.kind), row.key}, row);
            if (!fresh) {
                it->second.messages += row.messages;
                it->second.recipients += row.recipients;
            }
        }
        if (merged.empty()) return Status::OK();
        std::vector<TrafficRow> sorted;
        sorted.reserve(merged.size());
        for (auto& [key, row] : merged) sorted.push_back(std::move(row));
        return backend_->write(std::nullopt, [&](ConsentTxn& t) { return t.add_traffic(sorted); }, Notify::quiet);
    }

    Result<std::vector<ScopeStats>> stats() override {
        std::map<std::string, ScopeStats> by_scope;
        Status st = backend_->read([&](ConsentTxn& t) -> Status {
            by_scope.clear();
            return t.scope_counts([&](const ScopeStats& part) {
                ScopeStats& sum = by_scope[part.scope];
                sum.scope = part.scope;
                sum.confirmed += part.confirmed;
                sum.pending += part.pending;
                sum.revoked += part.revoked;
                sum.suppressed += part.suppressed;
                return Status::OK();
            });
        });
        if (!st.ok()) return st;
        std::vector<ScopeStats> out;
        out.reserve(by_scope.size());
        for (auto& [scope, counts] : by_scope) out.push_back(std::move(counts));
        return out;
    }

private:
    template <class T>
    static Each<T> collect(std::vector<T>& into) {
        return [&into](const T& item) {
            into.push_back(item);
            return Status::OK();
        };
    }

    static Result<bool> append(ConsentTxn& t, const HistoryEvent& event) {
        if (Status st = t.append_history(event); !st.ok()) return st;
        return true;
    }

    static Result<bool> write_record(ConsentTxn& t, const ConsentRecord& record, const HistoryEvent& event) {
        if (Status st = t.put_record(record); !st.ok()) return st;
        return append(t, event);
    }

    // One change to one key, in a write transaction on that key; `body` says whether it
    // changed anything (false: a no-op, nothing written).
    Result<ChangeResult> change(const std::string& scope, const std::string& address,
                                const std::function<Result<bool>(ConsentTxn&)>& body) {
        bool changed = false;
        Status st = backend_->write(ConsentKey{scope, address}, [&](ConsentTxn& t) -> Status {
            Result<bool> r = body(t);
            if (!r.ok()) return r.status();
            changed = *r;
            return Status::OK();
        });
        if (!st.ok()) return st;
        return ChangeResult{changed};
    }

    // confirm and revoke: the record must exist; one already in `target` status is a no-op;
    // `apply` moves it there and returns the history event (or refuses the move).
    Result<ChangeResult> change_record(const std::string& scope, const std::string& address,
                                       const std::function<Result<HistoryEvent>(ConsentRecord&)>& apply,
                                       ConsentStatus target) {
        std::string addr = address;
        if (Status st = check_consent_key(scope, addr, false); !st.ok()) return st;
        return change(scope, addr, [&](ConsentTxn& t) -> Result<bool> {
            auto had = t.get_record(scope, addr);
            if (!had.ok()) return had.status();
            if (!*had) return no_record(scope, addr);
            ConsentRecord r = **had;
            if (r.status == target) return false;
            Result<HistoryEvent> event = apply(r);
            if (!event.ok()) return event.status();
            return write_record(t, r, *event);
        });
    }

    // Import: each record is stored verbatim unless the key already holds the same state (as
    // stored, or as an earlier row of this chunk left it); returns the keys changed.
    static Result<std::int64_t> import_chunk(ConsentTxn& t, const std::vector<ConsentRecord>& chunk,
                                             std::int64_t now) {
        std::vector<std::pair<std::string, std::string>> keys;
        keys.reserve(chunk.size());
        for (const ConsentRecord& r : chunk) keys.emplace_back(r.scope, r.address);
        std::vector<std::optional<ConsentRecord>> found;
        if (Status st = t.get_records(keys, found); !st.ok()) return st;
        std::map<std::pair<std::string, std::string>, const ConsentRecord*> written;
        std::vector<RecordWrite> writes;
        for (std::size_t i = 0; i < chunk.size(); ++i) {
            auto w = written.find(keys[i]);
            const ConsentRecord* before = w != written.end() ? w->second : found[i] ? &*found[i] : nullptr;
            if (before && same_consent_state(*before, chunk[i])) continue;
            written[keys[i]] = &chunk[i];
            writes.push_back(RecordWrite{chunk[i], event_for(now, chunk[i].scope, chunk[i].address, "import",
                                                             record_detail(chunk[i]))});
        }
        if (Status st = t.put_records(writes); !st.ok()) return st;
        return static_cast<std::int64_t>(writes.size());
    }

    std::unique_ptr<ConsentBackend> backend_;
};

}  // namespace

std::unique_ptr<ConsentDatabase> make_consent_engine(std::unique_ptr<ConsentBackend> backend) {
    return std::make_unique<ConsentEngine>(std::move(backend));
}

}  // namespace cm
