// SPDX-License-Identifier: Apache-2.0
// bench_components.h - per-component timings on one HTML document, for bench_evaluate.
//
// Lower bounds and alternatives behind evaluate(): libxml2's HTML SAX parser alone (push
// parser in 64 KB chunks, as lib/html/html_visibility.cpp drives it, and the one-shot memory
// parser) and our extract_html_links(). Single-threaded.
// html_sax_alone() is the HTML half of the parser floor that bench_evaluate compares evaluate() with.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cm::bench {

struct ComponentTiming {
    std::string name;
    std::vector<double> per_round;  // operations/s
};

// One pass of libxml2's HTML push parser over `html` (64 KB chunks, the options lib/html uses)
// with callbacks that only count events; returns the count (a sink for the optimiser).
long html_sax_alone(std::string_view html);

// Runs `rounds` interleaved rounds of >= `seconds` per component on `html` (UTF-8).
std::vector<ComponentTiming> time_html_components(const std::string& html, int rounds, double seconds);

}  // namespace cm::bench
