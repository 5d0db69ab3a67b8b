"""psycopg 3 (`psycopg[binary]`): what it really sends (shared/clients/SUMMARY.md
§2.6): binary int2/float/date/uuid params, prepare after 5 runs (or at once
with prepare_threshold=0), executemany in pipeline mode, COPY text and binary,
a server-side cursor (DECLARE, then Describe Portal of the cursor, FETCH)."""

import datetime
import decimal
import uuid

from common import check, conn, eq, load, raises, run

psycopg = load("psycopg", "psycopg[binary]")
from psycopg.types.json import Jsonb  # noqa: E402

c = None


def connect():
    global c
    c = psycopg.connect(**conn(), connect_timeout=10, autocommit=False)
    check(c.info.server_version >= 150000, f"server_version {c.info.server_version}")
    with c.cursor() as cur:
        cur.execute("drop table if exists pg3_items")
        cur.execute("drop table if exists pg3_copy")
        cur.execute("create table pg3_items (id int primary key, name text not null, price numeric, "
                    "born date, at timestamptz, u uuid, ok bool, f float8, doc jsonb)")
        cur.execute("create table pg3_copy (id int, name text, n int8)")
    c.commit()


def binary_params():
    row = (1, "apple", decimal.Decimal("1.25"), datetime.date(2024, 2, 29),
           datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
           uuid.UUID("12345678-1234-5678-1234-567812345678"), True, 2.5, Jsonb({"k": [1, "two"]}))
    with c.cursor() as cur:
        cur.execute("insert into pg3_items values (%s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
        # binary=True: binary params where possible and binary results
        cur.execute("select id, name, price, born, at, u, ok, f, doc from pg3_items where id = %s", (1,), binary=True)
        got = cur.fetchone()
        eq(got[:8], row[:8], "binary round trip")
        eq(got[8], {"k": [1, "two"]}, "jsonb (binary)")
        # a Python int is sent as a binary int2: `int4 col = $1::int2`, `select $1` is an int2 column
        cur.execute("select %s as p, %s + 1 as q", (7, 40000))
        eq(cur.fetchone(), (7, 40001), "int2/int4 params")
        eq(cur.description[0].type_code, 21, "`select $1` with an int2 param is an int2 column")
        cur.execute("select %b::bytea, %t::text", (b"\x00\xff", "t"))
        eq(cur.fetchone(), (b"\x00\xff", "t"), "explicit binary/text placeholders")
    c.commit()


def executemany_pipeline():
    rows = [(i, f"item{i}", decimal.Decimal(i) / 4, None, None, None, i % 2 == 0, float(i), None) for i in range(10, 20)]
    with c.cursor() as cur:
        cur.executemany("insert into pg3_items values (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        eq(cur.rowcount, 10, "executemany rowcount")
        cur.execute("select count(*), sum(f) from pg3_items where id between 10 and 19")
        eq(cur.fetchone(), (10, float(sum(range(10, 20)))), "executemany inserted")
        with c.pipeline():
            cur.execute("update pg3_items set ok = %s where id = %s", (False, 10))
            cur.execute("update pg3_items set ok = %s where id = %s", (False, 12))
            cur.execute("select count(*) from pg3_items where ok and id >= 10")
        eq(cur.fetchone(), (3,), "pipeline results")
    c.commit()


def copy_text_binary():
    with c.cursor() as cur:
        with cur.copy("COPY pg3_copy (id, name, n) FROM STDIN") as copy:
            for i in range(5):
                copy.write_row((i, f"t{i}" if i != 3 else None, i * 1000))
        eq(cur.rowcount, 5, "COPY text rowcount")
        with cur.copy("COPY pg3_copy (id, name, n) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "text", "int8"])
            for i in range(5, 8):
                copy.write_row((i, f"b{i}", i * 1000))
        eq(cur.rowcount, 3, "COPY binary rowcount")
        cur.execute("select id, name, n from pg3_copy order by id")
        rows = cur.fetchall()
        eq(len(rows), 8, "rows after COPY")
        eq(rows[3], (3, None, 3000), "NULL via COPY text")
        eq(rows[6], (6, "b6", 6000), "row via COPY binary")
        out = []
        with cur.copy("COPY (select id, name from pg3_copy where id < 3 order by id) TO STDOUT") as copy:
            for data in copy:
                out.append(bytes(data))
        eq(b"".join(out), b"0\tt0\n1\tt1\n2\tt2\n", "COPY TO STDOUT text")
    c.commit()


def copy_out_binary():
    # PostgreSQL sends the PGCOPY header in the same CopyData as the first
    # row, and psycopg's row parser relies on it.
    with c.cursor() as cur:
        cur.execute("insert into pg3_copy values (50, 'x', 5000), (51, 'y', 5100)")
        with cur.copy("COPY (select id, n from pg3_copy where id >= 50 order by id) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "int8"])
            eq(list(copy.rows()), [(50, 5000), (51, 5100)], "COPY TO STDOUT (FORMAT BINARY) rows")
    c.rollback()


def server_side_cursor():
    with c.cursor(name="pg3_ssc") as cur:
        cur.itersize = 4
        cur.execute("select id from pg3_items where id >= %s order by id", (10,))
        eq(cur.description[0].name, "id", "description of the named cursor")
        first = cur.fetchmany(3)
        eq(first, [(10,), (11,), (12,)], "fetchmany(3)")
        rest = cur.fetchall()
        eq([r[0] for r in rest], list(range(13, 20)), "fetchall after fetchmany")
    c.commit()
    with c.transaction():
        with c.cursor(name="pg3_scroll", scrollable=True) as cur:
            cur.execute("select id from pg3_items where id >= 10 order by id")
            eq(cur.fetchone(), (10,), "scroll first")
            cur.scroll(5)
            eq(cur.fetchone(), (16,), "after scroll(5)")


def prepare_threshold():
    with psycopg.connect(**conn(), prepare_threshold=0, autocommit=True) as c0:
        for i in range(6):
            row = c0.execute("select name from pg3_items where id = %s", (10 + i,)).fetchone()
            eq(row, (f"item{10 + i}",), f"prepared run {i}")
        # default threshold: the 6th run prepares _pg3_N, then B/D P/E/S
        c5 = psycopg.connect(**conn(), autocommit=True)
        for i in range(8):
            eq(c5.execute("select %s::int * 2", (i,)).fetchone(), (i * 2,), f"threshold run {i}")
        c5.execute("select 1", prepare=True)
        c5.close()


def transaction_error():
    # prepare_threshold=None: this connection never prepares, so its
    # rollback is a plain ROLLBACK (see deallocate_all)
    with psycopg.connect(**conn(), prepare_threshold=None) as t:
        raises("42P01", "missing table", t.execute, "select * from pg3_no_such_table")
        raises("25P02", "aborted transaction", t.execute, "select 1")
        t.rollback()
        with t.transaction():
            t.execute("insert into pg3_items (id, name) values (100, 'nested')")
            try:
                with t.transaction():  # SAVEPOINT "_pg3_n" ... ROLLBACK TO SAVEPOINT
                    t.execute("insert into pg3_items (id, name) values (101, 'gone')")
                    raise RuntimeError("roll back to the savepoint")
            except RuntimeError:
                pass
        eq(t.execute("select id from pg3_items where id >= 100 order by id").fetchall(), [(100,)],
           "savepoint rolled back, outer committed")
        t.commit()


def deallocate_all():
    # psycopg sends `DEALLOCATE ALL` after a ROLLBACK or a `DROP …` on a
    # connection that has prepared statements (its `_should_discard`), so
    # the prepared names cannot point at dropped objects.
    with psycopg.connect(**conn(), prepare_threshold=0) as t:
        eq(t.execute("select %s::int + 1", (1,)).fetchone(), (2,), "prepared")
        raises("42P01", "missing table", t.execute, "select * from pg3_no_such_table")
        t.rollback()  # ROLLBACK, then DEALLOCATE ALL
        eq(t.execute("select %s::int + 1", (2,)).fetchone(), (3,), "after rollback")
        t.execute("create table pg3_dropme (id int)")
        t.execute("drop table pg3_dropme")  # DROP TABLE, then DEALLOCATE ALL
        eq(t.execute("select %s::int + 1", (3,)).fetchone(), (4,), "after drop")
        t.commit()


def close():
    c.close()
    # A fresh connection drops the tables: on `c`, which has prepared
    # statements, the DROP would make psycopg send DEALLOCATE ALL (the
    # separate `deallocate_all` feature).
    with psycopg.connect(**conn(), prepare_threshold=None) as t:
        t.execute("drop table pg3_items")
        t.execute("drop table pg3_copy")


run("psycopg3", {
    "connect": connect,
    "binary_params": binary_params,
    "executemany_pipeline": executemany_pipeline,
    "copy_text_binary": copy_text_binary,
    "copy_out_binary": copy_out_binary,
    "server_side_cursor": server_side_cursor,
    "prepare_threshold": prepare_threshold,
    "transaction_error": transaction_error,
    "deallocate_all": deallocate_all,
    "close": close,
})
