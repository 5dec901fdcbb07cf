// The operator tools: `floe parquet inspect|cat` on a file DuckDB wrote, `floe store put|ls|cat` on a local
// store, `floe config check` on good and bad files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync, readFileSync } from 'node:fs';
import { tempDir, runFloe, duckdb, cleanup, writeConfig } from './harness.mjs';

test('floe parquet cat prints the rows DuckDB wrote, and inspect shows the schema and codec', async () => {
  const dir = tempDir('pq');
  try {
    const file = join(dir, 'ads.parquet');
    const db = await duckdb();
    await db.all(`COPY (SELECT i AS id, 'ad ' || i AS title, (i * 1.5)::DOUBLE AS price, (i * 1.5)::DECIMAL(9,2) AS amount, (i % 2 = 0) AS is_pro
                        FROM range(5) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION zstd)`);
    db.close();
    const cat = await runFloe(['parquet', 'cat', file]);
    assert.equal(cat.code, 0, cat.stderr);
    const rows = cat.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 5);
    // Decimals print as exact decimal strings (docs/PARQUET_TYPES.md), never as lossy doubles.
    assert.deepEqual(rows[3], { id: 3, title: 'ad 3', price: 4.5, amount: '4.50', is_pro: false });
    const limited = await runFloe(['parquet', 'cat', '--limit', '2', '--columns', 'title', file]);
    assert.deepEqual(limited.stdout.trim().split('\n').map((l) => JSON.parse(l)), [{ title: 'ad 0' }, { title: 'ad 1' }]);
    const inspect = await runFloe(['parquet', 'inspect', file]);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /title/);
    assert.match(inspect.stdout, /ZSTD/i);
    const bad = await runFloe(['parquet', 'cat', join(dir, 'missing.parquet')]);
    assert.equal(bad.code, 1);
  } finally {
    cleanup(dir);
  }
});

test('floe store put, ls and cat round-trip a file through a local store', async () => {
  const dir = tempDir('store');
  try {
    const src = join(dir, 'hello.txt');
    writeFileSync(src, 'hello lake\n');
    const url = `file://${join(dir, 'lake')}`;
    const put = await runFloe(['store', '--url', url, 'put', src, 'a/b/hello.txt']);
    assert.equal(put.code, 0, put.stderr);
    const ls = await runFloe(['store', '--url', url, 'ls', '-r', 'a/']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /11 .* a\/b\/hello\.txt/);
    const cat = await runFloe(['store', '--url', url, 'cat', 'a/b/hello.txt']);
    assert.equal(cat.stdout, 'hello lake\n');
    const missing = await runFloe(['store', '--url', url, 'cat', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not_found/);
  } finally {
    cleanup(dir);
  }
});

test('floe config check prints the effective settings, or names the bad setting', async () => {
  const dir = tempDir('cfg');
  try {
    const good = writeConfig(dir, 'kafka: { bootstrap.servers: "b:9092" }\ntopics: [ads]\nflush.size: 10\n');
    const ok = await runFloe(['config', 'check', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /flush\.size: 10\n/);
    assert.match(ok.stdout, /rotate\.schedule\.interval\.ms: 600000 {2}# default/);
    writeFileSync(good, 'kafka: { bootstrap.servers: "b:9092" }\ntopics: [ads]\nflush.size: -1\n');
    const bad = await runFloe(['config', 'check', good]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /flush\.size.*out of range/);
  } finally {
    cleanup(dir);
  }
});
