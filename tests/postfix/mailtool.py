#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""SMTP client and dump inspector for tests/postfix_test.sh (standard library only).

  mailtool.py send PORT FROM RCPT[,RCPT...] FILE...
      One SMTP session; each FILE is one message. Prints per file:
      FILE<TAB>CODE<TAB>REPLY  (CODE of the first non-2xx reply in MAIL/RCPT/DATA, else the DATA
      reply; per-recipient RCPT refusals are listed as rcpt-refused=ADDR:CODE after the reply).
  mailtool.py send-list PORT FROM LIST
      Like send, one session, but each line of LIST is RCPT[,RCPT...]<TAB>FILE.
  mailtool.py volume PORT FROM RCPT TEMPLATE COUNT SESSIONS [HOOK_AFTER HOOK_CMD]
      COUNT messages from TEMPLATE (its @N@ replaced by the message number) over SESSIONS
      parallel sessions. After HOOK_AFTER replies, HOOK_CMD runs once in a shell while the
      sending goes on. Prints per message: N<TAB>CODE<TAB>AFTER, AFTER=1 when the message's
      MAIL command was sent after HOOK_CMD had returned. CODE 0 = no reply (connection lost).
  mailtool.py dump-body DUMP
      The message as it reached smtp-sink (the part after smtp-sink's own headers).
  mailtool.py header DUMP NAME
      Every value of header NAME in the delivered message, one per line (unfolded).
  mailtool.py rcpts DUMP
      The envelope recipients smtp-sink received, one per line.
  mailtool.py same-as-sent DUMP FILE
      Exit 0 when the delivered message is FILE byte for byte (line ends aside) after Postfix's
      own Received field; otherwise says where they differ and exits 1.
"""
import re
import smtplib
import subprocess
import sys
import threading


def connect(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.consent-test.invalid", timeout=120)
    s.ehlo()
    return s


def reply_text(code, msg):
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    return "%d %s" % (code, " ".join(msg.split()))


def transaction(s, sender, rcpts, data):
    """One MAIL/RCPT/DATA transaction; returns (code, reply text). Raises on a lost connection."""
    code, msg = s.mail(sender)
    if code != 250:
        s.rset()
        return code, reply_text(code, msg)
    refused = []
    accepted = 0
    for r in rcpts:
        rc, rm = s.rcpt(r)
        if rc in (250, 251):
            accepted += 1
        else:
            refused.append("%s:%d" % (r, rc))
            last = (rc, rm)
    if accepted == 0:
        s.rset()
        return last[0], reply_text(*last)
    code, msg = s.data(re.sub(rb"\r?\n", b"\r\n", data))
    text = reply_text(code, msg)
    if refused:
        text += " rcpt-refused=" + ",".join(refused)
    return code, text


def cmd_send(port, sender, jobs):
    s = None
    for rcpts, f in jobs:
        with open(f, "rb") as fh:
            data = fh.read()
        try:
            if s is None:
                s = connect(port)
            code, text = transaction(s, sender, rcpts.split(","), data)
        except smtplib.SMTPResponseException as e:
            code, text = e.smtp_code, reply_text(e.smtp_code, e.smtp_error)
            s = None
        except (smtplib.SMTPException, OSError) as e:
            code, text = 0, "lost: %s" % e
            s = None
        print("%s\t%d\t%s" % (f, code, text), flush=True)
    if s is not None:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            pass


def cmd_volume(port, sender, rcpt, template, count, sessions, hook_after, hook_cmd):
    with open(template, "rb") as fh:
        body = fh.read()
    lock = threading.Lock()
    state = {"next": 1, "done": 0, "hook_started": False, "hook_done": False}
    results = {}

    def run_hook():
        subprocess.run(hook_cmd, shell=True, check=False)
        with lock:
            state["hook_done"] = True

    def worker():
        s = None
        while True:
            with lock:
                n = state["next"]
                if n > count:
                    break
                state["next"] += 1
                after = state["hook_done"]
            data = body.replace(b"@N@", str(n).encode())
            try:
                if s is None:
                    s = connect(port)
                code, _ = transaction(s, sender, [rcpt], data)
            except smtplib.SMTPResponseException as e:
                code = e.smtp_code
                s = None
            except (smtplib.SMTPException, OSError):
                code = 0
                s = None
            with lock:
                results[n] = (code, after)
                state["done"] += 1
                start_hook = hook_cmd and not state["hook_started"] and state["done"] >= hook_after
                if start_hook:
                    state["hook_started"] = True
            if start_hook:
                threading.Thread(target=run_hook).start()
        if s is not None:
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker) for _ in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n in sorted(results):
        code, after = results[n]
        print("%d\t%d\t%d" % (n, code, 1 if after else 0))


def split_dump(path):
    """(smtp-sink envelope lines, message bytes) of one smtp-sink -d dump file."""
    with open(path, "rb") as fh:
        raw = fh.read()
    lines = raw.split(b"\n")
    i = 0
    envelope = []
    while i < len(lines) and lines[i].startswith(b"X-"):
        envelope.append(lines[i].decode("utf-8", "replace"))
        i += 1
    # smtp-sink's own three-line Received header follows its X- records.
    if i < len(lines) and lines[i].startswith(b"Received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    message = b"\n".join(lines[i:])
    if message.endswith(b"\n\n"):
        message = message[:-1]  # the empty line smtp-sink appends
    return envelope, message


def headers_of(message):
    head = message.split(b"\n\n", 1)[0].decode("utf-8", "replace")
    fields = []
    for line in head.split("\n"):
        if line[:1] in (" ", "\t") and fields:
            fields[-1] += " " + line.strip()
        elif ":" in line:
            fields.append(line)
    return fields


def same_as_sent(dump, path):
    message = split_dump(dump)[1]
    with open(path, "rb") as fh:
        sent = fh.read().replace(b"\r\n", b"\n")
    lines = message.split(b"\n")
    if not lines[0].startswith(b"Received:"):
        print("no Received field from Postfix at the top")
        return 1
    i = 1
    while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
        i += 1
    got = b"\n".join(lines[i:])
    if got == sent:
        return 0
    n = next((k for k in range(min(len(got), len(sent))) if got[k] != sent[k]), min(len(got), len(sent)))
    print("differs at byte %d: got %r, sent %r" % (n, got[n:n + 60], sent[n:n + 60]))
    return 1


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd = argv[1]
    if cmd == "send" and len(argv) >= 6:
        cmd_send(int(argv[2]), argv[3], [(argv[4], f) for f in argv[5:]])
    elif cmd == "send-list" and len(argv) == 5:
        with open(argv[4]) as fh:
            jobs = [tuple(line.rstrip("\n").split("\t", 1)) for line in fh if line.strip()]
        cmd_send(int(argv[2]), argv[3], jobs)
    elif cmd == "volume" and len(argv) in (8, 10):
        hook_after, hook_cmd = (int(argv[8]), argv[9]) if len(argv) == 10 else (0, "")
        cmd_volume(int(argv[2]), argv[3], argv[4], argv[5], int(argv[6]), int(argv[7]), hook_after, hook_cmd)
    elif cmd == "dump-body" and len(argv) == 3:
        sys.stdout.buffer.write(split_dump(argv[2])[1])
    elif cmd == "header" and len(argv) == 4:
        name = argv[3].lower() + ":"
        for field in headers_of(split_dump(argv[2])[1]):
            if field.lower().startswith(name):
                print(field[len(name):].strip())
    elif cmd == "rcpts" and len(argv) == 3:
        for line in split_dump(argv[2])[0]:
            if line.startswith("X-Rcpt-Args:"):
                print(line.split(":", 1)[1].split()[0].strip("<>"))
    elif cmd == "same-as-sent" and len(argv) == 4:
        sys.exit(same_as_sent(argv[2], argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
