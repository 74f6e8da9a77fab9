// SPDX-License-Identifier: Apache-2.0
// bench_evaluate - single-thread library throughput (issue 5, "Library").
//
// For each message, in interleaved rounds of the same run: GMime parse + decode alone
// (cm::parse_message), libxml2's HTML SAX pass alone over the same decoded HTML part(s)
// (html_sax_alone: push parser as lib/html drives it, callbacks that only count), their sum =
// the parser floor, and the milter's whole per-message work (parse_message + evaluate, no
// consent store). Prints medians, full / parse and full / floor, the latter against issue 15's
// target of 1.3.
//
//   bench_evaluate [--rounds N] [--seconds S] [--corpus FILE]...   the table
//   bench_evaluate --profile CASE N      N parse+evaluate runs of one case (perf / callgrind)
//   bench_evaluate --profile floor-CASE N   N runs of that case's floor (parse + HTML SAX)
// Under callgrind, --toggle-collect='*profile_loop*' counts only the N runs (Ir / N per message):
//   valgrind --tool=callgrind --toggle-collect='*profile_loop*' build/bench/bench_evaluate --profile newsletter 20
//   bench_evaluate --write-newsletter FILE [SENDER RCPT]
//   bench_evaluate --write-attachment BYTES FILE
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_components.h"
#include "bench_messages.h"
#include "bench_util.h"
#include "policy/evaluate.h"
#include "policy/verdict.h"
#include "mime/mime_walk.h"

using namespace cm;
using namespace cm::bench;

namespace {

struct Case {
    std::string name;
    std::string raw;
    bool truncated = false;  // raw is a MaxScanSize prefix, as the milter buffers it
};

struct Sample {
    std::vector<double> parse, sax, full, eval_only;  // per round, messages/s
};

constexpr std::int64_t kNow = 1715673600;  // 2024-05-14, fixed: no clock in the measured path

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
    return static_cast<bool>(out);
}

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Envelope envelope_for() { return Envelope{"news@shop.example", {"reader@example.net"}, "", "127.0.0.1"}; }

std::string reasons_of(const Report& r) {
    std::string s = reasons_text(r);
    return s.empty() ? "-" : s;
}

// Issue 15: parse + evaluate within this many times the parser floor.
constexpr double kFloorTarget = 1.3;

// libxml2's SAX pass alone over every HTML part of `m`: the HTML half of the floor.
long sax_parts(const ParsedMessage& m) {
    long events = 0;
    for (const TextPart& p : m.parts)
        if (p.kind == PartKind::html) events += html_sax_alone(p.text);
    return events;
}

// The profiled loop, a function of its own so that callgrind can count it alone
// (--toggle-collect='*profile_loop*').
[[gnu::noinline]] std::size_t profile_loop(long n, bool floor_only, const std::string& raw, bool truncated,
                                           const Envelope& env, const Policy& policy) {
    std::size_t sink = 0;
    for (long i = 0; i < n; ++i) {
        ParsedMessage m = parse_message(raw, ParseLimits{}, truncated);
        if (floor_only) sink += static_cast<std::size_t>(sax_parts(m));
        else sink += evaluate(m, env, policy, nullptr, kNow).reasons.size();
    }
    return sink;
}

int usage() {
    std::fprintf(stderr,
                 "usage: bench_evaluate [--rounds N] [--seconds S] [--corpus FILE]...\n"
                 "       bench_evaluate --profile [floor-]CASE N\n"
                 "       bench_evaluate --write-newsletter FILE [SENDER RCPT]\n"
                 "       bench_evaluate --write-attachment BYTES FILE\n");
    return 64;
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 5;
    double seconds = 0.3;
    std::vector<std::string> corpus;
    std::string profile_case;
    long profile_n = 0;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto need = [&](int n) { return i + n < argc; };
        if (a == "--rounds" && need(1)) rounds = std::atoi(argv[++i]);
        else if (a == "--seconds" && need(1)) seconds = std::atof(argv[++i]);
        else if (a == "--corpus" && need(1)) corpus.push_back(argv[++i]);
        else if (a == "--profile" && need(2)) { profile_case = argv[++i]; profile_n = std::atol(argv[++i]); }
        else if (a == "--write-newsletter" && need(1)) {
            std::string file = argv[++i];
            std::string msg = need(2) ? newsletter(argv[i + 1], argv[i + 2]) : newsletter();
            return write_file(file, msg) ? 0 : 1;
        } else if (a == "--write-attachment" && need(2)) {
            std::size_t bytes = std::strtoull(argv[i + 1], nullptr, 10);
            return write_file(argv[i + 2], newsletter_with_attachment(bytes)) ? 0 : 1;
        } else return usage();
    }
    if (rounds < 1) rounds = 1;

    auto policy_r = Policy::create(Config{});
    if (!policy_r.ok()) {
        std::fprintf(stderr, "bench_evaluate: policy: %s\n", policy_r.status().message().c_str());
        return 1;
    }
    const Policy& policy = **policy_r;
    const std::size_t scan = policy.config().max_scan_size;

    std::vector<Case> cases;
    cases.push_back({"newsletter-59k (synthetic)", newsletter()});
    for (const auto& path : corpus) {
        std::string raw = read_file(path);
        if (raw.empty()) {
            std::fprintf(stderr, "bench_evaluate: cannot read %s\n", path.c_str());
            return 66;
        }
        cases.push_back({basename_of(path), raw});
    }
    if (profile_case.empty() || profile_case.rfind("attach", 0) == 0) {
        // 10 MB in all: a 7.2 MB binary attachment is 9.9 MB of base64.
        std::string big = newsletter_with_attachment(10000000 * 57 / 78 - 80000);
        cases.push_back({"attach-10m (whole)", big});
        cases.push_back({"attach-10m (MaxScanSize prefix)", big.substr(0, scan), true});
    }

    const Envelope env = envelope_for();
    auto run_full = [&](const Case& c) {
        ParsedMessage m = parse_message(c.raw, ParseLimits{}, c.truncated);
        Report r = evaluate(m, env, policy, nullptr, kNow);
        return r;
    };

    if (!profile_case.empty()) {
        const bool floor_only = profile_case.rfind("floor-", 0) == 0;
        const std::string prefix = floor_only ? profile_case.substr(6) : profile_case;
        for (const Case& c : cases) {
            if (c.name.rfind(prefix, 0) != 0) continue;
            std::size_t sink = profile_loop(profile_n, floor_only, c.raw, c.truncated, env, policy);
            std::printf("profiled %ld x %s%s (%zu)\n", profile_n, floor_only ? "floor of " : "", c.name.c_str(), sink);
            return 0;
        }
        std::fprintf(stderr, "bench_evaluate: no case starts with '%s'\n", profile_case.c_str());
        return 64;
    }

    // Sanity: what each case evaluates to (a benchmark of the wrong path is worthless).
    std::printf("# messages (verdict with the default policy, no consent store)\n");
    for (const Case& c : cases) {
        ParsedMessage m = parse_message(c.raw, ParseLimits{}, c.truncated);
        std::size_t text = 0;
        for (const auto& p : m.parts) text += p.text.size();
        Report r = evaluate(m, env, policy, nullptr, kNow);
        std::printf("#   %-34s %9zu bytes, %zu text parts (%zu bytes decoded), verdict=%s reasons=%s\n", c.name.c_str(),
                    c.raw.size(), m.parts.size(), text, verdict_name(r.verdict), reasons_of(r).c_str());
    }

    std::vector<Sample> samples(cases.size());
    for (int round = 0; round < rounds; ++round) {
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Case& c = cases[i];
            double min_s = c.raw.size() > (1u << 20) ? seconds * 2 : seconds;
            samples[i].parse.push_back(rate([&] { ParsedMessage m = parse_message(c.raw, ParseLimits{}, c.truncated); }, min_s));
            samples[i].full.push_back(rate([&] { run_full(c); }, min_s));
            ParsedMessage pre = parse_message(c.raw, ParseLimits{}, c.truncated);
            volatile long sink = 0;
            samples[i].sax.push_back(rate([&] { sink = sink + sax_parts(pre); }, min_s));
            samples[i].eval_only.push_back(rate([&] { Report r = evaluate(pre, env, policy, nullptr, kNow); }, min_s));
        }
    }

    std::printf("\n# Library, single thread, per CPU second of the thread: medians of %d interleaved rounds (>= %.2f s each)\n",
                rounds, seconds);
    std::vector<std::vector<std::string>> rows{{"message", "KB", "parse ms", "HTML SAX ms", "floor ms",
                                                "parse+evaluate msg/s", "MB/s", "ms", "evaluate-only ms",
                                                "(p+e)/parse", "(p+e)/floor"}};
    std::vector<double> floor_ratio(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        double mb = c.raw.size() / 1e6;
        double p = median(samples[i].parse), f = median(samples[i].full), e = median(samples[i].eval_only);
        double sax_ms = 1000 / median(samples[i].sax), floor_ms = 1000 / p + sax_ms;
        floor_ratio[i] = (1000 / f) / floor_ms;
        rows.push_back({c.name, grouped(c.raw.size() / 1024.0), fixed(1000 / p, 3), fixed(sax_ms, 3), fixed(floor_ms, 3),
                        grouped(f), fixed(f * mb, 1), fixed(1000 / f, 3), fixed(1000 / e, 3), fixed(p / f, 2),
                        fixed(floor_ratio[i], 2)});
    }
    print_table(rows);
    std::printf("(floor = parse + HTML SAX: GMime parse + decode, then libxml2's HTML push parser alone over the\n"
                " decoded HTML part(s); what any implementation of the rules pays before its own work)\n");

    // Where the newsletter's time goes: components on its HTML part alone.
    const std::string html = newsletter_html();
    auto components = time_html_components(html, rounds, seconds / 2);
    std::printf("\n# Components on the newsletter's HTML part (%zu bytes): medians of %d interleaved rounds\n",
                html.size(), rounds);
    std::vector<std::vector<std::string>> crows{{"component", "ops/s", "ms", "share of newsletter parse+evaluate"}};
    double full_ms = 1000 / median(samples[0].full);
    for (const auto& c : components) {
        double m = median(c.per_round);
        crows.push_back({c.name, grouped(m), fixed(1000 / m, 3), fixed(100 * (1000 / m) / full_ms, 1) + " %"});
    }
    print_table(crows);

    double nl = median(samples[0].full), nl_parse = median(samples[0].parse);
    std::printf("\n");
    for (std::size_t i = 0; i < cases.size(); ++i)
        std::printf("target: %s parse+evaluate <= %.1f x floor: %s (%.2f x)\n", cases[i].name.c_str(), kFloorTarget,
                    floor_ratio[i] <= kFloorTarget ? "MET" : "NOT MET", floor_ratio[i]);
    std::printf("target: newsletter parse+evaluate >= 1,500 msg/s: %s (%s msg/s); <= 5 x parse-only: %s (%.2f x)\n",
                nl >= 1500 ? "MET" : "NOT MET", grouped(nl).c_str(), nl_parse / nl <= 5 ? "MET" : "NOT MET",
                nl_parse / nl);
    return 0;
}
