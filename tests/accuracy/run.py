#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make accuracy: body_link reason codes, expected against found, under the DEFAULT config.

Every file of the shared corpus (CORPUS_DIR) is judged with `consent-milter --test --json`.
Raw messages are judged as they are. Templates (*.html) are wrapped as an ESP sends them:
multipart/alternative with the HTML and a text alternative made from it (link text followed
by its URL in <...>), plus a valid one-click List-Unsubscribe header. Expected outcomes come
from tests/data/corpus_expectations.tsv (column body_link). Prints one row per expected
reason code, then the number of legitimate newsletters (expected pass) rejected by body_link.
"""
import html
import html.parser
import json
import os
import subprocess
import sys
import tempfile


class TextAlternative(html.parser.HTMLParser):
    """HTML -> the text alternative an ESP generates: visible text, links as 'text <url>'."""
    SKIP = {"style", "script", "head", "title"}
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "td"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip, self.href = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        if tag in self.BLOCK:
            self.out.append("\n")
        if tag == "a":
            self.href.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        if tag == "a" and self.href:
            url = self.href.pop()
            if url and not url.startswith("#"):
                self.out.append(" <" + url + ">")
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(" ".join(data.split()) + (" " if data[-1:].isspace() else ""))

    def text(self):
        lines = [" ".join(l.split()) for l in "".join(self.out).split("\n")]
        text, blank = [], False
        for l in lines:
            if l or not blank:
                text.append(l)
            blank = not l
        return "\n".join(text).strip() + "\n"


def wrap_template(body):
    alt = TextAlternative()
    alt.feed(body)
    return ("From: News <news@esp-customer.example>\r\nTo: reader@example.net\r\nSubject: Template\r\n"
            "List-Unsubscribe: <https://esp.example/u/1>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/alternative; boundary=\"=alt=\"\r\n\r\n"
            "--=alt=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + alt.text() +
            "\r\n--=alt=\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body + "\r\n--=alt=--\r\n")


def main():
    build = os.environ.get("BUILD", "build")
    corpus = os.environ.get("CORPUS_DIR") or "../shared/corpus/public"
    expected = []
    for line in open("tests/data/corpus_expectations.tsv", encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            f = line.rstrip("\n").split("\t")
            expected.append((f[0], f[2]))
    rows, rejected, misses = {}, [], []
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, "default.conf")
        open(conf, "w").close()
        for name, want in expected:
            path = os.path.join(corpus, name)
            if name.endswith(".html"):
                path = os.path.join(tmp, name + ".eml")
                body = open(os.path.join(corpus, name), encoding="utf-8", errors="replace").read()
                open(path, "w", encoding="utf-8").write(wrap_template(body))
            out = subprocess.run([os.path.join(build, "consent-milter"), "-c", conf, "--test", path, "--json"],
                                 capture_output=True, text=True, errors="replace")
            body_link = json.loads(out.stdout)["checks"]["body_link"]
            got = "pass" if body_link["result"] == "pass" else body_link["reason"]
            row = rows.setdefault(want, {"files": 0, "found": 0})
            row["files"] += 1
            row["found"] += got == want
            if got != want:
                misses.append((name, want, got))
            if want == "pass" and got != "pass":
                rejected.append(name)
    print("%-24s %6s %6s %6s" % ("expected body_link", "files", "found", "other"))
    for want in sorted(rows):
        r = rows[want]
        print("%-24s %6d %6d %6d" % (want, r["files"], r["found"], r["files"] - r["found"]))
    total = sum(r["files"] for r in rows.values())
    found = sum(r["found"] for r in rows.values())
    print("%-24s %6d %6d %6d" % ("all", total, found, total - found))
    for name, want, got in misses:
        policy = " (policy: RequireLinkInEveryPart)" if got in ("missing-in-text-part", "missing-in-html-part") else ""
        print("  differs: %s expected %s, found %s%s" % (name, want, got, policy))
    print("legitimate newsletters (expected pass) rejected by body_link under defaults: %d of %d"
          % (len(rejected), rows.get("pass", {"files": 0})["files"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
