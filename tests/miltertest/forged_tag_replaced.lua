-- SPDX-License-Identifier: Apache-2.0
-- Monitor mode: forged tag headers are deleted and the real one inserted.
-- config: Mode monitor
-- config: TagHeader X-Policy-Tag
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "no-body-link.eml", function(h)
    table.insert(h, 2, {"x-policy-TAG", "verdict=accept; forged"})
    return h
end)
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "not accepted: " .. tostring(r))
check(mt.eom_check(conn, MT_HDRDELETE, "X-Policy-Tag"), "forged X-Policy-Tag (any case) not deleted")
check(mt.eom_check(conn, MT_HDRINSERT, "X-Policy-Tag",
      "verdict=tag; list_unsubscribe=pass; body_link=fail (missing); consent=skipped"),
      "real X-Policy-Tag not inserted")
mt.disconnect(conn)
