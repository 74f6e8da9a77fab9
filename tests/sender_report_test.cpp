// SPDX-License-Identifier: Apache-2.0
// Tests for the sender report's renderings (lib/senders/sender_report.h): the DESIGN §11 JSON
// shape, the text table and the self-contained HTML page.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "senders/sender_report.h"

using namespace cm;

namespace {

SenderReport sample() {
    SenderReport r;
    r.since = "2026-11-29";
    r.until = "2026-11-30";
    SenderSummary s;
    s.scope = "shop.example";
    s.messages = 1200;
    s.recipients = 5400;
    s.verdicts = {{"accept", 1100}, {"reject", 100}};
    s.reasons = {{"body_link:hidden", 60}};
    s.complaints = 3;
    s.accepted_recipients = 5000;
    s.suppressions = 12;
    s.consent_changes = {{"revoke", 4}};
    s.daily = {{"2026-11-29", 1000, 4000, 4000, 1}, {"2026-11-30", 200, 1400, 1000, 2}};
    SenderSummary bad;
    bad.scope = "<spam>.example";
    bad.suspended = true;
    bad.suspended_reason = "complaint rate 0.5% > 0.3% over 7 days";
    bad.daily = {{"2026-11-29", 0, 0, 0, 0}, {"2026-11-30", 0, 0, 0, 0}};
    r.scopes = {s, bad};
    return r;
}

}  // namespace

TEST_CASE("sender report: complaint rate is complaints per accepted recipient", "[sender_report]") {
    CHECK(complaint_rate(3, 5000) == Approx(0.0006));
    CHECK(complaint_rate(5, 0) == 0.0);
    CHECK(sample().scopes[0].complaint_rate() == Approx(0.0006));
}

TEST_CASE("sender report: JSON has the DESIGN §11 keys", "[sender_report]") {
    auto j = nlohmann::json::parse(sender_report_json(sample()));
    CHECK(j["since"] == "2026-11-29");
    CHECK(j["until"] == "2026-11-30");
    const auto& s = j["scopes"][0];
    CHECK(s["scope"] == "shop.example");
    CHECK(s["messages"] == 1200);
    CHECK(s["recipients"] == 5400);
    CHECK(s["verdicts"]["accept"] == 1100);
    CHECK(s["verdicts"]["reject"] == 100);
    CHECK(s["reasons"]["body_link:hidden"] == 60);
    CHECK(s["complaints"] == 3);
    CHECK(s["complaint_rate"].get<double>() == Approx(0.0006));
    CHECK(s["suspended"] == false);
    CHECK(s["suppressions"] == 12);
    CHECK(s["daily"][1]["day"] == "2026-11-30");
    CHECK(s["daily"][1]["messages"] == 200);
    CHECK(s["daily"][1]["recipients"] == 1400);
    CHECK(s["daily"][1]["complaints"] == 2);
    CHECK(j["scopes"][1]["suspended"] == true);
    CHECK(j["scopes"][1]["suspended_reason"] == "complaint rate 0.5% > 0.3% over 7 days");
}

TEST_CASE("sender report: text names each scope, its state and its days", "[sender_report]") {
    std::string text = sender_report_text(sample());
    CHECK_THAT(text, Catch::Contains("shop.example"));
    CHECK_THAT(text, Catch::Contains("complaint rate 0.060%"));
    CHECK_THAT(text, Catch::Contains("[SUSPENDED: complaint rate 0.5% > 0.3% over 7 days]"));
    CHECK_THAT(text, Catch::Contains("2026-11-30"));
    CHECK_THAT(sender_report_text(SenderReport{"2026-11-01", "2026-11-30", {}}), Catch::Contains("no traffic"));
}

TEST_CASE("sender report: HTML is one self-contained page with a chart bar per day", "[sender_report]") {
    std::string html = sender_report_html(sample());
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("http") == std::string::npos);  // no outside resource of any kind
    CHECK(html.find("<link") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("&lt;spam&gt;.example"));  // scope names are escaped
    CHECK_THAT(html, !Catch::Contains("<spam>"));
    // Two charts per scope, one bar per day each.
    std::size_t svgs = 0, bars = 0;
    for (std::size_t at = 0; (at = html.find("<svg", at)) != std::string::npos; ++at) ++svgs;
    for (std::size_t at = 0; (at = html.find("<rect", at)) != std::string::npos; ++at) ++bars;
    CHECK(svgs == 4);
    CHECK(bars == 8);
    CHECK_THAT(html, Catch::Contains("2026-11-29: 1000"));  // the tallest bar's tooltip
}

TEST_CASE("sender report: no rate without accepted mail; text lists the active days only", "[sender_report]") {
    CHECK(complaint_rate_text(3, 5000) == "0.060%");
    CHECK(complaint_rate_text(1, 0) == "-");
    SenderReport r = sample();
    r.scopes[1].complaints = 1;
    r.scopes[1].daily[1].complaints = 1;
    const std::string text = sender_report_text(r);
    CHECK_THAT(text, Catch::Contains("complaints 1, complaint rate -\n"));
    CHECK_THAT(text, Catch::Contains("  2026-11-30         0           0           1  -\n"));
    CHECK_THAT(text, !Catch::Contains("  2026-11-29         0"));
    CHECK_THAT(sender_report_html(r), Catch::Contains("complaints (rate -)"));
}
