# Cleartext password (node-pg, psql… all 12 clients: SUMMARY §1.1):
# AuthenticationCleartextPassword, the password, then AuthenticationOk.
config auth=password users="alice:secret,bob:hunter2"
startup database=db
password secret
ok
---
S: AuthenticationCleartextPassword
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

# A wrong password: FATAL 28P01 with PostgreSQL's exact wording.
reset
startup
password wrong
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"alice\""
event Closed Fatal(SqlState(28P01))

# An unknown user gets the same request and the same 28P01: nothing tells
# the client the user does not exist.
reset
startup user=mallory
password secret
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"mallory\""
event Closed Fatal(SqlState(28P01))

# Something other than a PasswordMessage during authentication: FATAL 08P01.
reset
startup user=bob
query "select 1"
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="expected password response, got message type 81"
event Closed Fatal(SqlState(08P01))

# Terminate during authentication: no error, just close.
reset
startup user=bob
terminate
---
new connection
S: AuthenticationCleartextPassword
event Closed Terminated

# EOF while the server waits for the password (psql asks the user and the
# user gives up): silent close, like PostgreSQL.
reset
startup user=bob
eof
---
new connection
S: AuthenticationCleartextPassword
event Closed ClientEof

# A PasswordMessage with no terminating NUL is malformed: FATAL 08P01.
reset
startup user=bob
raw "70 00000008 68756e74"
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid password packet size"
event Closed Fatal(SqlState(08P01))

# The engine refuses OpenSession (no such database): AuthenticationOk has
# gone out, then the refusal is sent as FATAL and the connection closes.
reset
config auth=trust
startup database=x
error 3D000 "database \"x\" does not exist"
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "x", settings: [] })
S: ErrorResponse S="FATAL" V="FATAL" C="3D000" M="database \"x\" does not exist"
event Closed Fatal(SqlState(3D000))
