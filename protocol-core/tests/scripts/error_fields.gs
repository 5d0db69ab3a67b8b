# Login (trust) for the blocks below.
startup database=db
ok
---
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [] })
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

# Every ErrorResponse carries S (localized severity), V (non-localized), C
# (SQLSTATE) and M; D, H, P and R follow when the engine sets them, in
# PostgreSQL's field order (SUMMARY §3 item 2: psql draws a caret from P).
query "select * from itmes"
out error 42P01 "relation \"itmes\" does not exist" position=15 hint="Perhaps you meant to reference the table \"items\"." routine=parserOpenTable
end
---
call Query("select * from itmes")
S: ErrorResponse S="ERROR" V="ERROR" C="42P01" M="relation \"itmes\" does not exist" H="Perhaps you meant to reference the table \"items\"." P="15" R="parserOpenTable"
S: ReadyForQuery I

# A detail line (unique violation).
query "insert into items values (1)"
out error 23505 "duplicate key value violates unique constraint \"items_pkey\"" detail="Key (id)=(1) already exists." routine=_bt_check_unique
end
---
call Query("insert into items values (1)")
S: ErrorResponse S="ERROR" V="ERROR" C="23505" M="duplicate key value violates unique constraint \"items_pkey\"" D="Key (id)=(1) already exists." R="_bt_check_unique"
S: ReadyForQuery I

# postgres.js re-prepares when R is FetchPreparedStatement (SUMMARY §2.5):
# a Bind of a statement the core does not know asks the engine to describe
# it; the engine's 26000 keeps its routine.
bind stmt=gone
execute
sync
error 26000 "prepared statement \"gone\" does not exist" routine=FetchPreparedStatement
ok
---
call Describe(Statement("gone"))
S: ErrorResponse S="ERROR" V="ERROR" C="26000" M="prepared statement \"gone\" does not exist" R="FetchPreparedStatement"
call Sync
S: ReadyForQuery I

# pgbench's 42725 with a hint (SUMMARY §2.2): Parse fails with H set.
parse name=P_1 "UPDATE pgbench_accounts SET abalance = $1 + $2"
sync
error 42725 "operator is not unique: unknown + unknown" position=40 hint="Could not choose a best candidate operator. You might need to add explicit type casts."
ok
---
call Parse { statement: "P_1", sql: "UPDATE pgbench_accounts SET abalance = $1 + $2", param_types: [] }
S: ErrorResponse S="ERROR" V="ERROR" C="42725" M="operator is not unique: unknown + unknown" H="Could not choose a best candidate operator. You might need to add explicit type casts." P="40"
call Sync
S: ReadyForQuery I

# Notices carry the same fields; a WARNING keeps its own severity and code.
query "rollback"
out notice "there is no transaction in progress" code=25P01 severity=WARNING
out complete ROLLBACK
end
---
call Query("rollback")
S: NoticeResponse S="WARNING" V="WARNING" C="25P01" M="there is no transaction in progress"
S: CommandComplete "ROLLBACK"
S: ReadyForQuery I

query "create table if not exists items (id int)"
out notice "relation \"items\" already exists, skipping" code=42P07 detail="d" hint="h"
out complete "CREATE TABLE"
end
---
call Query("create table if not exists items (id int)")
S: NoticeResponse S="NOTICE" V="NOTICE" C="42P07" M="relation \"items\" already exists, skipping" D="d" H="h"
S: CommandComplete "CREATE TABLE"
S: ReadyForQuery I

# An ERROR that the engine raises as FATAL (e.g. the session was killed)
# ends the connection after the report.
query "select pg_terminate_backend(pg_backend_pid())"
out error 57P01 "terminating connection due to administrator command" severity=FATAL
end
ok
---
call Query("select pg_terminate_backend(pg_backend_pid())")
S: ErrorResponse S="FATAL" V="FATAL" C="57P01" M="terminating connection due to administrator command"
call Terminate
event Closed Fatal(SqlState(57P01))
