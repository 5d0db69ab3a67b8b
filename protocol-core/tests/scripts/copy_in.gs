# Login (trust); COPY data is handed to the engine in chunks of about 16
# bytes so the chunking is visible.
config copy_chunk=16
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

# pgbench -i (SUMMARY §2.2, §4 item 2): CopyInResponse (text, 4 columns),
# one CopyData per row, the legacy `\.` line as its own CopyData, CopyDone.
# The core joins rows into ~16-byte CopyData calls and passes the `\.` line
# through untouched for the engine's COPY parser.
query "copy pgbench_accounts from stdin with (freeze on)"
out copyin 4
end
---
call Query("copy pgbench_accounts from stdin with (freeze on)")
S: CopyInResponse format=0 columns=[0, 0, 0, 0]

copydata "1\t1\t0\t\n"
copydata "2\t1\t0\t\n"
copydata "3\t1\t0\t\n"
copydata "4\t1\t0\t\n"
copydata "5\t1\t0\t\n"
copydata "\\.\n"
copydone
ok
ok
out complete "COPY 5"
end
---
call CopyData("1\t1\t0\t\n2\t1\t0\t\n3\t1\t0\t\n")
call CopyData("4\t1\t0\t\n5\t1\t0\t\n\\.\n")
call CopyDone
S: CommandComplete "COPY 5"
S: ReadyForQuery I

# psql (SUMMARY §2.1): everything, `\.` included, in one CopyData.
query "COPY owners (name) FROM STDIN;"
out copyin 1
end
---
call Query("COPY owners (name) FROM STDIN;")
S: CopyInResponse format=0 columns=[0]

copydata "carol\ndave\n\\.\n"
copydone
ok
out complete "COPY 2"
end
---
call CopyData("carol\ndave\n\\.\n")
call CopyDone
S: CommandComplete "COPY 2"
S: ReadyForQuery I

# asyncpg copy_records_to_table (SUMMARY §2.7, §4 item 7): `P/D S/H`, then —
# with no Sync and without waiting for CopyInResponse — the COPY Query, the
# binary PGCOPY CopyData and CopyDone in one write. The data waits in the
# input buffer until the engine has answered the Query with CopyIn.
parse "SELECT \"id\", \"name\" FROM \"apg_t\" LIMIT 1"
describe S
flush
parsed cols="id/int4,name/text"
---
call Parse { statement: "", sql: "SELECT \"id\", \"name\" FROM \"apg_t\" LIMIT 1", param_types: [] }
S: ParseComplete
S: ParameterDescription []
S: RowDescription id:23/4/-1/0/0/f0 name:25/-1/-1/0/0/f0

query "COPY \"apg_t\"(\"id\", \"name\") FROM STDIN (FORMAT binary) "
copydata "x:5047434f50590aff0d0a000000000000000000000200000004000000010000000161ffff"
copydone
out copyin binary 2
end
ok
out complete "COPY 1"
end
---
call Query("COPY \"apg_t\"(\"id\", \"name\") FROM STDIN (FORMAT binary) ")
S: CopyInResponse format=1 columns=[1, 1]
call CopyData(x:5047434f50590aff0d0a000000000000000000000200000004000000010000000161ffff)
call CopyDone
S: CommandComplete "COPY 1"
S: ReadyForQuery I

# CopyFail from the client: the engine gets a CopyFail call carrying
# 57014 "COPY from stdin failed: <reason>" and answers with that error;
# ErrorResponse, then ReadyForQuery.
query "COPY owners (name) FROM STDIN"
out copyin 1
end
---
call Query("COPY owners (name) FROM STDIN")
S: CopyInResponse format=0 columns=[0]

copydata "erin\n"
copyfail "user aborted"
out error 57014 "COPY from stdin failed: user aborted"
end
---
call CopyFail(ErrorReport { severity: Error, code: SqlState(57014), message: "COPY from stdin failed: user aborted", detail: None, hint: None, position: None, routine: None })
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="COPY from stdin failed: user aborted"
S: ReadyForQuery I

# The engine rejects a chunk of data (bad row): ErrorResponse and
# ReadyForQuery at once; the client's remaining CopyData/CopyDone arrive
# after the COPY is over and are ignored, as PostgreSQL does.
query "COPY owners (id) FROM STDIN"
out copyin 1
end
---
call Query("COPY owners (id) FROM STDIN")
S: CopyInResponse format=0 columns=[0]

copydata "1\n2\nthree-is-not-a-number\n"
copydata "4\n"
copydone
error 22P02 "invalid input syntax for type integer: \"three-is-not-a-number\""
---
call CopyData("1\n2\nthree-is-not-a-number\n")
S: ErrorResponse S="ERROR" V="ERROR" C="22P02" M="invalid input syntax for type integer: \"three-is-not-a-number\""
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

# Flush and Sync during COPY FROM STDIN are ignored.
query "COPY owners (name) FROM STDIN"
out copyin 1
end
---
call Query("COPY owners (name) FROM STDIN")
S: CopyInResponse format=0 columns=[0]

copydata "frank\n"
flush
sync
copydone
ok
out complete "COPY 1"
end
---
call CopyData("frank\n")
call CopyDone
S: CommandComplete "COPY 1"
S: ReadyForQuery I

# Any other message during COPY (here a Query) aborts it with 08P01: the
# engine gets a CopyFail call with that report.
query "COPY owners (name) FROM STDIN"
out copyin 1
end
---
call Query("COPY owners (name) FROM STDIN")
S: CopyInResponse format=0 columns=[0]

copydata "gina\n"
query "select 1"
out error 08P01 "unexpected message type 0x51 during COPY from stdin"
end
---
call CopyFail(ErrorReport { severity: Error, code: SqlState(08P01), message: "unexpected message type 0x51 during COPY from stdin", detail: None, hint: None, position: None, routine: None })
S: ErrorResponse S="ERROR" V="ERROR" C="08P01" M="unexpected message type 0x51 during COPY from stdin"
S: ReadyForQuery I

# pg8000 runs COPY through the extended protocol (SUMMARY §2.9): `B/H/E/H/S`
# → BindComplete, CopyInResponse; the Sync that was already sent is ignored
# during COPY; then CopyData, CopyDone and Sync → CommandComplete,
# ReadyForQuery.
parse "COPY p8_t (name, n) FROM STDIN"
flush
sync
ok
ok
---
call Parse { statement: "", sql: "COPY p8_t (name, n) FROM STDIN", param_types: [] }
S: ParseComplete
call Sync
S: ReadyForQuery I

describe S
flush
sync
ok
---
S: ParameterDescription []
S: NoData
call Sync
S: ReadyForQuery I

bind
flush
execute
flush
sync
ok
out copyin 2
end
---
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CopyInResponse format=0 columns=[0, 0]

copydata "c\t3\n"
copydone
sync
ok
out complete "COPY 1"
end
ok
---
call CopyData("c\t3\n")
call CopyDone
S: CommandComplete "COPY 1"
call Sync
S: ReadyForQuery I

# An error in an extended-protocol COPY skips the rest of the batch until
# Sync.
bind
execute
sync
ok
out copyin 2
end
---
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: CopyInResponse format=0 columns=[0, 0]

copyfail "nope"
bind
execute
sync
out error 57014 "COPY from stdin failed: nope"
end
ok
---
call CopyFail(ErrorReport { severity: Error, code: SqlState(57014), message: "COPY from stdin failed: nope", detail: None, hint: None, position: None, routine: None })
S: ErrorResponse S="ERROR" V="ERROR" C="57014" M="COPY from stdin failed: nope"
call Sync
S: ReadyForQuery I

# The client sends Terminate in the middle of a COPY: the connection ends.
query "COPY owners (name) FROM STDIN"
out copyin 1
end
---
call Query("COPY owners (name) FROM STDIN")
S: CopyInResponse format=0 columns=[0]

copydata "hal\n"
terminate
ok
---
call Terminate
event Closed Terminated
