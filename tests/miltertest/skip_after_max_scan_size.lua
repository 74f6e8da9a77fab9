-- SPDX-License-Identifier: Apache-2.0
-- Once MaxScanSize body bytes are buffered the filter answers SMFIS_SKIP; the prefix is judged.
-- config: MaxScanSize 64K
dofile(os.getenv("MT_DIR") .. "/common.lua")
local conn = open_conn()
local headers, body = read_message("compliant.eml")
envelope(conn, FROM, {"reader@example.net"})
local r = send_content(conn, headers, body)
check(r == SMFIR_CONTINUE, "first chunk: want SMFIR_CONTINUE, got " .. tostring(r))
-- Chunks of 16 KiB (Postfix sends at most 64 KiB at a time): CONTINUE while the buffered body
-- stays within 64 KiB, then SKIP.
local chunk = string.rep("filler line of text to make the message bigger than the scan size..\r\n", 234)
local sent = #body
while true do
    check(mt.bodystring(conn, chunk) == nil, "mt.bodystring failed after " .. sent .. " bytes")
    sent = sent + #chunk
    local reply = mt.getreply(conn)
    if sent <= 65536 then
        check(reply == SMFIR_CONTINUE, "at " .. sent .. " bytes: want SMFIR_CONTINUE, got " .. tostring(reply))
    else
        check(reply == SMFIR_SKIP, "at " .. sent .. " bytes (> MaxScanSize): want SMFIR_SKIP, got " .. tostring(reply))
        break
    end
end
r = finish_message(conn)
check(r == SMFIR_ACCEPT or r == SMFIR_CONTINUE, "the scanned prefix has the link, yet: " .. tostring(r))
mt.disconnect(conn)
