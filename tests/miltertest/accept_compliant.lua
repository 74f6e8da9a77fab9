-- SPDX-License-Identifier: Apache-2.0
-- A compliant message is accepted with no edit at all.
-- config: Mode enforce
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "compliant.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "compliant message not accepted: " .. tostring(r))
check(not mt.eom_check(conn, MT_HDRINSERT), "a header was inserted")
check(not mt.eom_check(conn, MT_HDRADD), "a header was added")
check(not mt.eom_check(conn, MT_HDRCHANGE), "a header was changed")
check(not mt.eom_check(conn, MT_HDRDELETE), "a header was deleted")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<reader@example.net>"), "the recipient was deleted")
check(not mt.eom_check(conn, MT_QUARANTINE), "the message was quarantined")
check(no_reply_set(r), "an SMTP reply was set")
mt.disconnect(conn)
