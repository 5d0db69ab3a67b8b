# Framing limits (DESIGN §2, STYLE rules 5 and 9). A 100-byte message limit.
config max_message=100
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

# A message under the limit is fine.
query "select 1"
out complete "SELECT 1"
end
---
call Query("select 1")
S: CommandComplete "SELECT 1"
S: ReadyForQuery I

# A Query whose length field says 1000 bytes: FATAL 08P01 as soon as the
# header arrives, before any of the body is buffered; the connection ends
# (Terminate to the engine, then Closed).
raw "51 000003e8 73656c65637420"
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="message of 1000 bytes exceeds the limit of 100 bytes"
call Terminate
event Closed Fatal(SqlState(08P01))

# After a FATAL, further input is ignored (fatal is sticky): nothing is
# read, no call is made, and the state stays closed.
query "select 2"
state
---
wants_read=false closed=true tx=Idle pending_output=0 next_timeout_in=None outstanding=none

# A negative length: FATAL 08P01.
reset
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

raw "51 ffffffff"
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid message length -1"
call Terminate
event Closed Fatal(SqlState(08P01))

# A length below 4 (here 3): FATAL 08P01.
reset
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

raw "51 00000003"
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid message length 3"
call Terminate
event Closed Fatal(SqlState(08P01))

# An unknown message type ('z'): FATAL 08P01, and the bytes after it are
# never read.
reset
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

raw "7a 00000004"
query "select 3"
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid frontend message type 122"
call Terminate
event Closed Fatal(SqlState(08P01))

# A password message ('p') once the session is up: FATAL 08P01, as in
# PostgreSQL ("invalid frontend message type 112").
reset
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

password late
ok
---
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid frontend message type 112"
call Terminate
event Closed Fatal(SqlState(08P01))
