// End-to-end: `floe dev-kafka` + `floe produce` + `floe run`, checked with DuckDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  tempDir, startDevKafka, produce, runFloe, startFloe, writeConfig, duckdb, listFiles, cleanup, utcPartition,
  businessTimeMs,
} from './harness.mjs';

const EVENTS = Number(process.env.FLOE_IT_EVENTS ?? 100_000);

function config(bootstrap, lake, group, extra = '') {
  // The mock cluster only forgets a departed member after its session timeout, so restarts in these tests
  // use a short one.
  return `kafka: { bootstrap.servers: "${bootstrap}", group.id: ${group}, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
store.url: "file://${lake}"
format: json
topics: [events, payments]
timestamp.fields: [occurred_at, created_at]
flush.size: 5000
rotate.schedule.interval.ms: 0
${extra}`;
}

// Checks the lake against what was produced: every (topic, partition, offset) exactly once, every row in the
// hour its business time (or, without one, its Kafka time) says, every file named after its first offset.
async function verifyLake(lake, expected) {
  const db = await duckdb();
  const rows = await db.all(`
    SELECT split_part(filename, '/', -4) AS topic, _kafka_partition AS p, CAST(_kafka_offset AS INTEGER) AS o,
           CAST(_kafka_timestamp AS VARCHAR) AS kts, CAST(occurred_at AS VARCHAR) AS occurred_at,
           CAST(created_at AS DOUBLE) AS created_at, dt, hour, filename
    FROM read_json('${lake}/*/*/*/*/*.jsonl', hive_partitioning = true, hive_types_autocast = false,
                   filename = true, union_by_name = true, format = 'newline_delimited',
                   columns = {_kafka_partition: 'INTEGER', _kafka_offset: 'BIGINT', _kafka_timestamp: 'VARCHAR',
                              occurred_at: 'VARCHAR', created_at: 'BIGINT'})`);
  const seen = new Map();
  const firstOffsetOfFile = new Map();
  for (const r of rows) {
    const id = `${r.topic}/${r.p}/${r.o}`;
    assert.ok(!seen.has(id), `duplicate record ${id} in ${r.filename} and ${seen.get(id)}`);
    seen.set(id, r.filename);
    const t = businessTimeMs(r.occurred_at ?? r.created_at) ?? Date.parse(r.kts);
    const want = utcPartition(t);
    assert.equal(`${r.dt}/${r.hour}`, `${want.dt}/${want.hour}`, `${id} (time ${r.occurred_at ?? r.created_at ?? r.kts}) is in the wrong hour`);
    const prev = firstOffsetOfFile.get(r.filename);
    firstOffsetOfFile.set(r.filename, prev === undefined ? r.o : Math.min(prev, Number(r.o)));
  }
  for (const [file, first] of firstOffsetOfFile) {
    const [topic, p, start] = basename(file, '.jsonl').split('+');
    assert.equal(Number(start), Number(first), `${file} is not named after its first offset`);
    assert.ok(file.includes(`/${topic}/dt=`), `${file} is not under its topic's table`);
    assert.ok(Number(p) >= 0);
  }
  for (const [topic, count] of Object.entries(expected)) {
    const got = [...seen.keys()].filter((k) => k.startsWith(`${topic}/`)).length;
    assert.equal(got, count, `topic ${topic}: ${got} records archived, ${count} produced`);
  }
  // Offsets are contiguous per partition (an idempotent producer, no transactions): nothing missing between.
  const perPartition = new Map();
  for (const id of seen.keys()) {
    const [topic, p, o] = id.split('/');
    const key = `${topic}/${p}`;
    const cur = perPartition.get(key) ?? { n: 0, max: -1 };
    cur.n++; cur.max = Math.max(cur.max, Number(o));
    perPartition.set(key, cur);
  }
  for (const [key, { n, max }] of perPartition) assert.equal(n, max + 1, `${key}: offsets have gaps`);
  db.close();
  return rows.length;
}

test('archives 100 000 events exactly once into the hour of their business time', async () => {
  const dir = tempDir('it');
  const kafka = await startDevKafka(dir, ['events:8', 'payments:2']);
  try {
    await produce(kafka.bootstrap, 'events', EVENTS, ['--time-format', 'rfc3339-offset', '--late-fraction', '0.05']);
    await produce(kafka.bootstrap, 'payments', 5000, ['--time-field', 'created_at', '--time-format', 'millis', '--seed', '7']);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, config(kafka.bootstrap, lake, 'it-once'));
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await verifyLake(lake, { events: EVENTS, payments: 5000 }), EVENTS + 5000);
    // At exit every partition is read to its end with all its files published, and says so to the in-process
    // catalog: every hour is complete, the newest too (it would otherwise wait for
    // catalog.completeness.idle.ms, 10 min, since no partition got past its end plus the grace).
    const parts = await runFloe(['catalog', 'partitions', 'events', '--config', cfg]);
    assert.equal(parts.code, 0, parts.stderr);
    const states = parts.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/).pop());
    assert.ok(states.length >= 2, parts.stdout);
    assert.deepEqual(states.filter((s) => !s.startsWith('complete')), [], parts.stdout);
    // Nothing left behind in the spool.
    assert.deepEqual(listFiles(join(lake, '.floe-spool')), []);
    // A second run finds everything committed and writes nothing new.
    const before = listFiles(lake).length;
    const again = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(listFiles(lake).length, before);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('SIGTERM mid-way and a restart lose nothing and duplicate nothing', async () => {
  const dir = tempDir('it-term');
  const kafka = await startDevKafka(dir, ['events:4', 'payments:1']);
  try {
    const n = Math.min(EVENTS, 60_000);
    await produce(kafka.bootstrap, 'events', n, ['--seed', '11']);
    await produce(kafka.bootstrap, 'payments', 1000, ['--time-field', 'created_at', '--time-format', 'seconds']);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, config(kafka.bootstrap, lake, 'it-term', 'log.level: info\n'));
    const first = startFloe(['run', '--config', cfg]);
    // Stop it once some files are committed but (at this pace) well before the end.
    for (let i = 0; i < 600 && listFiles(lake).filter((f) => f.endsWith('.jsonl')).length < 3; i++) await sleep(20);
    first.child.kill('SIGTERM');
    const { code } = await first.exited;
    assert.equal(code, 0, first.output());
    const midway = listFiles(lake).filter((f) => f.endsWith('.jsonl')).length;
    assert.ok(midway >= 3, 'the first run committed files before stopping');
    const second = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await verifyLake(lake, { events: n, payments: 1000 }), n + 1000);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('a payload that is not JSON stops its topic, names the record, and commits nothing past it', async () => {
  const dir = tempDir('it-poison');
  const kafka = await startDevKafka(dir, ['events:1', 'payments:1']);
  try {
    await produce(kafka.bootstrap, 'events', 100);
    await produce(kafka.bootstrap, 'payments', 50, ['--time-field', 'created_at', '--time-format', 'millis']);
    // kcat-free poison: floe produce cannot write bad JSON, so use a raw producer via the dev-kafka tools.
    const { spawnSync } = await import('node:child_process');
    const kcat = spawnSync('kcat', ['-b', kafka.bootstrap, '-P', '-t', 'events', '-p', '0'], { input: 'not json at all\n' });
    assert.equal(kcat.status, 0, String(kcat.stderr));
    await produce(kafka.bootstrap, 'events', 10, ['--seed', '3']);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, config(kafka.bootstrap, lake, 'it-poison'));
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /topic events partition 0 offset 100: value is not valid JSON/);
    // The other topic was archived in full; the bad topic up to the bad record.
    await verifyLake(lake, { events: 100, payments: 50 });
    // Restarting stops at the same record again: nothing past it was committed.
    const again = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /offset 100/);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});
