# pg_hba.conf-style access rules: the first rule matching the connection
# type, database, user and address picks the method; no match and `reject`
# are FATAL 28000 in PostgreSQL 15's words (checked against a real server).
config hba="host all eve all reject;host db1,postgres alice,postgres 127.0.0.1/32 trust;host sameuser all 10.0.0.0/8 scram-sha-256;hostssl all all all trust" peer=127.0.0.1 users="alice:secret,bob:pw"
startup database=db1
ok
---
S: AuthenticationOk
call OpenSession(SessionStart { user: "alice", database: "db1", settings: [] })
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

# Another database: no rule for it from this address.
reset
startup database=db2
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="28000" M="no pg_hba.conf entry for host \"127.0.0.1\", user \"alice\", database \"db2\", no encryption"
event Closed Fatal(SqlState(28000))

# `reject` comes first for eve, whatever follows.
reset
startup user=eve database=db1
---
new connection
S: ErrorResponse S="FATAL" V="FATAL" C="28000" M="pg_hba.conf rejects connection for host \"127.0.0.1\", user \"eve\", database \"db1\", no encryption"
event Closed Fatal(SqlState(28000))

# From 10.x, sameuser databases need SCRAM.
reset
config peer=10.1.2.3
startup user=bob database=bob
scram password=pw
ok
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: AuthenticationSASLFinal "v=MSy6WqnaKgZ642AjH3u9nP9g3OL20mlFU9Tq9j1hcDE="
S: AuthenticationOk
call OpenSession(SessionStart { user: "bob", database: "bob", settings: [] })
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
S: ParameterStatus session_authorization="bob"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I
