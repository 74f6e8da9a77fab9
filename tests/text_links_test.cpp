// SPDX-License-Identifier: Apache-2.0
// Tests for lib/text_links: URL/address scanning and the phrase-proximity rule in plain text.
#include "checks/text_links.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

const cm::PhraseSet& phrases() {
    static auto set = cm::PhraseSet::create();
    REQUIRE(set.ok());
    return **set;
}

// "U:url" for unsubscribe links, "-:url" for others; addresses as "U@addr" / "-@addr".
std::vector<std::string> summary(std::string_view text) {
    std::vector<std::string> out;
    for (const cm::TextLink& l : cm::find_text_links(text, phrases()))
        out.push_back(std::string(l.unsubscribe ? "U" : "-") +
                      (l.kind == cm::TextLink::Kind::address ? "@" : ":") + l.url);
    return out;
}

struct Case {
    const char* name;
    const char* text;
    std::vector<std::string> want;
};

}  // namespace

TEST_CASE("plain-text links and whether a phrase points at them", "[text_links]") {
    auto c = GENERATE(values<Case>({
        {"same line", "To unsubscribe visit https://example.com/p?id=1.",
         {"U:https://example.com/p?id=1"}},
        {"phrase on the line before",
         "To unsubscribe from promotional e-mail go to:\nhttp://www.nwwsubscribe.com/ep\n",
         {"U:http://www.nwwsubscribe.com/ep"}},
        {"phrase two lines before, same paragraph",
         "To subscribe, unsubscribe or change your e-mail address\nfor any of our newsletters,\n"
         "go to:http://www.example.com/newsletters/",
         {"U:http://www.example.com/newsletters/"}},
        {"phrase four lines before is too far",
         "To unsubscribe\nfrom any\nof our\nfine\nnewsletters go to http://example.com/n", {"-:http://example.com/n"}},
        {"blank line separates paragraphs", "To unsubscribe, reply STOP.\n\nhttp://example.com/shop",
         {"-:http://example.com/shop"}},
        {"phrase belongs to the nearest URL",
         "Unsubscribe: https://example.com/a\nOur shop: https://example.com/b",
         {"U:https://example.com/a", "-:https://example.com/b"}},
        {"phrase on the line after", "https://example.com/x\nUse the link above to unsubscribe.",
         {"U:https://example.com/x"}},
        {"keyword in the URL only", "Visit <http://sourceforge.net/account/unsubscribe.php?ch=1>",
         {"U:http://sourceforge.net/account/unsubscribe.php?ch=1"}},
        {"keyword in the host is not a keyword", "See http://unsubscribe.example.com/",
         {"-:http://unsubscribe.example.com/"}},
        {"percent-encoded keyword", "https://example.com/d%C3%A9sinscription?u=1",
         {"U:https://example.com/d%C3%A9sinscription?u=1"}},
        {"mailto-only instruction",
         "You are currently subscribed to list as: me@example.com\n\n"
         "To unsubscribe send a blank email to leave-list-1F@list4.example.com\n",
         {"-@me@example.com", "U@leave-list-1F@list4.example.com"}},
        {"mailto URL in HTML markup inside text/plain",
         "send STOP by clicking here: <a href=\"mailto:remv@example.ru?subject=STOP\">unsubscribe</a>",
         {"U:mailto:remv@example.ru?subject=STOP"}},
        {"link-only word does not count in plain text", "Abmelden: https://example.com/x",
         {"-:https://example.com/x"}},
        {"German sentence, CRLF lines",
         "Wenn Sie den Newsletter nicht mehr erhalten möchten, klicken Sie hier:\r\nhttps://ex.de/n?u=9\r\n",
         {"U:https://ex.de/n?u=9"}},
        {"balanced parentheses stay, trailing ones go", "(see https://en.example.org/wiki/A_(b)), ok",
         {"-:https://en.example.org/wiki/A_(b)"}},
        {"a colon bridges one blank line",
         "If you no longer wish to hear from us, write to us by clicking here:\n\n"
         "<a href=\"mailto:remv@example.ru?subject=STOP\">\n",
         {"U:mailto:remv@example.ru?subject=STOP"}},
        {"a phrase in another sentence of the line does not count",
         "Archive at http://example.com/ . To unsubscribe send \"unsubscribe\" to list-request@example.com.",
         {"-:http://example.com/", "U@list-request@example.com"}},
        {"no links", "Hello,\nnothing to see here.\n", {}},
    }));
    INFO(c.name);
    CHECK(summary(c.text) == c.want);
}

TEST_CASE("the context names the phrase text", "[text_links]") {
    auto links = cm::find_text_links("To unsubscribe from promotional e-mail go to:\n  http://x.example/ep",
                                     phrases());
    REQUIRE(links.size() == 1);
    CHECK(links[0].context == "To unsubscribe from promotional e-mail go to:");
}

TEST_CASE("unsubscribe keywords in URLs", "[text_links]") {
    struct K { const char* url; bool want; };
    auto k = GENERATE(values<K>({
        {"https://example.com/unsubscribe?u=1", true},
        {"https://example.com/optOut/123", true},
        {"https://example.com/x?action=opt_out", true},
        {"http://www.example.com/removeme.html", true},
        {"https://example.de/newsletter/abmelden", true},
        {"mailto:unsubscribe@example.com", true},
        {"mailto:info@example.com?subject=Remove", true},
        {"https://example.com/subscribe", false},
        {"https://unsub.example.com", false},
        {"https://example.com/shop", false},
    }));
    INFO(k.url);
    CHECK(cm::url_has_unsubscribe_keyword(k.url) == k.want);
}
