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

# node-pg / pgbench -M extended (SUMMARY §2.4, §3 item 9): unnamed
# statement and portal, `P/B/D P/E/S` in one write. Describe P gives the
# RowDescription with the portal's (text) formats; ReadyForQuery only at Sync.
parse "select $1::int4 + 1 as n"
bind 41
describe P
execute
sync
parsed params=23 cols=n/int4
ok
out row 42
out complete "SELECT 1"
end
ok
---
call Parse { statement: "", sql: "select $1::int4 + 1 as n", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Int4(41)], result_formats: [Text] }
S: BindComplete
S: RowDescription n:23/4/-1/0/0/f0
call Execute { portal: "", max_rows: 0 }
S: DataRow "42"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# Describe S (psql \gdesc, Bun, asyncpg: SUMMARY §3 item 13):
# ParameterDescription with the inferred types, then RowDescription with
# format 0 for every column (formats are unknown until Bind).
parse "select $1 as a, $2::text as b"
describe S
sync
parsed params="23,25" cols="a/int4,b/text"
ok
---
call Parse { statement: "", sql: "select $1 as a, $2::text as b", param_types: [] }
S: ParseComplete
S: ParameterDescription [23, 25]
S: RowDescription a:23/4/-1/0/0/f0 b:25/-1/-1/0/0/f0
call Sync
S: ReadyForQuery I

# Describe S of a statement that returns no rows: ParameterDescription, then
# NoData.
parse "insert into t values ($1)" types=23
describe S
sync
ok
ok
---
call Parse { statement: "", sql: "insert into t values ($1)", param_types: [23] }
S: ParseComplete
S: ParameterDescription [23]
S: NoData
call Sync
S: ReadyForQuery I

# A named statement and a named portal, each described and run
# (node-pg named queries, JDBC S_n, tokio-postgres sN).
parse name=s1 "select $1::text as v" types=25
bind portal=p1 stmt=s1 hello
describe S s1
describe P p1
execute portal=p1
sync
parsed params=25 cols=v/text
ok
out row hello
out complete "SELECT 1"
end
ok
---
call Parse { statement: "s1", sql: "select $1::text as v", param_types: [25] }
S: ParseComplete
call Bind { portal: "p1", statement: "s1", params: [Text("hello")], result_formats: [Text] }
S: BindComplete
S: ParameterDescription [25]
S: RowDescription v:25/-1/-1/0/0/f0
S: RowDescription v:25/-1/-1/0/0/f0
call Execute { portal: "p1", max_rows: 0 }
S: DataRow "hello"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# Reuse of the named statement by Bind alone (SUMMARY §3 item 10): no
# Parse, no engine Describe — the core still knows its parameter types.
bind stmt=s1 again
execute
sync
ok
out row again
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "s1", params: [Text("again")], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "again"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# Bun's per-column result formats `results=1,0,1,1` for (int4, text, int4,
# timestamptz) (SUMMARY §2.3, §3 item 16): Describe P shows f1/f0/f1/f1 and
# the DataRow carries binary int4 and timestamptz and text for the rest.
parse name=P3 "select 1::int4 as a, 'x' as b, 2::int4 as c, '2000-01-01 00:00:01+00'::timestamptz as d"
describe S P3
sync
parsed cols="a/int4,b/text,c/int4,d/timestamptz"
ok
---
call Parse { statement: "P3", sql: "select 1::int4 as a, 'x' as b, 2::int4 as c, '2000-01-01 00:00:01+00'::timestamptz as d", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription a:23/4/-1/0/0/f0 b:25/-1/-1/0/0/f0 c:23/4/-1/0/0/f0 d:1184/8/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind stmt=P3 results="1,0,1,1"
describe P
execute
sync
ok
out row 1 x 2 "2000-01-01 00:00:01+00"
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "P3", params: [], result_formats: [Binary, Text, Binary, Binary] }
S: BindComplete
S: RowDescription a:23/4/-1/0/0/f1 b:25/-1/-1/0/0/f0 c:23/4/-1/0/0/f1 d:1184/8/-1/0/0/f1
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000001 "x" x:00000002 x:00000000000f4240
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# One result format code for all columns (asyncpg, tokio-postgres: `[1]`).
bind stmt=P3 results=1
execute
sync
ok
out row 1 x 2 "2000-01-01 00:00:01+00"
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "P3", params: [], result_formats: [Binary, Binary, Binary, Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000001 "x" x:00000002 x:00000000000f4240
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# Execute with max_rows (SUMMARY §3 item 20): PortalSuspended, then the
# same portal executed again continues where it stopped; the last Execute
# ends with CommandComplete.
parse "select g from generate_series(1, 3) g"
bind
execute max=2
execute max=2
sync
parsed cols=g/int4
ok
out row 1
out row 2
out suspended
end
out row 3
out complete "SELECT 3"
end
ok
---
call Parse { statement: "", sql: "select g from generate_series(1, 3) g", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 2 }
S: DataRow "1"
S: DataRow "2"
S: PortalSuspended
call Execute { portal: "", max_rows: 2 }
S: DataRow "3"
S: CommandComplete "SELECT 3"
call Sync
S: ReadyForQuery I

# Close S and Close P → CloseComplete (pg8000 ps.close(), JDBC, asyncpg:
# SUMMARY §3 item 21). Closing a name that does not exist is not an error.
close S s1
close P p1
close S nosuch
sync
ok
ok
ok
ok
---
call Close(Statement("s1"))
S: CloseComplete
call Close(Portal("p1"))
S: CloseComplete
call Close(Statement("nosuch"))
S: CloseComplete
call Sync
S: ReadyForQuery I

# After Close S, the name is free again.
parse name=s1 "select 1"
sync
ok
ok
---
call Parse { statement: "s1", sql: "select 1", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

# A second Parse of an existing named statement: ERROR 42P05, the rest of
# the batch is skipped, Sync answers ReadyForQuery.
parse name=s1 "select 2"
bind stmt=s1
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="42P05" M="prepared statement \"s1\" already exists"
call Fail(ErrorReport { severity: Error, code: SqlState(42P05), message: "prepared statement \"s1\" already exists", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# NULL parameters (Bind length -1) reach the engine as NULL.
parse "select $1::int4 as a, $2::text as b" types="23,25"
bind NULL NULL
execute
sync
parsed params="23,25" cols="a/int4,b/text"
ok
out row NULL NULL
out complete "SELECT 1"
end
ok
---
call Parse { statement: "", sql: "select $1::int4 as a, $2::text as b", param_types: [23, 25] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Null, Null], result_formats: [Text, Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow NULL NULL
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# JDBC runs every DML with max_rows=1 (SUMMARY §2.12, §4 item 8): for a
# statement without rows PostgreSQL answers CommandComplete, never
# PortalSuspended.
parse "insert into t values (1)"
bind
describe P
execute max=1
sync
ok
bound
out complete "INSERT 0 1"
end
ok
---
call Parse { statement: "", sql: "insert into t values (1)", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 1 }
S: CommandComplete "INSERT 0 1"
call Sync
S: ReadyForQuery I

# Execute of an empty statement: EmptyQueryResponse instead of
# CommandComplete (PostgreSQL does this in the extended protocol too).
parse ""
bind
describe P
execute
sync
ok
bound
out empty
end
ok
---
call Parse { statement: "", sql: "", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: EmptyQueryResponse
call Sync
S: ReadyForQuery I
