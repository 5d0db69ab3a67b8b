"""asyncpg: what it really sends (shared/clients/SUMMARY.md §2.7): named
statements P/D/H (Flush) then B/E/S with every parameter and result binary,
fetchrow as Execute(max_rows=1), executemany as B/E xN + S, cursors as named
portals that survive Sync in a transaction, the recursive pg_type
introspection (with the jit get/set) the first time it meets an array OID,
copy_records_to_table (Q COPY + CopyData + CopyDone pipelined without a Sync)
and copy_from_query."""

import asyncio
import datetime
import decimal
import io
import json
import uuid

from common import check, conn, eq, load, run

asyncpg = load("asyncpg", "asyncpg")

loop = asyncio.new_event_loop()
c = None


def sync(coro):
    return loop.run_until_complete(asyncio.wait_for(coro, 30))


def connect():
    global c
    p = conn()
    c = sync(asyncpg.connect(host=p["host"], port=p["port"], user=p["user"], database=p["dbname"], timeout=10))
    check(c.get_server_version().major >= 15, f"server version {c.get_server_version()}")
    sync(c.execute("drop table if exists apg_items; drop table if exists apg_copy"))
    sync(c.execute("""create table apg_items (id int primary key, name text, price numeric, born date,
                      at timestamptz, u uuid, j json, jb jsonb, ints int[], tags text[], big int8, f float8)"""))
    sync(c.execute("create table apg_copy (id int, name text, n int8)"))


def binary_types():
    row = (1, "apple", decimal.Decimal("12.345"), datetime.date(2024, 2, 29),
           datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc),
           uuid.UUID("12345678-1234-5678-1234-567812345678"), json.dumps({"k": [1, "two"]}),
           json.dumps({"z": None}), [1, 2, 3], ["a", "b c", None], 2**40, 0.5)
    sync(c.execute("insert into apg_items values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", *row))
    got = sync(c.fetchrow("select * from apg_items where id = $1", 1))
    eq(tuple(got), row[:6] + (row[6], '{"z": null}') + row[8:], "binary round trip of every type")
    eq(sync(c.fetchval("select $1::int[]", [4, 5])), [4, 5], "int[] param and result")
    eq(sync(c.fetchval("select $1::text[]", ["x", "y"])), ["x", "y"], "text[] param and result")
    eq(sync(c.fetchval("select count(*) from apg_items where ints @> $1", [2])), 1, "array operator with a param")


def array_2d():
    eq(sync(c.fetchval("select array[array[1,2],array[3,4]]")), [[1, 2], [3, 4]], "2-D int[] result")


def type_introspection():
    # A fresh connection meets int4[] and text[] in a result: asyncpg runs
    # the jit get/set and the WITH RECURSIVE typeinfo_tree query.
    p = conn()

    async def go():
        t = await asyncpg.connect(host=p["host"], port=p["port"], user=p["user"], database=p["dbname"], timeout=10)
        try:
            r = await t.fetchrow("select array[1,2]::int4[] as a, array['x']::text[] as b, array[1.5]::numeric[] as n")
            eq((r["a"], r["b"], r["n"]), ([1, 2], ["x"], [decimal.Decimal("1.5")]), "arrays after introspection")
            eq(await t.fetchval("select $1::int8[]", [1, 2]), [1, 2], "int8[] param")
        finally:
            await t.close()

    sync(go())


def executemany():
    sync(c.executemany("insert into apg_items (id, name, big) values ($1, $2, $3)",
                       [(i, f"n{i}", i * 10) for i in range(10, 30)]))
    eq(sync(c.fetchval("select count(*) from apg_items where id between 10 and 29")), 20, "executemany rows")
    eq(sync(c.fetchval("select sum(big) from apg_items where id between 10 and 29")), sum(range(100, 300, 10)), "sum")


def cursor_in_transaction():
    async def go():
        async with c.transaction():
            seen = []
            async for rec in c.cursor("select id from apg_items where id >= $1 order by id", 10, prefetch=7):
                seen.append(rec["id"])
            eq(seen, list(range(10, 30)), "iterated cursor")
            cur = await c.cursor("select id, name from apg_items where id >= $1 order by id", 10)
            eq([tuple(r) for r in await cur.fetch(3)], [(10, "n10"), (11, "n11"), (12, "n12")], "cursor.fetch(3)")
            await cur.forward(2)
            eq(tuple(await cur.fetchrow()), (15, "n15"), "after forward(2)")
        # nested transaction = savepoint, rolled back
        async with c.transaction():
            try:
                async with c.transaction():
                    await c.execute("delete from apg_items")
                    raise RuntimeError("undo")
            except RuntimeError:
                pass
            eq(await c.fetchval("select count(*) from apg_items"), 21, "savepoint rolled back the delete")

    sync(go())


def copy_records_to_table():
    res = sync(c.copy_records_to_table("apg_copy", records=[(i, f"c{i}" if i != 2 else None, i * 100) for i in range(5)],
                                       columns=["id", "name", "n"]))
    eq(res, "COPY 5", "copy_records_to_table status")
    eq([tuple(r) for r in sync(c.fetch("select id, name, n from apg_copy order by id"))],
       [(0, "c0", 0), (1, "c1", 100), (2, None, 200), (3, "c3", 300), (4, "c4", 400)], "copied rows")
    eq(sync(c.fetchval("select 1")), 1, "the connection goes on after COPY")


def copy_from_query():
    out = io.BytesIO()
    res = sync(c.copy_from_query("select id, name from apg_copy where id < 3 order by id", output=out, format="csv"))
    eq(res, "COPY 3", "copy_from_query status")
    eq(out.getvalue(), b"0,c0\n1,c1\n2,\n", "csv output")
    out = io.BytesIO()
    sync(c.copy_from_table("apg_copy", columns=["id"], output=out))
    eq(sorted(out.getvalue().split()), [b"0", b"1", b"2", b"3", b"4"], "copy_from_table text")


def copy_from_query_args():
    # With arguments asyncpg inlines them first, running
    # SELECT quote_literal($1::"pg_catalog"."int4"::text)
    out = io.BytesIO()
    res = sync(c.copy_from_query("select id, name from apg_copy where id < $1 order by id", 3, output=out, format="csv"))
    eq(res, "COPY 3", "copy_from_query status")
    eq(out.getvalue(), b"0,c0\n1,c1\n2,\n", "csv output")


def errors():
    async def go():
        try:
            await c.fetch("select * from apg_no_such_table")
        except asyncpg.UndefinedTableError as e:
            eq(e.sqlstate, "42P01", "sqlstate")
        else:
            raise AssertionError("expected 42P01")
        try:
            await c.execute("insert into apg_items (id) values (9999), (9999)")
        except asyncpg.UniqueViolationError as e:
            eq(e.sqlstate, "23505", "sqlstate")
        else:
            raise AssertionError("expected 23505")
        eq(await c.fetchval("select $1::int + 1", 1), 2, "after errors")

    sync(go())


def close():
    sync(c.execute("drop table apg_items; drop table apg_copy"))
    sync(c.close())


run("asyncpg", {
    "connect": connect,
    "binary_types": binary_types,
    "array_2d": array_2d,
    "type_introspection": type_introspection,
    "executemany": executemany,
    "cursor_in_transaction": cursor_in_transaction,
    "copy_records_to_table": copy_records_to_table,
    "copy_from_query": copy_from_query,
    "copy_from_query_args": copy_from_query_args,
    "errors": errors,
    "close": close,
})
