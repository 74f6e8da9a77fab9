// SPDX-License-Identifier: Apache-2.0
// Tests for lib/phrases: the built-in multilingual set, contexts, neutral wording, word
// boundaries, user patterns (errors, catastrophic backtracking) and thread safety.
#include "checks/phrases.h"
#include "cpu_stopwatch.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

namespace {

const cm::PhraseSet& builtin() {
    static auto set = cm::PhraseSet::create();
    REQUIRE(set.ok());
    return **set;
}

struct Case {
    const char* lang;
    const char* text;
    bool want;
};

}  // namespace

TEST_CASE("every language has a word and a sentence that count in plain text", "[phrases]") {
    auto c = GENERATE(values<Case>({
        {"en", "Unsubscribe", true},
        {"en", "If you no longer wish to receive these emails, use the link below", true},
        {"en", "To stop receiving our newsletter visit", true},
        {"en", "Opt-out", true},
        {"en", "Don’t want to receive these emails anymore?", true},
        {"de", "Newsletter abbestellen", true},
        {"de", "Wenn Sie unseren Newsletter nicht mehr erhalten möchten, klicken Sie", true},
        {"de", "Sie möchten keine E-Mails mehr von uns?", true},
        {"de", "Von allen REWE Newslettern abmelden", true},
        {"fr", "Se désabonner", true},
        {"fr", "Si vous ne souhaitez plus recevoir nos e-mails", true},
        {"fr", "désinscription", true},
        {"es", "Darse de baja", true},
        {"es", "Si no desea recibir más correos", true},
        {"es", "Cancelar suscripción", true},
        {"it", "Disiscriviti", true},
        {"it", "Se non desideri più ricevere questa newsletter", true},
        {"it", "annulla l'iscrizione", true},
        {"pt", "Descadastrar", true},
        {"pt", "Se não deseja mais receber nossos e-mails", true},
        {"pt", "Cancelar inscrição", true},
        {"nl", "Uitschrijven", true},
        {"nl", "Als u deze nieuwsbrief niet meer wilt ontvangen", true},
        {"sv", "Avregistrera", true},
        {"sv", "Avsluta prenumeration", true},
        {"sv", "Om du inte längre vill ha våra nyhetsbrev", true},
        {"da", "Afmeld nyhedsbrev", true},
        {"da", "Hvis du ikke længere ønsker at modtage vores mails", true},
        {"no", "Avmeld", true},
        {"no", "Hvis du ikke lenger ønsker å motta e-post fra oss", true},
        {"fi", "Peruuta tilaus", true},
        {"fi", "Jos et halua enää vastaanottaa uutiskirjettä", true},
        {"pl", "Wypisz się", true},
        {"pl", "Rezygnacja z subskrypcji", true},
        {"pl", "Jeśli nie chcesz już otrzymywać wiadomości", true},
        {"cs", "Odhlásit z odběru", true},
        {"cs", "Pokud si nepřejete dostávat tyto e-maily", true},
        {"sk", "Odhlásiť sa z odberu", true},
        {"sk", "Ak si neželáte dostávať naše e-maily", true},
        {"hu", "Leiratkozás", true},
        {"hu", "Ha nem szeretne több levelet kapni", true},
        {"ro", "Dezabonare", true},
        {"ro", "Dacă nu mai doriți să primiți e-mailuri", true},
        {"bg", "Отписване", true},
        {"bg", "Ако не желаете да получавате нашия бюлетин", true},
        {"el", "Απεγγραφή", true},
        {"el", "Αν δεν επιθυμείτε πλέον να λαμβάνετε αυτά τα μηνύματα", true},
        {"ru", "Отписаться от рассылки", true},
        {"ru", "Если вы не хотите больше получать письма", true},
        {"uk", "Відписатися", true},
        {"uk", "Якщо ви не бажаєте отримувати листи", true},
        {"tr", "Abonelikten çık", true},
        {"tr", "ABONELİKTEN ÇIKMAK İÇİN", true},
        {"tr", "Aboneliğinizi iptal edin", true},
        {"tr", "E-posta almak istemiyorsanız tıklayın", true},
        {"ja", "配信停止", true},
        {"ja", "メールの配信を希望されない方はこちら", true},
        {"zh-Hans", "退订", true},
        {"zh-Hans", "如果您不想再收到此类邮件，请点击", true},
        {"zh-Hant", "取消訂閱", true},
        {"zh-Hant", "若您不希望再收到電子報", true},
        {"ko", "수신거부", true},
        {"ko", "더 이상 수신을 원하지 않으시면 여기를 클릭하세요", true},
        {"ar", "إلغاء الاشتراك", true},
        {"ar", "إذا كنت لا ترغب في تلقي هذه الرسائل", true},
        {"he", "להסרה", true},
        {"he", "אם אינך מעוניין לקבל הודעות נוספות", true},
        {"he", "ביטול מנוי", true},
        {"hr", "Odjava s newslettera", true},
        {"hr", "Ako ne želite više primati naše e-poruke", true},
        {"sl", "Odjava od prejemanja e-novic", true},
        {"sl", "Če ne želite več prejemati obvestil", true},
        {"lt", "Atsisakyti prenumeratos", true},
        {"lt", "Jei nebenorite gauti laiškų", true},
        {"lv", "Atrakstīties", true},
        {"lv", "Ja nevēlaties saņemt jaunumus", true},
        {"et", "Loobu uudiskirjast", true},
        {"et", "Kui te ei soovi enam uudiskirja saada", true},
        {"vi", "Hủy đăng ký", true},
        {"vi", "Nếu bạn không muốn nhận email này nữa", true},
        {"th", "ยกเลิกการสมัครรับข่าวสาร", true},
        {"th", "หากไม่ต้องการรับอีเมลนี้", true},
        {"id", "Berhenti berlangganan", true},
        {"id", "Jika Anda tidak ingin menerima email ini lagi", true},
        {"hi", "सदस्यता समाप्त करें", true},
        {"hi", "यदि आप ये ईमेल प्राप्त नहीं करना चाहते हैं", true},
        // Preference-centre wording counts (policy, see phrases.txt).
        {"en-pref", "You could change your subscription settings anytime.", true},
        {"en-pref", "Manage your email preferences", true},
        {"en-pref", "Update your profile", false},
        {"en-pref", "To change your subscription visit", false},
        // Ordinary text.
        {"en", "Read our privacy policy", false},
        {"en", "Subscribe to our newsletter", false},
        {"de", "Hier geht es zum Shop", false},
        {"ja", "詳しくはこちら", false},
    }));
    INFO(c.lang << ": " << c.text);
    CHECK(builtin().is_unsubscribe(c.text, cm::PhraseContext::plain_text) == c.want);
    // Whatever counts in plain text counts in a link too.
    if (c.want) CHECK(builtin().is_unsubscribe(c.text, cm::PhraseContext::html_link));
}

TEST_CASE("log-out words count only as link text", "[phrases]") {
    auto text = GENERATE(as<std::string>{}, "abmelden", "Abmelden", "Abmeldung", "afmelden",
                         "Odhlásit", "Odhlásiť", "Odjava", "Διαγραφή");
    INFO(text);
    CHECK(builtin().is_unsubscribe(text, cm::PhraseContext::html_link));
    CHECK_FALSE(builtin().is_unsubscribe(text, cm::PhraseContext::plain_text));
}

TEST_CASE("neutral link wording takes its meaning from the block", "[phrases]") {
    auto c = GENERATE(values<Case>({
        {"en", "click here", true},
        {"en", "Click here.", true},
        {"en", "here", true},
        {"en", "this link", true},
        {"en", "", true},
        {"en", "  ", true},
        {"url", "https://example.com/u?id=1", true},
        {"url", "<http://example.com/x>", true},
        {"sym", "»", true},
        {"de", "hier", true},
        {"de", "klicken Sie bitte hier.", true},
        {"de", "Sie bitte hier.", true},
        {"fr", "cliquez ici", true},
        {"es", "haga clic aquí", true},
        {"it", "clicca qui", true},
        {"pt", "clique aqui", true},
        {"nl", "klik hier", true},
        {"sv", "här", true},
        {"fi", "tästä", true},
        {"pl", "tutaj", true},
        {"cs", "zde", true},
        {"hu", "itt", true},
        {"ro", "aici", true},
        {"bg", "тук", true},
        {"el", "εδώ", true},
        {"ru", "здесь", true},
        {"uk", "тут", true},
        {"tr", "buraya", true},
        {"ja", "こちら", true},
        {"zh", "点击这里", true},
        {"zh-Hant", "這裡", true},
        {"ko", "여기", true},
        {"ar", "هنا", true},
        {"he", "כאן", true},
        // Word-boundary traps: these are not the neutral word.
        {"en", "where", false},
        {"en", "there", false},
        {"en", "Shop now", false},
        {"en", "Privacy policy", false},
        {"en", "unsubscribe here", false},
        {"url", "see https://example.com", false},
    }));
    INFO(c.lang << ": \"" << c.text << "\"");
    CHECK(builtin().is_neutral(c.text) == c.want);
}

TEST_CASE("phrases do not match inside other words", "[phrases]") {
    auto c = GENERATE(values<Case>({
        {"en", "Let's adopt outright the new plan", false},
        {"en", "remove meat from the grill", false},
        {"en", "unsubscribed", true},
        {"ru", "описание", false},
        {"he", "הסרט החדש", false},    // "the new film": not "remove"
        {"he", "לחצו להסרה", true},
        {"de", "Zeitungen austragen", false},
        {"da", "Du kan afmelde dig", true},
    }));
    INFO(c.lang << ": " << c.text);
    CHECK(builtin().is_unsubscribe(c.text, cm::PhraseContext::plain_text) == c.want);
}

TEST_CASE("phrases match across white space runs and non-breaking spaces", "[phrases]") {
    CHECK(builtin().is_unsubscribe("stop\n   receiving", cm::PhraseContext::plain_text));
    CHECK(builtin().is_unsubscribe("darse\xC2\xA0" "de\xC2\xA0" "baja", cm::PhraseContext::plain_text));
    // Invalid UTF-8 does not make a phrase disappear.
    CHECK(builtin().is_unsubscribe("\xFF\xFE unsubscribe", cm::PhraseContext::plain_text));
}

TEST_CASE("user patterns extend the set, with sections", "[phrases]") {
    auto set = cm::PhraseSet::create({"# my words", "", "zustellung beenden", "[link-only]",
                                      "weg\\s+damit", "[neutral]", "genau hier"});
    REQUIRE(set.ok());
    const cm::PhraseSet& s = **set;
    CHECK(s.is_unsubscribe("Die Zustellung beenden", cm::PhraseContext::plain_text));
    CHECK(s.is_unsubscribe("Weg damit", cm::PhraseContext::html_link));
    CHECK_FALSE(s.is_unsubscribe("Weg damit", cm::PhraseContext::plain_text));
    CHECK(s.is_neutral("genau hier"));
    CHECK(s.is_unsubscribe("unsubscribe", cm::PhraseContext::plain_text));  // built-ins stay
    CHECK_FALSE(builtin().is_unsubscribe("Die Zustellung beenden", cm::PhraseContext::plain_text));
}

TEST_CASE("a user pattern that does not compile is named in the error", "[phrases]") {
    auto set = cm::PhraseSet::create({"fine", "unsub(scribe"});
    REQUIRE_FALSE(set.ok());
    CHECK(set.status().code() == cm::Status::Code::invalid_argument);
    CHECK(set.status().message() ==
          "unsubscribe phrase pattern \"unsub(scribe\" does not compile: missing closing parenthesis");
}

TEST_CASE("catastrophic backtracking is cut off and counts as no match", "[phrases]") {
    auto set = cm::PhraseSet::create({"(a+)+$"});
    REQUIRE(set.ok());
    std::string text(40, 'a');
    text += "!b";  // a non-word char so the boundary lookahead does not end the search early
    cm::test::CpuStopwatch cpu;
    bool got = (*set)->is_unsubscribe(text, cm::PhraseContext::plain_text);
    CHECK_FALSE(got);
    CHECK(cpu.seconds() < 1.0);
}

TEST_CASE("a PhraseSet is shared between threads", "[phrases]") {
    const cm::PhraseSet& s = builtin();
    std::vector<std::thread> threads;
    std::vector<int> hits(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i)
                hits[t] += s.is_unsubscribe("Se désabonner", cm::PhraseContext::plain_text) &&
                           !s.is_unsubscribe("Read more", cm::PhraseContext::plain_text);
        });
    for (auto& th : threads) th.join();
    for (int h : hits) CHECK(h == 500);
}
