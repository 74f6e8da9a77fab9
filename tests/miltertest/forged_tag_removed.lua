-- SPDX-License-Identifier: Apache-2.0
-- Tag headers from the client are deleted; a compliant message gets no new one.
-- config: Mode enforce
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "forged-tag.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "not accepted: " .. tostring(r))
check(mt.eom_check(conn, MT_HDRDELETE, TAG), "forged " .. TAG .. " not deleted")
check(not mt.eom_check(conn, MT_HDRINSERT), "a header was inserted")
mt.disconnect(conn)
