# Timers run on virtual time: `tick MS` advances the clock and fires what is
# due; `state` shows the next deadline. authentication_timeout is 1 s here.
# A socket that never sends its startup packet is dropped without a word
# when it expires (PostgreSQL does the same).
config auth_timeout=1000 auth=password users="alice:secret"
state
tick 999
state
tick 1
---
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(1s) outstanding=none
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(1ms) outstanding=none
event Closed Fatal(SqlState(57014))

# Once the startup packet has come, an expired login gets FATAL 57014
# "canceling authentication due to timeout" (the client is stuck at the
# password prompt).
reset
startup
state
tick 1000
---
new connection
S: AuthenticationCleartextPassword
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(1s) outstanding=none
S: ErrorResponse S="FATAL" V="FATAL" C="57014" M="canceling authentication due to timeout"
event Closed Fatal(SqlState(57014))

# A spurious or early tick is a no-op.
reset
startup
tick 10
state
password secret
ok
state
---
new connection
S: AuthenticationCleartextPassword
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(990ms) outstanding=none
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
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none

# idle_session_timeout: FATAL 57P05 after the session sat idle (status I)
# that long; the engine gets Terminate.
reset
config auth=trust idle_session=5000
startup
ok
state
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
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(5s) outstanding=none

tick 4999
---
ok

tick 1
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="57P05" M="terminating connection due to idle-session timeout"
call Terminate
event Closed Fatal(SqlState(57P05))

# Any input restarts the idle wait.
reset
startup
ok
tick 3000
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
out complete "SELECT 1"
end
tick 3000
state
---
call Query("select 1")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(2s) outstanding=none

# idle_in_transaction_session_timeout: only while the status is T (or E);
# FATAL 25P03, then close.
reset
config idle_session=0 idle_in_tx=2000
startup
ok
state
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
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none

query BEGIN
out complete BEGIN
end status=T
state
tick 2000
ok
---
call Query("BEGIN")
S: CommandComplete "BEGIN"
S: ReadyForQuery T
wants_read=true closed=false tx=InBlock pending_output=0 next_timeout_in=Some(2s) outstanding=none
S: ErrorResponse S="FATAL" V="FATAL" C="25P03" M="terminating connection due to idle-in-transaction timeout"
call Terminate
event Closed Fatal(SqlState(25P03))

# statement_timeout: while a call is outstanding the host is asked to
# interrupt it (Event::Interrupt); the engine then answers 57014.
reset
config idle_in_tx=0 statement_timeout=100
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

query "select pg_sleep(10)"
state
tick 100
error 57014 "canceling statement due to statement timeout"
state
---
call Query("select pg_sleep(10)")
wants_read=false closed=false tx=Idle pending_output=0 next_timeout_in=Some(100ms) outstanding=Query("select pg_sleep(10)")
event Interrupt StatementTimeout
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="canceling statement due to statement timeout"
S: ReadyForQuery I
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none

# The timer covers the whole statement, not each call: a result streamed
# in batches is interrupted during a later Fetch.
query "select g from big"
out columns g/int4
out row 1
end more=true
tick 60
out row 2
end more=true
tick 40
error 57014 "canceling statement due to statement timeout"
---
call Query("select g from big")
S: RowDescription g:23/4/-1/0/0/f0
S: DataRow "1"
call Fetch
S: DataRow "2"
call Fetch
event Interrupt StatementTimeout
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="canceling statement due to statement timeout"
S: ReadyForQuery I

# A statement that finishes in time disarms the timer: a later tick does
# nothing.
query "select 1"
out complete "SELECT 1"
end
tick 500
state
---
call Query("select 1")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none

# Statement timeout while COPY FROM STDIN waits for client data: no call is
# outstanding, so the core aborts the COPY itself with a CopyFail call
# carrying 57014; the engine answers with that error.
query "COPY t FROM STDIN"
out copyin 1
end
state
tick 100
out error 57014 "canceling statement due to statement timeout"
end
---
call Query("COPY t FROM STDIN")
S: CopyInResponse format=0 columns=[0]
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(100ms) outstanding=none
call CopyFail(ErrorReport { severity: Error, code: SqlState(57014), message: "canceling statement due to statement timeout", detail: None, hint: None, position: None, routine: None })
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="canceling statement due to statement timeout"
S: ReadyForQuery I

# SET statement_timeout through the engine changes the core's timer (here
# to off: a long tick fires nothing).
query "SET statement_timeout = 0"
out setting statement_timeout=0
out complete SET
end
---
call Query("SET statement_timeout = 0")
S: CommandComplete "SET"
S: ReadyForQuery I

query "select pg_sleep(1)"
tick 60000
state
out complete "SELECT 1"
end
---
call Query("select pg_sleep(1)")
wants_read=false closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=Query("select pg_sleep(1)")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# … and to 2s (as SHOW prints it).
query "SET statement_timeout = '2s'"
out setting statement_timeout=2s
out complete SET
end
---
call Query("SET statement_timeout = '2s'")
S: CommandComplete "SET"
S: ReadyForQuery I

query "select pg_sleep(5)"
tick 1999
tick 1
error 57014 "canceling statement due to statement timeout"
---
call Query("select pg_sleep(5)")
event Interrupt StatementTimeout
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="canceling statement due to statement timeout"
S: ReadyForQuery I

# idle_session_timeout set by the session (`SET idle_session_timeout`).
query "SET idle_session_timeout = '1s'"
out setting idle_session_timeout=1s
out complete SET
end
state
tick 1000
ok
---
call Query("SET idle_session_timeout = '1s'")
S: CommandComplete "SET"
S: ReadyForQuery I
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=Some(1s) outstanding=none
S: ErrorResponse S="FATAL" V="FATAL" C="57P05" M="terminating connection due to idle-session timeout"
call Terminate
event Closed Fatal(SqlState(57P05))

# statement_timeout expiring while a result stream is paused for a slow
# client (output above the high-water mark, no call outstanding): the Fetch
# that resumes the stream is preceded by the Interrupt, so the engine ends the
# statement with 57014 instead of streaming on under a fresh timeout.
reset
config high_water=64 autodrain=false statement_timeout=100
startup
ok
---
new connection
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })

drain
query "select * from big"
out columns v/text
out row aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
end more=true
---
drained 396 of 396 bytes
S: AuthenticationOk
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
call Query("select * from big")

state
tick 150
state
---
wants_read=false closed=false tx=Idle pending_output=110 next_timeout_in=Some(100ms) outstanding=none
wants_read=false closed=false tx=Idle pending_output=110 next_timeout_in=None outstanding=none

drain
---
drained 110 of 110 bytes
S: RowDescription v:25/-1/-1/0/0/f0
S: DataRow "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
event Interrupt StatementTimeout
call Fetch

out error 57014 "canceling statement due to statement timeout"
end
drain
---
drained 79 of 79 bytes
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="canceling statement due to statement timeout"
S: ReadyForQuery I
