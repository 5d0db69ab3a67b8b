# Terminate: the engine session is closed (Terminate call), then Closed
# Terminated; nothing is sent to the client.
startup
ok
---
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

terminate
ok
---
call Terminate
event Closed Terminated

# The socket closes mid-session with no Terminate (Bun, tokio-postgres on
# abrupt exit: SUMMARY §4 item 11): Terminate call, then Closed ClientEof.
reset
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

eof
ok
---
call Terminate
event Closed ClientEof

# EOF while a call is outstanding: the core waits for the reply (writing
# its output, for what it is worth) and only then terminates and closes.
reset
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

query "select pg_sleep(1)"
eof
state
out columns s/text
out row ""
out complete "SELECT 1"
end
ok
---
call Query("select pg_sleep(1)")
wants_read=false closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=Query("select pg_sleep(1)")
S: RowDescription s:25/-1/-1/0/0/f0
S: DataRow ""
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
call Terminate
event Closed ClientEof

# Messages pipelined before EOF are still handled in order, then close.
reset
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

query "select 1"
query "select 2"
eof
out complete "SELECT 1"
end
out complete "SELECT 1"
end
ok
---
call Query("select 1")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
call Query("select 2")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
call Terminate
event Closed ClientEof

# EOF in the middle of a message: the partial message is dropped.
reset
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

raw "51 00000010 73656c"
eof
ok
---
call Terminate
event Closed ClientEof

# Bytes after Terminate are never read.
reset
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
S: ParameterStatus application_name=""
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="on"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

terminate
query "select 1"
ok
---
call Terminate
event Closed Terminated
