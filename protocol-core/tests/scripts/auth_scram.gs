# SCRAM-SHA-256 with libpq's empty client-first user `n=` (SUMMARY §1.1,
# §4 item 15): the server uses the startup user, and the JDBC-style nonce
# with non-base64 characters is accepted.
config auth=scram users="alice:secret"
startup database=db
scram password=secret
ok
---
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: AuthenticationSASLFinal "v=+p09WxyLZOz/QJ+9TALTbD+orGuZhq+vtgLYVeepy88="
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

# node-pg / postgres.js / Bun / JDBC send `n=*`.
reset
startup
scram password=secret user="*"
ok
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: AuthenticationSASLFinal "v=YIjFzk4C/R3cujhT07dc8CKEWwpLeMmr9GPgECfIhuU="
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

# asyncpg and pg8000 send the real user name `n=alice`.
reset
startup
scram password=secret user=alice
ok
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: AuthenticationSASLFinal "v=t6f5GcSQ9O0lKv6FXUdX8GiXHeOmUSEhqKUJmfArudE="
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

# The wrong password: the exchange runs to the end, then FATAL 28P01.
reset
startup
scram password=wrong
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"alice\""
event Closed Fatal(SqlState(28P01))

# An unknown user: a mock exchange, then the same 28P01.
reset
startup user=mallory
scram password=secret
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=+MRnzAwx7GGVS88D2h4y6A==,i=4096"
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"mallory\""
event Closed Fatal(SqlState(28P01))

# A mechanism we did not offer: FATAL 08P01.
reset
startup
raw "70 0000001f 534352414d2d5348412d31000000000b6e2c2c6e3d2c723d616263"
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="client selected an invalid SASL authentication mechanism"
event Closed Fatal(SqlState(08P01))

# A client-first message with an unknown channel-binding flag `x`:
# malformed SCRAM, FATAL 08P01.
reset
startup
raw "70 00000021 534352414d2d5348412d323536000000000b782c2c6e3d2c723d616263"
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: ErrorResponse S="FATAL" V="FATAL" C="08P01" M="malformed SCRAM message"
event Closed Fatal(SqlState(08P01))
