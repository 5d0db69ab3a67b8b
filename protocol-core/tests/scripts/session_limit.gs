# The session limit (`ServeOptions::max_connections`): a connection holds a
# ticket from the server's `Admission`; once the client has authenticated,
# the ticket needs a session slot. With none free, FATAL 53300 in
# PostgreSQL's words instead of AuthenticationOk, and no OpenSession call.
config sessions=0
startup
---
S: ErrorResponse S="FATAL" V="FATAL" C="53300" M="sorry, too many clients already"
event Closed Fatal(SqlState(53300))

# With a password: the client proves itself first, then is turned away.
reset
config auth=password users="alice:secret"
startup
password secret
---
new connection
S: AuthenticationCleartextPassword
S: ErrorResponse S="FATAL" V="FATAL" C="53300" M="sorry, too many clients already"
event Closed Fatal(SqlState(53300))

# A CancelRequest never authenticates, so the limit does not stop it.
reset
cancel pid=7 secret=1234
---
new connection
event Cancel pid=7 secret=1234
event Closed CancelRequest

# A free slot: the login goes through.
reset
config sessions=1 auth=trust
startup
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [] })
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
