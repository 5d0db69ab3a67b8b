// node-postgres (`pg`): what it really sends (shared/clients/SUMMARY.md §2.4):
// simple Q without values, unnamed P/B/D/E/S with values (text params),
// named statements reused by B alone, user-sent BEGIN/ROLLBACK, rowMode array.
'use strict';
const { assert, conn, load, run, rejectsWith } = require('./common');
const { Client } = load('pg');

let client;

const features = {
  async connect() {
    client = new Client({ ...conn(), application_name: 'compat-node-pg' });
    await client.connect();
    const r = await client.query('select 1 as one');
    assert.deepEqual(r.rows, [{ one: 1 }]);
    await client.query('drop table if exists npg_items');
    await client.query('create table npg_items (id int primary key, name text not null, qty int)');
  },

  async params() {
    const ins = await client.query('insert into npg_items (id, name, qty) values ($1, $2, $3), ($4, $5, $6)',
      [1, 'apple', 10, 2, "o'range", null]);
    assert.equal(ins.command, 'INSERT');
    assert.equal(ins.rowCount, 2);
    const r = await client.query('select id, name, qty from npg_items where id = $1', [2]);
    assert.deepEqual(r.rows, [{ id: 2, name: "o'range", qty: null }]);
    const s = await client.query('select $1::int + $2::int as sum, $3::text as t', [40, 2, 'x']);
    assert.deepEqual(s.rows, [{ sum: 42, t: 'x' }]);
    const bin = await client.query({ text: 'select $1::bytea as b', values: [Buffer.from([1, 2, 255])] });
    assert.deepEqual(bin.rows[0].b, Buffer.from([1, 2, 255]));
  },

  async named_statements() {
    for (let i = 0; i < 3; i++) {
      const r = await client.query({ name: 'get-item', text: 'select name from npg_items where id = $1', values: [1] });
      assert.deepEqual(r.rows, [{ name: 'apple' }], `named run ${i}`);
    }
    const r = await client.query({ name: 'get-item', text: 'select name from npg_items where id = $1', values: [2] });
    assert.equal(r.rows[0].name, "o'range");
  },

  async transaction_rollback() {
    await client.query('BEGIN');
    await client.query('insert into npg_items values ($1, $2, $3)', [3, 'pear', 1]);
    const inside = await client.query('select count(*)::int as n from npg_items');
    assert.equal(inside.rows[0].n, 3);
    await client.query('ROLLBACK');
    const after = await client.query('select count(*)::int as n from npg_items');
    assert.equal(after.rows[0].n, 2, 'ROLLBACK must undo the insert');
    // an error inside a transaction aborts it (25P02) until ROLLBACK
    await client.query('BEGIN');
    await rejectsWith(client.query('select 1/0'), '22012', 'division by zero');
    await rejectsWith(client.query('select 1'), '25P02', 'statement in an aborted transaction');
    await client.query('ROLLBACK');
    const ok = await client.query('select 1 as x');
    assert.equal(ok.rows[0].x, 1);
  },

  async arrays_json() {
    const r = await client.query('select $1::int[] as a, $2::text[] as t, $3::json as j, $4::jsonb as jb',
      [[1, 2, 3], ['a', 'b c', 'd"e'], { k: [1, 'two'] }, JSON.stringify({ z: null, n: 1.5 })]);
    const row = r.rows[0];
    assert.deepEqual(row.a, [1, 2, 3]);
    assert.deepEqual(row.t, ['a', 'b c', 'd"e']);
    assert.deepEqual(row.j, { k: [1, 'two'] });
    assert.deepEqual(row.jb, { z: null, n: 1.5 });
    const lit = await client.query(`select array[10,20] as a, '{"x": 1}'::jsonb as j`);
    assert.deepEqual(lit.rows[0], { a: [10, 20], j: { x: 1 } });
  },

  async row_mode_array() {
    const r = await client.query({ text: 'select id, name from npg_items order by id', rowMode: 'array' });
    assert.deepEqual(r.rows, [[1, 'apple'], [2, "o'range"]]);
    assert.deepEqual(r.fields.map((f) => f.name), ['id', 'name']);
    assert.equal(r.fields[0].dataTypeID, 23);
    assert.equal(r.fields[1].dataTypeID, 25);
  },

  async multi_statement() {
    const rs = await client.query('select 1 as a; select 2 as b');
    assert.equal(rs.length, 2);
    assert.deepEqual(rs[0].rows, [{ a: 1 }]);
    assert.deepEqual(rs[1].rows, [{ b: 2 }]);
  },

  async error_42P01() {
    const e = await rejectsWith(client.query('select * from npg_no_such_table'), '42P01', 'missing table (simple)');
    assert.match(e.message, /npg_no_such_table/);
    assert.equal(e.severity, 'ERROR');
    await rejectsWith(client.query('select * from npg_no_such_table where x = $1', [1]), '42P01', 'missing table (extended)');
    const r = await client.query('select count(*)::int as n from npg_items');
    assert.equal(r.rows[0].n, 2, 'the session works after the errors');
  },

  async close() {
    await client.query('drop table npg_items');
    await client.end();
  },
};

run('node-pg', features);
