"""pg8000: what it really sends (shared/clients/SUMMARY.md §2.9): simple Q
without params; with params three round trips on the unnamed statement
(P/H/S, D S/H/S, B/H/E/H/S, so the unnamed statement survives Syncs);
`prepare()` as a named statement closed with C S; dbapi transactions
(`begin transaction`, commit/rollback)."""

import datetime
import decimal

from common import conn, eq, load, raises, run

pg8000 = load("pg8000", "pg8000")
import pg8000.dbapi  # noqa: E402
import pg8000.native  # noqa: E402

n = None


def connect():
    global n
    p = conn()
    n = pg8000.native.Connection(p["user"], host=p["host"], port=p["port"], database=p["dbname"], timeout=10)
    n.run("drop table if exists p8_items")
    n.run("create table p8_items (id int primary key, name text, price numeric, born date, ok bool)")


def params():
    n.run("insert into p8_items values (:id, :name, :price, :born, :ok)",
          id=1, name="a'quote", price=decimal.Decimal("9.99"), born=datetime.date(2024, 2, 29), ok=True)
    rows = n.run("select id, name, price, born, ok from p8_items where id = :id", id=1)
    eq(rows, [[1, "a'quote", decimal.Decimal("9.99"), datetime.date(2024, 2, 29), True]], "row")
    eq(n.run("select :a::int + :b::int", a=40, b=2), [[42]], "arithmetic")
    eq(n.run("select count(*) from p8_items where name = :s", s="nobody"), [[0]], "no match")
    eq([c["name"] for c in n.columns], ["count"], "column names")
    ps = n.prepare("select name from p8_items where id = :id")
    for _ in range(3):
        eq(ps.run(id=1), [["a'quote"]], "prepared statement run")
    ps.close()
    eq(n.run("select 1"), [[1]], "after closing the prepared statement")


def transaction():
    p = conn()
    d = pg8000.dbapi.connect(p["user"], host=p["host"], port=p["port"], database=p["dbname"], timeout=10)
    cur = d.cursor()
    cur.execute("insert into p8_items (id, name) values (%s, %s)", (10, "ten"))
    cur.execute("select count(*) from p8_items where id = %s", (10,))
    eq(cur.fetchone(), [1], "visible inside the transaction")
    d.rollback()
    cur.execute("select count(*) from p8_items where id = %s", (10,))
    eq(cur.fetchone(), [0], "rolled back")
    cur.executemany("insert into p8_items (id, name) values (%s, %s)", [(11, "a"), (12, "b")])
    d.commit()
    cur.execute("select id, name from p8_items where id > %s order by id", (10,))
    eq(cur.fetchall(), ([11, "a"], [12, "b"]), "committed rows")
    raises("42P01", "missing table", cur.execute, "select * from p8_no_such_table where id = %s", (1,))
    d.rollback()
    cur.execute("select 1")
    eq(cur.fetchone(), [1], "after the error")
    d.commit()
    d.close()


def close():
    n.run("drop table p8_items")
    n.close()


run("pg8000", {"connect": connect, "params": params, "transaction": transaction, "close": close})
