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
    CHECK(m.in_progress() == 1);
    m.count_message(0, {});
    m.count_message(3, {Reason::body_link_hidden, Reason::consent_no_record});
    m.count_message(3, {Reason::body_link_hidden});
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
             "consent_milter_messages_total{verdict=\"tempfail\"} 0\n",  // every series from the start
             "consent_milter_reasons_total{reason=\"list_unsubscribe:missing\"} 0\n",
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
