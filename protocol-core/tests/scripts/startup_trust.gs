# A psql-style connection: SSLRequest declined, startup, trust auth, the
# 13 ParameterStatus values, BackendKeyData and ReadyForQuery.
ssl
startup database=db application_name=psql
ok
---
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

query "select 1 as a"
---
call Query("select 1 as a")

out columns a/int4
out row 1
out complete "SELECT 1"
end
---
S: RowDescription a:23/4/-1/0/0/f0
S: DataRow "1"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

terminate
---
call Terminate

ok
---
event Closed Terminated
