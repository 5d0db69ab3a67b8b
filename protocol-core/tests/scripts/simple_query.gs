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

# psql -c "a; b; c" (SUMMARY §2.1, §3 items 8 and 15): several statements in
# one Query get RowDescription/DataRow/CommandComplete each and a single
# ReadyForQuery at the end.
query "select 3 as c ; select 4 as d ; select 5 as e;"
out columns c/int4
out row 3
out complete "SELECT 1"
out columns d/int4
out row 4
out complete "SELECT 1"
out columns e/int4
out row 5
out complete "SELECT 1"
end
---
call Query("select 3 as c ; select 4 as d ; select 5 as e;")
S: RowDescription c:23/4/-1/0/0/f0
S: DataRow "3"
S: CommandComplete "SELECT 1"
S: RowDescription d:23/4/-1/0/0/f0
S: DataRow "4"
S: CommandComplete "SELECT 1"
S: RowDescription e:23/4/-1/0/0/f0
S: DataRow "5"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# An empty query string: EmptyQueryResponse, then ReadyForQuery.
query ""
out empty
end
---
call Query("")
S: EmptyQueryResponse
S: ReadyForQuery I

# Only a semicolon is empty too (the engine decides; the core frames it).
query ";"
out empty
end
---
call Query(";")
S: EmptyQueryResponse
S: ReadyForQuery I

# pgbench -i's first statement (SUMMARY §2.2): NoticeResponse per missing
# table (SQLSTATE 00000) before CommandComplete.
query "drop table if exists pgbench_accounts, pgbench_branches"
out notice "table \"pgbench_accounts\" does not exist, skipping"
out notice "table \"pgbench_branches\" does not exist, skipping"
out complete "DROP TABLE"
end
---
call Query("drop table if exists pgbench_accounts, pgbench_branches")
S: NoticeResponse S="NOTICE" V="NOTICE" C="00000" M="table \"pgbench_accounts\" does not exist, skipping"
S: NoticeResponse S="NOTICE" V="NOTICE" C="00000" M="table \"pgbench_branches\" does not exist, skipping"
S: CommandComplete "DROP TABLE"
S: ReadyForQuery I

# An error in the middle of a multi-statement string: the first statement's
# results, then ErrorResponse and ReadyForQuery; the rest of the string is
# not run (SUMMARY §3 item 2).
query "select 1 as a; select 1/0; select 3"
out columns a/int4
out row 1
out complete "SELECT 1"
out error 22012 "division by zero"
end
---
call Query("select 1 as a; select 1/0; select 3")
S: RowDescription a:23/4/-1/0/0/f0
S: DataRow "1"
S: CommandComplete "SELECT 1"
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
S: ReadyForQuery I

# Transaction status in ReadyForQuery (psql, pgbench --max-tries: SUMMARY
# §2.1, §2.2): BEGIN → T; an error inside the block → E; the next
# statement is refused with 25P02 and stays E; ROLLBACK → I.
query "BEGIN"
out complete "BEGIN"
end status=T
---
call Query("BEGIN")
S: CommandComplete "BEGIN"
S: ReadyForQuery T

query "select 1/0"
out error 22012 "division by zero"
end status=E
---
call Query("select 1/0")
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
S: ReadyForQuery E

query "select 1"
error 25P02 "current transaction is aborted, commands ignored until end of transaction block" status=E
---
call Query("select 1")
S: ErrorResponse S="ERROR" V="ERROR" C="25P02" M="current transaction is aborted, commands ignored until end of transaction block"
S: ReadyForQuery E

query "ROLLBACK"
out complete "ROLLBACK"
end
---
call Query("ROLLBACK")
S: CommandComplete "ROLLBACK"
S: ReadyForQuery I

# A multi-statement string that opens a block and leaves it open (psql
# `\;`): one ReadyForQuery with T.
query "begin; insert into t values (1)"
out complete "BEGIN"
out complete "INSERT 0 1"
end status=T
---
call Query("begin; insert into t values (1)")
S: CommandComplete "BEGIN"
S: CommandComplete "INSERT 0 1"
S: ReadyForQuery T

query "commit"
out complete "COMMIT"
end
---
call Query("commit")
S: CommandComplete "COMMIT"
S: ReadyForQuery I

# A SELECT returning NULLs and no rows.
query "select null::text as n where false"
out columns n/text
out complete "SELECT 0"
end
---
call Query("select null::text as n where false")
S: RowDescription n:25/-1/-1/0/0/f0
S: CommandComplete "SELECT 0"
S: ReadyForQuery I

query "select null::text as n"
out columns n/text
out row NULL
out complete "SELECT 1"
end
---
call Query("select null::text as n")
S: RowDescription n:25/-1/-1/0/0/f0
S: DataRow NULL
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# Fast-path FunctionCall ('F') is not supported: ERROR 0A000, then
# ReadyForQuery; the session goes on.
raw "46 0000000e 000004d2 0000 0000 0000"
---
S: ErrorResponse S="ERROR" V="ERROR" C="0A000" M="fast-path function calls are not supported"
call Fail(ErrorReport { severity: Error, code: SqlState(0A000), message: "fast-path function calls are not supported", detail: None, hint: None, position: None, routine: None })
S: ReadyForQuery I

query "select 1 as a"
out columns a/int4
out row 1
out complete "SELECT 1"
end
---
call Query("select 1 as a")
S: RowDescription a:23/4/-1/0/0/f0
S: DataRow "1"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# A Query that is not valid UTF-8: ERROR 22021, ReadyForQuery, and the
# connection continues (PostgreSQL: "invalid byte sequence for encoding").
raw "51 00000009 73656cff00"
---
S: ErrorResponse S="ERROR" V="ERROR" C="22021" M="invalid byte sequence for encoding \"UTF8\": 0xff"
call Fail(ErrorReport { severity: Error, code: SqlState(22021), message: "invalid byte sequence for encoding \"UTF8\": 0xff", detail: None, hint: None, position: None, routine: None })
S: ReadyForQuery I

query "select 2 as b"
out columns b/int4
out row 2
out complete "SELECT 1"
end
---
call Query("select 2 as b")
S: RowDescription b:23/4/-1/0/0/f0
S: DataRow "2"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
