// SPDX-License-Identifier: Apache-2.0
// Tests for the process-wide counters and their Prometheus text format (lib/senders/metrics.h).
#include <catch2/catch.hpp>

#include "senders/metrics.h"

using namespace cm;

TEST_CASE("metrics: verdicts, reasons, errors, in-progress and the lookup histogram", "[metrics]") {
    Metrics m;
    m.message_started();
    m.message_started();
    m.message_finished();
    m.count_message("accept", {});
    m.count_message("reject", {"body_link:hidden", "consent:no-record"});
    m.count_message("reject", {"body_link:hidden"});
    m.count_store_error();
    m.observe_lookup(0.0004);   // first bucket
    m.observe_lookup(0.003);    // le 0.005
    m.observe_lookup(7.0);      // +Inf only

    const std::string text = m.exposition();
    INFO(text);
    for (const char* want : {
             "# TYPE consent_milter_messages_total counter\n",
             "consent_milter_messages_total{verdict=\"accept\"} 1\n",
             "consent_milter_messages_total{verdict=\"reject\"} 2\n",
             "consent_milter_reasons_total{reason=\"body_link:hidden\"} 2\n",
             "consent_milter_reasons_total{reason=\"consent:no-record\"} 1\n",
             "consent_milter_store_errors_total 1\n",
             "consent_milter_messages_in_progress 1\n",
             "# TYPE consent_milter_store_lookup_seconds histogram\n",
             "consent_milter_store_lookup_seconds_bucket{le=\"0.0005\"} 1\n",
             "consent_milter_store_lookup_seconds_bucket{le=\"0.0025\"} 1\n",
             "consent_milter_store_lookup_seconds_bucket{le=\"0.005\"} 2\n",
             "consent_milter_store_lookup_seconds_bucket{le=\"1\"} 2\n",
             "consent_milter_store_lookup_seconds_bucket{le=\"+Inf\"} 3\n",
             "consent_milter_store_lookup_seconds_count 3\n",
         })
        CHECK_THAT(text, Catch::Contains(want));
    CHECK(text.back() == '\n');
}

TEST_CASE("metrics: label values are escaped", "[metrics]") {
    Metrics m;
    m.count_message("odd\"verdict\\", {});
    CHECK_THAT(m.exposition(), Catch::Contains("verdict=\"odd\\\"verdict\\\\\"} 1"));
}
