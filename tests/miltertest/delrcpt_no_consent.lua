-- SPDX-License-Identifier: Apache-2.0
-- Consent: recipients without a confirmed record for the sender's domain are deleted.
-- config: ConsentDatabase sqlite:@T@/consent.db
-- config: ConsentScope sender-domain
-- grant: shop.example yes1@example.net --confirmed
-- grant: shop.example pending@example.net --pending
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local r = send_file(conn, FROM, {"yes1@example.net", "no1@example.net", "pending@example.net"}, "compliant.eml")
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "not accepted: " .. tostring(r))
check(mt.eom_check(conn, MT_RCPTDELETE, "<no1@example.net>"), "no1 (no record) not deleted")
check(mt.eom_check(conn, MT_RCPTDELETE, "<pending@example.net>"), "pending (unconfirmed) not deleted")
check(not mt.eom_check(conn, MT_RCPTDELETE, "<yes1@example.net>"), "consented yes1 deleted")
check(no_reply_set(r), "an SMTP reply was set")
mt.disconnect(conn)
