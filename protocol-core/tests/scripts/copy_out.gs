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

# psql `COPY owners TO STDOUT;` (SUMMARY §2.1, §3 item 26): CopyOutResponse,
# one CopyData per row, CopyDone, CommandComplete "COPY n", ReadyForQuery.
query "COPY owners TO STDOUT;"
out copyout 2
out copydata "1\talice\n"
out copydata "2\tbob\n"
out copydata "3\tcarol\n"
out copydone
out complete "COPY 3"
end
---
call Query("COPY owners TO STDOUT;")
S: CopyOutResponse format=0 columns=[0, 0]
S: CopyData "1\talice\n"
S: CopyData "2\tbob\n"
S: CopyData "3\tcarol\n"
S: CopyDone
S: CommandComplete "COPY 3"
S: ReadyForQuery I

# A large COPY TO in several batches (Fetch between them).
query "COPY (select g from generate_series(1, 4) g) TO STDOUT"
out copyout 1
out copydata "1\n"
out copydata "2\n"
end more=true
out copydata "3\n"
out copydata "4\n"
out copydone
out complete "COPY 4"
end
---
call Query("COPY (select g from generate_series(1, 4) g) TO STDOUT")
S: CopyOutResponse format=0 columns=[0]
S: CopyData "1\n"
S: CopyData "2\n"
call Fetch
S: CopyData "3\n"
S: CopyData "4\n"
S: CopyDone
S: CommandComplete "COPY 4"
S: ReadyForQuery I

# asyncpg copy_from_query(format='csv') with a header row.
query "COPY (SELECT id, title FROM items) TO STDOUT (FORMAT 'csv', HEADER)"
out copyout 2
out copydata "id,title\n"
out copydata "1,a\n"
out copydone
out complete "COPY 1"
end
---
call Query("COPY (SELECT id, title FROM items) TO STDOUT (FORMAT 'csv', HEADER)")
S: CopyOutResponse format=0 columns=[0, 0]
S: CopyData "id,title\n"
S: CopyData "1,a\n"
S: CopyDone
S: CommandComplete "COPY 1"
S: ReadyForQuery I

# An error while copying out: ErrorResponse (no CopyDone), ReadyForQuery.
query "COPY (select 1/(1-g) from generate_series(1, 2) g) TO STDOUT"
out copyout 1
out copydata "1\n"
out error 22012 "division by zero"
end
---
call Query("COPY (select 1/(1-g) from generate_series(1, 2) g) TO STDOUT")
S: CopyOutResponse format=0 columns=[0]
S: CopyData "1\n"
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
S: ReadyForQuery I
