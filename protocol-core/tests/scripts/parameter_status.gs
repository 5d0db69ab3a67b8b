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

# psql's `SET application_name = 'psql-renamed';` (SUMMARY §1.2, psql.trace
# line 433): a reportable setting changed, so ParameterStatus goes out — as
# in PostgreSQL 15, after CommandComplete, just before ReadyForQuery.
query "SET application_name = 'PostgreSQL JDBC Driver'"
out setting application_name="PostgreSQL JDBC Driver"
out complete SET
end
---
call Query("SET application_name = 'PostgreSQL JDBC Driver'")
S: CommandComplete "SET"
S: ParameterStatus application_name="PostgreSQL JDBC Driver"
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

# Reported names match in any case and are sent with PostgreSQL's spelling
# (`TimeZone`, `DateStyle`), all before ReadyForQuery, in PostgreSQL's GUC
# order (DateStyle before TimeZone) whatever order they changed in.
query "SET timezone = 'Europe/Berlin'; SET datestyle = 'ISO, DMY'"
out setting timezone=Europe/Berlin
out complete SET
out setting datestyle="ISO, DMY"
out complete SET
end
---
call Query("SET timezone = 'Europe/Berlin'; SET datestyle = 'ISO, DMY'")
S: CommandComplete "SET"
S: CommandComplete "SET"
S: ParameterStatus DateStyle="ISO, DMY"
S: ParameterStatus TimeZone="Europe/Berlin"
S: ReadyForQuery I

# JDBC's SET through the extended protocol with E max_rows=1 (jdbc.trace
# line 30): ParseComplete, BindComplete, CommandComplete, then
# ParameterStatus just before Sync's ReadyForQuery.
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
S: CommandComplete "SET"
call Sync
S: ParameterStatus application_name="jdbc-test"
S: ReadyForQuery I

# SET LOCAL is reported at the ReadyForQuery that follows it; the commit
# that reverts it reports the old value again.
query "begin; set local application_name = 'tmp'"
out complete BEGIN
out setting application_name=tmp
out complete SET
end status=T
---
call Query("begin; set local application_name = 'tmp'")
S: CommandComplete "BEGIN"
S: CommandComplete "SET"
S: ParameterStatus application_name="tmp"
S: ReadyForQuery T

query "commit"
out setting application_name=jdbc-test
out complete COMMIT
end
---
call Query("commit")
S: CommandComplete "COMMIT"
S: ParameterStatus application_name="jdbc-test"
S: ReadyForQuery I

# A setting changed and changed back before ReadyForQuery: the client
# already has that value, so nothing is reported.
query "SET application_name = 'a'; SET application_name = 'jdbc-test'"
out setting application_name=a
out complete SET
out setting application_name=jdbc-test
out complete SET
end
---
call Query("SET application_name = 'a'; SET application_name = 'jdbc-test'")
S: CommandComplete "SET"
S: CommandComplete "SET"
S: ReadyForQuery I

# A setting change in a query that then fails is still reported before the
# ReadyForQuery that follows the error (the engine says what it is now).
query "SET application_name = 'b'; select 1/0"
out setting application_name=b
out complete SET
out error 22012 "division by zero"
end
---
call Query("SET application_name = 'b'; select 1/0")
S: CommandComplete "SET"
S: ErrorResponse S="ERROR" V="ERROR" C="22012" M="division by zero"
S: ParameterStatus application_name="b"
S: ReadyForQuery I
