# SPDX-License-Identifier: Apache-2.0
# Timed SMTP client for tests/hostile_milter_test.sh: one session per message; prints
# CODE<TAB>SECONDS<TAB>REPLY, SECONDS from the final "." handed to the kernel to the last line of
# the reply. CODE 0: no reply (lost). The message's bytes go as they are (NUL, bare CR, long
# lines); only a bare LF becomes CRLF, and lines are dot-stuffed, as SMTP requires.
#   smtp_timed.py send PORT FROM RCPT FILE
#   smtp_timed.py wait-size PORT N   waits (10 s at most) until smtpd advertises SIZE >= N
import re, smtplib, sys, time

def session(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.consent-test.invalid", timeout=120)
    s.ehlo()
    return s

def text(code, msg):
    return "%d %s" % (code, " ".join(msg.decode("utf-8", "replace").split()))

def send(port, sender, rcpt, path):
    data = open(path, "rb").read()
    data = re.sub(rb"(?<!\r)\n", b"\r\n", data)              # bare LF -> CRLF, nothing else
    data = re.sub(rb"(?m)^\.", b"..", data)                   # dot-stuffing
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    s = session(port)
    for cmd, arg in (("mail", sender), ("rcpt", rcpt)):
        code, msg = getattr(s, cmd)(arg)
        if code >= 300:
            return code, 0.0, text(code, msg)
    s.putcmd("data")
    code, msg = s.getreply()
    if code != 354:
        return code, 0.0, text(code, msg)
    s.sock.sendall(data)
    s.sock.sendall(b".\r\n")
    t0 = time.monotonic()
    code, msg = s.getreply()
    secs = time.monotonic() - t0
    try:
        s.quit()
    except (smtplib.SMTPException, OSError):
        pass
    return code, secs, text(code, msg)

if sys.argv[1] == "wait-size":
    want, deadline = int(sys.argv[3]), time.monotonic() + 10
    while time.monotonic() < deadline:
        s = session(int(sys.argv[2]))
        size = int(s.esmtp_features.get("size", "0") or 0)
        s.quit()
        if size >= want:
            sys.exit(0)
        time.sleep(0.2)
    sys.exit("smtpd still advertises SIZE %d" % size)
try:
    code, secs, reply = send(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
except (smtplib.SMTPException, OSError) as e:
    code, secs, reply = 0, 0.0, "lost: %s" % e
print("%d\t%.3f\t%s" % (code, secs, reply))
