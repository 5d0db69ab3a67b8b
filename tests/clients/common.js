// Shared helpers for the Node.js client scripts: connection settings from
// the environment the Rust test sets, assertions, and the feature runner.
'use strict';
const assert = require('node:assert/strict');

function conn() {
  const need = (k) => {
    const v = process.env[k];
    if (!v) {
      console.error(`${k} is not set (the Rust test sets PGHOST, PGPORT, PGUSER, PGDATABASE)`);
      process.exit(2);
    }
    return v;
  };
  return {
    host: need('PGHOST'),
    port: Number(need('PGPORT')),
    user: need('PGUSER'),
    database: need('PGDATABASE'),
  };
}

// Loads a client library, failing with the install command if missing.
function load(name) {
  try {
    return require(name);
  } catch (e) {
    console.error(`client library '${name}' is not installed: run \`npm ci --prefix tests/clients\` (${e.message})`);
    process.exit(3);
  }
}

// One machine-readable line per feature on stdout, which the Rust harness
// collects into the compatibility table (docs/compatibility.md):
// `TWILL-FEATURE <name> ok` or `TWILL-FEATURE <name> FAIL <reason>`.
function report(name, error) {
  if (error === undefined) {
    console.log(`TWILL-FEATURE ${name} ok`);
  } else {
    const reason = String(error).replace(/\s+/g, ' ').trim().slice(0, 300);
    console.log(`TWILL-FEATURE ${name} FAIL ${reason}`);
  }
}

// Runs the features named on the command line (all when none), each in
// order (`connect` first and `close` last, always); prints one line per
// feature (and its TWILL-FEATURE line) and exits non-zero on the first
// failure.
async function run(client, features) {
  const wanted = process.argv.slice(2);
  for (const name of wanted) {
    if (!(name in features)) {
      console.error(`${client}: unknown feature ${name}; known: ${Object.keys(features).join(', ')}`);
      process.exit(2);
    }
  }
  // `connect` (setup) and `close` (teardown) always run around the rest.
  let names = wanted.length ? wanted : Object.keys(features);
  names = names.filter((n) => n !== 'connect' && n !== 'close');
  if ('connect' in features) names.unshift('connect');
  if ('close' in features) names.push('close');
  for (const name of names) {
    const t0 = Date.now();
    try {
      await features[name]();
    } catch (e) {
      const code = e && e.code ? ` [SQLSTATE ${e.code}]` : '';
      report(name, `${code.trim()} ${e && e.message !== undefined ? e.message : e}`);
      console.error(`FAIL ${client}/${name}${code}: ${e && e.stack ? e.stack : e}`);
      process.exit(1);
    }
    report(name);
    console.log(`ok ${client}/${name} (${Date.now() - t0} ms)`);
  }
}

// Expects `promise` to reject with SQLSTATE `code`.
async function rejectsWith(promise, code, what) {
  let err = null;
  try {
    await promise;
  } catch (e) {
    err = e;
  }
  assert.ok(err, `${what}: expected an error ${code}, got success`);
  assert.equal(err.code, code, `${what}: expected SQLSTATE ${code}, got ${err.code}: ${err.message}`);
  return err;
}

module.exports = { assert, conn, load, run, rejectsWith };
