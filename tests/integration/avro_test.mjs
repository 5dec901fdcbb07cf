// Confluent Avro through the embedded Schema Registry: `floe registry serve` + `floe produce --format avro`
// (with a v1 → v2 schema evolution mid-run) + `floe run`, checked with DuckDB; and bad Avro input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  tempDir, startDevKafka, startRegistry, produce, produceRaw, runFloe, writeConfig, duckdb, cleanup, utcPartition,
  consumeAll,
} from './harness.mjs';

function config(bootstrap, registry, lake, group, extra = 'format: json\n') {
  return `kafka: { bootstrap.servers: "${bootstrap}", group.id: ${group}, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
store.url: "file://${lake}"
schema.registry.url: "${registry}"
topics: [ads]
input.format: avro
timestamp.fields: [occurred_at]
flush.size: 2000
${extra}`;
}

test('Avro events land exactly once under v=<subject version>/dt/hour, across a schema evolution', async () => {
  const dir = tempDir('avro');
  const kafka = await startDevKafka(dir, ['ads:4']);
  const registry = await startRegistry();
  try {
    const n = 20_000;
    await produce(kafka.bootstrap, 'ads', n, ['--format', 'avro', '--registry', registry.url, '--evolve-at', '0.5',
      '--late-fraction', '0.05']);
    const lake = join(dir, 'lake');
    const r = await runFloe(['run', '--config', writeConfig(dir, config(kafka.bootstrap, registry.url, lake, 'avro')),
      '--exit-when-idle']);
    assert.equal(r.code, 0, r.stderr);
    const db = await duckdb();
    const rows = await db.all(`
      SELECT _kafka_partition AS p, CAST(_kafka_offset AS INTEGER) AS o, CAST(occurred_at AS DOUBLE) AS t,
             _kafka_timestamp AS kts, channel, v, dt, hour
      FROM read_json('${lake}/default/ads/*/*/*/*.jsonl', hive_partitioning = true, hive_types_autocast = false,
                     union_by_name = true, format = 'newline_delimited',
                     columns = {_kafka_partition: 'INTEGER', _kafka_offset: 'BIGINT', _kafka_timestamp: 'VARCHAR',
                                occurred_at: 'BIGINT', channel: 'VARCHAR'})`);
    assert.equal(rows.length, n);
    const ids = new Set(rows.map((r) => `${r.p}/${r.o}`));
    assert.equal(ids.size, n, 'duplicates');
    const byVersion = { 1: 0, 2: 0 };
    for (const row of rows) {
      byVersion[row.v]++;
      assert.equal(row.channel === null, row.v === '1', `v=${row.v} row ${row.p}/${row.o} channel ${row.channel}`);
      const want = utcPartition(row.t ?? Date.parse(row.kts));
      assert.equal(`${row.dt}/${row.hour}`, `${want.dt}/${want.hour}`);
    }
    assert.equal(byVersion[1], n / 2);
    assert.equal(byVersion[2], n / 2);
    db.close();
  } finally {
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});

test('Avro events become Parquet files DuckDB reads across both schema versions', async () => {
  const dir = tempDir('avro-pq');
  const kafka = await startDevKafka(dir, ['ads:4']);
  const registry = await startRegistry();
  try {
    const n = 20_000;
    await produce(kafka.bootstrap, 'ads', n, ['--format', 'avro', '--registry', registry.url, '--evolve-at', '0.5',
      '--late-fraction', '0.05', '--seed', '5']);
    const lake = join(dir, 'lake');
    const cfg = config(kafka.bootstrap, registry.url, lake, 'avro-pq', 'format: parquet\nparquet.codec: zstd\n');
    const r = await runFloe(['run', '--config', writeConfig(dir, cfg), '--exit-when-idle']);
    assert.equal(r.code, 0, r.stderr);
    const db = await duckdb();
    const rows = await db.all(`
      SELECT _kafka_partition AS p, _kafka_offset::INTEGER AS o, epoch_ms(occurred_at)::DOUBLE AS t,
             epoch_ms(_kafka_timestamp)::DOUBLE AS kts, channel, location.city AS city, len(tags)::INTEGER AS ntags,
             v, dt, hour
      FROM read_parquet('${lake}/default/ads/*/*/*/*.parquet', hive_partitioning = true, hive_types_autocast = false,
                        union_by_name = true)`);
    assert.equal(rows.length, n);
    assert.equal(new Set(rows.map((x) => `${x.p}/${x.o}`)).size, n, 'duplicates');
    for (const row of rows) {
      assert.equal(row.channel === null, row.v === '1', `v=${row.v} row ${row.p}/${row.o} channel ${row.channel}`);
      assert.ok(row.city && row.ntags === 2);
      const want = utcPartition(row.t ?? row.kts);
      assert.equal(`${row.dt}/${row.hour}`, `${want.dt}/${want.hour}`);
    }
    const [meta] = await db.all(`SELECT compression FROM parquet_metadata('${lake}/default/ads/*/*/*/*.parquet') LIMIT 1`);
    assert.equal(meta.compression, 'ZSTD');
    // parquet.compression.level reaches the files: the same records at zstd level 19 take fewer bytes than at
    // the default level 1, and read back the same.
    const lake19 = join(dir, 'lake19');
    const r19 = await runFloe(['run', '--config', writeConfig(dir, config(kafka.bootstrap, registry.url, lake19,
      'avro-pq-19', 'format: parquet\nparquet.codec: zstd\nparquet.compression.level: 19\n')), '--exit-when-idle']);
    assert.equal(r19.code, 0, r19.stderr);
    const size = async (root) => Number((await db.all(`SELECT sum(total_compressed_size)::BIGINT AS n
      FROM parquet_metadata('${root}/default/ads/*/*/*/*.parquet')`))[0].n);
    const [at1, at19] = [await size(lake), await size(lake19)];
    assert.ok(at19 < at1, `level 19: ${at19} bytes, level 1: ${at1}`);
    const [same] = await db.all(`SELECT count(*)::INTEGER AS n FROM (
      SELECT * FROM read_parquet('${lake19}/default/ads/*/*/*/*.parquet', union_by_name = true, hive_partitioning = false)
      INTERSECT
      SELECT * FROM read_parquet('${lake}/default/ads/*/*/*/*.parquet', union_by_name = true, hive_partitioning = false))`);
    assert.equal(same.n, n);
    db.close();
  } finally {
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});

for (const [what, bytes, error] of [
  ['wrong magic byte', [1, 0, 0, 0, 1, 2], /avro\.bad_magic/],
  ['unknown schema id', [0, 0, 0, 0x7f, 0x7f, 2], /avro\.unknown_schema_id/],
  ['truncated body', [0, 0, 0, 0, 1, 0x20], /avro\.truncated/],
]) {
  test(`a ${what} stops the connector and names the record`, async () => {
    const dir = tempDir('avro-bad');
    const kafka = await startDevKafka(dir, ['ads:1']);
    const registry = await startRegistry();
    try {
      await produce(kafka.bootstrap, 'ads', 30, ['--format', 'avro', '--registry', registry.url, '--evolve-at', '1']);
      produceRaw(kafka.bootstrap, 'ads', 0, [Buffer.from(bytes)]);
      const lake = join(dir, 'lake');
      const r = await runFloe(['run', '--config', writeConfig(dir, config(kafka.bootstrap, registry.url, lake, 'bad')),
        '--exit-when-idle']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /topic ads partition 0 offset 30/);
      assert.match(r.stderr, error);
      const db = await duckdb();
      const [{ n }] = await db.all(`SELECT count(*)::INTEGER AS n FROM read_json_auto('${lake}/default/ads/*/*/*/*.jsonl')`);
      assert.equal(n, 30, 'the records before the bad one are archived');
      db.close();
    } finally {
      await registry.stop();
      await kafka.stop();
      cleanup(dir);
    }
  });
}

// Avro binary by hand, enough for the v1 AdEvent of `floe produce` (src/loadgen/event_generator.cc).
function zigzag(n) {
  let v = BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));
  const out = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}
const str = (s) => { const b = Buffer.from(s); return [...zigzag(b.length), ...b]; };
const dbl = (x) => { const b = Buffer.alloc(8); b.writeDoubleLE(x); return [...b]; };
const adV1 = (eventId) => [
  ...str(eventId), ...zigzag(1) /* ad_viewed */, ...zigzag(42), ...str('user-1'), ...str('cars'), ...str('a title'),
  ...dbl(9.5), ...str('EUR'), 1, ...zigzag(0) /* occurred_at: null */, ...str('Berlin'), ...str('10115'),
  ...dbl(52.5), ...dbl(13.4), ...zigzag(2), ...str('a'), ...str('b'), 0, ...zigzag(3), ...zigzag(4)];
const framed = (id, body) => Buffer.from([0, id >>> 24, (id >>> 16) & 255, (id >>> 8) & 255, id & 255, ...body]);

// Bodies that frame fine but do not decode: each its own named error, on the JSON path (datum rendered to
// JSON) and the columnar path (Parquet) alike, stopping the connector — or, with errors.tolerance all, a dead
// letter naming it. One Kafka and one registry for all: a topic per kind, a consumer group per run.
test('trailing bytes, invalid UTF-8 and a negative length are named errors on both output paths', async () => {
  const dir = tempDir('avro-bodies');
  const kinds = [
    { topic: 'trailing', body: (id) => framed(id, [...adV1('e-1'), 0]), error: 'avro.trailing_bytes' },
    { topic: 'utf8', body: (id) => framed(id, adV1(Buffer.from([0x65, 0xff, 0xfe]))), error: 'avro.invalid_utf8' },
    { topic: 'negative', body: (id) => framed(id, zigzag(-1)), error: 'avro.negative_length' },
  ];
  const kafka = await startDevKafka(dir, [...kinds.map((k) => `${k.topic}:1`), 'dlq.json:1', 'dlq.parquet:1']);
  const registry = await startRegistry();
  try {
    for (const k of kinds) {
      await produce(kafka.bootstrap, k.topic, 30, ['--format', 'avro', '--registry', registry.url, '--evolve-at', '1']);
      const { id } = await (await fetch(`${registry.url}/subjects/${k.topic}-value/versions/1`)).json();
      produceRaw(kafka.bootstrap, k.topic, 0, [k.body(id)]);
    }
    const formats = { json: 'format: json\n', parquet: 'format: parquet\n' };
    for (const [name, format] of Object.entries(formats)) {
      for (const k of kinds) {
        const lake = join(dir, `lake-${name}-${k.topic}`);
        const cfg = config(kafka.bootstrap, registry.url, lake, `${name}-${k.topic}`, format)
          .replace('topics: [ads]', `topics: [${k.topic}]`);
        const r = await runFloe(['run', '--config', writeConfig(dir, cfg), '--exit-when-idle']);
        assert.equal(r.code, 1, `${name} ${k.topic}: ${r.stderr}`);
        assert.ok(r.stderr.includes(`floe run: ${k.error}: topic ${k.topic} partition 0 offset 30: `),
          `${name} ${k.topic}: ${r.stderr}`);
      }
      const lake = join(dir, `lake-${name}-dlq`);
      const cfg = config(kafka.bootstrap, registry.url, lake, `${name}-dlq`,
        `${format}errors.tolerance: all\nerrors.deadletterqueue.topic.name: dlq.${name}\n`)
        .replace('topics: [ads]', `topics: [${kinds.map((k) => k.topic).join(', ')}]`);
      const r = await runFloe(['run', '--config', writeConfig(dir, cfg), '--exit-when-idle']);
      assert.equal(r.code, 0, `${name} with errors.tolerance all: ${r.stderr}`);
      const dead = consumeAll(kafka.bootstrap, `dlq.${name}`).map((m) => m.headers);
      const got = dead.map((h) => `${h['__floe.errors.topic']}/${h['__floe.errors.partition']}/${h['__floe.errors.offset']} ${h['__floe.errors.class']}`);
      assert.deepEqual(got.sort(), kinds.map((k) => `${k.topic}/0/30 ${k.error}`).sort(), `${name} dead letters`);
    }
  } finally {
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});
