# MD5 (all 12 clients: SUMMARY §1.1): AuthenticationMD5Password with a salt;
# the client answers md5(md5(password + user) + salt).
config auth=md5 users="alice:secret,carol:scram-only:secret"
startup database=db
md5 password=secret
ok
---
S: AuthenticationMD5Password salt=6554207c
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

# A wrong MD5 response: FATAL 28P01.
reset
startup
md5 password=wrong
---
new connection
S: AuthenticationMD5Password salt=6554207c
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"alice\""
event Closed Fatal(SqlState(28P01))

# An unknown user gets a salt too, and the same 28P01.
reset
startup user=mallory
md5 password=secret user=mallory
---
new connection
S: AuthenticationMD5Password salt=6554207c
S: ErrorResponse S="FATAL" V="FATAL" C="28P01" M="password authentication failed for user \"mallory\""
event Closed Fatal(SqlState(28P01))

# A user whose password is stored only as a SCRAM verifier cannot do MD5:
# PostgreSQL switches to SCRAM-SHA-256, and so do we.
reset
startup user=carol
scram password=secret user=carol
ok
---
new connection
S: AuthenticationSASL ["SCRAM-SHA-256"]
S: AuthenticationSASLContinue "r=clientnonce+/={X'MZVQgfHrbvfW0sMB2KyMth3sS,s=AwMDAwMDAwMDAwMDAwMDAw==,i=4096"
S: AuthenticationSASLFinal "v=+7rhNephw/WSDumtfMeRKAijjUD3rd4GqDMADIHmrlw="
S: AuthenticationOk
call OpenSession(SessionStart { user: "carol", database: "carol", settings: [] })
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
S: ParameterStatus session_authorization="carol"
S: ParameterStatus standard_conforming_strings="on"
S: ParameterStatus TimeZone="Etc/UTC"
S: BackendKeyData pid=4242 secret=99357415
S: ReadyForQuery I
