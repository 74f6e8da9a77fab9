#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""SMTP clients that misbehave or crowd in, for tests/fault_test.sh (standard library only).

  smtp_faults.py abort PORT FROM RCPT FILE HOW
      One session that never completes its message. HOW:
        cut-body   DATA, then half of FILE, then the socket is closed
        reset      DATA, then half of FILE, then the socket is reset (RST, SO_LINGER 0)
        no-dot     DATA, all of FILE and a "QUIT" line but no final dot, then close
        rset       MAIL and RCPT, then RSET and QUIT (no DATA at all)
      Prints the last reply code read from the server (354 after DATA, 221 after QUIT...).
  smtp_faults.py burst PORT FROM RCPT TEMPLATE SESSIONS PER_SESSION
      Opens SESSIONS connections and says EHLO on each; once every one of them is open (a
      barrier), each sends PER_SESSION messages from TEMPLATE (@N@ = message number, from 1).
      Prints "open K" (sessions that got through EHLO), then per message: N<TAB>CODE, CODE 0 =
      no final reply (connection lost).
"""
import re
import smtplib
import socket
import struct
import sys
import threading


def connect(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.consent-test.invalid", timeout=120)
    s.ehlo()
    return s


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def dot_stuffed(data):
    return re.sub(rb"(?m)^\.", b"..", data)


def cmd_abort(port, sender, rcpt, path, how):
    with open(path, "rb") as fh:
        data = dot_stuffed(crlf(fh.read()))
    s = connect(port)
    s.mail(sender)
    s.rcpt(rcpt)
    if how == "rset":
        code, _ = s.rset()
        code, _ = s.docmd("QUIT")
        s.close()
        print(code)
        return
    s.putcmd("DATA")
    code, _ = s.getreply()
    if how == "no-dot":
        s.send(data + b"QUIT\r\n")
    else:
        s.send(data[: len(data) // 2])
    if how == "reset":
        s.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.sock.close()
    s.sock = None
    print(code)


def cmd_burst(port, sender, rcpt, template, sessions, per_session):
    with open(template, "rb") as fh:
        body = crlf(fh.read())
    barrier = threading.Barrier(sessions, timeout=120)
    lock = threading.Lock()
    opened = [0]
    results = {}

    def worker(index):
        s = None
        try:
            s = connect(port)
            with lock:
                opened[0] += 1
        except (smtplib.SMTPException, OSError):
            s = None
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        for k in range(per_session):
            n = index * per_session + k + 1
            code = 0
            if s is not None:
                try:
                    code, _ = s.mail(sender)
                    if code == 250:
                        code, _ = s.rcpt(rcpt)
                    if code == 250:
                        code, _ = s.data(body.replace(b"@N@", str(n).encode()))
                    else:
                        s.rset()
                except smtplib.SMTPResponseException as e:
                    code = e.smtp_code
                    s = None
                except (smtplib.SMTPException, OSError):
                    s = None
            with lock:
                results[n] = code
        if s is not None:
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("open %d" % opened[0])
    for n in sorted(results):
        print("%d\t%d" % (n, results[n]))


def main(argv):
    if len(argv) == 7 and argv[1] == "abort":
        cmd_abort(int(argv[2]), argv[3], argv[4], argv[5], argv[6])
    elif len(argv) == 8 and argv[1] == "burst":
        cmd_burst(int(argv[2]), argv[3], argv[4], argv[5], int(argv[6]), int(argv[7]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
