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

# Bun's Promise.all (SUMMARY §2.3, §3 item 17): `B/E/S B/E/S` in one write,
# several Syncs outstanding. Each batch gets its own ReadyForQuery, in order.
parse name=P0 "select $1::int4 as x" types=23
describe S P0
sync
parsed params=23 cols=x/int4
ok
---
call Parse { statement: "P0", sql: "select $1::int4 as x", param_types: [23] }
S: ParseComplete
S: ParameterDescription [23]
S: RowDescription x:23/4/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind stmt=P0 formats=1 results=1 "x:00000001"
execute
sync
bind stmt=P0 formats=1 results=1 "x:00000002"
execute
sync
ok
out row 1
out complete "SELECT 1"
end
ok
ok
out row 2
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "P0", params: [Int4(1)], result_formats: [Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000001
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I
call Bind { portal: "", statement: "P0", params: [Int4(2)], result_formats: [Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000002
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# An error in the first of two pipelined batches skips only to the first
# Sync; the second batch runs normally.
bind stmt=P0 1
execute
sync
bind stmt=P0 2
execute
sync
ok
out error 22012 "division by zero"
end
ok
ok
out row 2
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "P0", params: [Int4(1)], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
call Sync
S: ReadyForQuery I
call Bind { portal: "", statement: "P0", params: [Int4(2)], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "2"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# postgres.js (SUMMARY §2.5, §4 item 5): `P/D S/H` — Flush with no Sync.
# ParseComplete, ParameterDescription and RowDescription go out at once and
# no ReadyForQuery is sent; the client then sends `B/E/S`.
parse name=kb60u3qm6c41 "select $1::text as t" types=0
describe S kb60u3qm6c41
flush
parsed params=25 cols=t/text
---
call Parse { statement: "kb60u3qm6c41", sql: "select $1::text as t", param_types: [0] }
S: ParseComplete
S: ParameterDescription [25]
S: RowDescription t:25/-1/-1/0/0/f0

bind stmt=kb60u3qm6c41 hi
execute
sync
ok
out row hi
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "kb60u3qm6c41", params: [Text("hi")], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "hi"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# postgres.js `.cursor(2)`: `B/E max=2/H`, PortalSuspended, `E max=2/H`
# again on the unnamed portal with no Sync in between, then CommandComplete
# and finally `S`.
parse "select g from generate_series(1, 3) g"
bind
execute max=2
flush
parsed cols=g/int4
ok
out row 1
out row 2
out suspended
end
---
call Parse { statement: "", sql: "select g from generate_series(1, 3) g", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 2 }
S: DataRow "1"
S: DataRow "2"
S: PortalSuspended

execute max=2
flush
out row 3
out complete "SELECT 3"
end
---
call Execute { portal: "", max_rows: 2 }
S: DataRow "3"
S: CommandComplete "SELECT 3"

sync
ok
---
call Sync
S: ReadyForQuery I

# A Parse error after Flush is answered at once; the client then sends S.
parse "select * from nope"
flush
error 42P01 "relation \"nope\" does not exist" position=15
---
call Parse { statement: "", sql: "select * from nope", param_types: [] }
S: ErrorResponse S="ERROR" V="ERROR" C="42P01" M="relation \"nope\" does not exist" P="15"

sync
ok
---
call Sync
S: ReadyForQuery I

# tokio-postgres drops a statement: `C S "s1"` + `S` pipelined in the same
# write as the next prepare `P "s2"/D S/S` (SUMMARY §2.11).
parse name=s1 "select 1"
sync
ok
ok
---
call Parse { statement: "s1", sql: "select 1", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

close S s1
sync
parse name=s2 "select $1::int8 as n" types=20
describe S s2
sync
ok
ok
parsed params=20 cols=n/int8
ok
---
call Close(Statement("s1"))
S: CloseComplete
call Sync
S: ReadyForQuery I
call Parse { statement: "s2", sql: "select $1::int8 as n", param_types: [20] }
S: ParseComplete
S: ParameterDescription [20]
S: RowDescription n:20/8/-1/0/0/f0
call Sync
S: ReadyForQuery I

# asyncpg's copy_records_to_table (SUMMARY §2.7, §3 item 29): `P/D S/H`
# with no Sync, then a simple Query arrives in the open extended batch. The
# Query runs normally (and, as in PostgreSQL, drops the unnamed statement).
parse "SELECT id FROM apg_t LIMIT 1"
describe S
flush
parsed cols=id/int4
---
call Parse { statement: "", sql: "SELECT id FROM apg_t LIMIT 1", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription id:23/4/-1/0/0/f0

query "select 7 as seven"
out columns seven/int4
out row 7
out complete "SELECT 1"
end
---
call Query("select 7 as seven")
S: RowDescription seven:23/4/-1/0/0/f0
S: DataRow "7"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# The unnamed statement is gone after the Query: Describe S "" must reach
# the engine, which reports 26000.
describe S
sync
error 26000 "unnamed prepared statement does not exist"
ok
---
call Describe(Statement(""))
S: ErrorResponse S="ERROR" V="ERROR" C="26000" M="unnamed prepared statement does not exist"
call Sync
S: ReadyForQuery I
