// postgres.js (`postgres`): what it really sends (shared/clients/SUMMARY.md §2.5):
// the pg_type array discovery on connect, named statements with P/D/H (Flush!)
// before B/E/S, `begin ` + savepoints through named statements, sql.unsafe
// multi-statement simple Q, cursors with Execute(max_rows)/Flush.
'use strict';
const { assert, conn, load, run, rejectsWith } = require('./common');
const postgres = load('postgres');

let sql;

const features = {
  async connect() {
    const c = conn();
    sql = postgres({ ...c, username: c.user, max: 1, connect_timeout: 10, idle_timeout: 0, onnotice: () => {} });
    const [row] = await sql`select 1 as one`;
    assert.equal(row.one, 1);
    await sql`drop table if exists pjs_items`;
    await sql`create table pjs_items (id int primary key, name text not null, tags text[], doc jsonb)`;
  },

  async tagged_templates() {
    const name = "o'range";
    await sql`insert into pjs_items (id, name) values (${1}, ${'apple'}), (${2}, ${name})`;
    const rows = await sql`select id, name from pjs_items where id = ${2}`;
    assert.deepEqual([...rows], [{ id: 2, name }]);
    // the same text again: only B/E/S (statement cache hit)
    const again = await sql`select id, name from pjs_items where id = ${1}`;
    assert.deepEqual([...again], [{ id: 1, name: 'apple' }]);
    const items = [{ id: 3, name: 'pear' }, { id: 4, name: 'plum' }];
    const ins = await sql`insert into pjs_items ${sql(items, 'id', 'name')}`;
    assert.equal(ins.count, 2);
    const inList = await sql`select name from pjs_items where id in ${sql([3, 4])} order by id`;
    assert.deepEqual(inList.map((r) => r.name), ['pear', 'plum']);
    const sum = await sql`select ${40}::int + ${2}::int as s, ${true}::bool as b, ${1.5}::float8 as f`;
    assert.deepEqual([...sum], [{ s: 42, b: true, f: 1.5 }]);
    const upd = await sql`update pjs_items set name = ${'PEAR'} where id = ${3}`;
    assert.equal(upd.count, 1);
    assert.equal(upd.command, 'UPDATE');
    const del = await sql`delete from pjs_items where id = ${4}`;
    assert.equal(del.count, 1);
  },

  async transaction_savepoint() {
    const result = await sql.begin(async (tx) => {
      await tx`insert into pjs_items (id, name) values (${10}, ${'kept'})`;
      await tx.savepoint(async (sp) => {
        await sp`insert into pjs_items (id, name) values (${11}, ${'rolled back'})`;
        throw new Error('undo the savepoint');
      }).catch((e) => assert.equal(e.message, 'undo the savepoint'));
      const [{ n }] = await tx`select count(*)::int as n from pjs_items where id >= 10`;
      return n;
    });
    assert.equal(result, 1, 'inside: the savepoint rolled back its row');
    const rows = await sql`select id, name from pjs_items where id >= 10 order by id`;
    assert.deepEqual([...rows], [{ id: 10, name: 'kept' }]);
    // a failing transaction rolls back as a whole
    await rejectsWith(sql.begin(async (tx) => {
      await tx`insert into pjs_items (id, name) values (${12}, ${'gone'})`;
      await tx`insert into pjs_items (id, name) values (${10}, ${'duplicate'})`;
    }), '23505', 'duplicate key in sql.begin');
    const [{ n }] = await sql`select count(*)::int as n from pjs_items where id = 12`;
    assert.equal(n, 0, 'the failed transaction left nothing');
  },

  async unsafe() {
    const multi = await sql.unsafe('select 1 as a; select 2 as b');
    assert.equal(multi.length, 2);
    assert.deepEqual([...multi[0]], [{ a: 1 }]);
    assert.deepEqual([...multi[1]], [{ b: 2 }]);
    const withParams = await sql.unsafe('select name from pjs_items where id = $1', [1]);
    assert.deepEqual([...withParams], [{ name: 'apple' }]);
  },

  async arrays_json() {
    await sql`update pjs_items set tags = ${sql.array(['a', 'b c'])}, doc = ${sql.json({ k: [1, 'two'], z: null })} where id = ${1}`;
    const [row] = await sql`select tags, doc from pjs_items where id = ${1}`;
    assert.deepEqual(row.tags, ['a', 'b c']);
    assert.deepEqual(row.doc, { k: [1, 'two'], z: null });
    const [lit] = await sql`select array[1,2,3]::int[] as a, ${[4, 5]}::int[] as b, '{"x":1}'::json as j`;
    assert.deepEqual(lit.a, [1, 2, 3]);
    assert.deepEqual(lit.b, [4, 5]);
    assert.deepEqual(lit.j, { x: 1 });
  },

  async cursor() {
    await sql`create table if not exists pjs_series (n int)`;
    await sql`delete from pjs_series`;
    await sql.unsafe('insert into pjs_series select g from generate_series(1, 25) g');
    const seen = [];
    let batches = 0;
    for await (const rows of sql`select n from pjs_series where n > ${0} order by n`.cursor(10)) {
      batches += 1;
      assert.ok(rows.length <= 10, `batch of ${rows.length} rows`);
      seen.push(...rows.map((r) => r.n));
    }
    assert.equal(batches, 3, 'three batches of at most 10');
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i + 1));
    // stopping early closes the portal and the connection goes on
    for await (const rows of sql`select n from pjs_series order by n`.cursor(10)) {
      assert.equal(rows[0].n, 1);
      break;
    }
    const [{ c }] = await sql`select count(*)::int as c from pjs_series`;
    assert.equal(c, 25);
  },

  async error_42P01() {
    const e = await rejectsWith(sql`select * from pjs_no_such_table`, '42P01', 'missing table');
    assert.match(e.message, /pjs_no_such_table/);
    const [{ ok }] = await sql`select ${1}::int as ok`;
    assert.equal(ok, 1);
  },

  async close() {
    await sql`drop table pjs_items`;
    await sql`drop table if exists pjs_series`;
    await sql.end({ timeout: 5 });
  },
};

run('postgres.js', features);
