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
        {"phrase six lines before is too far",
         "To unsubscribe\nfrom any\nof our\nfine\nand\nlovely\nnewsletters go to http://example.com/n", {"-:http://example.com/n"}},
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
        {"link-only word as loose prose does not count",
         "Sie können sich jederzeit in Ihrem Konto abmelden und https://example.com/x besuchen",
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

TEST_CASE("issue 12: log-out words count as labels attached to the URL", "[text_links][issue12]") {
    auto c = GENERATE(values<Case>({
        {"de label", "Abmelden: https://example.de/u?x=1", {"U:https://example.de/u?x=1"}},
        {"de label with bracket", "Newsletter-Einstellungen | Abmelden <https://example.de/u>", {"U:https://example.de/u"}},
        {"nl label", "Afmelden: https://example.nl/a", {"U:https://example.nl/a"}},
        {"nl label in angle brackets", "Afmelden <https://example.nl/a>", {"U:https://example.nl/a"}},
        {"cs label", "Odhlásit: https://example.cz/o", {"U:https://example.cz/o"}},
        {"hr label after the URL", "https://example.hr/o (odjava)", {"U:https://example.hr/o"}},
        {"de prose fails", "Zum Abmelden aus Ihrem Kundenkonto gehen Sie auf https://example.de/konto",
         {"-:https://example.de/konto"}},
        {"nl prose fails", "U kunt zich afmelden in uw account op https://example.nl/account",
         {"-:https://example.nl/account"}},
        {"de label on the line before fails (same line only)", "Abmelden\nhttps://example.de/konto",
         {"-:https://example.de/konto"}},
        {"cs unambiguous phrase", "Odhlásit odběr newsletteru najdete zde https://example.cz/x",
         {"U:https://example.cz/x"}},
        {"sk unambiguous phrase", "Odhlásiť odber: https://example.sk/x", {"U:https://example.sk/x"}},
    }));
    INFO(c.name);
    CHECK(summary(c.text) == c.want);
}

TEST_CASE("issue 12: sentences around text-part URLs", "[text_links][issue12]") {
    auto c = GENERATE(values<Case>({
        {"social network: sentence ends on the line before",
         "This message was sent to reader@example.net. If you don't want to receive these emails from "
         "Example in the future, please follow the link below to unsubscribe.\n"
         "https://www.example.com/o.php?k=AS2&u=1000&mid=5f\n",
         {"-@reader@example.net", "U:https://www.example.com/o.php?k=AS2&u=1000&mid=5f"}},
        {"below across a blank line",
         "To stop receiving these messages, use the link below.\n\nhttps://example.com/x\n",
         {"U:https://example.com/x"}},
        {"following link (de) across a blank line",
         "Wenn Sie keine E-Mails mehr erhalten möchten, nutzen Sie den folgenden Link.\n\nhttps://example.de/x\n",
         {"U:https://example.de/x"}},
        {"fr ci-dessous", "Pour vous désinscrire, cliquez sur le lien ci-dessous.\nhttps://example.fr/x",
         {"U:https://example.fr/x"}},
        {"es previous sentence", "¿Ya no quieres estos correos? Date de baja aquí.\n<https://example.es/x>",
         {"U:https://example.es/x"}},
        {"URL in square brackets", "Unsubscribe [https://example.com/x]", {"U:https://example.com/x"}},
        {"URL line followed by its label", "https://example.com/x\n(unsubscribe from this list)",
         {"U:https://example.com/x"}},
        {"it: label line after", "https://example.it/x\nPer annullare l'iscrizione usa il link qui sopra.",
         {"U:https://example.it/x"}},
        {"wrapped URL in angle brackets",
         "To unsubscribe: <https://example.com/very/long/path/unsubscribe?id=12345&token=\nabcdef>\n",
         {"U:https://example.com/very/long/path/unsubscribe?id=12345&token=abcdef"}},
        {"wrapped URL, bare, broken after a delimiter",
         "To unsubscribe please visit https://example.com/a/very/long/path/to/the/page/\nunsub?id=12345\n",
         {"U:https://example.com/a/very/long/path/to/the/page/unsub?id=12345"}},
        {"a URL ending a sentence is not continued by the next word",
         "To unsubscribe from all our newsletters please visit https://example.com/page.\nThanks\n",
         {"U:https://example.com/page"}},
        {"short line and a word after it are not a wrapped URL",
         "Unsubscribe: https://example.com/u\nThanks\n", {"U:https://example.com/u"}},
        {"a sentence in the paragraph before a blank line does not count",
         "To unsubscribe, reply STOP.\n\nhttps://example.com/shop", {"-:https://example.com/shop"}},
        {"a sentence before, not about unsubscribing",
         "Our new collection is here. See it below.\nhttps://example.com/shop", {"-:https://example.com/shop"}},
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
