#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""gen_hostile.py - writes the hostile-input corpus of issue 7 into a directory.

Usage: gen_hostile.py [--unique-ids] OUTDIR [NAME...]
       gen_hostile.py --list

Each case is one RFC 5322 file, OUTDIR/<name>.eml, built to stress one parser limit or
decoder: 10,000 nested multiparts, 100,000 headers, a 50 MB single line, broken base64 and
quoted-printable, invalid UTF-8 and lying charsets, NUL bytes, 100,000 nested <div>s,
unclosed comments and tags, a <style> with 100,000 rules, pathological URLs and a deeply
nested message/rfc822. Nothing here is stored in git: the files are made at test time.
Every message is otherwise a plausible newsletter (From, To, List-Unsubscribe), so the
checks run all the way through instead of stopping at a missing header.
--unique-ids gives each file's outer Message-ID the form <NAME@hostile.example.com>, so a
delivered copy can be told apart (tests/hostile_milter_test.sh); --list prints the names.
"""
import base64
import os
import sys

HEAD = (b"From: News <news@example.com>\r\n"
        b"To: reader@example.org\r\n"
        b"Subject: hostile\r\n"
        b"Message-ID: <hostile@example.com>\r\n"
        b"List-Unsubscribe: <https://example.com/u?id=1>\r\n"
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        b"MIME-Version: 1.0\r\n")
UNSUB_HTML = b'<p><a href="https://example.com/u?id=1">Unsubscribe</a></p>'


def message(content_type, body, extra=b"", cte=None):
    h = HEAD + extra + b"Content-Type: " + content_type + b"\r\n"
    if cte:
        h += b"Content-Transfer-Encoding: " + cte + b"\r\n"
    return h + b"\r\n" + body


def html_message(html, extra=b""):
    return message(b"text/html; charset=utf-8", html + UNSUB_HTML + b"\r\n", extra)


def nested_multiparts(n=10000):
    parts, tail = [], []
    for i in range(n):
        parts.append(b"--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n" % (i, i + 1))
        tail.append(b"--b%d--\r\n" % i)
    inner = b"--b%d\r\nContent-Type: text/html\r\n\r\n%s\r\n--b%d--\r\n" % (n, UNSUB_HTML, n)
    body = b"".join(parts) + inner + b"".join(reversed(tail))
    return message(b'multipart/mixed; boundary="b0"', body)


def many_headers(n=100000):
    extra = b"".join(b"X-H%d: value %d\r\n" % (i, i) for i in range(n))
    return html_message(b"", extra)


def huge_line_body(size=50 << 20):
    return message(b"text/plain; charset=us-ascii", b"x" * size + b"\r\n")


def huge_line_html(size=50 << 20):
    return html_message(b"<p>" + b"a" * size + b"</p>")


def huge_header_line(size=50 << 20):
    return html_message(b"", b"X-Long: " + b"y" * size + b"\r\n")


def broken_base64():
    good = base64.b64encode(UNSUB_HTML)
    body = (b"!!!!not base64@@@@\r\n" + good[:7] + b"=" + good[7:] + b"\r\n" + b"====\r\n"
            + b"QUJD" * 1000 + b"Q\r\n" + bytes(range(256)) * 40)
    return message(b"text/html; charset=utf-8", body, cte=b"base64")


def broken_qp():
    body = (b"=\r\n=4=ZZ=\r\n=E9=\r\n" + b"=" * 100000 + b"\r\n" + b"=3D" * 50000
            + b"<a href=3D\"https://example.com/u\">Unsub=\r\nscribe</a>=" + b"\r\n" + b"a=" * 100000)
    return message(b"text/html; charset=utf-8", body, cte=b"quoted-printable")


def invalid_utf8():
    junk = b"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80\xf8\x88\x80\x80\x80\xff\xfe" * 20000
    return html_message(b"<p>" + junk + b"</p>", b"Subject: =?utf-8?b?" + base64.b64encode(junk[:300]) + b"?=\r\n")


def lying_charsets():
    latin = "Abbestellen Sie hier: \xe4\xf6\xfc".encode("latin-1") * 1000
    parts = [
        (b"text/plain; charset=utf-8", latin),
        (b"text/html; charset=iso-2022-jp", b"\x1b$B" + bytes(range(33, 127)) * 300 + b"\x1b(B" + UNSUB_HTML),
        (b"text/html; charset=utf-16", b"<p>plain ascii claiming utf-16</p>" * 1000),
        (b"text/plain; charset=x-no-such-charset", b"abc\xff\xfe" * 1000),
        (b"text/html; charset=\"\"", UNSUB_HTML),
        (b"text/html; charset=utf-7", b"+ADw-a href=+ACI-https://example.com/u+ACI-+AD4-Unsubscribe+ADw-/a+AD4-" * 100),
        (b"text/plain; charset=" + b"x" * 10000, b"long charset name"),
    ]
    body = b"".join(b"--lc\r\nContent-Type: %s\r\n\r\n%s\r\n" % (ct, b) for ct, b in parts) + b"--lc--\r\n"
    return message(b'multipart/mixed; boundary="lc"', body)


def nul_bytes():
    extra = b"X-Nul: a\x00b\x00c\r\nList-Id: <\x00list\x00>\r\n"
    body = b"<p>\x00\x00</p><a href=\"https://example.com/\x00u\">Unsub\x00scribe</a>" + b"\x00" * 100000
    return html_message(body, extra)


def nested_divs(n=100000):
    return html_message(b"<div>" * n + UNSUB_HTML + b"</div>" * n)


def unclosed_markup():
    html = (b"<!-- never closed " + b"<a href='https://example.com/u'>Unsubscribe</a>" * 1000
            + b"<div <span <a href=\"https://e" + b"<p" * 50000 + b"<a href=\"" + b"x" * 100000
            + b"<style>" + b"a{" * 50000 + b"<script>" + b"<!--" * 20000 + b"<![CDATA[" + b"<title>")
    return message(b"text/html; charset=utf-8", html)


def style_rules(n=100000):
    rules = b"".join(b".c%d{display:none;color:#%06x}\n" % (i, i) for i in range(n))
    sel = b" ".join(b".s%d" % i for i in range(20000)) + b"{font-size:0}"
    return html_message(b"<style>" + rules + sel + b"</style>")


def pathological_urls():
    long_url = b"https://example.com/" + b"%41" * 300000
    many = b"".join(b'<a href="https://example.com/u?i=%d">Unsubscribe %d</a>' % (i, i) for i in range(100000))
    weird = (b'<a href="https://' + b"a." * 50000 + b'com/">x</a>'
             b'<a href="https://[::1]:99999999999999999999/">x</a>'
             b'<a href="https://user:pass@@@example.com:-1/%%%%">x</a>'
             b'<a href="' + b"https://" * 20000 + b'">x</a>'
             b'<a href="https://xn--' + b"9" * 5000 + b'.com/?' + b"&a=" * 50000 + b'">Unsubscribe</a>'
             b'<a href="https://example.com/login?returnUrl=' + b"%252F" * 50000 + b'">Unsubscribe</a>'
             b'<a href="javascript:' + b"(" * 50000 + b'">Unsubscribe</a>')
    text = b"https://example.com/" + b"(" * 100000 + b" unsubscribe " + b"mailto:" * 30000
    lu = b"List-Unsubscribe: " + b"<https://example.com/u>, " * 20000 + b"<" + b"(" * 50000 + b"\r\n"
    body = (b"--pu\r\nContent-Type: text/html\r\n\r\n" + long_url.join([b'<a href="', b'">Unsubscribe</a>'])
            + many + weird + b"\r\n--pu\r\nContent-Type: text/plain\r\n\r\n" + text + b"\r\n--pu--\r\n")
    return message(b'multipart/alternative; boundary="pu"', body, lu)


def nested_rfc822(depth=2000):
    inner = html_message(b"")
    for i in range(depth):
        inner = (b"From: level%d@example.com\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n" % i) + inner
    return HEAD + b"Content-Type: message/rfc822\r\n\r\n" + inner


def nested_rfc822_base64(depth=24):
    inner = html_message(b"")
    for i in range(depth):
        inner = (b"From: level%d@example.com\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n"
                 b"Content-Transfer-Encoding: base64\r\n\r\n" % i) + base64.encodebytes(inner)
    return HEAD + b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(inner)


def many_parts(n=100000):
    body = b"".join(b"--mp\r\nContent-Type: text/plain\r\n\r\npart %d unsubscribe https://example.com/u\r\n" % i
                    for i in range(n)) + b"--mp--\r\n"
    return message(b'multipart/mixed; boundary="mp"', body)


def backtracking_text():
    # Long runs of near-phrases and blanks: worst cases for phrase regexes and URL scanners.
    body = (b"unsubscrib " * 200000 + b"\t \t" * 200000 + b"abmelde" * 100000
            + b"https://" + b"a" * 1000000)
    return message(b"text/plain; charset=utf-8", body)


CASES = {
    "nested-multipart-10000": nested_multiparts,
    "headers-100000": many_headers,
    "single-line-50mb-body": huge_line_body,
    "single-line-50mb-html": huge_line_html,
    "single-line-50mb-header": huge_header_line,
    "broken-base64": broken_base64,
    "broken-qp": broken_qp,
    "invalid-utf8": invalid_utf8,
    "lying-charsets": lying_charsets,
    "nul-bytes": nul_bytes,
    "nested-div-100000": nested_divs,
    "unclosed-comments-and-tags": unclosed_markup,
    "style-100000-rules": style_rules,
    "pathological-urls": pathological_urls,
    "nested-rfc822-2000": nested_rfc822,
    "nested-rfc822-base64-24": nested_rfc822_base64,
    "parts-100000": many_parts,
    "backtracking-text": backtracking_text,
}


def main():
    args = sys.argv[1:]
    if args == ["--list"]:
        print("\n".join(CASES))
        return
    unique = bool(args) and args[0] == "--unique-ids"
    if unique:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    outdir = args[0]
    names = args[1:] or list(CASES)
    os.makedirs(outdir, exist_ok=True)
    for name in names:
        data = CASES[name]()
        if unique:  # only the first (outermost) Message-ID; nested copies keep theirs
            data = data.replace(b"<hostile@example.com>", b"<%s@hostile.example.com>" % name.encode(), 1)
        with open(os.path.join(outdir, name + ".eml"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
