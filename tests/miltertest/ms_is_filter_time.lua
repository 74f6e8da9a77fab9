-- SPDX-License-Identifier: Apache-2.0
-- The log's ms= is the filter's own end-of-message time (DESIGN §8), not the time the MTA took
-- between MAIL and the end of the message: a client pausing 1.5 s mid-message is not counted.
-- config: Mode enforce
-- log: ^consent-milter: 4QTEST1: verdict=accept .* ms=[0-9]{1,3}(\.[0-9]+)?( |$)
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local headers, body = read_message("compliant.eml")
envelope(conn, FROM, {"reader@example.net"})
mt.sleep(1.5)
send_content(conn, headers, body)
local r = finish_message(conn)
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "compliant message not accepted: " .. tostring(r))
mt.disconnect(conn)
