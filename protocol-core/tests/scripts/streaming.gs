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

# A large result in several batches (SUMMARY §3 item 8, DESIGN §2: "large
# results stream"): each `end more=true` makes the core ask for the next
# batch with a Fetch call; ReadyForQuery only after the last one.
query "select g from generate_series(1, 6) g"
out columns g/int4
out row 1
out row 2
end more=true
out row 3
out row 4
end more=true
out row 5
out row 6
out complete "SELECT 6"
end
---
call Query("select g from generate_series(1, 6) g")
S: RowDescription g:23/4/-1/0/0/f0
S: DataRow "1"
S: DataRow "2"
call Fetch
S: DataRow "3"
S: DataRow "4"
call Fetch
S: DataRow "5"
S: DataRow "6"
S: CommandComplete "SELECT 6"
S: ReadyForQuery I

# The same through the extended protocol: Execute, then Fetch calls, then
# CommandComplete; ReadyForQuery comes from Sync.
parse "select g from generate_series(1, 4) g"
bind
execute
sync
parsed cols=g/int4
bound
out row 1
out row 2
end more=true
out row 3
out row 4
out complete "SELECT 4"
end
ok
---
call Parse { statement: "", sql: "select g from generate_series(1, 4) g", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [Text] }
S: BindComplete
call Execute { portal: "", max_rows: 0 }
S: DataRow "1"
S: DataRow "2"
call Fetch
S: DataRow "3"
S: DataRow "4"
S: CommandComplete "SELECT 4"
call Sync
S: ReadyForQuery I

# An error in a later batch (the engine fails mid-stream): the rows already
# sent stay sent, then ErrorResponse and ReadyForQuery.
query "select 1/(3-g) from generate_series(1, 4) g"
out columns x/int4
out row 1
end more=true
out row 1
out error 22012 "division by zero"
end
---
call Query("select 1/(3-g) from generate_series(1, 4) g")
S: RowDescription x:23/4/-1/0/0/f0
S: DataRow "1"
call Fetch
S: DataRow "1"
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
S: ReadyForQuery I
