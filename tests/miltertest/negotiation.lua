-- SPDX-License-Identifier: Apache-2.0
-- Only the needed steps and actions are negotiated, with no-reply for connect..end-of-headers;
-- SMFIF_SETSYMLIST too, since the filter sends its macro lists (DESIGN §9).
-- config: Mode enforce
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
for _, o in ipairs({ {SMFIP_NR_CONN, "NR_CONN"}, {SMFIP_NR_MAIL, "NR_MAIL"}, {SMFIP_NR_RCPT, "NR_RCPT"},
                     {SMFIP_NR_HDR, "NR_HDR"}, {SMFIP_NR_EOH, "NR_EOH"}, {SMFIP_NOHELO, "NOHELO"},
                     {SMFIP_NODATA, "NODATA"}, {SMFIP_NOUNKNOWN, "NOUNKNOWN"}, {SMFIP_SKIP, "SKIP"} }) do
    check(mt.test_option(conn, o[1]), "step not negotiated: SMFIP_" .. o[2])
end
check(not mt.test_option(conn, SMFIP_NR_BODY), "body chunks must keep their reply (for SMFIS_SKIP)")
check(not mt.test_option(conn, SMFIP_NOBODY), "the body is needed")
for _, a in ipairs({ {SMFIF_ADDHDRS, "ADDHDRS"}, {SMFIF_CHGHDRS, "CHGHDRS"}, {SMFIF_DELRCPT, "DELRCPT"},
                     {SMFIF_QUARANTINE, "QUARANTINE"}, {SMFIF_SETSYMLIST, "SETSYMLIST"} }) do
    check(mt.test_action(conn, a[1]), "action not requested: SMFIF_" .. a[2])
end
check(not mt.test_action(conn, SMFIF_CHGBODY), "SMFIF_CHGBODY requested but never used")
check(not mt.test_action(conn, SMFIF_ADDRCPT), "SMFIF_ADDRCPT requested but never used")
mt.disconnect(conn)
