// SPDX-License-Identifier: Apache-2.0
#include "bench_messages.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace cm::bench {

namespace {

constexpr std::size_t kHtmlBytes = 48 * 1024;     // decoded HTML part
constexpr std::size_t kMessageBytes = 59 * 1024;  // whole newsletter
constexpr const char* kBoundaryAlt = "=_alt_5f3c2a9b7e";
constexpr const char* kBoundaryMixed = "=_mix_81d04c6a2f";
constexpr const char* kUnsubscribeUrl = "https://shop.example/unsubscribe?u=8f14e45fceea167a&l=spring";

const char* const kProducts[] = {
    "Linen shirt", "Denim jacket", "Canvas sneakers", "Wool scarf", "Leather belt",
    "Rain coat", "Cotton hoodie", "Silk tie", "Travel bag", "Sun glasses",
    "Chino trousers", "Knit sweater", "Ankle boots", "Baseball cap", "Swim shorts",
    "Polo shirt", "Running tights", "Down vest", "Beanie", "Watch strap",
};
constexpr int kProductCount = 20;

// Soft-wrapped quoted-printable (RFC 2045 6.7) of text whose lines end in '\n'; CRLF out.
std::string quoted_printable(std::string_view text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    std::size_t column = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned char ch = static_cast<unsigned char>(text[i]);
        if (ch == '\n') {
            out += "\r\n";
            column = 0;
            continue;
        }
        bool line_end_next = i + 1 == text.size() || text[i + 1] == '\n';
        bool literal = (ch >= 33 && ch <= 126 && ch != '=') || ((ch == ' ' || ch == '\t') && !line_end_next);
        std::size_t width = literal ? 1 : 3;
        if (column + width > 75) {
            out += "=\r\n";
            column = 0;
        }
        if (literal) {
            out += static_cast<char>(ch);
        } else {
            out += '=';
            out += hex[ch >> 4];
            out += hex[ch & 15];
        }
        column += width;
    }
    return out;
}

std::string base64_lines(std::string_view data) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve(data.size() / 57 * 78 + 80);
    std::size_t column = 0;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        std::uint32_t n = static_cast<unsigned char>(data[i]) << 16;
        std::size_t have = data.size() - i;
        if (have > 1) n |= static_cast<unsigned char>(data[i + 1]) << 8;
        if (have > 2) n |= static_cast<unsigned char>(data[i + 2]);
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += have > 1 ? digits[(n >> 6) & 63] : '=';
        out += have > 2 ? digits[n & 63] : '=';
        column += 4;
        if (column == 76) {
            out += "\r\n";
            column = 0;
        }
    }
    if (column) out += "\r\n";
    return out;
}

std::string product_url(int i) {
    return "https://shop.example/p/" + std::to_string(1000 + i) + "?utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=spring";
}

std::string product_block(int i) {
    std::string name = kProducts[i];
    std::string price = std::to_string(19 + i * 3) + ",95\xE2\x82\xAC";  // "€"
    return
        "<td class=\"col\" width=\"290\" valign=\"top\" style=\"padding:10px 5px 20px 5px;\">\n"
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#ffffff;border:1px solid #e5e5e5;\">\n"
        "<tr><td align=\"center\" style=\"padding:0;\">\n"
        "<a href=\"" + product_url(i) + "\" target=\"_blank\" style=\"text-decoration:none;color:#222222;display:block;\">\n"
        "<img src=\"https://img.shop.example/p/" + std::to_string(1000 + i) + "/600x600.jpg\" width=\"280\" height=\"280\" alt=\"" + name +
        "\" style=\"display:block;width:100%;max-width:280px;height:auto;border:0;outline:none;\" class=\"fluid\">\n"
        "<span class=\"product-name\" style=\"display:block;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:22px;font-weight:bold;color:#222222;padding:12px 10px 4px 10px;\">" + name + "</span>\n"
        "<span class=\"product-price\" style=\"display:block;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:20px;color:#c8102e;padding:0 10px 6px 10px;\">" + price + " <s style=\"color:#888888;font-size:13px;\">" +
        std::to_string(29 + i * 3) + ",95\xE2\x82\xAC</s></span>\n"
        "<span class=\"product-text\" style=\"display:block;font-family:Arial,Helvetica,sans-serif;font-size:13px;line-height:19px;color:#555555;padding:0 10px 12px 10px;\">"
        "Soft, breathable and made to last: our " + name + " is cut from responsibly sourced material, "
        "washes easily and comes in six seasonal colours. Free returns within 30 days. Gr\xC3\xB6\xC3\x9F" "en S bis XXL.</span>\n"
        "</a>\n"
        "</td></tr>\n"
        "</table>\n"
        "</td>\n";
}

std::string html_head() {
    return
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" lang=\"en\">\n"
        "<head>\n"
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
        "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n"
        "<meta name=\"x-apple-disable-message-reformatting\">\n"
        "<title>Spring offers at Shop</title>\n"
        "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml><![endif]-->\n"
        "<style type=\"text/css\">\n"
        "body, table, td, a { -webkit-text-size-adjust:100%; -ms-text-size-adjust:100%; }\n"
        "table, td { mso-table-lspace:0pt; mso-table-rspace:0pt; }\n"
        "img { -ms-interpolation-mode:bicubic; border:0; height:auto; line-height:100%; outline:none; text-decoration:none; }\n"
        "body { margin:0 !important; padding:0 !important; width:100% !important; background-color:#f4f4f4; }\n"
        "a[x-apple-data-detectors] { color:inherit !important; text-decoration:none !important; font-size:inherit !important; }\n"
        ".preheader { display:none !important; visibility:hidden; opacity:0; color:transparent; height:0; width:0; }\n"
        ".btn a { background-color:#c8102e; border-radius:4px; color:#ffffff; display:inline-block; font-weight:bold; padding:14px 28px; text-decoration:none; }\n"
        ".product-name { color:#222222; }\n"
        ".product-price { color:#c8102e; }\n"
        ".footer { font-family:Arial,Helvetica,sans-serif; font-size:11px; line-height:16px; color:#999999; }\n"
        ".footer a { color:#999999; text-decoration:underline; }\n"
        "#nav a { color:#222222; font-weight:bold; text-decoration:none; text-transform:uppercase; }\n"
        "@media only screen and (max-width:600px) {\n"
        "  .container { width:100% !important; }\n"
        "  .col { display:block !important; width:100% !important; }\n"
        "  .fluid { max-width:100% !important; height:auto !important; }\n"
        "  .hide-mobile { display:none !important; }\n"
        "  .hero h1 { font-size:26px !important; line-height:32px !important; }\n"
        "}\n"
        "@media (prefers-color-scheme: dark) {\n"
        "  .dark-bg { background-color:#111111 !important; }\n"
        "  .dark-text { color:#eeeeee !important; }\n"
        "}\n"
        "</style>\n"
        "<!--[if mso]><style type=\"text/css\">body, table, td, a { font-family:Arial, Helvetica, sans-serif !important; } .btn a { padding:0 !important; }</style><![endif]-->\n"
        "</head>\n";
}

// Exactly 32 links: view online, logo, 3 nav, hero, 20 products, 4 social, preferences,
// unsubscribe.
std::string build_html() {
    std::string h = html_head();
    h += "<body style=\"margin:0;padding:0;background-color:#f4f4f4;\" class=\"dark-bg\">\n"
         "<div class=\"preheader\" style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;\">Up to 40% off linen, denim and sneakers - this weekend only.&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;</div>\n"
         "<center style=\"width:100%;background-color:#f4f4f4;\">\n"
         "<!--[if mso | IE]><table role=\"presentation\" border=\"0\" cellpadding=\"0\" cellspacing=\"0\" width=\"600\" align=\"center\"><tr><td><![endif]-->\n"
         "<table role=\"presentation\" class=\"container\" width=\"600\" align=\"center\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"max-width:600px;margin:0 auto;background-color:#ffffff;\">\n"
         "<tr><td align=\"right\" style=\"padding:8px 20px;font-family:Arial,Helvetica,sans-serif;font-size:11px;color:#777777;\">"
         "Trouble viewing this email? <a href=\"https://shop.example/view/8f14e45fceea167a\" style=\"color:#777777;\">View it online</a></td></tr>\n"
         "<tr><td align=\"center\" style=\"padding:20px 20px 10px 20px;\"><a href=\"https://shop.example/?utm_source=newsletter\">"
         "<img src=\"https://img.shop.example/logo.png\" width=\"160\" height=\"48\" alt=\"Shop\" style=\"display:block;border:0;\"></a></td></tr>\n"
         "<tr><td id=\"nav\" align=\"center\" style=\"padding:10px 20px;font-family:Arial,Helvetica,sans-serif;font-size:13px;border-top:1px solid #eeeeee;border-bottom:1px solid #eeeeee;\">"
         "<a href=\"https://shop.example/women\">Women</a> &nbsp;|&nbsp; <a href=\"https://shop.example/men\">Men</a> &nbsp;|&nbsp; "
         "<a href=\"https://shop.example/sale\">Sale</a></td></tr>\n"
         "<tr><td class=\"hero\" align=\"center\" style=\"padding:30px 20px;background-color:#fbeee6;\">\n"
         "<h1 class=\"dark-text\" style=\"margin:0 0 12px 0;font-family:Georgia,serif;font-size:34px;line-height:40px;color:#222222;\">Spring is here</h1>\n"
         "<p style=\"margin:0 0 20px 0;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:24px;color:#444444;\">Up to 40% off our new collection, this weekend only. Fr\xC3\xBChlingsangebote f\xC3\xBCr alle!</p>\n"
         "<!--[if mso]><v:roundrect xmlns:v=\"urn:schemas-microsoft-com:vml\" href=\"https://shop.example/spring\" style=\"height:48px;v-text-anchor:middle;width:220px;\" arcsize=\"8%\" stroke=\"f\" fillcolor=\"#c8102e\"><w:anchorlock/><center style=\"color:#ffffff;font-family:Arial,sans-serif;font-size:16px;font-weight:bold;\">Shop the collection</center></v:roundrect><![endif]-->\n"
         "<!--[if !mso]><!--><div class=\"btn\"><a href=\"https://shop.example/spring\" style=\"background-color:#c8102e;border-radius:4px;color:#ffffff;display:inline-block;font-family:Arial,sans-serif;font-size:16px;font-weight:bold;padding:14px 28px;text-decoration:none;\">Shop the collection</a></div><!--<![endif]-->\n"
         "</td></tr>\n";
    for (int i = 0; i < kProductCount; i += 2) {
        h += "<tr><td style=\"padding:0 10px;\">\n"
             "<!--[if mso]><table role=\"presentation\" width=\"100%\"><tr><td width=\"290\" valign=\"top\"><![endif]-->\n"
             "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\n";
        h += product_block(i);
        h += "<!--[if mso]></td><td width=\"290\" valign=\"top\"><![endif]-->\n";
        h += product_block(i + 1);
        h += "</tr></table>\n<!--[if mso]></td></tr></table><![endif]-->\n</td></tr>\n";
    }
    h += "<tr><td align=\"center\" style=\"padding:20px;background-color:#222222;\">\n";
    for (const char* net : {"facebook", "instagram", "pinterest", "youtube"})
        h += std::string("<a href=\"https://www.") + net + ".com/shopexample\" style=\"display:inline-block;padding:0 8px;\"><img src=\"https://img.shop.example/social/" +
             net + ".png\" width=\"32\" height=\"32\" alt=\"" + net + "\" style=\"border:0;\"></a>\n";
    h += "</td></tr>\n"
         "<tr><td class=\"footer\" align=\"center\" style=\"padding:20px 30px 30px 30px;font-family:Arial,Helvetica,sans-serif;font-size:11px;line-height:16px;color:#999999;\">\n"
         "<p style=\"margin:0 0 10px 0;\">You receive this email because you subscribed to the Shop newsletter at shop.example.</p>\n"
         "<p style=\"margin:0 0 10px 0;\"><a href=\"https://shop.example/preferences?u=8f14e45fceea167a\" style=\"color:#999999;\">Manage preferences</a> &nbsp;|&nbsp; "
         "<a href=\"" + std::string(kUnsubscribeUrl) + "\" style=\"color:#999999;\">Unsubscribe</a></p>\n";
    const std::string tail = "</td></tr>\n</table>\n<!--[if mso | IE]></td></tr></table><![endif]-->\n</center>\n</body>\n</html>\n";
    // Legal small print fills the part up to its nominal size.
    const std::string legal =
        "Prices include VAT. Offers valid while stocks last, not combinable with other vouchers. "
        "Shop Example GmbH, Musterstra\xC3\x9F" "e 1, 10115 Berlin, Germany. Registered at Amtsgericht Berlin HRB 000000. ";
    h += "<p style=\"margin:0;\">";
    std::size_t closing = std::string_view("</p>\n").size() + tail.size();
    while (h.size() + closing < kHtmlBytes) {
        std::size_t room = kHtmlBytes - h.size() - closing;
        h.append(legal, 0, std::min(room, legal.size()));
        if (room <= legal.size()) break;
    }
    // Never cut a UTF-8 sequence in half.
    while (!h.empty() && (static_cast<unsigned char>(h.back()) & 0xC0) == 0x80) h.pop_back();
    if (!h.empty() && static_cast<unsigned char>(h.back()) >= 0xC0) h.pop_back();
    h += "</p>\n" + tail;
    return h;
}

std::string headers(const std::string& sender, const std::string& rcpt, const std::string& content_type) {
    return "Return-Path: <" + sender + ">\r\n"
           "From: Shop Example <" + sender + ">\r\n"
           "To: <" + rcpt + ">\r\n"
           "Subject: =?utf-8?Q?Fr=C3=BChling:_up_to_40=25_off_this_weekend?=\r\n"
           "Date: Tue, 14 May 2024 08:00:00 +0000\r\n"
           "Message-ID: <20240514080000.8f14e45fceea167a@mail.shop.example>\r\n"
           "List-Unsubscribe: <" + std::string(kUnsubscribeUrl) + ">, <mailto:unsubscribe@shop.example?subject=8f14e45fceea167a>\r\n"
           "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
           "List-Id: Shop newsletter <newsletter.shop.example>\r\n"
           "Precedence: bulk\r\n"
           "Feedback-ID: spring24:newsletter:shop-example:esp\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: " + content_type + "\r\n";
}

std::string text_part_body(std::size_t min_bytes) {
    std::string t = "Spring is here - up to 40% off our new collection, this weekend only.\r\n"
                    "View this email online: https://shop.example/view/8f14e45fceea167a\r\n\r\n";
    for (int i = 0; i < kProductCount; ++i) {
        t += std::string(kProducts[i]) + " - " + std::to_string(19 + i * 3) + ",95 EUR\r\n";
        t += "https://shop.example/p/" + std::to_string(1000 + i) + "?utm_source=newsletter\r\n\r\n";
    }
    const std::string legal = "Prices include VAT. Offers valid while stocks last, not combinable with other vouchers.\r\n";
    while (t.size() + 400 < min_bytes) t += legal;
    t += "\r\nYou receive this email because you subscribed to the Shop newsletter at shop.example.\r\n"
         "Manage preferences: https://shop.example/preferences?u=8f14e45fceea167a\r\n"
         "To unsubscribe from these emails, visit " + std::string(kUnsubscribeUrl) + "\r\n";
    return t;
}

// The two alternatives, each with its part headers, as a multipart/alternative body.
std::string alternative_body(std::size_t text_bytes) {
    std::string b = std::string("--") + kBoundaryAlt + "\r\n"
                    "Content-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n";
    b += text_part_body(text_bytes);
    b += std::string("\r\n--") + kBoundaryAlt + "\r\n"
         "Content-Type: text/html; charset=utf-8\r\n"
         "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    b += quoted_printable(build_html());
    b += std::string("\r\n--") + kBoundaryAlt + "--\r\n";
    return b;
}

std::string alternative_type() { return std::string("multipart/alternative; boundary=\"") + kBoundaryAlt + "\""; }

}  // namespace

std::string newsletter_html() { return build_html(); }

std::string newsletter(const std::string& sender, const std::string& rcpt) {
    std::string head = headers(sender, rcpt, alternative_type()) + "\r\n";
    std::string body = alternative_body(0);
    std::size_t text_bytes = text_part_body(0).size();
    if (head.size() + body.size() < kMessageBytes) {
        text_bytes += kMessageBytes - head.size() - body.size();
        body = alternative_body(text_bytes);
    }
    return head + body;
}

std::string newsletter_with_attachment(std::size_t attachment_bytes, const std::string& sender, const std::string& rcpt) {
    std::string data(attachment_bytes, '\0');
    std::uint64_t x = 0x9E3779B97F4A7C15ull;  // xorshift64: incompressible, deterministic
    for (char& c : data) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x >> 56);
    }
    std::string m = headers(sender, rcpt, std::string("multipart/mixed; boundary=\"") + kBoundaryMixed + "\"") + "\r\n";
    m += std::string("--") + kBoundaryMixed + "\r\nContent-Type: " + alternative_type() + "\r\n\r\n";
    m += alternative_body(0);
    m += std::string("\r\n--") + kBoundaryMixed + "\r\n"
         "Content-Type: application/pdf; name=\"catalogue.pdf\"\r\n"
         "Content-Disposition: attachment; filename=\"catalogue.pdf\"\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n";
    m += base64_lines(data);
    m += std::string("\r\n--") + kBoundaryMixed + "--\r\n";
    return m;
}

}  // namespace cm::bench
