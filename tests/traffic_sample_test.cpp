// SPDX-License-Identifier: Apache-2.0
// traffic_sample(): what one judged message adds to the traffic counters.
#include <catch2/catch.hpp>

#include "policy/traffic_sample.h"

namespace {

cm::RecipientConsent failed(const char* address, cm::Reason reason) {
    cm::RecipientConsent r;
    r.address = address;
    r.reason = reason;
    return r;
}

using Reasons = std::vector<std::pair<std::string, std::int64_t>>;

}  // namespace

TEST_CASE("traffic sample: verdict, recipients left and recipients per reason") {
    cm::Report report;
    report.scope = "shop.example";
    report.verdict = cm::Verdict::tag;
    report.reasons = {cm::Reason::body_link_hidden, cm::Reason::consent_no_record, cm::Reason::consent_revoked};
    report.consent.recipients = {failed("a@x", cm::Reason::consent_no_record), failed("b@x", cm::Reason::consent_no_record),
                                 failed("c@x", cm::Reason::consent_revoked)};
    report.removed_recipients = {"a@x", "b@x", "c@x"};
    const cm::TrafficSample s = cm::traffic_sample(report, 5, "2026-12-04");
    CHECK(s.scope == "shop.example");
    CHECK(s.day == "2026-12-04");
    CHECK(s.verdict == "tag");
    CHECK(s.recipients == 2);
    CHECK(s.reasons == Reasons{{"body_link:hidden", 5}, {"consent:no-record", 2}, {"consent:revoked", 1}});
}

TEST_CASE("traffic sample: an exempt message is an accepted one without reasons") {
    cm::Report report;
    report.exempt = true;
    report.exempt_why = "client 192.0.2.1";
    report.scope = "bank.example";
    const cm::TrafficSample s = cm::traffic_sample(report, 3, "2026-12-04");
    CHECK(s.verdict == "accept");
    CHECK(s.recipients == 3);
    CHECK(s.reasons.empty());
}

TEST_CASE("traffic sample: a rejected message counts all its recipients under its reasons") {
    cm::Report report;
    report.verdict = cm::Verdict::reject;
    report.reasons = {cm::Reason::sender_suspended};
    const cm::TrafficSample s = cm::traffic_sample(report, 4, "2026-12-04");
    CHECK(s.scope.empty());
    CHECK(s.verdict == "reject");
    CHECK(s.recipients == 4);
    CHECK(s.reasons == Reasons{{"sender:suspended", 4}});
}
