// SPDX-License-Identifier: Apache-2.0
// consentctl_import.cpp - bulk input: `import FILE.csv` (two streaming passes: check, then
// load in one transaction) and `import-arf FILE...` (ARF reports and forwarded spam ->
// complaints, each suppressing its recipient).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "consent/arf.h"
#include "consent/consent_csv.h"
#include "consentctl.h"
#include "util/csv.h"

namespace cm::ctl {

namespace {

// Standard input copied to an unlinked temporary file, so that it can be read twice.
bool spool_stdin(std::string& path, Ctl& ctl) {
    const char* tmpdir = std::getenv("TMPDIR");
    path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/consentctl-import-XXXXXX";
    int fd = mkstemp(path.data());
    if (fd < 0) {
        *ctl.err << "consentctl: cannot create a temporary file: " << std::strerror(errno) << "\n";
        return false;
    }
    close(fd);
    std::ofstream out(path, std::ios::binary);
    out << std::cin.rdbuf();
    out.close();
    if (!out) {
        *ctl.err << "consentctl: cannot spool standard input to " << path << "\n";
        std::remove(path.c_str());
        return false;
    }
    return true;
}

// One pass over a CSV file of consent records. `on_record` gets each good row; `on_bad`
// each bad one as (line, message). Returns EX_OK, or EX_NOINPUT / EX_DATAERR for a file that
// cannot be read or has no usable header (already printed).
struct CsvPass {
    Ctl& ctl;
    std::string path;   // file to read
    std::string label;  // name used in messages
    std::ifstream in;
    std::unique_ptr<CsvReader> reader;
    ConsentCsvLayout layout;

    int open() {
        in.open(path, std::ios::binary);
        if (!in) {
            *ctl.err << "consentctl: cannot read " << label << ": " << std::strerror(errno) << "\n";
            return EX_NOINPUT;
        }
        reader = std::make_unique<CsvReader>(in);
        std::vector<std::string> header;
        auto got = reader->next(header);
        if (!got.ok()) return bad_header(got.status().message());
        if (!*got) return bad_header("empty file: no header row");
        auto parsed = parse_consent_csv_header(header);
        if (!parsed.ok()) return bad_header(parsed.status().message());
        layout = *parsed;
        return EX_OK;
    }

    int bad_header(const std::string& message) {
        *ctl.err << label << ":" << std::max(1L, reader ? reader->line() : 1L) << ": " << message << "\n";
        return EX_DATAERR;
    }

    // Next good or bad row. false at the end of the file.
    bool next(ConsentRecord& record, std::string& error) {
        std::vector<std::string> fields;
        error.clear();
        auto got = reader->next(fields);
        if (!got.ok()) {
            error = got.status().message();
            return true;
        }
        if (!*got) return false;
        auto r = consent_record_from_csv(fields, layout);
        if (!r.ok()) error = r.status().message();
        else record = std::move(*r);
        return true;
    }

    bool read_failed() const { return in.bad(); }
    std::string where() const { return label + ":" + std::to_string(reader->line()); }
};

}  // namespace

int cmd_import(Ctl& ctl, const Args& args) {
    std::string label = args.operands[0];
    std::string path = label;
    bool spooled = false;
    if (label == "-") {
        if (!spool_stdin(path, ctl)) return EX_NOINPUT;
        spooled = true;
        label = "(stdin)";
    }
    struct Cleanup {
        std::string path;
        bool active;
        ~Cleanup() {
            if (active) std::remove(path.c_str());
        }
    } cleanup{path, spooled};
    const bool skip_bad = args.has("--skip-bad");

    // Pass 1: check every row, report every bad one; nothing is kept in memory.
    long good = 0, bad = 0;
    {
        CsvPass pass{ctl, path, label, {}, {}, {}};
        if (int rc = pass.open(); rc != EX_OK) return rc;
        ConsentRecord record;
        std::string error;
        while (pass.next(record, error)) {
            if (error.empty()) {
                ++good;
                continue;
            }
            ++bad;
            *ctl.err << pass.where() << ": " << error << "\n";
        }
        if (pass.read_failed()) {
            *ctl.err << "consentctl: error reading " << label << "\n";
            return EX_NOINPUT;
        }
    }
    if (bad > 0 && !skip_bad) {
        *ctl.err << "consentctl: " << label << ": " << bad << (bad == 1 ? " bad row" : " bad rows")
                 << ", nothing imported (--skip-bad imports the good rows)\n";
        return EX_DATAERR;
    }

    // Pass 2: stream the good rows into one transaction.
    CsvPass pass{ctl, path, label, {}, {}, {}};
    if (int rc = pass.open(); rc != EX_OK) return rc;
    long imported = 0, skipped = 0;
    bool changed_under_us = false;
    auto next = [&](ConsentRecord& record) -> Result<bool> {
        std::string error;
        for (;;) {
            if (!pass.next(record, error)) {
                if (pass.read_failed()) return Status::IOError("error reading " + label);
                return false;
            }
            if (error.empty()) {
                ++imported;
                return true;
            }
            if (!skip_bad) {  // the file changed between the passes
                changed_under_us = true;
                return Status::InvalidArgument(pass.where() + ": " + error);
            }
            ++skipped;
        }
    };
    auto changed = ctl.db->import_records(next, ctl.now);
    if (!changed.ok()) {
        if (changed_under_us) {
            *ctl.err << changed.status().message() << "\nconsentctl: " << label
                     << " changed while importing, nothing imported\n";
            return EX_DATAERR;
        }
        return store_failure(ctl, "import " + label, changed.status());
    }
    *ctl.out << "imported " << imported << (imported == 1 ? " row (" : " rows (") << *changed << " changed), "
             << skipped << " skipped\n";
    return EX_OK;
}

namespace {

struct ArfTally {
    long recorded = 0, already = 0, unattributable = 0, skipped = 0;
};

// Handles one report; prints its line(s). Returns EX_OK or the exit code of a store failure.
int import_one_report(Ctl& ctl, const std::string& file, const std::string& label, const std::string& raw,
                      ArfTally& tally) {
    auto report = parse_complaint(raw);
    if (!report.ok()) {
        *ctl.out << label << ": skipped: " << report.status().message() << "\n";
        ++tally.skipped;
        return EX_OK;
    }
    ArfDecision d = decide_arf(*report, raw, ctl.config.consent_scope, ctl.config.consent_scope_header);
    switch (d.outcome) {
    case ArfOutcome::ignored:
        *ctl.out << label << ": skipped: " << d.reason << "\n";
        ++tally.skipped;
        return EX_OK;
    case ArfOutcome::unattributable:
        *ctl.out << label << ": unattributable: " << d.reason << "\n";
        ++tally.unattributable;
        return EX_OK;
    case ArfOutcome::suppress: break;
    }
    for (std::size_t i = 0; i < d.recipients.size(); ++i) {
        Complaint c;
        c.scope = d.scope;
        c.address = d.recipients[i];
        c.received_at = d.received_at ? d.received_at : ctl.now;
        c.report_ref = d.refs[i];
        c.source = (report->kind == ComplaintKind::forwarded ? "forwarded:" : "arf:") + file;
        auto r = ctl.db->record_complaint(c, ctl.now);
        const std::string what = "complaint about " + c.address + " for " + c.scope;
        if (!r.ok()) return store_failure(ctl, label + ": " + what, r.status());
        if (r->changed) {
            *ctl.out << label << ": recorded " << what << " (suppressed)\n";
            ++tally.recorded;
        } else {
            *ctl.out << label << ": " << what << " already recorded\n";
            ++tally.already;
        }
    }
    return EX_OK;
}

}  // namespace

int cmd_import_arf(Ctl& ctl, const Args& args) {
    ArfTally tally;
    int rc = EX_OK;
    for (const std::string& file : args.operands) {
        std::ifstream in(file, std::ios::binary);
        std::ostringstream buf;
        if (in) buf << in.rdbuf();
        if (!in || in.bad()) {
            *ctl.err << "consentctl: cannot read " << file << ": " << std::strerror(errno) << "\n";
            rc = EX_NOINPUT;
            continue;
        }
        std::string data = buf.str();
        if (looks_like_mbox(data)) {
            int store_rc = EX_OK;
            long count = 0;
            split_mbox(data, [&](MboxMessage&& m) {
                ++count;
                if (store_rc == EX_OK)
                    store_rc = import_one_report(ctl, file, file + ":" + std::to_string(m.line), m.text, tally);
            });
            if (store_rc != EX_OK) return store_rc;
            if (count == 0) {
                *ctl.out << file << ": skipped: empty mbox\n";
                ++tally.skipped;
            }
        } else if (int store_rc = import_one_report(ctl, file, file, data, tally); store_rc != EX_OK) {
            return store_rc;
        }
    }
    *ctl.out << tally.recorded << " recorded, " << tally.already << " already recorded, " << tally.unattributable
             << " unattributable, " << tally.skipped << " skipped\n";
    return rc;
}

}  // namespace cm::ctl
