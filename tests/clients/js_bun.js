// Bun's built-in SQL client (`Bun.SQL`, Bun 1.4.5): what it really sends
// (shared/clients/SUMMARY.md §2.3): no SSLRequest, no application_name, every
// tagged template a named statement (`P0`, `P1`, …; with parameters
// P/D S/S first, then B/E/S; a repeat only B/E/S), per-column mixed result
// formats (binary int4/float8/bool/bytea/timestamptz/int4[], text for the
// rest), BigInt parameters as text with OID 20, `Q "BEGIN"`/`SAVEPOINT s0`
// for transactions, `sql.unsafe` without parameters as one simple Q, several
// Syncs outstanding under Promise.all, and no Terminate on close.
//
// Run with Bun, not node: `tests/clients/node_modules/.bin/bun js_bun.js`.
'use strict';
const { assert, conn, run } = require('./common');

if (typeof Bun === 'undefined') {
  console.error('js_bun.js runs under Bun: tests/clients/node_modules/.bin/bun js_bun.js (npm ci --prefix tests/clients)');
  process.exit(3);
}
const { SQL } = require('bun');

let sql;

// Expects `promise` to reject with SQLSTATE `code`: Bun puts the SQLSTATE in
// `errno` (its `code` is always ERR_POSTGRES_SERVER_ERROR).
async function rejectsWith(promise, code, what) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected an error ${code}, got success`);
  assert.equal(err.errno, code, `${what}: expected SQLSTATE ${code}, got ${err.errno}: ${err.message}`);
  return err;
}

const features = {
  async connect() {
    const c = conn();
    sql = new SQL({ hostname: c.host, port: c.port, username: c.user, database: c.database, max: 1, tls: false });
    const [row] = await sql`select 1 as one`;
    assert.equal(row.one, 1);
    await sql`drop table if exists bun_items`;
    await sql`create table bun_items (id serial primary key, name text not null, n int, created timestamptz default now())`;
  },

  async tagged_templates() {
    const [xy] = await sql`select ${7}::int as x, ${'seven'} as y`;
    assert.deepEqual({ ...xy }, { x: 7, y: 'seven' });
    const ins = await sql`insert into bun_items (name, n) values (${"o'range"}, ${1})`;
    assert.equal(ins.count, 1);
    assert.equal(ins.command, 'INSERT');
    // the bulk helper: VALUES($1, $2),($3, $4)
    const bulk = await sql`insert into bun_items ${sql([{ name: 'apple', n: 2 }, { name: 'pear', n: 3 }])}`;
    assert.equal(bulk.count, 2);
    const rows = await sql`select id, name, n from bun_items where n > ${1} order by id`;
    assert.deepEqual(rows.map((r) => [r.id, r.name, r.n]), [[2, 'apple', 2], [3, 'pear', 3]]);
    // the same text again: only B/E/S (statement cache hit)
    const again = await sql`select id, name, n from bun_items where n > ${2} order by id`;
    assert.deepEqual(again.map((r) => r.name), ['pear']);
    const inList = await sql`select name from bun_items where id in ${sql([1, 3])} order by id`;
    assert.deepEqual(inList.map((r) => r.name), ["o'range", 'pear']);
    const [created] = await sql`select created from bun_items where id = ${1}`;
    assert.ok(created.created instanceof Date, `timestamptz default now() is a Date: ${created.created}`);
    assert.ok(Math.abs(created.created.getTime() - Date.now()) < 60_000, `created is about now: ${created.created}`);
    const upd = await sql`update bun_items set n = n + ${10} where name = ${'pear'}`;
    assert.equal(upd.count, 1);
    assert.equal(upd.command, 'UPDATE');
    // Promise.all: several B/E/S with their Syncs in one write
    const [a, b, d] = await Promise.all([
      sql`select n from bun_items where id = ${1}`,
      sql`select n from bun_items where id = ${2}`,
      sql`select n from bun_items where id = ${3}`,
    ]);
    assert.deepEqual([a[0].n, b[0].n, d[0].n], [1, 2, 13]);
  },

  async transaction_savepoint() {
    const inside = await sql.begin(async (tx) => {
      await tx`update bun_items set n = n + 1 where name = ${'apple'}`;
      await tx.savepoint(async (sp) => {
        await sp`update bun_items set n = 0`;
        throw new Error('undo the savepoint');
      }).catch((e) => assert.equal(e.message, 'undo the savepoint'));
      const [{ n }] = await tx`select n from bun_items where name = ${'apple'}`;
      return n;
    });
    assert.equal(inside, 3, 'the savepoint rolled back, the update before it stayed');
    const after = await sql`select name, n from bun_items order by id`;
    assert.deepEqual(after.map((r) => [r.name, r.n]), [["o'range", 1], ['apple', 3], ['pear', 13]]);
    // a failing transaction rolls back as a whole
    await rejectsWith(sql.begin(async (tx) => {
      await tx`insert into bun_items (id, name) values (${100}, ${'gone'})`;
      await tx`insert into bun_items (id, name) values (${1}, ${'duplicate'})`;
    }), '23505', 'duplicate key in sql.begin');
    const [{ c }] = await sql`select count(*)::int as c from bun_items where id = ${100}`;
    assert.equal(c, 0, 'the failed transaction left nothing');
  },

  async unsafe() {
    // without parameters: one simple Q with two statements, one result each
    const multi = await sql.unsafe('select 1 as a; select 2 as b');
    assert.equal(multi.length, 2);
    assert.deepEqual({ ...multi[0][0] }, { a: 1 });
    assert.deepEqual({ ...multi[1][0] }, { b: 2 });
    const withParams = await sql.unsafe('select $1::int as v, $2::text as w', [5, 'five']);
    assert.deepEqual({ ...withParams[0] }, { v: 5, w: 'five' });
    const ddl = await sql.unsafe('create table if not exists bun_scratch (k int); insert into bun_scratch values (1), (2); drop table bun_scratch');
    assert.ok(ddl !== undefined);
  },

  async types() {
    const [r] = await sql`select 1::int4 as i, 9007199254740993::int8 as big, 'txt'::text as t, true as bo,
      1.5::float8 as f8, 2.5::float4 as f4, 12.345::numeric as num, '2024-01-02 03:04:05+00'::timestamptz as ts,
      '2024-01-02 03:04:05'::timestamp as tsn, '2024-01-02'::date as d, '\\x0102ff'::bytea as by,
      '{"a":1}'::json as j, '{"b":[1,2]}'::jsonb as jb, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u,
      array[1,2,3]::int[] as arr, array['x','y']::text[] as tarr, null::int as nul, 'x'::char as ch,
      32767::int2 as i2, '1 day'::interval as iv, 'c'::varchar as vc, 123::oid as o`;
    assert.equal(r.i, 1);
    assert.equal(String(r.big), '9007199254740993');
    assert.equal(r.t, 'txt');
    assert.equal(r.bo, true);
    assert.equal(r.f8, 1.5);
    assert.equal(r.f4, 2.5);
    assert.equal(String(r.num), '12.345');
    assert.ok(r.ts instanceof Date);
    assert.equal(r.ts.toISOString(), '2024-01-02T03:04:05.000Z');
    assert.equal(new Date(r.d).getUTCDate() >= 1, true);
    assert.deepEqual([...r.by], [1, 2, 255]);
    assert.deepEqual(r.j, { a: 1 });
    assert.deepEqual(r.jb, { b: [1, 2] });
    assert.equal(r.u, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.deepEqual([...r.arr], [1, 2, 3]);
    assert.deepEqual([...r.tarr], ['x', 'y']);
    assert.equal(r.nul, null);
    assert.equal(r.ch, 'x');
    assert.equal(r.i2, 32767);
    assert.equal(r.iv, '1 day');
    assert.equal(r.vc, 'c');
    assert.equal(Number(r.o), 123);
  },

  async typed_params() {
    // OIDs from the JS values: 23, 701, 16, 0 (string), 0 (null), 17 (Buffer),
    // 20 (BigInt, as text), 0 (an object, sent as JSON text), 0 (Date)
    const [r] = await sql`select ${42} as a, ${2.5} as b, ${true} as c, ${'str'} as d, ${null}::text as e,
      ${Buffer.from([0, 1, 254])} as f, ${9007199254740993n} as g, ${{ k: [1, 'two'] }}::json as h,
      ${new Date(Date.UTC(2024, 0, 2))}::date as i`;
    assert.equal(r.a, 42);
    assert.equal(r.b, 2.5);
    assert.equal(r.c, true);
    assert.equal(r.d, 'str');
    assert.equal(r.e, null);
    assert.deepEqual([...r.f], [0, 1, 254]);
    assert.equal(String(r.g), '9007199254740993');
    assert.deepEqual(r.h, { k: [1, 'two'] });
    assert.equal(new Date(r.i).toISOString().slice(0, 10), '2024-01-02');
    // an array parameter (OID 0, text '{…}') cast on the server
    const [arr] = await sql`select ${sql.array([4, 5, 6])}::int[] as a`;
    assert.deepEqual([...arr.a], [4, 5, 6]);
    // a jsonb column round trip with a JSON parameter
    await sql`create table if not exists bun_docs (id int primary key, doc jsonb, tags text[])`;
    await sql`delete from bun_docs`;
    await sql`insert into bun_docs values (${1}, ${{ z: null, k: 'v' }}::jsonb, ${sql.array(['a', 'b c'])}::text[])`;
    const [doc] = await sql`select doc, tags from bun_docs where id = ${1}`;
    assert.deepEqual(doc.doc, { k: 'v', z: null });
    assert.deepEqual([...doc.tags], ['a', 'b c']);
    await sql`drop table bun_docs`;
  },

  async error_42P01() {
    const e = await rejectsWith(sql`select * from bun_no_such_table where x = ${1}`, '42P01', 'missing table');
    assert.match(e.message, /bun_no_such_table/);
    // the statement-name counter goes on past the failed Parse
    const [{ ok }] = await sql`select 'after error' as ok`;
    assert.equal(ok, 'after error');
  },

  async close() {
    await sql`drop table bun_items`;
    // Bun closes the socket without a Terminate message
    await sql.close({ timeout: 5 });
  },
};

run('bun', features);
