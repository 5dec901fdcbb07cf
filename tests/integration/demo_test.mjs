// `floe demo` runs the whole path on embedded defaults and leaves a lake DuckDB reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir, runFloe, duckdb, cleanup } from './harness.mjs';

test('floe demo archives Avro with a schema change and inferred JSON to Parquet, and prints a query that works', async () => {
  const dir = tempDir('demo');
  try {
    const lake = join(dir, 'lake');
    const r = await runFloe(['demo', '--dir', lake]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ads\s+\d+\s+6000/);
    assert.match(r.stdout, /payments\s+\d+\s+3000/);
    assert.match(r.stdout, /1 record\(s\) dead-lettered/);
    const start = r.stdout.indexOf('SELECT');
    const query = r.stdout.slice(start, r.stdout.indexOf(';', start) + 1);
    const db = await duckdb();
    const rows = await db.all(query);
    assert.equal(rows.reduce((n, row) => n + Number(row.events), 0), 6000);
    // Both schema versions are there, and only v=2 rows carry the field v2 added.
    const versions = new Set(rows.map((row) => String(row.v)));
    assert.deepEqual([...versions].sort(), ['1', '2']);
    assert.ok(rows.filter((row) => String(row.v) === '1').every((row) => row.channel === null));
    assert.ok(rows.some((row) => String(row.v) === '2' && row.channel !== null));
    // The JSON topic became Parquet with an inferred schema: every event once, in the right hour.
    const [pay] = await db.all(`
      SELECT count(*)::INTEGER AS n, count(DISTINCT (_kafka_partition, _kafka_offset))::INTEGER AS d,
             count(*) FILTER (WHERE strftime(make_timestamp(created_at * 1000), '%Y-%m-%d') <> dt
                               OR strftime(make_timestamp(created_at * 1000), '%H') <> hour)::INTEGER AS misplaced
      FROM read_parquet('${lake}/default/payments/*/*/*/*.parquet', hive_partitioning = true,
                        hive_types_autocast = false, union_by_name = true)
      WHERE created_at IS NOT NULL`);
    assert.ok(pay.n > 2900 && pay.n <= 3000, `payments ${pay.n}`);
    assert.equal(pay.n, pay.d);
    assert.equal(pay.misplaced, 0);
    // Running it again replaces the earlier demo lake instead of adding to it.
    const again = await runFloe(['demo', '--dir', lake]);
    assert.equal(again.code, 0, again.stderr);
    const rows2 = await db.all(query);
    assert.equal(rows2.reduce((n, row) => n + Number(row.events), 0), 6000);
  } finally {
    cleanup(dir);
  }
});
