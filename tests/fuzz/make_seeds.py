#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make_seeds.py - seed corpora for the libFuzzer targets, made at run time from test data.

Usage: make_seeds.py OUTDIR DIR...   (DIRs are searched for *.eml, *.mbox and the example
config). Writes OUTDIR/<target>/<n> files for every fuzz_*.cpp target; nothing is committed.
"""
import email
import email.policy
import hashlib
import os
import sys


def files_under(dirs, suffixes):
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for root, _, names in os.walk(d):
            for n in sorted(names):
                if n.endswith(suffixes):
                    yield os.path.join(root, n)


def write(outdir, target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def header_values(msg, name):
    return [" ".join(str(v).split()) for v in (msg.get_all(name) or [])]


def main():
    outdir, dirs = sys.argv[1], sys.argv[2:]
    for path in files_under(dirs, (".eml", ".mbox")):
        raw = open(path, "rb").read()
        write(outdir, "fuzz_evaluate", raw)
        if path.endswith(".mbox") or b"feedback-report" in raw:
            write(outdir, "fuzz_arf", raw)
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        lu, post, dkim = (header_values(msg, n) for n in
                          ("List-Unsubscribe", "List-Unsubscribe-Post", "DKIM-Signature"))
        if lu:
            write(outdir, "fuzz_list_unsubscribe",
                  "\0".join([lu[0], post[0] if post else "", dkim[0] if dkim else ""]))
        for part in msg.walk():
            if part.get_content_type() == "text/html":
                body = part.get_payload(decode=True)
                if body:
                    write(outdir, "fuzz_html_visibility", body)

    for path in files_under(dirs, (".conf.example",)):
        text = open(path, "rb").read()
        write(outdir, "fuzz_config", text)
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith(b"#"):
                write(outdir, "fuzz_config", line + b"\n")

    # Small hand-made seeds for the shapes the files above do not cover.
    for s in ["<https://example.com/u?id=1>, <mailto:u@example.com?subject=unsub>\0"
              "List-Unsubscribe=One-Click\0v=1; a=rsa-sha256; d=example.com; h=From:List-Unsubscribe:"
              "List-Unsubscribe-Post; b=x",
              "(comment) <http://a.example/\r\n x>", "<*|UNSUB|*>", "<>", "<{{unsubscribe_url}}>"]:
        write(outdir, "fuzz_list_unsubscribe", s)
    for s in ['<style>.f{display:none} #x a{font-size:0}</style><div class="f"><a href="https://e/u">Unsubscribe</a></div>',
              '<table bgcolor="#fff"><tr><td><font color="#fefefe" size="1"><a href="http://e/u" style="opacity:0.05">x</a>',
              '<!-- <a href="https://e/u">u</a> --><div style="position:absolute;left:-9999px"><a href=https://e/u>u</a>',
              '<p style="font-size:0"><span style="font-size:12px"><a href="https://e/u"><img alt="Abmelden"></a>']:
        write(outdir, "fuzz_html_visibility", s)
    for s in ["scope,address,status,method,source,ip,granted_at,confirmed_at,revoked_at\r\n"
              "example.com,A@Example.com,confirmed,double-opt-in,\"form, web\",192.0.2.1,"
              "2024-05-01T12:00:00Z,2024-05-01,\r\n"
              "example.com,b@example.com,revoked,import,,2001:db8::1,2024-05-01T12:00:00.5+02:00,,2024-06-01T00:00:00+0200\n",
              "\ufeffStatus, Address ,SCOPE\n\"pending\",\"x\"\"y@z\",s\n\n\"unterminated\n"]:
        write(outdir, "fuzz_csv", s)
    write(outdir, "fuzz_config", "Socket local:/run/cm.sock\nMode monitor\nExemptHeader \"X-Mailer: ^(?:a|b)+$\"\n"
          "ExemptClients 10.0.0.0/8, ::1/128\nConsentScope header:X-Customer\nMinContrastRatio 2.5\n")


if __name__ == "__main__":
    main()
