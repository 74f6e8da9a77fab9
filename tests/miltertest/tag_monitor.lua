-- SPDX-License-Identifier: Apache-2.0
-- Monitor mode: no reject; the tag header is inserted at the top with the would-be verdict.
-- config: Mode monitor
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "no-list-unsubscribe.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "monitor mode did not accept: " .. tostring(r))
local want = "verdict=tag; list_unsubscribe=fail (missing); body_link=pass; consent=skipped"
check(mt.eom_check(conn, MT_HDRINSERT, TAG, want), "tag header not inserted as '" .. want .. "'")
check(mt.eom_check(conn, MT_HDRINSERT, TAG, want, 0), "tag header not inserted at index 0")
check(no_reply_set(r), "monitor mode set an SMTP reply")
check(not mt.eom_check(conn, MT_HDRDELETE), "nothing to delete, yet a header was deleted")
mt.disconnect(conn)
