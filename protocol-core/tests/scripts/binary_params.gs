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

# psycopg3 sends small Python ints as binary int2 (OID 21) even where the
# column is int4 (SUMMARY §2.6, §4 item 4): the engine reports the param as
# int2 and the core decodes the 2-byte value with that type.
parse "select * from t where int4col = $1" types=21
bind formats=1 "x:0005"
execute
sync
parsed params=21 cols=int4col/int4
ok
out row 5
out complete "SELECT 1"
end
ok
---
call Parse { statement: "", sql: "select * from t where int4col = $1", param_types: [21] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Int2(5)], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "5"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# asyncpg / tokio-postgres: every parameter binary, encoded with the types
# from ParameterDescription (int4, int8, bool, float8, text, bytea), and a
# NULL among them; results all binary.
parse "select $1::int4, $2::int8, $3::bool, $4::float8, $5::text, $6::bytea"
describe S
sync
parsed params="23,20,16,701,25,17" cols="a/int4,b/int8,c/bool,d/float8,e/text,f/bytea"
ok
---
call Parse { statement: "", sql: "select $1::int4, $2::int8, $3::bool, $4::float8, $5::text, $6::bytea", param_types: [] }
S: ParseComplete
S: ParameterDescription [23, 20, 16, 701, 25, 17]
S: RowDescription a:23/4/-1/0/0/f0 b:20/8/-1/0/0/f0 c:16/1/-1/0/0/f0 d:701/8/-1/0/0/f0 e:25/-1/-1/0/0/f0 f:17/-1/-1/0/0/f0
call Sync
S: ReadyForQuery I

bind formats=1 results=1 "x:0000002a" "x:ffffffffffffffff" "x:01" "x:3ff8000000000000" "x:68c3a9" NULL
execute
sync
ok
out row 42 "-1" t 1.5 "hé" NULL
out complete "SELECT 1"
end
ok
---
call Bind { portal: "", statement: "", params: [Int4(42), Int8(-1), Bool(true), Float8(1.5), Text("hé"), Null], result_formats: [Binary, Binary, Binary, Binary, Binary, Binary] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow x:0000002a x:ffffffffffffffff x:01 x:3ff8000000000000 "hé" NULL
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# node-pg: text params except a Buffer sent binary (`param_fmts=[0,1,0]`).
parse "select $1::text, $2::bytea, $3::int4" types="25,17,23"
bind formats="0,1,0" a "x:0102ff" 3
execute
sync
parsed params="25,17,23" cols="a/text,b/bytea,c/int4"
ok
out row a "\\x0102ff" 3
out complete "SELECT 1"
end
ok
---
call Parse { statement: "", sql: "select $1::text, $2::bytea, $3::int4", param_types: [25, 17, 23] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [Text("a"), Bytea([1, 2, 255]), Int4(3)], result_formats: [Text, Text, Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "a" "\\x0102ff" "3"
S: CommandComplete "SELECT 1"
call Sync
S: ReadyForQuery I

# A binary int4 that is not 4 bytes: ERROR 22P03, skip until Sync.
parse "select $1::int4" types=23
bind formats=1 "x:0001"
execute
sync
ok
ok
---
call Parse { statement: "", sql: "select $1::int4", param_types: [23] }
S: ParseComplete
S: ErrorResponse S="ERROR" V="ERROR" C="08P01" M="insufficient data left in message" D="while decoding parameter $1 of the bind message"
call Fail(ErrorReport { severity: Error, code: SqlState(08P01), message: "insufficient data left in message", detail: Some("while decoding parameter $1 of the bind message"), hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# An unknown format code: ERROR 22023 "unsupported format code".
bind formats=2 "x:00000001"
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="22023" M="unsupported format code: 2"
call Fail(ErrorReport { severity: Error, code: SqlState(22023), message: "unsupported format code: 2", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I

# More format codes than parameters: 08P01.
bind formats="0,0" 1
execute
sync
ok
---
S: ErrorResponse S="ERROR" V="ERROR" C="08P01" M="bind message has 2 parameter formats but 1 parameters"
call Fail(ErrorReport { severity: Error, code: SqlState(08P01), message: "bind message has 2 parameter formats but 1 parameters", detail: None, hint: None, position: None, routine: None })
call Sync
S: ReadyForQuery I
