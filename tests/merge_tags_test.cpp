// SPDX-License-Identifier: Apache-2.0
// Tests for merge_tags.h: every placeholder syntax raw and percent-encoded, and the real
// URLs that must not be mistaken for one.
#include <catch2/catch.hpp>

#include <string>

#include "checks/merge_tags.h"

namespace {

struct Case {
    const char* url;
    bool want;
};

}  // namespace

TEST_CASE("has_unresolved_merge_tag finds every placeholder syntax", "[merge_tags]") {
    auto c = GENERATE(values<Case>({
        // Mailchimp
        {"*|UNSUB|*", true},
        {"https://x.example/u?e=*|EMAIL|*", true},
        {"*|IF:FNAME|*", true},
        {"%2A%7CUNSUB%7C%2A", true},
        {"%2a%7cUNSUB%7c%2a", true},
        // Handlebars / Liquid / Jinja / Mustache
        {"{{unsubscribe_url}}", true},
        {"https://x.example/u/{{unsubscribe_url}}", true},
        {"https://x.example/u/{{ unsubscribe_url }}", true},
        {"{{{unsubscribe}}}", true},
        {"https://x.example/{% unsubscribe %}", true},
        {"https://x.example/{%unsubscribe_link%}", true},
        {"https://x.example/u/%7B%7Bunsubscribe_url%7D%7D", true},
        {"https://x.example/u/%7B%7B%20contact.unsub%20%7D%7D", true},
        {"https://x.example/%7B%25%20unsubscribe%20%25%7D", true},
        // Mautic, Smarty, ${x}, #{x}
        {"{unsubscribe_url}", true},
        {"https://x.example/?e={contactfield=email}", true},
        {"{$unsubscribe}", true},
        {"${unsubscribe}", true},
        {"https://x.example/${user.unsubscribe_url}", true},
        {"#{unsubscribe}", true},
        {"%7Bunsubscribe_url%7D", true},
        {"%24%7Bunsubscribe%7D", true},
        {"%23%7Bunsubscribe%7D", true},
        {"%7B%24unsubscribe%7D", true},
        // SendGrid
        {"<%asm_group_unsubscribe_raw_url%>", true},
        {"<%asm_global_unsubscribe_raw_url%>", true},
        {"%3C%25asm_group_unsubscribe_raw_url%25%3E", true},
        {"[Unsubscribe]", true},
        {"[unsubscribe_preferences]", true},
        {"https://x.example/?u=[Unsubscribe_Preferences]", true},
        {"%5BUnsubscribe%5D", true},
        {"[[unsubscribe]]", true},
        {"%5B%5Bunsubscribe%5D%5D", true},
        {"https://x.example/[Unsubscribe]/confirm", true},
        {"https://x.example/?u=[unsubscribe]&list=2", true},
        // Mailgun
        {"%unsubscribe_url%", true},
        {"%tag_unsubscribe_url%", true},
        {"https://x.example/?r=%recipient.id%", true},
        {"%25unsubscribe_url%25", true},
        {"%mailing_list_unsubscribe_url%", true},
        // Salesforce / ExactTarget
        {"%%unsub_center_url%%", true},
        {"https://x.example/?u=%%=RedirectTo(@u)=%%", true},
        {"%25%25unsub_center_url%25%25", true},
        // $x$
        {"$unsubscribe$", true},
        {"https://x.example/$UNSUB$", true},
        {"%24unsubscribe%24", true},
    }));
    INFO("url: " << c.url);
    bool got = cm::has_unresolved_merge_tag(c.url);
    INFO("got " << got << ", want " << c.want);
    CHECK(got == c.want);
}

TEST_CASE("has_unresolved_merge_tag leaves real URLs alone", "[merge_tags]") {
    auto c = GENERATE(values<Case>({
        {"https://x.example/unsubscribe?u=abc123&id=9bc9573bd6", false},
        // IPv6 and IPvFuture literal hosts
        {"https://[2001:db8::1]/unsubscribe", false},
        {"http://[::1]:8080/u", false},
        {"https://[fe80::1%25eth0]/u", false},
        {"https://[v1.fe80::a]/u", false},
        // percent-encoded real URLs
        {"https://x.example/u?q=hello%20world%2Fmore", false},
        {"https://x.example/u?name=%C3%A9clair%20tart", false},
        {"https://x.example/u?q=%Bad%20x", false},
        {"https://x.example/%E2%80%99s%2Fpath%3Fa%3Db", false},
        {"https://x.example/u?discount=50%25%20off", false},
        {"https://x.example/u?d=100%25+sure%25", false},
        {"mailto:u@x.example?body=unsubscribe%20cert-advisory", false},
        // tracking URLs with Base64-ish tokens, fragments, arrays and JSON
        {"https://r.email.example/tr/un/li/PgqRVr4siXB6A2V5eLXiz_G76u-AvYzNQ==", false},
        {"https://x.example/app/optOut/noConfirm/4852414/3fd76deeb52f82ce#section", false},
        {"https://x.example/u?filter[status]=active&ids[]=1&a[b][c]=2", false},
        {"https://x.example/u?filter%5Bstatus%5D=active", false},
        {"mailto:list-request@x.example?subject=[Announce]%20unsubscribe", false},
        {"mailto:list-request@x.example?subject=%5BAnnounce%5D+unsubscribe", false},
        {"https://x.example/t?d={\"a\":1,\"b\":{\"c\":2}}", false},
        {"https://x.example/t?d=%7B%22a%22%3A1%7D", false},
        {"https://x.example/t?d={%22a%22:%22b%22}", false},
        {"https://x.example/t?id={3F2504E0-4F89-11D3-9A0C-0305E82C3301}", false},
        {"https://x.example/t?id={DEADBEEF01234567}", false},
        {"https://x.example/odata?$filter=x&$top=10", false},
        {"https://x.example/price/$5/off", false},
        {"https://x.example/a*b|c", false},
        {"https://x.example/{{ }}", false},
        {"", false},
    }));
    INFO("url: " << c.url);
    bool got = cm::has_unresolved_merge_tag(c.url);
    INFO("got " << got << ", want " << c.want);
    CHECK(got == c.want);
}
