-- SPDX-License-Identifier: Apache-2.0
-- Helpers shared by the tests/miltertest/*.lua cases (loaded with dofile).
-- The milter under test is already running on $MILTER_SOCK; messages are read from $MSG_DIR.

-- miltertest exits 1 on a Lua error without printing it: say what failed first.
function check(cond, what)
    if not cond then
        mt.echo("FAILED: " .. what)
        error(what, 2)
    end
end

-- True when the end-of-message reply carried no SMTP reply text (accept, continue...).
function no_reply_set(r)
    return r ~= SMFIR_REPLYCODE
end

-- A connection from IP (default 127.0.0.1) after negotiation and CONNECT.
function open_conn(ip)
    local conn = mt.connect("unix:" .. os.getenv("MILTER_SOCK"), 50, 0.1)
    check(conn ~= nil, "mt.connect failed")
    check(mt.conninfo(conn, "client.example", ip or "127.0.0.1") == nil, "mt.conninfo failed")
    return conn
end

-- MAIL FROM and each RCPT TO; the queue id macro `i` as Postfix sends it.
function envelope(conn, from, rcpts)
    mt.macro(conn, SMFIC_MAIL, "i", "4QTEST1")
    check(mt.mailfrom(conn, "<" .. from .. ">") == nil, "mt.mailfrom failed")
    for _, r in ipairs(rcpts) do
        check(mt.rcptto(conn, "<" .. r .. ">") == nil, "mt.rcptto failed")
    end
end

-- Reads an RFC 5322 file: list of {name, value} (unfolded) and the body.
function read_message(name)
    local f = assert(io.open(os.getenv("MSG_DIR") .. "/" .. name, "rb"))
    local text = f:read("a"):gsub("\r\n", "\n")
    f:close()
    local head, body = text:match("^(.-)\n\n(.*)$")
    local headers = {}
    for line in (head .. "\n"):gmatch("(.-)\n") do
        if line:match("^[ \t]") and #headers > 0 then
            headers[#headers][2] = headers[#headers][2] .. "\r\n" .. line
        else
            local n, v = line:match("^([^:]+):[ \t]*(.*)$")
            table.insert(headers, {n, v})
        end
    end
    return headers, (body:gsub("\n", "\r\n"))
end

-- Headers (each checked), end of headers, the body in one chunk; returns the body reply.
function send_content(conn, headers, body)
    for _, h in ipairs(headers) do
        check(mt.header(conn, h[1], h[2]) == nil, "mt.header " .. h[1] .. " failed")
    end
    check(mt.eoh(conn) == nil, "mt.eoh failed")
    check(mt.bodystring(conn, body) == nil, "mt.bodystring failed")
    return mt.getreply(conn)
end

-- End of message; returns the reply.
function finish_message(conn)
    check(mt.eom(conn) == nil, "mt.eom failed")
    return mt.getreply(conn)
end

-- One whole message from file NAME: returns the end-of-message reply.
function send_file(conn, from, rcpts, name, edit)
    local headers, body = read_message(name)
    if edit then headers = edit(headers) end
    envelope(conn, from, rcpts)
    send_content(conn, headers, body)
    return finish_message(conn)
end

function without(headers, pattern)
    local out = {}
    for _, h in ipairs(headers) do
        if not h[1]:lower():match(pattern) then table.insert(out, h) end
    end
    return out
end

TAG = "X-Consent-Check"
FROM = "news@shop.example"
