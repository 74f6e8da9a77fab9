// SPDX-License-Identifier: Apache-2.0
// Tests for lib/body_link: candidates, usability and every body_link reason code (DESIGN §5).
// Messages are built directly as ParsedMessage values (no MIME parser involved).
#include "checks/body_link.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

const cm::PhraseSet& phrases() {
    static auto set = cm::PhraseSet::create();
    REQUIRE(set.ok());
    return **set;
}

cm::TextPart html(std::string text, int group = -1) {
    cm::TextPart p;
    p.kind = cm::PartKind::html;
    p.text = "<html><body>" + std::move(text) + "</body></html>";
    p.alternative_group = group;
    return p;
}

cm::TextPart plain(std::string text, int group = -1) {
    cm::TextPart p;
    p.kind = cm::PartKind::plain;
    p.text = std::move(text);
    p.alternative_group = group;
    return p;
}

cm::ParsedMessage message(std::vector<cm::TextPart> parts, bool truncated = false) {
    cm::ParsedMessage m;
    m.parts = std::move(parts);
    m.truncated = truncated;
    return m;
}

cm::BodyLinkFinding check(const cm::ParsedMessage& m, bool every_part = true) {
    cm::BodyLinkOptions o;
    o.require_link_in_every_part = every_part;
    return cm::check_body_link(m, phrases(), o);
}

const std::string kGood = R"(<p><a href="https://example.com/u?id=1">Unsubscribe</a></p>)";

struct Case {
    const char* name;
    cm::ParsedMessage msg;
    std::string want;  // "" = pass
};

}  // namespace

TEST_CASE("each reason code has a failing and a passing message", "[body_link]") {
    auto c = GENERATE(values<Case>({
        {"missing: no unsubscribe wording",
         message({html(R"(<p><a href="https://example.com/shop">Shop now</a></p>)")}), "missing"},
        {"missing fixed", message({html(kGood)}), ""},

        {"hidden: display:none",
         message({html(R"(<p style="display:none"><a href="https://example.com/u">Unsubscribe</a></p>)")}),
         "hidden"},
        {"hidden: white on white",
         message({html(R"(<p><a style="color:#fff" href="https://example.com/u">Unsubscribe</a></p>)")}),
         "hidden"},
        {"hidden fixed", message({html(R"(<p><a style="color:#999;font-size:11px" href="https://example.com/u">Unsubscribe</a></p>)")}), ""},

        {"mailto-only in HTML",
         message({html(R"(<p><a href="mailto:leave@example.com">Unsubscribe</a></p>)")}), "mailto-only"},
        {"mailto-only in plain text",
         message({plain("To unsubscribe send a blank email to leave-x-1@lists.example.com\n")}), "mailto-only"},
        {"mailto-only fixed",
         message({plain("To unsubscribe send a blank email to leave-x-1@lists.example.com\n"
                        "or visit https://lists.example.com/leave?u=1\n")}), ""},

        {"unresolved-merge-tag",
         message({html(R"(<p><a href="*|UNSUB|*">unsubscribe from this list</a></p>)")}), "unresolved-merge-tag"},
        {"unresolved-merge-tag with template link text",
         message({html(R"(<p><a href="{{ UnsubscribeURL }}">{{ L.T "email.unsub" }}</a></p>)")}),
         "unresolved-merge-tag"},
        {"unresolved-merge-tag: real href, template link text",
         message({html(R"(<p>To stop receiving these: <a href="https://esp.example/u/7">{{ L.T "email.unsub" }}</a></p>)")}),
         "unresolved-merge-tag"},
        {"merge tag resolved", message({html(R"(<p><a href="https://us1.example.com/unsubscribe?u=ab12">unsubscribe from this list</a></p>)")}), ""},

        {"login-required",
         message({html(R"(<p><a href="https://example.com/account/login?returnUrl=%2Fnewsletter">Unsubscribe</a></p>)")}),
         "login-required"},
        {"login-required via tracking redirect",
         message({html(R"(<p><a href="https://t.example.net/r?url=https%3A%2F%2Fexample.com%2Fusers%2Fsign_in">Unsubscribe</a></p>)")}),
         "login-required"},
        {"no login needed", message({html(R"(<p><a href="https://example.com/newsletter/unsubscribe?t=9">Unsubscribe</a></p>)")}), ""},

        {"missing-in-text-part",
         message({plain("Hello, see our offers.\n", 0), html(kGood, 0)}), "missing-in-text-part"},
        {"missing-in-html-part",
         message({plain("Unsubscribe: https://example.com/u?id=1\n", 0),
                  html(R"(<p>Hello, see our offers.</p>)", 0)}),
         "missing-in-html-part"},
        {"both alternatives have a link",
         message({plain("Unsubscribe: https://example.com/u?id=1\n", 0), html(kGood, 0)}), ""},
        {"a standalone text part beside the HTML needs no link",
         message({html(kGood, -1), plain("Attached: the terms.\n", -1)}), ""},
        {"a text-only message needs the link in the text",
         message({plain("Big sale!\nhttps://example.com/shop\n")}), "missing"},

        {"truncated without a link", message({html("<p>Lots of content ...</p>")}, true), "truncated"},
        {"truncated, hidden link in the prefix",
         message({html(R"(<p hidden><a href="https://example.com/u">Unsubscribe</a></p>)")}, true), "truncated"},
        {"truncated but the link is in the prefix", message({html(kGood)}, true), ""},
    }));
    INFO(c.name);
    cm::BodyLinkFinding got = check(c.msg);
    CHECK(cm::reason_code(got.reason) == c.want);
    CHECK(got.pass == c.want.empty());
}

TEST_CASE("RequireLinkInEveryPart no: one usable link anywhere is enough", "[body_link]") {
    auto m = message({plain("Hello, see our offers.\n", 0), html(kGood, 0)});
    CHECK(check(m, false).pass);
    CHECK(check(m, true).reason == cm::Reason::body_link_missing_in_text_part);
}

TEST_CASE("neutral anchor text takes its meaning from the block", "[body_link]") {
    auto c = GENERATE(values<Case>({
        {"de: hier, phrase after the link",
         message({html(R"(<p><a href="https://example.de/n?u=1">Hier</a> können Sie sich vom Newsletter abmelden.</p>)")}), ""},
        {"en: phrase before click here",
         message({html(R"(<td>To stop receiving these emails, <a href="https://example.com/x">click here</a>.</td>)")}), ""},
        {"link-only word in the block counts for a link",
         message({html(R"(<p>Newsletter? <a href="https://example.de/x">hier</a> abmelden</p>)")}), ""},
        {"title attribute carries the phrase",
         message({html(R"(<p>Wenn Sie diese E-Mail nicht mehr erhalten möchten, klicken <a title="Abmeldung" href="https://example.de/x">Sie bitte hier.</a></p>)")}), ""},
        {"keyword in href, neutral text",
         message({html(R"(<p><font size="1"><a href="https://example.com/app/optOut/1/abc">click here</a></font></p>)")}), ""},
        {"bare URL as link text after a phrase",
         message({html(R"(<p>For a quick unsubscribe click here: <a href="http://example.com/unsub?e=1">http://example.com/unsub?e=1</a></p>)")}), ""},
        {"neutral text in an unrelated block",
         message({html(R"(<p>Read our latest article <a href="https://example.com/blog">here</a>.</p>)")}), "missing"},
        {"href '#' is not a link",
         message({html(R"(<p><a href="#">Click here to unsubscribe.</a></p>)")}), "missing"},
        {"Campaign Monitor <unsubscribe> tag is not a link",
         message({html(R"(<p><unsubscribe>Unsubscribe</unsubscribe></p>)")}), "missing"},
        {"preference-centre wording counts (policy)",
         message({html(R"(<p>You could change your <a href="https://example.com/p">subscription settings</a> anytime.</p>)")}), ""},
        {"profile wording does not",
         message({html(R"(<p><a href="https://example.com/p">Update your profile</a></p>)")}), "missing"},
    }));
    INFO(c.name);
    cm::BodyLinkFinding got = check(c.msg);
    CHECK(cm::reason_code(got.reason) == c.want);
}

TEST_CASE("a hidden decoy next to a visible link passes and both are listed", "[body_link]") {
    auto m = message({html(R"(<div style="display:none"><a href="https://example.com/u1">Unsubscribe</a></div>
        <p><a href="https://example.com/u2">Unsubscribe</a></p>)")});
    cm::BodyLinkFinding got = check(m);
    CHECK(got.pass);
    REQUIRE(got.links.size() == 2);
    CHECK(got.links[0].url == "https://example.com/u1");
    CHECK_FALSE(got.links[0].visible);
    CHECK(got.links[0].why == "display-none");
    CHECK(got.links[1].visible);
    CHECK(got.links[1].why.empty());
    CHECK(got.links[1].part == "text/html");
}

TEST_CASE("a neighbour with its own text is not a candidate", "[body_link]") {
    auto m = message({html(R"(<p><a href="https://example.com/u">Unsubscribe</a> | <a href="https://example.com/privacy">Privacy policy</a></p>)")});
    cm::BodyLinkFinding got = check(m);
    CHECK(got.pass);
    REQUIRE(got.links.size() == 1);
    CHECK(got.links[0].url == "https://example.com/u");
    CHECK(got.links[0].text == "Unsubscribe");
}

TEST_CASE("mixed problems: the most specific reason wins", "[body_link]") {
    // DESIGN §5: unresolved-merge-tag > hidden > login-required > mailto-only.
    auto c = GENERATE(values<Case>({
        {"visible merge tag beats hidden working link",
         message({html(R"(<p style="display:none"><a href="https://example.com/u">Unsubscribe</a></p>
                          <p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>)")}), "unresolved-merge-tag"},
        {"visible login beats visible mailto",
         message({html(R"(<p><a href="mailto:x@example.com">Unsubscribe</a> <a href="https://example.com/login">Unsubscribe online</a></p>)")}),
         "login-required"},
        {"hidden http beats visible mailto",
         message({plain("To unsubscribe write to off@example.com\n"),
                  html(R"(<p style="opacity:0"><a href="https://example.com/u">Unsubscribe</a></p>)")}),
         "hidden"},
        {"hidden beats login",
         message({html(R"(<p><a href="https://example.com/login">Unsubscribe</a><a hidden href="https://example.com/u">Unsubscribe</a></p>)")}),
         "hidden"},
        {"only hidden candidates, one of them a merge tag",
         message({html(R"(<div hidden><a href="*|UNSUB|*">Unsubscribe</a><a href="https://example.com/u">Unsubscribe</a></div>)")}),
         "unresolved-merge-tag"},
    }));
    INFO(c.name);
    CHECK(cm::reason_code(check(c.msg).reason) == c.want);
}

TEST_CASE("issue 12: a part with candidates reports its best candidate, not missing-in-part", "[body_link]") {
    // The text part has the URL; the HTML part's only link is unusable in some way.
    struct P { const char* name; const char* html; const char* text; const char* want; };
    auto c = GENERATE(values<P>({
        {"display:none (en)", R"(<p style="display:none"><a href="https://example.com/u">Unsubscribe</a></p>)",
         "Unsubscribe: https://example.com/u\n", "hidden"},
        {"1px (de)", R"(<p><a style="font-size:1px" href="https://example.com/u">Vom Newsletter abmelden</a></p>)",
         "Vom Newsletter abmelden: https://example.com/u\n", "hidden"},
        {"white on white (fr)", R"(<p style="color:#fff;background:#fff"><a style="color:#fff" href="https://example.com/u">Se désinscrire</a></p>)",
         "Se désinscrire : https://example.com/u\n", "hidden"},
        {"off-screen (es)", R"(<p style="position:absolute;left:-9999px"><a href="https://example.com/u">Darse de baja</a></p>)",
         "Para darse de baja: https://example.com/u\n", "hidden"},
        {"merge tag (nl)", R"(<p><a href="{{unsubscribe}}">Uitschrijven</a></p>)",
         "Uitschrijven: https://example.com/u\n", "unresolved-merge-tag"},
        {"login (it)", R"(<p><a href="https://example.com/login?next=/u">Annulla l'iscrizione</a></p>)",
         "Annulla l'iscrizione: https://example.com/u\n", "login-required"},
        {"mailto (pl)", R"(<p><a href="mailto:off@example.com">Wypisz się</a></p>)",
         "Wypisz się: https://example.com/u\n", "mailto-only"},
        {"no candidate at all", R"(<p>Hello</p>)",
         "Unsubscribe: https://example.com/u\n", "missing-in-html-part"},
        {"passing: visible in both", R"(<p><a href="https://example.com/u">Abbestellen</a></p>)",
         "Abbestellen: https://example.com/u\n", ""},
    }));
    INFO(c.name);
    cm::BodyLinkFinding got = check(message({plain(c.text, 0), html(c.html, 0)}));
    CHECK(cm::reason_code(got.reason) == c.want);
    REQUIRE(got.parts.size() == 2);
    CHECK(got.parts[0].part == "text/plain");
    CHECK(got.parts[0].pass);
    CHECK(got.parts[1].part == "text/html");
    CHECK(got.parts[1].pass == std::string(c.want).empty());
    CHECK(cm::reason_code(got.parts[1].reason) == c.want);
}

TEST_CASE("issue 12: mailto-only is named as such", "[body_link][issue12]") {
    auto c = GENERATE(values<Case>({
        {"en: UNSUBSCRIBE block, address as mailto text",
         message({html(R"(<table><tr><td><h3>UNSUBSCRIBE</h3></td></tr><tr><td><p>To be removed from our mailing lists, send an email to:</p>
                          <p><a href="mailto:lists@shop.example">lists@shop.example</a></p></td></tr></table>)")}),
         "mailto-only"},
        {"de: address introduced by a colon",
         message({html(R"(<p>Vom Newsletter abmelden? Schreiben Sie an:</p><p><a href="mailto:info@shop.example">info@shop.example</a></p>)")}),
         "mailto-only"},
        {"en: reply with REMOVE in the subject (html)",
         message({html(R"(<p>Great offers. To stop these mails reply to this message with REMOVE in the subject line.</p>)")}),
         "mailto-only"},
        {"en: reply with REMOVE (text)", message({plain("Reply with REMOVE to be taken off.\n")}), "mailto-only"},
        {"de: Betreff Abmelden", message({plain("Antworten Sie mit dem Betreff \"Abmelden\".\n")}), "mailto-only"},
        {"fr: STOP en objet", message({html(R"(<p>Répondez avec STOP en objet de votre e-mail.</p>)")}), "mailto-only"},
        {"es: BAJA en el asunto", message({plain("Responda a este correo con BAJA en el asunto.\n")}), "mailto-only"},
        {"nl: onderwerp afmelden", message({plain("Stuur een e-mail met als onderwerp 'afmelden'.\n")}), "mailto-only"},
        {"ja: 件名に配信停止", message({plain("件名に「配信停止」と記入してご返信ください。\n")}), "mailto-only"},
        {"no instruction: a subject line mentioned otherwise",
         message({plain("The subject of this week's issue is spring.\n")}), "missing"},
        {"address not introduced: a contact address stays missing",
         message({html(R"(<p>Questions? <a href="mailto:help@shop.example">help@shop.example</a></p>)")}), "missing"},
        {"passing: a web link beside the mail instruction",
         message({html(R"(<p>Reply with REMOVE in the subject, or <a href="https://shop.example/u">unsubscribe</a>.</p>)")}), ""},
    }));
    INFO(c.name);
    CHECK(cm::reason_code(check(c.msg).reason) == c.want);
}

TEST_CASE("plain-text candidates are reported with their phrase", "[body_link]") {
    auto m = message({plain("To unsubscribe from promotional e-mail go to:\nhttp://www.example.com/ep\n")});
    cm::BodyLinkFinding got = check(m);
    CHECK(got.pass);
    REQUIRE(got.links.size() == 1);
    CHECK(got.links[0].part == "text/plain");
    CHECK(got.links[0].url == "http://www.example.com/ep");
    CHECK(got.links[0].text == "To unsubscribe from promotional e-mail go to:");
    CHECK(got.links[0].visible);
}

TEST_CASE("sign-in URLs", "[body_link]") {
    struct L { const char* url; bool want; };
    auto l = GENERATE(values<L>({
        {"https://example.com/login", true},
        {"https://example.com/Login?next=/unsubscribe", true},
        {"https://example.com/signin", true},
        {"https://example.com/sign-in/", true},
        {"https://example.com/users/sign_in", true},
        {"https://example.com/auth/login", true},
        {"https://example.com/account/login?returnUrl=%2Fprefs", true},
        {"https://example.com/wp-login.php?action=x", true},
        {"https://example.com/logon.aspx", true},
        {"https://example.com/u?return_to=%2Flogin", true},
        {"https://t.example.net/c?redirect=https%3A%2F%2Fexample.com%2Fsignin%3Fnext%3D%252Fu", true},
        {"https://example.com/unsubscribe?u=1", false},
        {"https://example.com/login-help-center/unsubscribe", false},
        {"https://login.example.com/unsubscribe", false},
        {"https://example.com/u?next=%2Fthanks", false},
    }));
    INFO(l.url);
    CHECK(cm::is_login_url(l.url) == l.want);
}
