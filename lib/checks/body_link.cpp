// SPDX-License-Identifier: Apache-2.0
// body_link.cpp - the body_link check (DESIGN §5).
//
// Candidates. An HTML <a href> is an unsubscribe candidate when
//   (a) its text (anchor text + alt/title) matches the phrase set (html_link context), or
//   (b) its text is neutral ("click here", "hier", a bare URL or address, empty) or an
//       unrendered template expression ("{{ L.T "email.unsub" }}"), and its block text matches,
//       or it stands alone in its block after text ending in ':' that matches (introduced()),
//       or its href holds an unsubscribe keyword (text_links.h).
// A link whose own text says something else ("Privacy policy" beside "Unsubscribe") is never a
// candidate. href "" or "#..." is not a link at all and is skipped. In text/plain parts the
// candidates are the links find_text_links() marks as unsubscribe links. A part without a usable
// candidate whose text says to unsubscribe by e-mail ("reply with REMOVE in the subject", the
// [by-mail] phrases) gets a mailto candidate for that instruction.
//
// Usable = visible, and the URL is http(s), without an unresolved merge tag, not a sign-in page.
//
// Verdict. Pass when a usable candidate exists - and, with RequireLinkInEveryPart, when every
// part of each alternative group that has one also has its own. Only parts of the same
// multipart/alternative render the same content; a standalone part (alternative_group -1) needs
// no link of its own. A truncated message (only a prefix was scanned) that fails says
// `truncated`, whatever was seen.
// Reasons (DESIGN §5, "Which reason a failing body_link reports"): the most specific cause wins.
// A part with candidates but no usable one reports its best candidate's fault, in the order
// unresolved-merge-tag > hidden > login-required > mailto-only (part_outcome()); a part without
// a candidate (or with only javascript:/relative ones) is missing-in-html-part /
// missing-in-text-part. The message reports the failing part's reason; when no part has a
// usable link, the most specific part reason, or `missing` when no part has a candidate.
// Policy: preference-centre wording ("subscription settings", "manage subscription",
// "email preferences") counts as an unsubscribe phrase (lib/checks/phrases.txt); "update your
// profile" does not. A Campaign Monitor <unsubscribe> custom tag is not an <a> and not a link.
#include "checks/body_link.h"

#include <algorithm>
#include <cctype>

#include "checks/merge_tags.h"
#include "util/pattern_budget.h"
#include "checks/text_links.h"
#include "util/text_util.h"

namespace cm {
namespace {

// What keeps a candidate's URL from being usable.
enum class UrlProblem { none, login, merge_tag, mailto, not_http };

const char* problem_why(UrlProblem p) {
    switch (p) {
        case UrlProblem::none: return "";
        case UrlProblem::login: return "login";
        case UrlProblem::merge_tag: return "merge-tag";
        case UrlProblem::mailto: return "mailto";
        case UrlProblem::not_http: return "not-http";
    }
    return "";
}

UrlProblem url_problem(std::string_view url) {
    url = trim(url);
    if (has_unresolved_merge_tag(url)) return UrlProblem::merge_tag;
    if (istarts_with(url, "mailto:")) return UrlProblem::mailto;
    if (!istarts_with(url, "http://") && !istarts_with(url, "https://")) return UrlProblem::not_http;
    if (is_login_url(url)) return UrlProblem::login;
    return UrlProblem::none;
}

// "{{ UnsubscribeURL }}", "{% trans %}", "*|UNSUB|*", "<%x%>", "%%x%%": template markup that
// was never rendered. As link text it says nothing, like "click here".
bool is_template_expression(std::string_view text) {
    text = trim(text);
    if (text.size() < 4) return false;
    std::string_view open = text.substr(0, 2), close = text.substr(text.size() - 2);
    return (open == "{{" && close == "}}") || (open == "{%" && close == "%}") ||
           (open == "*|" && close == "|*") || (open == "<%" && close == "%>") ||
           (open == "%%" && close == "%%");
}

struct Candidate {
    BodyLink link;
    std::size_t part = 0;
    UrlProblem problem = UrlProblem::none;
    bool usable() const { return link.visible && problem == UrlProblem::none; }
};

std::string join_why(std::string_view hidden, UrlProblem p) {
    std::string why(hidden);
    if (p != UrlProblem::none) {
        if (!why.empty()) why += ',';
        why += problem_why(p);
    }
    return why;
}

// The CSS limit note of `scan`, or "": past a CSS limit some rules were not applied, so a link
// that looks visible may be hidden by one of them.
std::string css_limit_hit(const HtmlScan& scan) {
    for (const std::string& n : scan.notes)
        if (n == "limit:css-rules" || n == "limit:css-work") return n;
    return {};
}

// A part without a usable candidate whose text tells the reader to unsubscribe by e-mail
// ("reply with REMOVE in the subject") gets a mailto candidate for it: mailto-only, not missing.
void add_mail_instruction(std::string_view text, const char* part, std::size_t index, const PhraseSet& phrases,
                          PatternBudget& budget, std::vector<Candidate>& out) {
    if (std::any_of(out.begin(), out.end(), [&](const Candidate& c) { return c.part == index && c.usable(); }))
        return;
    if (!phrases.is_mail_instruction(text, &budget)) return;
    Candidate c;
    c.part = index;
    c.problem = UrlProblem::mailto;
    c.link = {part, "", "(instruction to unsubscribe by e-mail)", true, problem_why(c.problem)};
    out.push_back(std::move(c));
}

// A link alone in its block, right after text ending in ':' ("To be removed from our lists,
// send an e-mail to:" / <p><a href="mailto:...">address</a></p>): that text introduces it.
bool introduced(const HtmlLink& l) {
    std::string_view before = trim(l.text_before);
    return !before.empty() && before.back() == ':' && l.text.rfind(l.block_text, 0) == 0;
}

void html_candidates(const TextPart& part, std::size_t index, const PhraseSet& phrases,
                     const BodyLinkOptions& options, PatternBudget& budget, std::vector<Candidate>& out,
                     std::vector<std::string>& notes) {
    HtmlScan scan = extract_html_links(part.text, options.visibility);
    for (const std::string& n : scan.notes) add_note(notes, n);
    const std::string css_limit = css_limit_hit(scan);
    for (HtmlLink& l : scan.links) {
        std::string_view href = trim(l.href);
        if (href.empty() || href.front() == '#') continue;  // not a link
        if (!css_limit.empty() && l.visible) {  // fail closed: visibility not fully known
            l.visible = false;
            l.why = css_limit;
        }
        std::string shown;
        if (phrases.is_unsubscribe(l.text, PhraseContext::html_link, &budget)) {
            shown = l.text;
        } else if (phrases.is_neutral(l.text, &budget) || is_template_expression(l.text)) {
            if (phrases.is_unsubscribe(l.block_text, PhraseContext::html_link, &budget))
                shown = l.block_text;
            else if (introduced(l) && phrases.is_unsubscribe(l.text_before, PhraseContext::html_link, &budget))
                shown = l.text_before;
            else if (url_has_unsubscribe_keyword(href))
                shown = l.text.empty() ? std::string(href) : l.text;
            else
                continue;
        } else {
            continue;
        }
        Candidate c;
        c.part = index;
        c.problem = url_problem(href);
        // Link text that is still template markup was never rendered: the reader sees braces.
        if (c.problem == UrlProblem::none && is_template_expression(l.text)) c.problem = UrlProblem::merge_tag;
        c.link = {"text/html", std::string(href), std::move(shown), l.visible,
                  join_why(l.visible ? "" : l.why, c.problem)};
        out.push_back(std::move(c));
    }
    add_mail_instruction(scan.visible_text, "text/html", index, phrases, budget, out);
}

void plain_candidates(const TextPart& part, std::size_t index, const PhraseSet& phrases,
                      PatternBudget& budget, std::vector<Candidate>& out) {
    for (TextLink& l : find_text_links(part.text, phrases, &budget)) {
        if (!l.unsubscribe) continue;
        Candidate c;
        c.part = index;
        c.problem = l.kind == TextLink::Kind::http ? url_problem(l.url) : UrlProblem::mailto;
        std::string url = l.kind == TextLink::Kind::address ? "mailto:" + l.url : l.url;
        c.link = {"text/plain", std::move(url), std::move(l.context), true, problem_why(c.problem)};
        out.push_back(std::move(c));
    }
    add_mail_instruction(part.text, "text/plain", index, phrases, budget, out);
}

// Why a candidate is not usable, most specific first (DESIGN §5); usable last.
enum class Fault { merge_tag, hidden, login, mailto, other, usable };

Fault fault_of(const Candidate& c) {
    if (c.problem == UrlProblem::merge_tag) return Fault::merge_tag;
    if (!c.link.visible) return Fault::hidden;
    switch (c.problem) {
        case UrlProblem::none: return Fault::usable;
        case UrlProblem::login: return Fault::login;
        case UrlProblem::mailto: return Fault::mailto;
        default: return Fault::other;
    }
}

// The reason of a fault; Fault::other and Fault::usable have none.
Reason fault_reason(Fault f) {
    switch (f) {
        case Fault::merge_tag: return Reason::body_link_merge_tag;
        case Fault::hidden: return Reason::body_link_hidden;
        case Fault::login: return Reason::body_link_login_required;
        case Fault::mailto: return Reason::body_link_mailto_only;
        default: return Reason::none;
    }
}

// The one place a part's outcome is decided: pass when it has a usable candidate, else its
// best candidate's reason, else missing-in-{html,text}-part.
PartOutcome part_outcome(const TextPart& part, std::size_t index, const std::vector<Candidate>& cands) {
    Fault best = Fault::other;
    bool usable = false;
    for (const Candidate& c : cands) {
        if (c.part != index) continue;
        Fault f = fault_of(c);
        if (f == Fault::usable) usable = true;
        else best = std::min(best, f);
    }
    PartOutcome out{part.kind == PartKind::html ? "text/html" : "text/plain", usable, Reason::none};
    if (!usable)
        out.reason = best != Fault::other ? fault_reason(best)
                     : part.kind == PartKind::html ? Reason::body_link_missing_in_html_part
                                                   : Reason::body_link_missing_in_text_part;
    return out;
}

// The message's reason when no part has a usable link: the most specific part reason, or
// `missing` when no part has a candidate.
Reason failure_reason(const std::vector<Candidate>& cands) {
    Fault best = Fault::other;
    for (const Candidate& c : cands) best = std::min(best, fault_of(c));
    return best == Fault::other ? Reason::body_link_missing : fault_reason(best);
}

// RequireLinkInEveryPart: the first part of an alternative group lacking a link that another
// part of the same group has; nullptr when every such group is complete.
const PartOutcome* part_missing_link(const ParsedMessage& m, const std::vector<PartOutcome>& parts) {
    for (std::size_t i = 0; i < m.parts.size(); ++i) {
        int g = m.parts[i].alternative_group;
        if (g < 0 || parts[i].pass) continue;
        for (std::size_t j = 0; j < m.parts.size(); ++j)
            if (j != i && m.parts[j].alternative_group == g && parts[j].pass) return &parts[i];
    }
    return nullptr;
}

constexpr int kMaxRedirectDepth = 3;

bool login_target(std::string_view url, int depth);

// Path segment names of sign-in pages, extension removed, lower case.
bool is_login_segment(std::string seg) {
    for (std::string_view ext : {".php", ".aspx", ".asp", ".html", ".htm", ".jsp", ".do", ".cgi", ".cfm"})
        if (seg.size() > ext.size() && seg.compare(seg.size() - ext.size(), ext.size(), ext) == 0) {
            seg.resize(seg.size() - ext.size());
            break;
        }
    static constexpr std::string_view kNames[] = {"login", "log-in", "log_in", "signin", "sign-in",
                                                 "sign_in", "logon", "log-on", "wp-login"};
    return std::find(std::begin(kNames), std::end(kNames), seg) != std::end(kNames);
}

bool is_redirect_param(const std::string& name) {
    static constexpr std::string_view kNames[] = {
        "returnurl", "return_url", "returnto", "return_to", "return", "next", "redirect",
        "redirect_url", "redirecturl", "redirect_uri", "redirect_to", "continue", "goto", "url",
        "target", "dest", "destination"};
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

// url: absolute http(s) URL, or a path ("/login?x") as found in a redirect parameter.
bool login_target(std::string_view url, int depth) {
    std::size_t path_at = 0;
    if (std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
        path_at = url.find_first_of("/?#", scheme + 3);
        if (path_at == std::string_view::npos) return false;
    } else if (url.empty() || url.front() != '/') {
        return false;
    }
    std::size_t query_at = url.find_first_of("?#", path_at);
    std::string path = ascii_lower(percent_decode(url.substr(path_at, query_at - path_at)));
    for (std::size_t b = 0; b < path.size();) {
        std::size_t e = path.find('/', b);
        if (e == std::string::npos) e = path.size();
        if (is_login_segment(path.substr(b, e - b))) return true;
        b = e + 1;
    }
    if (query_at == std::string_view::npos || url[query_at] != '?' || depth >= kMaxRedirectDepth)
        return false;
    std::string_view query = url.substr(query_at + 1);
    query = query.substr(0, query.find('#'));
    for (std::size_t b = 0; b <= query.size();) {
        std::size_t e = query.find('&', b);
        if (e == std::string_view::npos) e = query.size();
        std::string_view kv = query.substr(b, e - b);
        std::size_t eq = kv.find('=');
        if (eq != std::string_view::npos && is_redirect_param(ascii_lower(kv.substr(0, eq))) &&
            login_target(percent_decode(kv.substr(eq + 1)), depth + 1))
            return true;
        b = e + 1;
    }
    return false;
}

}  // namespace

bool is_login_url(std::string_view url) { return login_target(trim(url), 0); }

BodyLinkFinding check_body_link(const ParsedMessage& message, const PhraseSet& phrases,
                                const BodyLinkOptions& options) {
    BodyLinkFinding f;
    PatternBudget budget;
    std::vector<Candidate> cands;
    for (std::size_t i = 0; i < message.parts.size(); ++i) {
        const TextPart& part = message.parts[i];
        if (part.kind == PartKind::html)
            html_candidates(part, i, phrases, options, budget, cands, f.notes);
        else
            plain_candidates(part, i, phrases, budget, cands);
    }
    if (budget.any_spent()) add_note(f.notes, "limit:pattern");

    for (const Candidate& c : cands) f.links.push_back(c.link);
    for (std::size_t i = 0; i < message.parts.size(); ++i)
        f.parts.push_back(part_outcome(message.parts[i], i, cands));
    bool any = std::any_of(f.parts.begin(), f.parts.end(), [](const PartOutcome& p) { return p.pass; });
    Reason reason = Reason::none;
    if (!any) {
        reason = failure_reason(cands);
    } else if (options.require_link_in_every_part) {
        if (const PartOutcome* lacking = part_missing_link(message, f.parts)) reason = lacking->reason;
    }
    // Only a prefix was scanned: the link may well be in the rest.
    if (reason != Reason::none && message.truncated) reason = Reason::body_link_truncated;
    f.pass = reason == Reason::none;
    f.reason = reason;
    return f;
}

}  // namespace cm
