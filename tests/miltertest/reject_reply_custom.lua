-- SPDX-License-Identifier: Apache-2.0
-- A custom RejectReply: its own code, enhanced code and text. A literal '%' goes on the wire
-- as "%%" (the MTA treats the reply as a format string, sendmail style; Postfix undoes it).
-- config: RejectReply "554 5.7.0 Policy (100%% sure): %r"
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "no-body-link.eml")
check(r == SMFIR_REPLYCODE, "want SMFIR_REPLYCODE, got " .. tostring(r))
check(mt.eom_check(conn, MT_SMTPREPLY, "554", "5.7.0", "Policy (100%% sure): body_link:missing"),
      "reply is not '554 5.7.0 Policy (100%% sure): body_link:missing'")
mt.disconnect(conn)
