# Backpressure (DESIGN §2, STYLE rule 5): with a 200-byte high-water mark and
# a host that does not write, output piles up to the mark and then the core
# stops: no Fetch, no reading. Login first; its ~400 bytes of output already
# stop reading.
config high_water=200 autodrain=false
startup database=db
ok
---
call OpenSession(SessionStart { user: "alice", database: "db", settings: [] })

state
---
wants_read=false closed=false tx=Idle pending_output=396 next_timeout_in=None outstanding=none

drain
state
---
drained 396 of 396 bytes
S: AuthenticationOk
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
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none

# A result whose first batch goes over the mark: the core does not Fetch
# the next batch and does not read the pipelined second query.
query "select repeat('x', 100) from generate_series(1, 6)"
query "select 2"
out columns r/text
out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
end more=true
state
---
call Query("select repeat('x', 100) from generate_series(1, 6)")
wants_read=false closed=false tx=Idle pending_output=249 next_timeout_in=None outstanding=none

# Draining part of it is not enough (still above the mark)…
drain 20
state
---
drained 20 of 249 bytes
wants_read=false closed=false tx=Idle pending_output=229 next_timeout_in=None outstanding=none

# …draining below the mark lets the core ask for the next batch.
drain
---
drained 229 of 229 bytes
S: RowDescription r:25/-1/-1/0/0/f0
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
call Fetch

out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
end more=true
state
---
wants_read=false closed=false tx=Idle pending_output=222 next_timeout_in=None outstanding=none

drain
---
drained 222 of 222 bytes
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
call Fetch

out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
out row xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
out complete "SELECT 6"
end
state
---
wants_read=false closed=false tx=Idle pending_output=242 next_timeout_in=None outstanding=none

# Only once the output drains is the pipelined second query read.
drain
---
drained 242 of 242 bytes
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
S: DataRow "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
S: CommandComplete "SELECT 6"
S: ReadyForQuery I
call Query("select 2")

out columns c/int4
out row 2
out complete "SELECT 1"
end
drain
state
---
drained 59 of 59 bytes
S: RowDescription c:23/4/-1/0/0/f0
S: DataRow "2"
S: CommandComplete "SELECT 1"
S: ReadyForQuery I
wants_read=true closed=false tx=Idle pending_output=0 next_timeout_in=None outstanding=none
