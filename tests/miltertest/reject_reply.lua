-- SPDX-License-Identifier: Apache-2.0
-- A non-compliant message is rejected with RejectReply, %r expanded to the reason codes.
-- config: Mode enforce
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "no-list-unsubscribe.eml")
check(r == SMFIR_REPLYCODE, "want SMFIR_REPLYCODE, got " .. tostring(r))
check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", "Message violates sending policy: list_unsubscribe:missing"),
      "reply is not '550 5.7.1 Message violates sending policy: list_unsubscribe:missing'")
check(not mt.eom_check(conn, MT_HDRINSERT), "a rejected message got a header")
mt.disconnect(conn)
