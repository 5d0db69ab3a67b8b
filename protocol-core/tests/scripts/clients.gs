# The client shapes of SUMMARY §2, one connection each, as the traces show
# them.
#
# pg8000 (SUMMARY §2.9, §4 item 6, §3 item 28): SSLRequest, then three round
# trips on the unnamed statement with Flush before every Sync —
# `P/H/S`, `D S/H/S`, `B/H/E/H/S`. The unnamed statement survives both Syncs.
ssl
startup database=db
ok
---
S: N
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

parse "SELECT $1 AS v"
flush
sync
parsed params=25 cols=v/text
ok
---
call Parse { statement: "", sql: "SELECT $1 AS v", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

describe S
flush
sync
ok
---
S: ParameterDescription [25]
S: RowDescription v:25/-1/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind hello
flush
execute
flush
sync
ok
out row hello
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "", params: [Text("hello")], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "hello"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# pg8000 `ps.close()`: `C S "pg8000_statement_0"/H/S`.
parse name=pg8000_statement_0 "select 1"
flush
sync
ok
ok
---
call Parse { statement: "pg8000_statement_0", sql: "select 1", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

close S pg8000_statement_0
flush
sync
ok
ok
---
call Close(Statement("pg8000_statement_0"))
S: CloseComplete
call Sync
S: ReadyForQuery I

# psql `\gdesc` (SUMMARY §2.1): `P "" + S`, then `D S "" + S` (the unnamed
# statement survives Sync), then a Query.
reset
ssl
startup database=db application_name=psql
ok
---
new connection
S: N
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("application_name", "psql")] })
S: ParameterStatus application_name="psql"
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

parse "SELECT $1::int AS p "
sync
parsed params=23 cols=p/int4
ok
---
call Parse { statement: "", sql: "SELECT $1::int AS p ", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

describe S
sync
ok
---
S: ParameterDescription [23]
S: RowDescription p:23/4/-1/0/0/f0
call Sync
S: ReadyForQuery I

query "SELECT name AS \"Column\", pg_catalog.format_type(tp, tpm) AS \"Type\" FROM (VALUES ('p', '23'::pg_catalog.oid, -1)) s(name, tp, tpm)"
out columns Column/text Type/text
out row p integer
out complete "SELECT 1"
end
---
call Query("SELECT name AS \"Column\", pg_catalog.format_type(tp, tpm) AS \"Type\" FROM (VALUES ('p', '23'::pg_catalog.oid, -1)) s(name, tp, tpm)")
S: RowDescription Column:25/-1/-1/0/0/f0 Type:25/-1/-1/0/0/f0
S: DataRow "p" "integer"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# pgbench -M prepared (SUMMARY §2.2): `P "P_0" + S` once, then
# `B "" "P_0"/D P/E/S` with result_fmts=[0] even for BEGIN, which has no
# columns (NoData).
reset
ssl
startup database=db application_name=pgbench
ok
---
new connection
S: N
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("application_name", "pgbench")] })
S: ParameterStatus application_name="pgbench"
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

parse name=P_0 "BEGIN;"
sync
ok
ok
---
call Parse { statement: "P_0", sql: "BEGIN;", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

bind stmt=P_0 results=0
describe P
execute
sync
bound
out complete BEGIN
end status=T
synced status=T
---
call Bind { portal: "", statement: "P_0", params: [], result_formats: [Text] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "BEGIN"
call Sync
S: ReadyForQuery T

parse name=P_1 "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;"
sync
parsed params="23,23"
synced status=T
---
call Parse { statement: "P_1", sql: "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery T

bind stmt=P_1 results=0 223 5009
describe P
execute
sync
bound
out complete "UPDATE 1"
end status=T
synced status=T
---
call Bind { portal: "", statement: "P_1", params: [Int4(223), Int4(5009)], result_formats: [Text] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "UPDATE 1"
call Sync
S: ReadyForQuery T

# JDBC (SUMMARY §2.12, §4 item 8): `BEGIN` as the named statement S_2
# pipelined in front of the next statement's Parse/Describe, one Sync;
# then the batch `B/D P/E max_rows=1` ×2 and one Sync: CommandComplete for
# DML, never PortalSuspended.
reset
ssl
startup database=db client_encoding=UTF8 DateStyle=ISO TimeZone=Etc/UTC extra_float_digits=2
opened DateStyle="ISO, MDY"
---
new connection
S: N
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("DateStyle", "ISO"), ("TimeZone", "Etc/UTC"), ("extra_float_digits", "2")] })
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

parse name=S_2 BEGIN
bind stmt=S_2
execute
parse name=S_3 "INSERT INTO jdbc_t (name, n) VALUES ($1, $2)" types="1043,23"
describe S S_3
sync
ok
bound
out complete BEGIN
end status=T
ok
synced status=T
---
call Parse { statement: "S_2", sql: "BEGIN", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "S_2", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "BEGIN"
call Parse { statement: "S_3", sql: "INSERT INTO jdbc_t (name, n) VALUES ($1, $2)", param_types: [1043, 23] }
S: ParseComplete
S: ParameterDescription [1043, 23]
S: NoData
call Sync
S: ReadyForQuery T

bind stmt=S_3 formats="0,1" b0 "x:00000000"
describe P
execute max=1
bind stmt=S_3 formats="0,1" b1 "x:00000001"
describe P
execute max=1
sync
bound
out complete "INSERT 0 1"
end status=T
bound
out complete "INSERT 0 1"
end status=T
synced status=T
---
call Bind { portal: "", statement: "S_3", params: [Text("b0"), Int4(0)], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 1 }
S: CommandComplete "INSERT 0 1"
call Bind { portal: "", statement: "S_3", params: [Text("b1"), Int4(1)], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 1 }
S: CommandComplete "INSERT 0 1"
call Sync
S: ReadyForQuery T

# JDBC setFetchSize(2): a named portal `C_5`, `E "C_5" 2` → PortalSuspended,
# then `E "C_5" 2` + `S` again, then `C P "C_5"`.
parse name=S_4 "select g from generate_series(1, 3) g"
bind portal=C_5 stmt=S_4
describe P C_5
execute portal=C_5 max=2
sync
parsed cols=g/int4
ok
out row 1
out row 2
out suspended
end status=T
synced status=T
---
call Parse { statement: "S_4", sql: "select g from generate_series(1, 3) g", param_types: [] }
S: ParseComplete
call Bind { portal: "C_5", statement: "S_4", params: [], result_formats: [Text] }
S: BindComplete
S: RowDescription g:23/4/-1/0/0/f0
call Execute { portal: "C_5", max_rows: 2 }
S: DataRow "1"
S: DataRow "2"
S: PortalSuspended
call Sync
S: ReadyForQuery T

execute portal=C_5 max=2
sync
out row 3
out complete "SELECT 1"
end status=T
synced status=T
---
call Execute { portal: "C_5", max_rows: 2 }
S: DataRow "3"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery T

close P C_5
parse name=S_5 COMMIT
bind stmt=S_5
execute
sync
ok
ok
bound
out complete COMMIT
end
ok
---
call Close(Portal("C_5"))
S: CloseComplete
call Parse { statement: "S_5", sql: "COMMIT", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "S_5", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "COMMIT"
call Sync
S: ReadyForQuery I

# Bun (SUMMARY §2.3): no SSLRequest, startup with client_encoding and
# DateStyle and no application_name; `P "P1"(oids)/D S/S` first, then
# `B/E/S` with binary int4 params and mixed result formats; never Terminate:
# the socket just closes.
reset
startup database=db client_encoding=UTF8 DateStyle="ISO, MDY"
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY")] })
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

parse name=P1 "SELECT $1 ::int AS x, $2  AS y" types="23,0"
describe S P1
sync
parsed params="23,25" cols="x/int4,y/text"
ok
---
call Parse { statement: "P1", sql: "SELECT $1 ::int AS x, $2  AS y", param_types: [23, 0] }
S: ParseComplete
S: ParameterDescription [23, 25]
S: RowDescription x:23/4/-1/0/0/f0 y:25/-1/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind stmt=P1 formats="1,0" results="1,0" "x:00000007" seven
execute
sync
ok
out row 7 seven
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "P1", params: [Int4(7), Text("seven")], result_formats: [Binary, Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000007 "seven"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

eof
ok
---
call Terminate
event Closed ClientEof

# postgres.js (SUMMARY §2.5): `P name/D S/H`, answered without Sync, then
# `B/E/S`; `begin ` by simple Query; savepoint through the extended protocol.
reset
startup database=db client_encoding=UTF8 application_name=postgres.js
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("application_name", "postgres.js")] })
S: ParameterStatus application_name="postgres.js"
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

parse name=kb60u3qm6c4 "select $1 as x" types=0
describe S kb60u3qm6c4
flush
parsed params=25 cols=x/text
---
call Parse { statement: "kb60u3qm6c4", sql: "select $1 as x", param_types: [0] }
S: ParseComplete
S: ParameterDescription [25]
S: RowDescription x:25/-1/-1/0/0/f0

bind stmt=kb60u3qm6c4 a
execute
sync
ok
out row a
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "kb60u3qm6c4", params: [Text("a")], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "a"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

query "begin "
out complete BEGIN
end status=T
---
call Query("begin ")
S: CommandComplete "BEGIN"
S: ReadyForQuery T

parse name=kb60u3qm6c5 "savepoint \"s0\""
describe S kb60u3qm6c5
bind stmt=kb60u3qm6c5
execute
sync
ok
ok
out complete SAVEPOINT
end status=T
synced status=T
---
call Parse { statement: "kb60u3qm6c5", sql: "savepoint \"s0\"", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: NoData
call Bind { portal: "", statement: "kb60u3qm6c5", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "SAVEPOINT"
call Sync
S: ReadyForQuery T

# tokio-postgres (SUMMARY §2.11): every query prepared as `P "sN"/D S/S`,
# then `B "" "sN"` all binary; a dropped statement is closed with
# `C S "sN"` + `S` in the same write as the next Parse.
reset
startup client_encoding=UTF8 user=alice database=db
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8")] })
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

parse name=s0 "SELECT $1::int8 AS big"
describe S s0
sync
parsed params=20 cols=big/int8
ok
---
call Parse { statement: "s0", sql: "SELECT $1::int8 AS big", param_types: [] }
S: ParseComplete
S: ParameterDescription [20]
S: RowDescription big:20/8/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind stmt=s0 formats=1 results=1 "x:00000002540be400"
execute
sync
ok
out row 10000000000
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "s0", params: [Int8(10000000000)], result_formats: [Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:00000002540be400
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

close S s0
sync
parse name=s1 "SELECT 1::int4 AS one"
describe S s1
sync
ok
ok
parsed cols=one/int4
ok
---
call Close(Statement("s0"))
S: CloseComplete
call Sync
S: ReadyForQuery I
call Parse { statement: "s1", sql: "SELECT 1::int4 AS one", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription one:23/4/-1/0/0/f0
call Sync
S: ReadyForQuery I

# asyncpg (SUMMARY §2.7): SSLRequest, startup with the quoted `'utf-8'`;
# `P name/D S/H`, then `B/E max_rows=1/S` for fetchval → PortalSuspended
# even when there is only one row.
reset
ssl
startup client_encoding="'utf-8'" user=alice database=db
ok
---
new connection
S: N
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8")] })
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

parse name=__asyncpg_stmt_2__ "SELECT 1::int4 AS v"
describe S __asyncpg_stmt_2__
flush
parsed cols=v/int4
---
call Parse { statement: "__asyncpg_stmt_2__", sql: "SELECT 1::int4 AS v", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription v:23/4/-1/0/0/f0

bind stmt=__asyncpg_stmt_2__ results=1
execute max=1
sync
ok
out row 1
out suspended
end
ok
---
call Bind { portal: "", statement: "__asyncpg_stmt_2__", params: [], result_formats: [Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 1 }
S: DataRow x:00000001
S: PortalSuspended
call Sync
S: ReadyForQuery I

# psycopg 3 (SUMMARY §2.6): `P ""(oids)/B/D P/E/S` with binary int2, then
# the 6th run prepares `P "_pg3_0" + S`; executemany pipelines
# `B/D P/E` ×2, `S`, then `H`.
reset
ssl
startup database=db
ok
---
new connection
S: N
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

parse "SELECT $1 AS binparam" types=21
bind formats=1 results=0 "x:0007"
describe P
execute
sync
parsed params=21 cols=binparam/int2
ok
out row 7
out complete "SELECT 1"
end
ok
---
call Parse { statement: "", sql: "SELECT $1 AS binparam", param_types: [21] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Int2(7)], result_formats: [Text] }
S: BindComplete
S: RowDescription binparam:21/2/-1/0/0/f0
call Execute { portal: "", max_rows: 0 }
S: DataRow "7"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

parse name=_pg3_0 "INSERT INTO t VALUES ($1)" types=21
sync
ok
ok
---
call Parse { statement: "_pg3_0", sql: "INSERT INTO t VALUES ($1)", param_types: [21] }
S: ParseComplete
call Sync
S: ReadyForQuery I

bind stmt=_pg3_0 formats=1 "x:0001"
describe P
execute
bind stmt=_pg3_0 formats=1 "x:0002"
describe P
execute
sync
flush
bound
out complete "INSERT 0 1"
end
bound
out complete "INSERT 0 1"
end
ok
---
call Bind { portal: "", statement: "_pg3_0", params: [Int2(1)], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "INSERT 0 1"
call Bind { portal: "", statement: "_pg3_0", params: [Int2(2)], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "INSERT 0 1"
call Sync
S: ReadyForQuery I
