// SPDX-License-Identifier: Apache-2.0
// backend.cpp - row decoding, the default bulk primitives and the schema version check.
#include "consent/backend.h"

namespace cm {

namespace {

Result<ConsentStatus> status_column(const Row& row, int col, std::string_view address) {
    std::string text = row.text(col);
    std::optional<ConsentStatus> s = parse_consent_status(text);
    if (!s) {
        std::string what = "consent store: unknown status '" + text + "'";
        if (!address.empty()) what.append(" for ").append(address);
        return Status::Corruption(what);
    }
    return *s;
}

// The columns of `row` from `offset` on, renumbered from 0.
class OffsetRow final : public Row {
public:
    OffsetRow(const Row& row, int offset) : row_(row), offset_(offset) {}
    std::string text(int col) const override { return row_.text(col + offset_); }
    std::int64_t integer(int col) const override { return row_.integer(col + offset_); }
    bool is_null(int col) const override { return row_.is_null(col + offset_); }

private:
    const Row& row_;
    int offset_;
};

}  // namespace

Result<ConsentRecord> record_from_row(const Row& row) {
    ConsentRecord r;
    r.scope = row.text(0);
    r.address = row.text(1);
    Result<ConsentStatus> s = status_column(row, 2, r.address);
    if (!s.ok()) return s.status();
    r.status = *s;
    r.method = row.text(3);
    r.source = row.text(4);
    r.ip = row.text(5);
    r.granted_at = row.integer(6);
    r.confirmed_at = row.integer(7);
    r.revoked_at = row.integer(8);
    return r;
}

Suppression suppression_from_row(const Row& row) {
    return Suppression{row.text(0), row.text(1), row.text(2), row.text(3), row.integer(4)};
}

HistoryEvent history_from_row(const Row& row) {
    return HistoryEvent{row.integer(0), row.integer(1), row.text(2), row.text(3),
                        row.text(4),    row.text(5),    row.text(6)};
}

Status lookup_from_row(const Row& row, ConsentLookup& out) {
    if (!row.is_null(0)) {
        Result<ConsentStatus> s = status_column(row, 0, "");
        if (!s.ok()) return s.status();
        out.has_record = true;
        out.status = *s;
        out.granted_at = row.integer(1);
        out.confirmed_at = row.integer(2);
    }
    if (!row.is_null(3)) {
        out.suppressed = true;
        out.suppression_reason = row.text(3);
    }
    return Status::OK();
}

ScopeStats scope_count_from_row(const Row& row) {
    return ScopeStats{row.text(0), row.integer(1), row.integer(2), row.integer(3), row.integer(4)};
}

Suspension suspension_from_row(const Row& row) {
    return Suspension{row.text(0), row.text(1), row.text(2), row.integer(3)};
}

Result<Complaint> complaint_from_row(const Row& row) {
    const OffsetRow record(row, 5);
    Complaint c;
    c.id = row.integer(0);
    c.received_at = row.integer(1);
    c.report_ref = row.text(2);
    c.source = row.text(3);
    c.scope = record.text(0);
    c.address = record.text(1);
    if (row.integer(4) == 0) return c;
    Result<ConsentRecord> r = record_from_row(record);
    if (!r.ok()) return r.status();
    c.consent = std::move(r).value();
    return c;
}

Result<TrafficRow> traffic_from_row(const Row& row) {
    std::string kind = row.text(2);
    std::optional<TrafficRow::Kind> k = parse_traffic_kind(kind);
    if (!k) return Status::Corruption("consent store: unknown traffic kind '" + kind + "'");
    return TrafficRow{row.text(0), row.text(1), *k, row.text(3), row.integer(4), row.integer(5)};
}

Status ConsentTxn::get_records(const std::vector<std::pair<std::string, std::string>>& keys,
                               std::vector<std::optional<ConsentRecord>>& found) {
    found.clear();
    found.reserve(keys.size());
    for (const auto& [scope, address] : keys) {
        auto r = get_record(scope, address);
        if (!r.ok()) return r.status();
        found.push_back(std::move(r).value());
    }
    return Status::OK();
}

Status ConsentTxn::put_records(const std::vector<RecordWrite>& writes) {
    for (const RecordWrite& w : writes) {
        if (Status st = put_record(w.record); !st.ok()) return st;
        if (Status st = append_history(w.event); !st.ok()) return st;
    }
    return Status::OK();
}

Status check_schema_version(const std::string& store, int found, int latest, bool can_migrate) {
    std::string have = store + " has schema version " + std::to_string(found);
    if (found > latest) return Status::Unavailable(have + ", newer than this program's " + std::to_string(latest));
    if (found < latest && !can_migrate)
        return Status::Unavailable(have + ", expected " + std::to_string(latest) +
                                   " (initialise or migrate it with consentctl)");
    return Status::OK();
}

}  // namespace cm
