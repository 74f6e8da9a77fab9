-- SPDX-License-Identifier: Apache-2.0
-- An exempt client: accepted at the first body chunk, nothing judged.
-- config: ExemptClients 192.0.2.0/24
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn("192.0.2.7")
local headers, body = read_message("no-list-unsubscribe.eml")
envelope(conn, FROM, {"reader@example.net"})
local r = send_content(conn, headers, body)
check(r == SMFIR_ACCEPT, "exempt client: want SMFIR_ACCEPT at the body, got " .. tostring(r))
mt.disconnect(conn)
-- The same message from another client is rejected.
conn = open_conn("198.51.100.1")
r = send_file(conn, FROM, {"reader@example.net"}, "no-list-unsubscribe.eml")
check(r == SMFIR_REPLYCODE, "non-exempt client: want a reject, got " .. tostring(r))
mt.disconnect(conn)
