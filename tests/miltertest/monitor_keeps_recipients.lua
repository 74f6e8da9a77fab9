-- SPDX-License-Identifier: Apache-2.0
-- Monitor mode never removes a recipient: it tags what it would have done.
-- config: Mode monitor
-- config: ConsentDatabase sqlite:@T@/consent.db
-- config: ConsentScope sender-domain
-- grant: shop.example yes1@example.net --confirmed
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"yes1@example.net", "no1@example.net"}, "compliant.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "not accepted: " .. tostring(r))
check(not mt.eom_check(conn, MT_RCPTDELETE, "<no1@example.net>"), "monitor mode deleted a recipient")
local want = "verdict=tag; list_unsubscribe=pass; body_link=pass; consent=partial (1/2)"
check(mt.eom_check(conn, MT_HDRINSERT, TAG, want), "tag header is not '" .. want .. "'")
mt.disconnect(conn)
