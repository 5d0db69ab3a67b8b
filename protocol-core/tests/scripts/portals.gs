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

# asyncpg cursors inside a transaction (SUMMARY §2.7, §3 item 25): a named
# portal bound and synced, then `E portal max_rows=k` + `S` repeatedly. The
# portal survives each Sync while the status is T, so the core runs it
# without asking the engine to describe it again.
query "BEGIN;"
out complete BEGIN
end status=T
---
call Query("BEGIN;")
S: CommandComplete "BEGIN"
S: ReadyForQuery T

parse name=__asyncpg_stmt_1__ "select g from generate_series(1, 3) g"
describe S __asyncpg_stmt_1__
flush
parsed cols=g/int4
---
call Parse { statement: "__asyncpg_stmt_1__", sql: "select g from generate_series(1, 3) g", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription g:23/4/-1/0/0/f0

bind portal=__asyncpg_portal_1__ stmt=__asyncpg_stmt_1__ results=1
sync
ok
synced status=T
---
call Bind { portal: "__asyncpg_portal_1__", statement: "__asyncpg_stmt_1__", params: [], result_formats: [Binary] }
S: BindComplete
call Sync
S: ReadyForQuery T

execute portal=__asyncpg_portal_1__ max=2
sync
out row 1
out row 2
out suspended
end status=T
synced status=T
---
call Execute { portal: "__asyncpg_portal_1__", max_rows: 2 }
S: DataRow x:00000001
S: DataRow x:00000002
S: PortalSuspended
call Sync
S: ReadyForQuery T

execute portal=__asyncpg_portal_1__ max=2
sync
out row 3
out complete "SELECT 1"
end status=T
synced status=T
---
call Execute { portal: "__asyncpg_portal_1__", max_rows: 2 }
S: DataRow x:00000003
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery T

close P __asyncpg_portal_1__
sync
ok
synced status=T
---
call Close(Portal("__asyncpg_portal_1__"))
S: CloseComplete
call Sync
S: ReadyForQuery T

# A second Bind of a live named portal: ERROR 42P03 with PostgreSQL's
# wording ("cursor … already exists").
bind portal=c1 stmt=__asyncpg_stmt_1__
sync
ok
synced status=T
---
call Bind { portal: "c1", statement: "__asyncpg_stmt_1__", params: [], result_formats: [Text] }
S: BindComplete
call Sync
S: ReadyForQuery T

# An error the core raises itself (a duplicate portal) still fails the
# transaction block: the core tells the engine with a Fail call, so Sync
# reports `ReadyForQuery E` and the next statement would get 25P02, as in
# PostgreSQL.
bind portal=c1 stmt=__asyncpg_stmt_1__
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="42P03" M="cursor \"c1\" already exists"
call Fail(ErrorReport { severity: Error, code: SqlState(42P03), message: "cursor \"c1\" already exists", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery E

query "ROLLBACK;"
out complete ROLLBACK
end
---
call Query("ROLLBACK;")
S: CommandComplete "ROLLBACK"
S: ReadyForQuery I

# Portals do not outlive their transaction: once a ReadyForQuery reported I
# the core forgets c1, so an Execute of it goes to the engine as a Describe
# first, and the engine says it is gone (34000).
execute portal=c1
sync
error 34000 "portal \"c1\" does not exist"
ok
---
call Describe(Portal("c1"))
S: ErrorResponse S="ERROR" V="ERROR" C="34000" M="portal \"c1\" does not exist"
call Sync
S: ReadyForQuery I

# A statement made by SQL PREPARE, which the core never saw: Bind asks the
# engine to describe it, then decodes the parameters with those types.
query "PREPARE q1 AS select $1::int4 + 1 as r"
out complete PREPARE
end
---
call Query("PREPARE q1 AS select $1::int4 + 1 as r")
S: CommandComplete "PREPARE"
S: ReadyForQuery I

bind stmt=q1 41
describe P
execute
sync
described params=23 cols=r/int4
ok
out row 42
out complete "SELECT 1"
end
ok
---
call Describe(Statement("q1"))
call Bind { portal: "", statement: "q1", params: [Int4(41)], result_formats: [Text] }
S: BindComplete
S: RowDescription r:23/4/-1/0/0/f0
call Execute { portal: "", max_rows: 0 }
S: DataRow "42"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# psycopg3 server-side cursor (SUMMARY §2.6, §4 item 9): DECLARE through the
# extended protocol, then `D P "ssc"` + `S` describes the SQL cursor as a
# protocol portal (the engine describes it: text formats), then FETCH and
# CLOSE by simple Query.
query BEGIN
out complete BEGIN
end status=T
---
call Query("BEGIN")
S: CommandComplete "BEGIN"
S: ReadyForQuery T

parse "DECLARE \"ssc\" CURSOR FOR SELECT id FROM pg3_t WHERE n > $1" types=21
bind formats=1 "x:0001"
describe P
execute
sync
parsed params=21
bound
out complete "DECLARE CURSOR"
end status=T
synced status=T
---
call Parse { statement: "", sql: "DECLARE \"ssc\" CURSOR FOR SELECT id FROM pg3_t WHERE n > $1", param_types: [21] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Int2(1)], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 0 }
S: CommandComplete "DECLARE CURSOR"
call Sync
S: ReadyForQuery T

describe P ssc
sync
described cols=id/int4
synced status=T
---
call Describe(Portal("ssc"))
S: RowDescription id:23/4/-1/0/0/f0
call Sync
S: ReadyForQuery T

query "FETCH FORWARD 2 FROM \"ssc\""
out columns id/int4
out row 1
out row 2
out complete "FETCH 2"
end status=T
---
call Query("FETCH FORWARD 2 FROM \"ssc\"")
S: RowDescription id:23/4/-1/0/0/f0
S: DataRow "1"
S: DataRow "2"
S: CommandComplete "FETCH 2"
S: ReadyForQuery T

# CLOSE drops the cursor; the core forgets its description, so a second
# Describe goes to the engine again (34000).
query "CLOSE \"ssc\""
out closeportals ssc
out complete "CLOSE CURSOR"
end status=T
---
call Query("CLOSE \"ssc\"")
S: CommandComplete "CLOSE CURSOR"
S: ReadyForQuery T

describe P ssc
sync
error 34000 "portal \"ssc\" does not exist" status=E
synced status=E
---
call Describe(Portal("ssc"))
S: ErrorResponse S="ERROR" V="ERROR" C="34000" M="portal \"ssc\" does not exist"
call Sync
S: ReadyForQuery E

query ROLLBACK
out complete ROLLBACK
end
---
call Query("ROLLBACK")
S: CommandComplete "ROLLBACK"
S: ReadyForQuery I

# psycopg3 after a rollback sends DEALLOCATE ALL (SUMMARY §2.6, §3 item 30):
# the engine reports it, the core forgets every statement, and a Parse of a
# name used before is accepted instead of failing with 42P05.
parse name=_pg3_0 "select 1 as one"
sync
parsed cols=one/int4
ok
---
call Parse { statement: "_pg3_0", sql: "select 1 as one", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

query "DEALLOCATE ALL"
out deallocate
out complete "DEALLOCATE ALL"
end
---
call Query("DEALLOCATE ALL")
S: CommandComplete "DEALLOCATE ALL"
S: ReadyForQuery I

parse name=_pg3_0 "select 1 as one"
bind stmt=_pg3_0
describe P
execute
sync
parsed cols=one/int4
ok
out row 1
out complete "SELECT 1"
end
ok
---
call Parse { statement: "_pg3_0", sql: "select 1 as one", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "_pg3_0", params: [], result_formats: [Text] }
S: BindComplete
S: RowDescription one:23/4/-1/0/0/f0
call Execute { portal: "", max_rows: 0 }
S: DataRow "1"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# SQL DEALLOCATE of one name forgets just that one.
query "DEALLOCATE _pg3_0"
out deallocate _pg3_0
out complete DEALLOCATE
end
---
call Query("DEALLOCATE _pg3_0")
S: CommandComplete "DEALLOCATE"
S: ReadyForQuery I

parse name=_pg3_0 "select 2 as two"
sync
parsed cols=two/int4
ok
---
call Parse { statement: "_pg3_0", sql: "select 2 as two", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I
