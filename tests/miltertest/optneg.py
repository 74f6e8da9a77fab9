#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Option negotiation seen by an independent milter protocol client (not libmilter's).

  optneg.py SOCKET_PATH OFFERED_ACTIONS
      Sends SMFIC_OPTNEG (version 6, OFFERED_ACTIONS, all protocol steps) to the milter on the
      unix socket and prints the reply: "actions=0x... steps=0x... macros=STAGE:LIST;..."
      (macros: the symbol lists that follow the three words, stage number and names).
"""
import socket
import struct
import sys


def read_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise SystemExit("connection closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data


def main(path, offered):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    body = b"O" + struct.pack("!III", 6, offered, 0x1FFFFF)
    s.sendall(struct.pack("!I", len(body)) + body)
    length = struct.unpack("!I", read_exact(s, 4))[0]
    reply = read_exact(s, length)
    s.close()
    if reply[:1] != b"O" or length < 13:
        raise SystemExit("not an option negotiation reply: %r" % reply[:20])
    _, actions, steps = struct.unpack("!III", reply[1:13])
    macros, rest = [], reply[13:]
    while len(rest) >= 4:
        stage = struct.unpack("!I", rest[:4])[0]
        names, _, rest = rest[4:].partition(b"\0")
        macros.append("%d:%s" % (stage, names.decode()))
    print("actions=0x%x steps=0x%x macros=%s" % (actions, steps, ";".join(macros)))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2], 0))
