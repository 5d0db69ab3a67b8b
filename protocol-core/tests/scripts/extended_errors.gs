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

# A Parse error (Bun's 42P01: SUMMARY §2.3, §3 item 2): ErrorResponse, then
# Bind/Describe/Execute are discarded unseen until Sync, which answers
# ReadyForQuery. The psql-style position goes in field P.
parse "select * from nope"
bind
describe P
execute
sync
error 42P01 "relation \"nope\" does not exist" position=15
ok
---
call Parse { statement: "", sql: "select * from nope", param_types: [] }
S: ErrorResponse S="ERROR" V="ERROR" C="42P01" M="relation \"nope\" does not exist" P="15"
call Sync
S: ReadyForQuery I

# The failed unnamed Parse left no unnamed statement: a Bind of it now asks
# the engine to describe it, and the engine says it does not exist (26000).
bind
execute
sync
error 26000 "unnamed prepared statement does not exist"
ok
---
call Describe(Statement(""))
S: ErrorResponse S="ERROR" V="ERROR" C="26000" M="unnamed prepared statement does not exist"
call Sync
S: ReadyForQuery I

# Bind with the wrong number of parameters: 08P01 with PostgreSQL's wording,
# skip until Sync.
parse name=two "select $1::int4 + $2::int4 as s" types="23,23"
sync
parsed params="23,23" cols=s/int4
ok
---
call Parse { statement: "two", sql: "select $1::int4 + $2::int4 as s", param_types: [23, 23] }
S: ParseComplete
call Sync
S: ReadyForQuery I

bind stmt=two 1
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="08P01" M="bind message supplies 1 parameters, but prepared statement \"two\" requires 2"
call Fail(ErrorReport { severity: Error, code: SqlState(08P01), message: "bind message supplies 1 parameters, but prepared statement \"two\" requires 2", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# Bind with a value that is not a valid int4 in text: 22P02, skip until Sync.
bind stmt=two 1 abc
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="22P02" M="invalid input syntax for type integer: \"abc\"" D="while decoding parameter $2 of the bind message"
call Fail(ErrorReport { severity: Error, code: SqlState(22P02), message: "invalid input syntax for type integer: \"abc\"", detail: Some("while decoding parameter $2 of the bind message"), hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# An Execute error: the rows sent before it stay, then ErrorResponse; the
# next Bind/Execute before Sync are discarded.
parse "select 1/(2-g) as q from generate_series(1, 3) g"
bind
execute
bind stmt=two 1 2
execute
sync
parsed cols=q/int4
ok
out row 1
out error 22012 "division by zero"
end
ok
---
call Parse { statement: "", sql: "select 1/(2-g) as q from generate_series(1, 3) g", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "1"
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
call Sync
S: ReadyForQuery I

# Inside a transaction block the error leaves the block failed: Sync
# reports E (psycopg, pgbench --max-tries need the exact status).
query "BEGIN"
out complete BEGIN
end status=T
---
call Query("BEGIN")
S: CommandComplete "BEGIN"
S: ReadyForQuery T

bind stmt=two 1 2
execute
sync
ok
error 22012 "division by zero" status=E
synced status=E
---
call Bind { portal: "", statement: "two", params: [Int4(1), Int4(2)], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
call Sync
S: ReadyForQuery E

# While the block is failed, the engine refuses everything with 25P02.
bind stmt=two 1 2
execute
sync
error 25P02 "current transaction is aborted, commands ignored until end of transaction block" status=E
synced status=E
---
call Bind { portal: "", statement: "two", params: [Int4(1), Int4(2)], result_formats: [Text] }
S: ErrorResponse S="ERROR" V="ERROR" C="25P02" M="current transaction is aborted, commands ignored until end of transaction block"
call Sync
S: ReadyForQuery E

query "ROLLBACK"
out complete ROLLBACK
end
---
call Query("ROLLBACK")
S: CommandComplete "ROLLBACK"
S: ReadyForQuery I

# Terminate while skipping until Sync still ends the connection.
parse "select nope"
bind
terminate
error 42703 "column \"nope\" does not exist" position=8
ok
---
call Parse { statement: "", sql: "select nope", param_types: [] }
S: ErrorResponse S="ERROR" V="ERROR" C="42703" M="column \"nope\" does not exist" P="8"
call Terminate
event Closed Terminated

# A Parse whose SQL is not valid UTF-8: ERROR 22021, and since Parse is an
# extended-query message the rest of the batch is skipped until Sync — one
# ReadyForQuery, as in PostgreSQL.
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

raw "50 0000000c 00 73656cff00 0000"
bind
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="22021" M="invalid byte sequence for encoding \"UTF8\": 0xff"
call Fail(ErrorReport { severity: Error, code: SqlState(22021), message: "invalid byte sequence for encoding \"UTF8\": 0xff", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# While skipping until Sync even a simple Query is discarded (PostgreSQL
# reads and drops every message but Sync and Terminate).
parse "select * from nope"
query "select 1"
sync
error 42P01 "relation \"nope\" does not exist" position=15
ok
---
call Parse { statement: "", sql: "select * from nope", param_types: [] }
S: ErrorResponse S="ERROR" V="ERROR" C="42P01" M="relation \"nope\" does not exist" P="15"
call Sync
S: ReadyForQuery I

# A stray Sync outside any batch just gets ReadyForQuery.
sync
ok
---
call Sync
S: ReadyForQuery I
