"""psycopg2 (`psycopg2-binary`): what it really sends (shared/clients/SUMMARY.md
§2.8): only simple Q with client-side interpolation, BEGIN before each
transaction, a named cursor (DECLARE ... WITHOUT HOLD / FETCH FORWARD / CLOSE),
execute_values (one multi-row VALUES), copy_expert (COPY FROM STDIN)."""

import io

from common import conn, eq, load, raises, run

psycopg2 = load("psycopg2", "psycopg2-binary")
import psycopg2.extras  # noqa: E402

c = None


def connect():
    global c
    c = psycopg2.connect(**conn(), connect_timeout=10)
    eq(c.encoding, "UTF8", "client encoding")
    eq(c.server_version >= 150000, True, f"server_version {c.server_version}")
    with c.cursor() as cur:
        cur.execute("drop table if exists pg2_items")
        cur.execute("create table pg2_items (id int primary key, name text, n int8)")
    c.commit()


def params():
    with c.cursor() as cur:
        cur.execute("insert into pg2_items values (%s, %s, %s)", (1, "a'quote", 10))
        cur.executemany("insert into pg2_items values (%s, %s, %s)", [(2, "b", 20), (3, None, 30)])
        cur.execute("select id, name, n from pg2_items order by id")
        eq(cur.fetchall(), [(1, "a'quote", 10), (2, "b", 20), (3, None, 30)], "rows")
        eq(cur.statusmessage, "SELECT 3", "command tag")
    c.rollback()
    with c.cursor() as cur:
        cur.execute("select count(*) from pg2_items")
        eq(cur.fetchone(), (0,), "rollback undid the inserts")
    c.commit()


def execute_values():
    with c.cursor() as cur:
        psycopg2.extras.execute_values(cur, "insert into pg2_items (id, name, n) values %s",
                                       [(i, f"v{i}", i * 10) for i in range(10, 30)], page_size=100)
        eq(cur.rowcount, 20, "execute_values rowcount")
        got = psycopg2.extras.execute_values(
            cur, "insert into pg2_items (id, name) values %s returning id", [(40, "r1"), (41, "r2")], fetch=True)
        eq(sorted(got), [(40,), (41,)], "execute_values returning")
    c.commit()


def named_cursor():
    with c.cursor(name="named_cur") as cur:
        cur.itersize = 2
        cur.execute("select id, name from pg2_items where id >= %s order by id", (10,))
        eq(cur.fetchmany(2), [(10, "v10"), (11, "v11")], "fetchmany")
        eq(cur.fetchone(), (12, "v12"), "fetchone")
        rest = cur.fetchall()
        eq([r[0] for r in rest], list(range(13, 30)) + [40, 41], "fetchall")
    c.commit()


def copy_expert():
    with c.cursor() as cur:
        data = io.StringIO("100\tc100\t1\n101\t\\N\t2\n102\tc102\t3\n")
        cur.copy_expert("COPY pg2_items (id, name, n) FROM STDIN", data)
        eq(cur.rowcount, 3, "copy rowcount")
        cur.copy_expert("COPY pg2_items (id, name, n) FROM STDIN WITH (FORMAT csv, HEADER true)",
                        io.StringIO("id,name,n\n103,\"x,y\",4\n"))
        out = io.StringIO()
        cur.copy_expert("COPY (select id, name, n from pg2_items where id >= 100 order by id) TO STDOUT", out)
        eq(out.getvalue(), "100\tc100\t1\n101\t\\N\t2\n102\tc102\t3\n103\tx,y\t4\n", "COPY TO STDOUT")
    c.commit()


def errors():
    with c.cursor() as cur:
        raises("42P01", "missing table", cur.execute, "select * from pg2_no_such_table")
        raises("25P02", "aborted transaction", cur.execute, "select 1")
    c.rollback()
    with c.cursor() as cur:
        raises("23505", "duplicate key", cur.execute, "insert into pg2_items values (1, 'x', 1), (1, 'y', 2)")
    c.rollback()
    with c.cursor() as cur:
        cur.execute("select 1")
        eq(cur.fetchone(), (1,), "after errors")
    c.commit()


def close():
    with c.cursor() as cur:
        cur.execute("drop table pg2_items")
    c.commit()
    c.close()


run("psycopg2", {
    "connect": connect,
    "params": params,
    "execute_values": execute_values,
    "named_cursor": named_cursor,
    "copy_expert": copy_expert,
    "errors": errors,
    "close": close,
})
