#!/usr/bin/env python3
"""Writes the checked-in fuzz seeds (fuzz/seeds/<target>/*) from the client
shapes in ../shared/clients/SUMMARY.md. Run it again after changing a shape;
the files are replayed by `cargo test -p twill-protocol` and seed cargo-fuzz."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "seeds")


def msg(tag, body=b""):
    return tag + struct.pack("!i", len(body) + 4) + body


def cstr(s):
    return s.encode() + b"\0"


def startup(params, version=196608):
    body = struct.pack("!i", version) + b"".join(cstr(k) + cstr(v) for k, v in params) + b"\0"
    return struct.pack("!i", len(body) + 4) + body


SSL = struct.pack("!ii", 8, 80877103)
GSS = struct.pack("!ii", 8, 80877104)


def cancel(pid, key):
    return struct.pack("!iiii", 16, 80877102, pid, key)


def Q(sql):
    return msg(b"Q", cstr(sql))


def P(name, sql, oids=()):
    return msg(b"P", cstr(name) + cstr(sql) + struct.pack("!h", len(oids)) + b"".join(struct.pack("!I", o) for o in oids))


def B(portal, stmt, params=(), pfmts=(), rfmts=()):
    body = cstr(portal) + cstr(stmt) + struct.pack("!h", len(pfmts)) + b"".join(struct.pack("!h", f) for f in pfmts)
    body += struct.pack("!h", len(params))
    for p in params:
        body += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
    body += struct.pack("!h", len(rfmts)) + b"".join(struct.pack("!h", f) for f in rfmts)
    return msg(b"B", body)


def D(kind, name):
    return msg(b"D", kind + cstr(name))


def E(portal, max_rows=0):
    return msg(b"E", cstr(portal) + struct.pack("!i", max_rows))


def C(kind, name):
    return msg(b"C", kind + cstr(name))


S, H, X, CD = msg(b"S"), msg(b"H"), msg(b"X"), msg(b"c")


def d(data):
    return msg(b"d", data)


FRONTEND = {
    "psql_simple": Q("select 3 as c ; select 4 as d ; select 5 as e;"),
    "pgbench_prepared": P("P_0", "SELECT abalance FROM pgbench_accounts WHERE aid = $1;") + S
    + B("", "P_0", [b"53379"], rfmts=[0]) + D(b"P", "") + E("") + S,
    "pgbench_copy": Q("copy pgbench_accounts from stdin with (freeze on)") + d(b"1\t1\t0\t\n") + d(b"\\.\n") + CD,
    "bun_mixed": P("P1", "SELECT $1::int AS x, $2 AS y", [23, 0]) + D(b"S", "P1") + S
    + B("", "P1", [b"\0\0\0\x07", b"hi"], [1, 0], [1, 0]) + E("") + S + B("", "P1", [b"\0\0\0\x08", b"yo"], [1, 0], [1, 0]) + E("") + S,
    "postgresjs_flush": P("kb60u3qm6c4", "select $1", [0]) + D(b"S", "kb60u3qm6c4") + H + B("", "kb60u3qm6c4", [b"1"]) + E("", 2) + H + E("", 2) + H + S,
    "pg8000_three_trips": P("", "select $1") + H + S + D(b"S", "") + H + S + B("", "", [b"1"]) + H + E("") + H + S,
    "asyncpg_copy": P("__asyncpg_stmt_1__", 'SELECT "id" FROM "apg_t" LIMIT 1') + D(b"S", "__asyncpg_stmt_1__") + H
    + Q('COPY "apg_t"("id") FROM STDIN (FORMAT binary) ') + d(b"PGCOPY\n\xff\r\n\0" + b"\0" * 8 + b"\xff\xff") + CD,
    "jdbc_batch": P("S_2", "BEGIN") + B("", "S_2") + E("", 0) + P("", "insert into t values ($1)", [23]) + B("", "", [b"\0\0\0\x01"], [1]) + D(b"P", "") + E("", 1) + S,
    "tokio_close": C(b"S", "s1") + S + P("s2", "select 1") + D(b"S", "s2") + S,
    "psycopg_deallocate": Q("DEALLOCATE ALL") + P("_pg3_1", "select 1") + S,
    "errors": msg(b"Z", b"") + msg(b"Q", b"\xff\xfe\0") + msg(b"F", b"\0\0\0\0"),
}

STARTUP = {
    "psql": SSL + startup([("user", "alice"), ("database", "db"), ("application_name", "psql")]),
    "asyncpg": SSL + startup([("client_encoding", "'utf-8'"), ("user", "alice"), ("database", "db")]),
    "jdbc": SSL + startup([("user", "alice"), ("database", "db"), ("client_encoding", "UTF8"), ("DateStyle", "ISO"),
                           ("TimeZone", "Etc/UTC"), ("extra_float_digits", "2")]),
    "bun": startup([("user", "alice"), ("database", "db"), ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY")]),
    "cancel_after_ssl": SSL + cancel(4242, 1234),
    "cancel_bare": cancel(4242, 1234),
    "gss_then_ssl": GSS + SSL + startup([("user", "u")]),
    "newer_minor": startup([("user", "u"), ("_pq_.compression", "on")], version=196609),
    "options": startup([("user", "u"), ("options", "-c statement_timeout=5s --search-path=a\\ b")]),
    "protocol2": startup([("user", "u")], version=131072),
}

SCRAM = {
    "libpq": bytes([20]) + b"n,,n=,r=rOprNGfwEbeRWgbNEkqO" + b"c=biws,r=rOprNGfwEbeRWgbNEkqOBBBB,p=dHpqNG9pV0NDNEFrOQ==",
    "jdbc": bytes([30]) + b"n,,n=*,r={X'M=\"n(-RR7;abcdefgh" + b"c=biws,r=x,p=AAAA",
    "channel_binding": bytes([40]) + b"p=tls-server-end-point,,n=,r=abcdefghijklmnopqrst" + b"c=,r=,p=",
}

TYPES = {
    "int4_text": bytes([6, 0]) + b" -2147483648 ",
    "numeric_text": bytes([19, 0]) + b"-12345.67890",
    "numeric_bin": bytes([19, 1]) + bytes.fromhex("0002000140000002000104d2"),
    "timestamp_text": bytes([16, 0]) + b"2024-02-29 23:59:59.999999",
    "timestamptz_text": bytes([17, 0]) + b"1970-01-01T00:00:00.000Z",
    "interval_text": bytes([18, 0]) + b"1 year 2 mons -3 days 04:05:06.7",
    "float8_text": bytes([11, 0]) + b"-Infinity",
    "uuid_text": bytes([22, 0]) + b"{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
    "jsonb_text": bytes([23, 0]) + b'{"b": [1, 2.50, null], "a": {"x": "y"}, "a": 1}',
    "int4_array_text": bytes([24, 0]) + b"{1,NULL,3}",
    "text_array_text": bytes([25, 0]) + b'{"a b","c\\"d",NULL,""}',
    "bytea_text": bytes([1, 0]) + b"\\x0102ff",
    "bool_bin": bytes([0, 1]) + b"\x01",
}

CONNECTION = {
    # op bytes: 0-2 input(len, bytes…), 3 eof, 4-5 reply(a, b), 6 tick(n), 7 drain/shutdown
    "query_flow": bytes([4, 1, 1]) + bytes([0, len(Q("select 1"))]) + Q("select 1") + bytes([4, 2, 2, 7, 200]),
    "extended_flow": bytes([5, 1, 1]) + bytes([1, 40]) + (P("", "select $1") + B("", "", [b"1"]) + S)[:40] + bytes([4, 1, 3, 4, 1, 3, 4, 1, 3, 7, 255]),
    "timeouts": bytes([4, 1, 1, 6, 200, 6, 200, 7, 0]),
}


def write(target, seeds):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


write("frontend", FRONTEND)
write("startup", STARTUP)
write("scram", SCRAM)
write("types", TYPES)
write("connection", CONNECTION)
print("wrote", sum(map(len, [FRONTEND, STARTUP, SCRAM, TYPES, CONNECTION])), "seeds under", os.path.normpath(ROOT))
