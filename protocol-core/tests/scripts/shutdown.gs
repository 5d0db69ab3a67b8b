# Host-initiated shutdown of an idle session: FATAL 57P01 "terminating
# connection due to administrator command" (what PostgreSQL sends on a fast
# shutdown), Terminate to the engine, Closed.
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

shutdown
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="57P01" M="terminating connection due to administrator command"
call Terminate
event Closed Fatal(SqlState(57P01))

# A busy session finishes the statement in flight first: the result and
# ReadyForQuery, then the FATAL.
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
shutdown
out columns pg_sleep/text
out row ""
out complete "SELECT 1"
end
ok
---
call Query("select pg_sleep(1)")
S: RowDescription pg_sleep:25/-1/-1/0/0/f0
S: DataRow ""
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
S: ErrorResponse S="FATAL" V="FATAL" C="57P01" M="terminating connection due to administrator command"
call Terminate
event Closed Fatal(SqlState(57P01))

# Shutdown during an extended batch before Sync: the statement is not done
# until Sync, so the batch's calls finish and its ReadyForQuery goes out
# before the FATAL.
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

parse "select 1"
bind
execute
sync
shutdown
ok
ok
out complete "SELECT 1"
end
ok
ok
---
call Parse { statement: "", sql: "select 1", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I
S: ErrorResponse S="FATAL" V="FATAL" C="57P01" M="terminating connection due to administrator command"
call Terminate
event Closed Fatal(SqlState(57P01))

# Shutdown while a login waits for the password: FATAL 57P03 "the database
# system is shutting down" at once, no engine session to terminate.
# (PostgreSQL itself sends nothing to a client still in authentication when
# it gets SIGTERM — "don't risk sending to client during auth" — and refuses
# new ones with 57P03; the core tells the client why.)
reset
config auth=password users="alice:secret"
startup
shutdown
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="57P03" M="the database system is shutting down"
event Closed Fatal(SqlState(57P03))
