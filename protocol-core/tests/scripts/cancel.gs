# A bare CancelRequest (psql, psycopg2, pgjdbc: SUMMARY §1.3, §3 item 22):
# the host is told to cancel that key, nothing is sent back, the connection
# closes.
cancel pid=4242 secret=99357415
---
event Cancel pid=4242 secret=99357415
event Closed CancelRequest

# libpq 18 / asyncpg send SSLRequest first, get `N`, then the CancelRequest
# on the same socket (SUMMARY §1.3, §4 item 12).
reset
ssl
cancel pid=7 secret=1234
---
new connection
S: N
event Cancel pid=7 secret=1234
event Closed CancelRequest

# A CancelRequest with a wrong key looks the same on the wire: the host's
# registry decides, and the client still gets nothing.
reset
cancel pid=1 secret=2
eof
---
new connection
event Cancel pid=1 secret=2
event Closed CancelRequest
