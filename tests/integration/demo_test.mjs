// `floe demo` runs the whole path on embedded defaults and leaves a lake DuckDB reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir, runFloe, duckdb, cleanup } from './harness.mjs';

test('floe demo archives two topics and prints a query that works', async () => {
  const dir = tempDir('demo');
  try {
    const lake = join(dir, 'lake');
    const r = await runFloe(['demo', '--dir', lake]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ads\s+\d+\s+6000/);
    assert.match(r.stdout, /payments\s+\d+\s+3000/);
    const query = r.stdout.slice(r.stdout.indexOf('SELECT'));
    const db = await duckdb();
    const rows = await db.all(query);
    assert.equal(rows.reduce((n, row) => n + Number(row.events), 0), 6000);
    // Running it again replaces the earlier demo lake instead of adding to it.
    const again = await runFloe(['demo', '--dir', lake]);
    assert.equal(again.code, 0, again.stderr);
    const rows2 = await db.all(query);
    assert.equal(rows2.reduce((n, row) => n + Number(row.events), 0), 6000);
  } finally {
    cleanup(dir);
  }
});
