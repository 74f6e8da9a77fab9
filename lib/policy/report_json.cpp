// SPDX-License-Identifier: Apache-2.0
#include "policy/report_json.h"

#include <nlohmann/json.hpp>

namespace cm {

std::string report_to_json(const Report& report) {
    using json = nlohmann::ordered_json;
    const auto& lu = report.list_unsubscribe;
    const auto& body = report.body_link;

    json links = json::array();
    for (const auto& l : body.links)
        links.push_back({{"part", l.part}, {"url", l.url}, {"text", l.text}, {"visible", l.visible}, {"why", l.why}});
    json parts = json::array();
    for (const auto& p : body.parts)
        parts.push_back({{"part", p.part}, {"result", p.pass ? "pass" : "fail"}, {"reason", reason_code(p.reason)}});
    json recipients = json::array();
    for (const auto& r : report.consent.recipients)
        recipients.push_back({{"address", r.address}, {"result", r.pass ? "pass" : "fail"}, {"reason", reason_code(r.reason)}});

    json reasons = json::array();
    for (Reason r : report.reasons) reasons.push_back(qualified_code(r));

    json out = {
        {"verdict", verdict_name(report.verdict)},
        {"exempt", report.exempt},
        {"checks",
         {{"list_unsubscribe",
           {{"result", lu.pass ? "pass" : "fail"}, {"reason", reason_code(lu.reason)}, {"uris", lu.uris}, {"one_click", lu.one_click},
            {"required", report.list_unsubscribe_checked}}},
          {"body_link",
           {{"result", body.pass ? "pass" : "fail"}, {"reason", reason_code(body.reason)}, {"links", links},
            {"parts", parts}, {"required", report.body_link_checked}}},
          {"consent", {{"result", report.consent.result}, {"recipients", recipients}, {"scope", report.scope}}},
          {"sender",
           {{"result", report.sender.result}, {"reason", reason_code(report.sender.reason)},
            {"detail", report.sender.detail}, {"suspends", report.sender.suspend.has_value()}}}}},
        {"reasons", reasons},
        {"removed_recipients", report.removed_recipients},
        {"truncated", report.truncated},
        {"notes", report.notes},
    };
    if (!report.exempt_why.empty()) out["exempt_why"] = report.exempt_why;  // also when a suspension voids it
    if (!report.error.empty()) out["error"] = report.error;
    // Message bytes need not be UTF-8; replace rather than throw.
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cm
