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

# JDBC's `SET application_name = 'PostgreSQL JDBC Driver'` (SUMMARY §1.2,
# §2.12): a reportable setting changed, so a ParameterStatus goes out right
# where the engine reports it, before CommandComplete.
query "SET application_name = 'PostgreSQL JDBC Driver'"
out setting application_name="PostgreSQL JDBC Driver"
out complete SET
end
---
call Query("SET application_name = 'PostgreSQL JDBC Driver'")
S: ParameterStatus application_name="PostgreSQL JDBC Driver"
S: CommandComplete "SET"
S: ReadyForQuery I

# A setting PostgreSQL does not report (work_mem): no ParameterStatus.
query "SET work_mem = '8MB'"
out setting work_mem=8MB
out complete SET
end
---
call Query("SET work_mem = '8MB'")
S: CommandComplete "SET"
S: ReadyForQuery I

# Reported names match in any case, and are sent with PostgreSQL's spelling
# (`TimeZone`, `DateStyle`).
query "SET timezone = 'Europe/Berlin'; SET datestyle = 'ISO, DMY'"
out setting timezone=Europe/Berlin
out complete SET
out setting datestyle="ISO, DMY"
out complete SET
end
---
call Query("SET timezone = 'Europe/Berlin'; SET datestyle = 'ISO, DMY'")
S: ParameterStatus TimeZone="Europe/Berlin"
S: CommandComplete "SET"
S: ParameterStatus DateStyle="ISO, DMY"
S: CommandComplete "SET"
S: ReadyForQuery I

# Through the extended protocol (JDBC sends SET with E max_rows=1): the
# ParameterStatus comes with the Execute's output.
parse "SET application_name = 'jdbc-test'"
bind
describe P
execute max=1
sync
ok
bound
out setting application_name=jdbc-test
out complete SET
end
ok
---
call Parse { statement: "", sql: "SET application_name = 'jdbc-test'", param_types: [] }
S: ParseComplete
call Bind { portal: "", statement: "", params: [], result_formats: [] }
S: BindComplete
S: NoData
call Execute { portal: "", max_rows: 1 }
S: ParameterStatus application_name="jdbc-test"
S: CommandComplete "SET"
call Sync
S: ReadyForQuery I

# A transaction end reverting SET LOCAL reports the old value again.
query "begin; set local application_name = 'tmp'"
out complete BEGIN
out setting application_name=tmp
out complete SET
end status=T
---
call Query("begin; set local application_name = 'tmp'")
S: CommandComplete "BEGIN"
S: ParameterStatus application_name="tmp"
S: CommandComplete "SET"
S: ReadyForQuery T

query "commit"
out setting application_name=jdbc-test
out complete COMMIT
end
---
call Query("commit")
S: ParameterStatus application_name="jdbc-test"
S: CommandComplete "COMMIT"
S: ReadyForQuery I
