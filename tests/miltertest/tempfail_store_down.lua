-- SPDX-License-Identifier: Apache-2.0
-- The consent store cannot be opened and OnError is tempfail: 451 4.3.0.
-- config: ConsentDatabase sqlite:@T@/missing/consent.db
-- config: OnError tempfail
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "compliant.eml")
check(r == SMFIR_REPLYCODE or r == SMFIR_TEMPFAIL, "want a temporary failure, got " .. tostring(r))
check(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.3.0", "Sending policy check temporarily unavailable, try again later"),
      "reply is not '451 4.3.0 Sending policy check temporarily unavailable, try again later'")
mt.disconnect(conn)
