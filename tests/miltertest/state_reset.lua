-- SPDX-License-Identifier: Apache-2.0
-- Two messages on one connection: nothing of the first (recipients, forged headers) leaks.
-- config: ConsentDatabase sqlite:@T@/consent.db
-- config: ConsentScope sender-domain
-- grant: shop.example yes1@example.net --confirmed
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"no1@example.net"}, "forged-tag.eml")
check(r == SMFIR_REPLYCODE, "first message (no consented recipient): want a reject, got " .. tostring(r))
check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", "Message violates sending policy: consent:no-record"),
      "first message: wrong reply")
r = send_file(conn, FROM, {"yes1@example.net"}, "compliant.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "second message not accepted: " .. tostring(r))
check(not mt.eom_check(conn, MT_RCPTDELETE, "<yes1@example.net>"), "second message: its recipient was deleted")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<no1@example.net>"), "second message: the first one's recipient deleted again")
check(not mt.eom_check(conn, MT_HDRDELETE), "second message: a header was deleted")
mt.disconnect(conn)
