// `format: avro`: Confluent Avro topics archived as Avro object container files, read back by an independent
// implementation (avsc, through tests/avro/avsc_read_ocf.mjs): every (partition, offset) exactly once, each
// file under v=<subject version>/dt/hour of its records, named <topic>+<partition>+<startOffset>.avro; and
// the catalog `floe run` keeps of them: an Avro table (STORED AS AVRO with the newest version's schema) that
// `floe catalog rebuild` from the lake alone gives again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  tempDir, startDevKafka, startRegistry, produce, runFloe, writeConfig, cleanup, utcPartition, listFiles,
} from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tools = join(here, '..', 'tools');
const avscReader = join(here, '..', 'avro', 'avsc_read_ocf.mjs');

async function catalog(args) {
  const r = await runFloe(['catalog', ...args]);
  assert.equal(r.code, 0, `floe catalog ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function readOcf(file) {
  return JSON.parse(execFileSync(process.execPath, [avscReader, tools, file], { maxBuffer: 1 << 28 }).toString());
}

test('Avro topics become Avro container files that avsc reads, every offset exactly once', async () => {
  const dir = tempDir('avro-out');
  const kafka = await startDevKafka(dir, ['ads:3']);
  const registry = await startRegistry();
  try {
    const n = 6000;
    await produce(kafka.bootstrap, 'ads', n, ['--format', 'avro', '--registry', registry.url, '--evolve-at', '0.5',
      '--late-fraction', '0.05', '--seed', '11']);
    const lake = join(dir, 'lake');
    const cfg = `kafka: { bootstrap.servers: "${kafka.bootstrap}", group.id: avro-out, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
store.url: "file://${lake}"
schema.registry.url: "${registry.url}"
topics: [ads]
input.format: avro
format: avro
avro.codec: zstd
timestamp.fields: [occurred_at]
flush.size: 1000
`;
    const r = await runFloe(['run', '--config', writeConfig(dir, cfg), '--exit-when-idle']);
    assert.equal(r.code, 0, r.stderr);

    const files = listFiles(join(lake, 'default', 'ads')).filter((f) => !basename(f).startsWith('_'));
    assert.ok(files.length > 0, 'no files');
    const seen = new Map();  // "p/o" → file
    const perPartition = new Map();
    for (const file of files) {
      const m = /^ads\+(\d+)\+(\d+)\.avro$/.exec(basename(file));
      assert.ok(m, `file name ${file}`);
      const [, p, start] = m.map(Number);
      const segs = /^v=(\d+)\/dt=([0-9-]+)\/hour=(\d\d)$/.exec(relative(join(lake, 'default', 'ads'), dirname(file)));
      assert.ok(segs, `partition path of ${file}`);
      const [, v, dt, hour] = segs;
      const { codec, records } = readOcf(file);
      assert.equal(codec, 'zstandard');
      assert.ok(records.length > 0 && records.length <= 1000, `${file}: ${records.length} records`);
      assert.equal(Math.min(...records.map((x) => x._kafka_offset)), start, `${file} starts at its name's offset`);
      for (const rec of records) {
        assert.equal(rec._kafka_partition, p, `${file}: partition`);
        const key = `${rec._kafka_partition}/${rec._kafka_offset}`;
        assert.ok(!seen.has(key), `${key} in ${file} and ${seen.get(key)}`);
        seen.set(key, file);
        perPartition.set(p, (perPartition.get(p) ?? 0) + 1);
        // v=1 events have no `channel`; the v2 writer schema added it.
        assert.equal(rec.channel === undefined, v === '1', `${key} v=${v} channel ${rec.channel}`);
        assert.ok(rec.event_id && rec.location.city && rec.tags.length === 2, `${key} fields`);
        const want = utcPartition(rec.occurred_at ?? rec._kafka_timestamp);
        assert.equal(`${dt}/${hour}`, `${want.dt}/${want.hour}`, `${key} hour`);
      }
    }
    assert.equal(seen.size, n, 'records archived');
    // Offsets of a fresh topic are dense: every one of 0..count-1 exactly once per partition.
    for (const [p, count] of perPartition) {
      for (let o = 0; o < count; o++) assert.ok(seen.has(`${p}/${o}`), `offset ${p}/${o} missing`);
    }

    // The catalog of the run: an Avro table whose Hive DDL reads every version through v2's file schema.
    const store = ['--store', `file://${lake}`];
    const tables = await catalog(['tables', ...store]);
    assert.match(tables, /^default\.ads\s+avro\b/m);
    const hive = await catalog(['ddl', '--dialect', 'hive', ...store]);
    const m = /\nSTORED AS AVRO\nLOCATION '([^']*)'\nTBLPROPERTIES \('avro\.schema\.literal'='((?:[^'\\]|\\.)*)'\);\n/.exec(hive);
    assert.ok(m, hive);
    assert.equal(m[1], `file://${lake}/default/ads/`);
    const literal = JSON.parse(m[2].replace(/\\(.)/g, '$1'));
    const fields = literal.fields.map((f) => f.name);
    assert.ok(fields.includes('channel') && fields.includes('_kafka_offset'), `reader schema fields ${fields}`);
    assert.match(hive, /^  `_kafka_offset` bigint,$/m);
    assert.match(hive, /ADD IF NOT EXISTS\n  PARTITION \(`v`='1', /);
    assert.match(await catalog(['ddl', '--dialect', 'duckdb', ...store]), /^-- default\.ads is stored as Avro;.*no view/m);

    // Rebuilding from the lake alone gives the same tables, partitions, files, rows and bytes.
    const rebuilt = ['--store', `file://${lake}`, '--catalog', `sqlite://${join(dir, 'rebuilt.db')}`];
    assert.match(await catalog(['rebuild', ...rebuilt]), new RegExp(`registered ${files.length} files`));
    assert.equal(await catalog(['tables', ...rebuilt]), tables);
    assert.equal(await catalog(['ddl', '--dialect', 'hive', ...rebuilt]), hive);
    // Business-time ranges are not in the files themselves (see src/catalog/rebuild.h); the rest must match.
    const strip = (s) => s.split('\n').map((l) => l.replace(/\s+\S+\s+\S+\s+\S+$/, '')).join('\n');
    assert.equal(strip(await catalog(['partitions', 'ads', ...rebuilt])), strip(await catalog(['partitions', 'ads', ...store])));
  } finally {
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});

test('format avro refuses JSON topics at startup with a named configuration error', async () => {
  const dir = tempDir('avro-out-json');
  try {
    const cfg = `kafka: { bootstrap.servers: "127.0.0.1:1", group.id: x }
store.url: "file://${join(dir, 'lake')}"
topics: [ads]
format: avro
`;
    const r = await runFloe(['run', '--config', writeConfig(dir, cfg), '--exit-when-idle']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /format avro writes Avro input/);
  } finally {
    cleanup(dir);
  }
});
