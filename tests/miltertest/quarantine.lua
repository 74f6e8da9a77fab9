-- SPDX-License-Identifier: Apache-2.0
-- BodyLinkAction quarantine: smfi_quarantine with the reason codes; no reply, no header.
-- config: BodyLinkAction quarantine
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"reader@example.net"}, "no-body-link.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "not accepted: " .. tostring(r))
check(mt.eom_check(conn, MT_QUARANTINE, "consent-milter: body_link:missing"),
      "not quarantined with reason 'consent-milter: body_link:missing'")
check(no_reply_set(r), "an SMTP reply was set")
mt.disconnect(conn)
