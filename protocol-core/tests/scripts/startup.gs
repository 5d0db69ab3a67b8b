# JDBC's startup (SUMMARY §2.12, §3 item 1): client_encoding=UTF8, DateStyle,
# TimeZone and extra_float_digits are passed to OpenSession as settings.
# ParameterStatus carries the values as SHOW prints them: the core normalises
# the formatting settings it knows (PostgreSQL reports DateStyle=ISO as
# "ISO, MDY"), even when the engine reports nothing.
startup database=db client_encoding=UTF8 DateStyle=ISO TimeZone=Etc/UTC extra_float_digits=2
ok
---
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("DateStyle", "ISO"), ("TimeZone", "Etc/UTC"), ("extra_float_digits", "2")] })
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

# asyncpg's quoted lower-case `'utf-8'` (SUMMARY §2.7, §4 item 1) is
# accepted and reported as UTF8; `options=-c x=y` becomes settings after the
# plain parameters.
reset
startup client_encoding="'utf-8'" user=alice database=db options="-c search_path=s1 -c statement_timeout=5s"
ok
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("search_path", "s1"), ("statement_timeout", "5s")] })
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

# tokio-postgres / psql-in-a-tty spellings: `utf8` lower case and an
# application_name (SUMMARY §2.11, §2.1). The engine's `opened` settings
# override the core defaults in ParameterStatus (TimeZone, is_superuser).
reset
startup client_encoding=utf8 user=alice database=db application_name=tokio
opened TimeZone=Europe/Berlin is_superuser=off
---
new connection
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db", settings: [("client_encoding", "UTF8"), ("application_name", "tokio")] })
S: ParameterStatus application_name="tokio"
S: ParameterStatus client_encoding="UTF8"
S: ParameterStatus DateStyle="ISO, MDY"
S: ParameterStatus default_transaction_read_only="off"
S: ParameterStatus in_hot_standby="off"
S: ParameterStatus integer_datetimes="on"
S: ParameterStatus IntervalStyle="postgres"
S: ParameterStatus is_superuser="off"
S: ParameterStatus server_encoding="UTF8"
S: ParameterStatus server_version="15.18 (twill 0.1.0)"
S: ParameterStatus session_authorization="alice"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Europe/Berlin"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I

# An encoding we do not speak: FATAL 22023 and close (PostgreSQL rejects an
# unknown encoding name with the same code and message).
reset
startup client_encoding=klingon
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="22023" M="invalid value for parameter \"client_encoding\": \"klingon\"" D="This server speaks only UTF8."
event Closed Fatal(SqlState(22023))

# Protocol 3.1 (`version=196609`): NegotiateProtocolVersion, then the login
# goes on. The newest-version field carries the full version code 3.0
# (196608) as PostgreSQL 15 sends it (PG_PROTOCOL_LATEST); libpq 18 with
# max_protocol_version=3.2 rejects anything below 3.0 there.
reset
startup version=196609
ok
---
new connection
S: NegotiateProtocolVersion newest=3.0 unrecognized=[]
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

# `_pq_.` protocol options are listed as unrecognized in
# NegotiateProtocolVersion and are not passed to the engine.
reset
startup _pq_.foo=bar _pq_.compression=on application_name=x
ok
---
new connection
S: NegotiateProtocolVersion newest=3.0 unrecognized=["_pq_.foo", "_pq_.compression"]
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [("application_name", "x")] })
S: ParameterStatus application_name="x"
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

# Protocol 2.0: FATAL 0A000 with PostgreSQL's wording, no authentication.
reset
startup version=131072
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="0A000" M="unsupported frontend protocol 2.0: server supports 3.0 to 3.0"
event Closed Fatal(SqlState(0A000))

# SSLRequest and GSSENCRequest are each answered `N`, then the startup
# packet goes on the same socket (psql/pgbench/psycopg: SUMMARY §3 item 11).
reset
ssl
gssenc
startup application_name=pgbench
ok
---
new connection
S: N
S: N
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "alice", settings: [("application_name", "pgbench")] })
S: ParameterStatus application_name="pgbench"
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

# A repeated SSLRequest is a protocol violation.
reset
ssl
ssl
---
new connection
S: N
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="unsupported frontend protocol: repeated encryption request"
event Closed Fatal(SqlState(08P01))

# libpq with gssencmode=require and no credentials connects and closes
# without a byte (SUMMARY §1, §4 item 13): no output, just Closed.
reset
eof
---
new connection
event Closed ClientEof

# Half a startup packet, then EOF: nothing is sent (PostgreSQL logs
# "incomplete startup packet" and exits).
reset
raw "00000030 00030000 7573"
eof
---
new connection
event Closed ClientEof

# No user (an empty one): FATAL 28000.
reset
startup user=""
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="28000" M="no PostgreSQL user name specified in startup packet"
event Closed Fatal(SqlState(28000))

# No user parameter at all would also be 28000; with only `database`, the
# runner adds user=alice, so this is the empty user again with a database.
reset
startup user="" database=db
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="28000" M="no PostgreSQL user name specified in startup packet"
event Closed Fatal(SqlState(28000))

# A startup packet longer than 10 000 bytes (length 10001): FATAL 08P01
# before any of it is buffered.
reset
raw "00002711 00030000"
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid length of startup packet"
event Closed Fatal(SqlState(08P01))

# A startup packet length below 8: FATAL 08P01.
reset
raw "00000004"
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="invalid length of startup packet"
event Closed Fatal(SqlState(08P01))

# A malformed `options` value: FATAL 42601 with PostgreSQL's message and
# hint.
reset
startup options="-x"
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="42601" M="invalid command-line argument for server process: -x" H="Try \"-c name=value\"."
event Closed Fatal(SqlState(42601))

# A replication connection is refused (we have no walsender): FATAL 0A000.
reset
startup replication=database
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="0A000" M="replication connections are not supported"
event Closed Fatal(SqlState(0A000))
