// SPDX-License-Identifier: Apache-2.0
// consent_csv.cpp - CSV layout of consent records, ISO 8601 timestamps, input checks.
#include "consent/consent_csv.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

#include "consent/consent_store.h"
#include "mime/message.h"
#include "util/text_util.h"

namespace cm {

namespace {

bool is_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(long y, int m) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (y >= 1970).
std::int64_t days_since_epoch(long y, int m, int d) {
    std::int64_t days = 0;
    for (long year = 1970; year < y; ++year) days += is_leap(year) ? 366 : 365;
    for (int month = 1; month < m; ++month) days += days_in_month(y, month);
    return days + d - 1;
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, int n, long& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (int i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        out = out * 10 + (c - '0');
    }
    pos += n;
    return true;
}

Status bad_time(std::string_view text) {
    return Status::InvalidArgument("invalid timestamp \"" + std::string(text) +
                                   "\" (want ISO 8601 like 2024-05-01T12:00:00Z)");
}

Status with_column(const char* column, const Status& s) {
    return Status::InvalidArgument(std::string(column) + ": " + s.message());
}

}  // namespace

const std::vector<std::string>& consent_csv_columns() {
    static const std::vector<std::string> kColumns = {"scope",  "address",    "status",
                                                      "method", "source",     "ip",
                                                      "granted_at", "confirmed_at", "revoked_at"};
    return kColumns;
}

Result<ConsentCsvLayout> parse_consent_csv_header(const std::vector<std::string>& fields) {
    ConsentCsvLayout layout;
    layout.index.fill(-1);
    layout.width = fields.size();
    const auto& names = consent_csv_columns();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string_view name = trim(fields[i]);
        std::size_t col = 0;
        while (col < names.size() && !iequals(names[col], name)) ++col;
        if (col == names.size()) {
            std::string known;
            for (const auto& n : names) known += (known.empty() ? "" : ",") + n;
            return Status::InvalidArgument("unknown column \"" + std::string(name) + "\" in header (columns: " +
                                           known + ")");
        }
        if (layout.index[col] != -1)
            return Status::InvalidArgument("column \"" + names[col] + "\" appears twice in header");
        layout.index[col] = static_cast<int>(i);
    }
    for (auto col : {ConsentCsvLayout::scope, ConsentCsvLayout::address, ConsentCsvLayout::status}) {
        if (layout.index[col] == -1)
            return Status::InvalidArgument("header lacks the required column \"" + names[col] + "\"");
    }
    return layout;
}

Result<ConsentRecord> consent_record_from_csv(const std::vector<std::string>& fields,
                                              const ConsentCsvLayout& layout) {
    if (fields.size() != layout.width) {
        return Status::InvalidArgument("expected " + std::to_string(layout.width) + " fields, found " +
                                       std::to_string(fields.size()));
    }
    auto field = [&](ConsentCsvLayout::Column c) -> std::string_view {
        int i = layout.index[c];
        return i < 0 ? std::string_view() : trim(fields[static_cast<std::size_t>(i)]);
    };
    ConsentRecord r;
    if (Status s = check_scope(field(ConsentCsvLayout::scope)); !s.ok()) return with_column("scope", s);
    r.scope = normalize_scope(field(ConsentCsvLayout::scope));
    if (Status s = check_address(field(ConsentCsvLayout::address)); !s.ok()) return with_column("address", s);
    r.address = normalize_address(field(ConsentCsvLayout::address));
    std::string_view status = field(ConsentCsvLayout::status);
    auto parsed = parse_consent_status(status);
    if (!parsed) {
        return Status::InvalidArgument("status: unknown value \"" + std::string(status) +
                                       "\" (want confirmed, pending or revoked)");
    }
    r.status = *parsed;
    std::string_view method = field(ConsentCsvLayout::method);
    if (method.empty()) method = "import";
    if (Status s = check_method(method); !s.ok()) return with_column("method", s);
    r.method = std::string(method);
    r.source = std::string(field(ConsentCsvLayout::source));
    std::string_view ip = field(ConsentCsvLayout::ip);
    if (!ip.empty()) {
        if (Status s = check_ip(ip); !s.ok()) return with_column("ip", s);
    }
    r.ip = std::string(ip);
    struct TimeColumn {
        ConsentCsvLayout::Column column;
        const char* name;
        std::int64_t* out;
    };
    for (const TimeColumn& t : {TimeColumn{ConsentCsvLayout::granted_at, "granted_at", &r.granted_at},
                                TimeColumn{ConsentCsvLayout::confirmed_at, "confirmed_at", &r.confirmed_at},
                                TimeColumn{ConsentCsvLayout::revoked_at, "revoked_at", &r.revoked_at}}) {
        std::string_view text = field(t.column);
        if (text.empty()) continue;
        auto when = parse_iso8601(text);
        if (!when.ok()) return with_column(t.name, when.status());
        *t.out = *when;
    }
    return r;
}

std::vector<std::string> consent_record_to_csv(const ConsentRecord& r) {
    return {r.scope, r.address, consent_status_name(r.status), r.method, r.source, r.ip,
            format_iso8601(r.granted_at), format_iso8601(r.confirmed_at), format_iso8601(r.revoked_at)};
}

Result<std::int64_t> parse_iso8601(std::string_view text) {
    std::string_view s = trim(text);
    std::size_t pos = 0;
    long year, month, day, hour = 0, minute = 0, second = 0;
    if (!digits(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, month) ||
        pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, day))
        return bad_time(text);
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, static_cast<int>(month)))
        return Status::InvalidArgument("invalid date \"" + std::string(text) + "\"");
    if (year < 1970) return Status::InvalidArgument("timestamp before 1970: \"" + std::string(text) + "\"");
    long offset_seconds = 0;
    if (pos < s.size()) {
        if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return bad_time(text);
        ++pos;
        if (!digits(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, minute))
            return bad_time(text);
        if (pos < s.size() && s[pos] == ':') {
            ++pos;
            if (!digits(s, pos, 2, second)) return bad_time(text);
            if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {  // fraction: dropped
                ++pos;
                std::size_t start = pos;
                while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
                if (pos == start) return bad_time(text);
            }
        }
        if (hour > 23 || minute > 59 || second > 60)
            return Status::InvalidArgument("invalid time of day \"" + std::string(text) + "\"");
        if (pos < s.size()) {
            char z = s[pos];
            if (z == 'Z' || z == 'z') {
                ++pos;
            } else if (z == '+' || z == '-') {
                ++pos;
                long oh = 0, om = 0;
                if (!digits(s, pos, 2, oh)) return bad_time(text);
                if (pos < s.size() && s[pos] == ':') ++pos;
                if (pos < s.size() && !digits(s, pos, 2, om)) return bad_time(text);
                if (oh > 23 || om > 59) return bad_time(text);
                offset_seconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
            } else {
                return bad_time(text);
            }
        }
        if (pos != s.size()) return bad_time(text);
    }
    std::int64_t t = days_since_epoch(year, static_cast<int>(month), static_cast<int>(day)) * 86400 +
                     hour * 3600 + minute * 60 + second - offset_seconds;
    if (t <= 0) return Status::InvalidArgument("timestamp before 1970: \"" + std::string(text) + "\"");
    return t;
}

std::string format_iso8601(std::int64_t t) {
    if (t <= 0) return "";
    std::int64_t days = t / 86400, rest = t % 86400;
    long year = 1970;
    for (;;) {
        int len = is_leap(year) ? 366 : 365;
        if (days < len) break;
        days -= len;
        ++year;
    }
    int month = 1;
    while (days >= days_in_month(year, month)) days -= days_in_month(year, month++);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04ld-%02d-%02dT%02d:%02d:%02dZ", year, month, static_cast<int>(days) + 1,
                  static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60));
    return buf;
}

std::string normalize_scope(std::string_view scope) {
    std::string out(trim(scope));
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

Status check_scope(std::string_view scope) {
    if (scope.empty()) return Status::InvalidArgument("empty scope");
    if (scope == "*") return Status::InvalidArgument("scope \"*\" is only for suppressions");
    for (unsigned char c : scope) {
        if (c <= ' ' || c == 0x7f) return Status::InvalidArgument("scope \"" + std::string(scope) + "\" contains blanks or control characters");
    }
    return Status::OK();
}

Status check_address(std::string_view address) {
    std::string a(address);
    auto at = a.rfind('@');
    bool bad = a.empty() || at == std::string::npos || at == 0 || at + 1 == a.size();
    for (unsigned char c : a) {
        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',') bad = true;
    }
    if (bad) return Status::InvalidArgument("invalid address \"" + a + "\" (want local@domain)");
    return Status::OK();
}

Status check_method(std::string_view method) {
    if (method == "double-opt-in" || method == "single-opt-in" || method == "import") return Status::OK();
    return Status::InvalidArgument("unknown method \"" + std::string(method) +
                                   "\" (want double-opt-in, single-opt-in or import)");
}

Status check_ip(std::string_view ip) {
    std::string s(ip);
    unsigned char buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1) return Status::OK();
    return Status::InvalidArgument("invalid IP address \"" + s + "\"");
}

Status check_suppression_reason(std::string_view reason) {
    for (const char* r : {"complaint", "bounce", "unsubscribe", "manual", "spamtrap"}) {
        if (reason == r) return Status::OK();
    }
    return Status::InvalidArgument("unknown reason \"" + std::string(reason) +
                                   "\" (want complaint, bounce, unsubscribe, manual or spamtrap)");
}

}  // namespace cm
