// SPDX-License-Identifier: Apache-2.0
// fuzz_csv.cpp - libFuzzer target: the consent CSV importer on raw bytes.
//
// Reads records with CsvReader (small record limit so the limit path is reached), takes
// the first good record as the header (parse_consent_csv_header) and every later one as a
// consent record, as `consentctl import` does. Every record read must survive a round trip
// through CsvWriter and back unchanged (RFC 4180 quoting is lossless), except a record of
// one empty field, which is written as a blank line and thus skipped by design.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "consent/consent_csv.h"
#include "util/csv.h"

namespace {

void check_round_trip(const std::vector<std::string>& fields) {
    if (fields.size() == 1 && fields[0].empty()) return;
    // A row after a header row, as consentctl export writes them (a first field that starts
    // with U+FEFF at the very start of a file would be read as a byte order mark).
    std::ostringstream out;
    cm::CsvWriter writer(out);
    writer.write_row({"header"});
    writer.write_row(fields);
    std::istringstream in(out.str());
    cm::CsvReader reader(in, 1u << 30);
    std::vector<std::string> back;
    auto h = reader.next(back);
    auto r = reader.next(back);
    if (!h.ok() || !r.ok() || !*r || back != fields) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    cm::CsvReader reader(in, 4096);
    std::optional<cm::ConsentCsvLayout> layout;
    std::vector<std::string> fields;
    for (int records = 0; records < 10000; ++records) {
        auto got = reader.next(fields);
        if (!got.ok()) continue;  // malformed record: reported, reader moves on
        if (!*got) break;
        check_round_trip(fields);
        if (!layout) {
            auto l = cm::parse_consent_csv_header(fields);
            if (l.ok()) layout = *l;
            continue;
        }
        auto record = cm::consent_record_from_csv(fields, *layout);
        if (record.ok()) (void)cm::consent_record_to_csv(*record);
        for (const std::string& f : fields) {
            auto t = cm::parse_iso8601(f);
            if (t.ok()) (void)cm::format_iso8601(*t);
        }
    }
    return 0;
}
