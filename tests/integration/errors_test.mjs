// The archiver's record policies and failure handling, end to end against `floe dev-kafka`: poison records
// to the dead-letter topic, tombstone policies, business-time fallbacks, outages of the registry and the
// store that heal with nothing lost, a connector that fails and restarts itself, and a topic created after
// start picked up by a regex subscription.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  tempDir, startDevKafka, startRegistry, startFloe, produce, produceRaw, runFloe, writeConfig, duckdb, cleanup,
  listFiles, consumeAll, countJsonLinesOffsets,
} from './harness.mjs';

function kafkaSection(bootstrap, group, extra = '') {
  return `kafka: { bootstrap.servers: "${bootstrap}", group.id: ${group}, session.timeout.ms: 6000, heartbeat.interval.ms: 500${extra} }`;
}

// Produces keyed records, tombstones (value null) among them, with headers.
function produceKeyed(bootstrap, topic, records) {
  const script = `
import sys, json
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
for r in json.loads(sys.stdin.read()):
    p.produce(sys.argv[2], key=r['key'], value=None if r['value'] is None else r['value'].encode(), partition=0,
              headers=[tuple(h) for h in r.get('headers', [])])
assert p.flush(30) == 0
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, topic], { input: JSON.stringify(records) });
  if (r.status !== 0) throw new Error(`produce failed: ${r.stderr}`);
}

async function countRows(glob) {
  const db = await duckdb();
  const [{ n }] = await db.all(`SELECT count(*)::INTEGER AS n FROM read_json('${glob}', format = 'newline_delimited', union_by_name = true)`);
  return n;
}

test('poison records go to the dead-letter topic with headers naming the error and origin', async () => {
  const dir = tempDir('it-dlq');
  const kafka = await startDevKafka(dir, ['events:2', 'events.dlq:1']);
  try {
    await produce(kafka.bootstrap, 'events', 200);
    produceRaw(kafka.bootstrap, 'events', 0, ['not json at all']);
    produceRaw(kafka.bootstrap, 'events', 1, ['[1, 2, 3]']);
    await produce(kafka.bootstrap, 'events', 50, ['--seed', '9']);
    const lake = join(dir, 'lake');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'dlq')}
store.url: "file://${lake}"
format: json
topics: [events]
timestamp.fields: [occurred_at]
errors.tolerance: all
errors.deadletterqueue.topic.name: events.dlq
rotate.schedule.interval.ms: 0
`);
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await countRows(`${lake}/default/events/*/*/*.jsonl`), 250);
    const dead = consumeAll(kafka.bootstrap, 'events.dlq');
    assert.equal(dead.length, 2);
    const byOrigin = Object.fromEntries(dead.map((d) => [d.headers['__floe.errors.partition'], d]));
    assert.equal(Buffer.from(byOrigin['0'].value, 'base64').toString(), 'not json at all');
    assert.equal(byOrigin['0'].headers['__floe.errors.class'], 'archive.malformed_payload');
    assert.match(byOrigin['0'].headers['__floe.errors.message'], /not valid JSON/);
    assert.equal(byOrigin['0'].headers['__floe.errors.topic'], 'events');
    assert.equal(byOrigin['0'].headers['__floe.errors.connector'], 'default');
    assert.match(byOrigin['1'].headers['__floe.errors.message'], /not an object/);
    // The offsets name exactly the poison records (the first 200 events spread over both partitions).
    for (const d of dead) {
      const origin = Number(d.headers['__floe.errors.offset']);
      assert.ok(origin >= 0 && origin <= 200, `offset ${origin}`);
    }
    const st = JSON.parse(readFileSync(status, 'utf8'));
    assert.equal(st.connectors[0].dead_lettered, 2);
    assert.equal(st.connectors[0].records_written, 250);
    assert.equal(st.connectors[0].state, 'running');
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('tombstones are ignored, written as rows with the key and headers, or dead-lettered, per connector', async () => {
  const dir = tempDir('it-tomb');
  const topics = ['t_ignore', 't_write', 't_fail'];
  const kafka = await startDevKafka(dir, [...topics.map((t) => `${t}:1`), 'tomb.dlq:1']);
  try {
    const now = Date.now();
    const records = [];
    for (let i = 0; i < 10; i++) {
      records.push({ key: `k${i}`, value: JSON.stringify({ id: i, occurred_at: new Date(now - i * 1000).toISOString() }),
                     headers: [['trace', `t${i}`]] });
      if (i === 4) records.push({ key: 'gone', value: null, headers: [['reason', 'gdpr'], ['reason', 'again']] });
    }
    for (const t of topics) produceKeyed(kafka.bootstrap, t, records);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'tomb')}
store.url: "file://${lake}"
format: json
timestamp.fields: [occurred_at]
rotate.schedule.interval.ms: 0
connectors:
  - { name: ignore, topics: [t_ignore] }
  - { name: write, topics: [t_write], behavior.on.null.values: write, store.kafka.keys: true, store.kafka.headers: true }
  - { name: fail, topics: [t_fail], behavior.on.null.values: fail, errors.tolerance: all,
      errors.deadletterqueue.topic.name: tomb.dlq }
`);
    const status = join(dir, 'status.json');
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await countRows(`${lake}/default/t_ignore/*/*/*.jsonl`), 10);
    assert.equal(await countRows(`${lake}/default/t_fail/*/*/*.jsonl`), 10);
    const db = await duckdb();
    const rows = await db.all(`
      SELECT id, _kafka_key AS k, _kafka_offset AS o, to_json(_kafka_headers) AS h
      FROM read_json('${lake}/default/t_write/*/*/*.jsonl', format = 'newline_delimited', union_by_name = true)
      ORDER BY o`);
    assert.equal(rows.length, 11);
    const tomb = rows.find((x) => x.k === 'gone');
    assert.equal(tomb.id, null);
    assert.deepEqual(JSON.parse(tomb.h), [{ key: 'reason', value: 'gdpr' }, { key: 'reason', value: 'again' }]);
    assert.equal(rows[0].k, 'k0');
    assert.deepEqual(JSON.parse(rows[0].h), [{ key: 'trace', value: 't0' }]);
    const dead = consumeAll(kafka.bootstrap, 'tomb.dlq');
    assert.equal(dead.length, 1);
    assert.equal(dead[0].key, 'gone');
    assert.equal(dead[0].value, null);
    assert.equal(dead[0].headers['__floe.errors.class'], 'archive.tombstone');
    assert.equal(dead[0].headers.reason, 'again');  // original headers travel along
    const st = Object.fromEntries(JSON.parse(readFileSync(status, 'utf8')).connectors.map((c) => [c.name, c]));
    assert.equal(st.ignore.tombstones_skipped, 1);
    assert.equal(st.write.tombstones_written, 1);
    assert.equal(st.fail.dead_lettered, 1);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('records without a usable business time fall back to Kafka time, or go to the dead-letter topic', async () => {
  const dir = tempDir('it-fallback');
  const kafka = await startDevKafka(dir, ['ts_kafka:2', 'ts_dlq:2', 'ts.dlq:1']);
  try {
    for (const t of ['ts_kafka', 'ts_dlq'])
      await produce(kafka.bootstrap, t, 1000, ['--missing-time-fraction', '0.1', '--seed', '5']);
    const lake = join(dir, 'lake');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'fallback')}
store.url: "file://${lake}"
format: json
timestamp.fields: [occurred_at]
rotate.schedule.interval.ms: 0
connectors:
  - { name: kafka_time, topics: [ts_kafka] }
  - { name: dead_letter, topics: [ts_dlq], timestamp.fallback: dlq, errors.deadletterqueue.topic.name: ts.dlq }
`);
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    assert.equal(r.code, 0, r.stderr);
    const db = await duckdb();
    const [{ missing, total }] = await db.all(`
      SELECT count(*) FILTER (WHERE occurred_at IS NULL)::INTEGER AS missing, count(*)::INTEGER AS total
      FROM read_json('${lake}/default/ts_kafka/*/*/*.jsonl', format = 'newline_delimited', union_by_name = true,
                     columns = {occurred_at: 'VARCHAR', _kafka_offset: 'BIGINT'})`);
    assert.equal(total, 1000);
    assert.ok(missing > 50 && missing < 150, `missing ${missing}`);
    const st = Object.fromEntries(JSON.parse(readFileSync(status, 'utf8')).connectors.map((c) => [c.name, c]));
    assert.equal(st.kafka_time.time_fallbacks, missing);
    // The same seed produced the same events on the other topic: the ones without time are dead letters.
    assert.equal(await countRows(`${lake}/default/ts_dlq/*/*/*.jsonl`), 1000 - missing);
    const dead = consumeAll(kafka.bootstrap, 'ts.dlq');
    assert.equal(dead.length, missing);
    assert.ok(dead.every((d) => d.headers['__floe.errors.class'] === 'archive.missing_time'));
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('a Schema Registry outage pauses the topic and heals with nothing lost', async () => {
  const dir = tempDir('it-registry-down');
  const kafka = await startDevKafka(dir, ['ads:2', 'other:1']);
  const data = join(dir, 'registry.db');
  let registry = await startRegistry(['--data', data]);
  try {
    await produce(kafka.bootstrap, 'ads', 3000, ['--format', 'avro', '--registry', registry.url]);
    await produce(kafka.bootstrap, 'other', 500);
    const url = registry.url;
    await registry.stop();
    registry = null;
    const lake = join(dir, 'lake');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'regdown')}
store.url: "file://${lake}"
format: json
schema.registry.url: "${url}"
schema.registry.request.timeout.ms: 500
rotate.schedule.interval.ms: 0
timestamp.fields: [occurred_at]
connectors:
  - { name: ads, topics: [ads], input.format: avro, format: parquet, errors.retry.delay.max.ms: 500 }
  - { name: other, topics: [other] }
`);
    const run = startFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    // While the registry is down the Avro connector retries; the JSON one is unaffected.
    let st;
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      if (!existsSync(status)) continue;
      st = Object.fromEntries(JSON.parse(readFileSync(status, 'utf8')).connectors.map((c) => [c.name, c]));
      if (st.ads.state === 'retrying' && st.other.records_written === 500) break;
    }
    assert.equal(st.ads.state, 'retrying', JSON.stringify(st));
    assert.match(st.ads.reason, /registry/i);
    assert.equal(st.other.records_written, 500);
    const port = new URL(url).port;
    registry = await startRegistry(['--data', data, '--port', port]);
    const done = await run.exited;
    assert.equal(done.code, 0, run.output());
    const db = await duckdb();
    const [{ n, distinct_offsets }] = await db.all(`
      SELECT count(*)::INTEGER AS n, count(DISTINCT (_kafka_partition, _kafka_offset))::INTEGER AS distinct_offsets
      FROM read_parquet('${lake}/default/ads/*/*/*/*.parquet')`);
    assert.equal(n, 3000);
    assert.equal(distinct_offsets, 3000);
  } finally {
    if (registry) await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
});

test('a store outage fills the spool to its budget, pauses intake, and heals with nothing lost or duplicated', async () => {
  const dir = tempDir('it-store-down');
  const kafka = await startDevKafka(dir, ['events:2']);
  try {
    await produce(kafka.bootstrap, 'events', 4000);
    const lake = join(dir, 'lake');
    mkdirSync(lake, { recursive: true });
    // A plain file where the database directory must go: every upload fails until it is removed.
    writeFileSync(join(lake, 'default'), 'in the way');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'storedown')}
store.url: "file://${lake}"
format: json
spool.max.bytes: 100000
topics: [events]
timestamp.fields: [occurred_at]
flush.size: 300
rotate.schedule.interval.ms: 0
errors.retry.delay.max.ms: 300
`);
    const run = startFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    let st;
    for (let i = 0; i < 100; i++) {
      await sleep(100);
      if (!existsSync(status)) continue;
      st = JSON.parse(readFileSync(status, 'utf8')).connectors[0];
      if (st.state === 'paused' && /spool.max.bytes/.test(st.reason)) break;
    }
    assert.equal(run.child.exitCode, null, `floe exited during the outage: ${run.output()}`);
    assert.equal(st.state, 'paused', JSON.stringify(st));  // waiting for room, nothing failed
    assert.match(st.reason, /spool.max.bytes reached/);
    assert.ok(st.records_written < 4000, 'intake paused before the topic was read');
    rmSync(join(lake, 'default'));
    const done = await run.exited;
    assert.equal(done.code, 0, run.output());
    const { n, d } = await countJsonLinesOffsets(lake, 'events');
    assert.equal(n, 4000);
    assert.equal(d, 4000);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('a failing connector restarts itself with growing backoff while the others keep running', async () => {
  const dir = tempDir('it-restart');
  const kafka = await startDevKafka(dir, ['bad:1', 'good:1']);
  try {
    await produce(kafka.bootstrap, 'bad', 20);
    produceRaw(kafka.bootstrap, 'bad', 0, ['{"broken": ']);
    const lake = join(dir, 'lake');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'restart')}
store.url: "file://${lake}"
format: json
timestamp.fields: [occurred_at]
flush.size: 5
rotate.schedule.interval.ms: 0
offset.commit.interval.ms: 100
connectors:
  - { name: bad, topics: [bad], connector.restart.backoff.ms: 200 }
  - { name: good, topics: [good] }
`);
    const run = startFloe(['run', '--config', cfg, '--status-file', status]);
    await produce(kafka.bootstrap, 'good', 300);
    let st;
    for (let i = 0; i < 150; i++) {
      await sleep(100);
      if (!existsSync(status)) continue;
      st = Object.fromEntries(JSON.parse(readFileSync(status, 'utf8')).connectors.map((c) => [c.name, c]));
      if (st.bad.restarts >= 3 && st.bad.state === 'failed' && st.good.records_written === 300) break;
    }
    assert.ok(st.bad.restarts >= 3, JSON.stringify(st.bad));
    assert.equal(st.bad.state, 'failed');
    assert.match(st.bad.reason, /topic bad partition 0 offset 20/);
    assert.ok(st.bad.restart_in_ms >= 0);
    assert.equal(st.good.records_written, 300);
    assert.equal(st.good.state, 'running');
    run.child.kill('SIGTERM');
    const done = await run.exited;
    assert.equal(done.code, 1);  // a connector is failed at shutdown
    // Backoff doubles: 200, 400, 800 ms... so a few seconds hold only a handful of restarts, not hundreds.
    assert.ok(st.bad.restarts < 12, `${st.bad.restarts} restarts`);
    assert.equal(await countRows(`${lake}/default/bad/*/*/*.jsonl`), 20);  // everything before the poison record
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('a topic created after start that matches topics.regex is archived without a restart', async () => {
  const dir = tempDir('it-regex');
  const kafka = await startDevKafka(dir, ['clicks.web:1']);
  try {
    await produce(kafka.bootstrap, 'clicks.web', 100);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'regex', ', topic.metadata.refresh.interval.ms: 500')}
store.url: "file://${lake}"
format: json
topics.regex: "clicks\\\\..*"
timestamp.fields: [occurred_at]
flush.size: 50
rotate.schedule.interval.ms: 0
`);
    const run = startFloe(['run', '--config', cfg]);
    for (let i = 0; i < 100 && listFiles(join(lake, 'default', 'clicks_web')).length < 2; i++) await sleep(100);
    await produce(kafka.bootstrap, 'clicks.app', 100);  // auto-created by the mock cluster
    for (let i = 0; i < 200 && listFiles(join(lake, 'default', 'clicks_app')).filter((f) => f.endsWith('.jsonl')).length < 2; i++)
      await sleep(100);
    run.child.kill('SIGTERM');
    const done = await run.exited;
    assert.equal(done.code, 0, run.output());
    assert.equal(await countRows(`${lake}/default/clicks_web/*/*/*.jsonl`), 100);
    assert.equal(await countRows(`${lake}/default/clicks_app/*/*/*.jsonl`), 100);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test('every committed file is announced on file.events.topic before its offsets are committed', async () => {
  const dir = tempDir('it-file-events');
  const kafka = await startDevKafka(dir, ['events:2', 'floe.files:1']);
  try {
    await produce(kafka.bootstrap, 'events', 1500);
    const lake = join(dir, 'lake');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'fileevents')}
store.url: "file://${lake}"
file.events.topic: floe.files
topics: [events]
timestamp.fields: [occurred_at]
flush.size: 400
rotate.schedule.interval.ms: 0
`);
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(r.code, 0, r.stderr);
    const files = listFiles(join(lake, 'default', 'events')).filter((f) => f.endsWith('.parquet'));
    const events = consumeAll(kafka.bootstrap, 'floe.files').map((m) => ({ ...m, event: JSON.parse(Buffer.from(m.value, 'base64').toString()) }));
    assert.equal(events.length, files.length);
    assert.deepEqual(events.map((e) => join(lake, e.event.key)).sort(), files.sort());
    assert.equal(events.reduce((n, e) => n + e.event.records, 0), 1500);
    for (const e of events) {
      assert.equal(e.key, e.event.key);
      assert.equal(e.event.database, 'default');
      assert.equal(e.event.table, 'events');
      assert.equal(e.event.format, 'parquet');
      assert.equal(e.event.schema_version, '1');  // the inferred JSON schema's first version
      assert.deepEqual(e.event.partition_values.map(([k]) => k), ['dt', 'hour']);
      assert.ok(e.event.first_offset <= e.event.last_offset);
      assert.ok(e.event.min_business_time_micros <= e.event.max_business_time_micros);
    }
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});

test("a regex connector's bad topic fails alone: its sibling topics keep running, counters are per topic", async () => {
  const dir = tempDir('it-topic-isolation');
  const kafka = await startDevKafka(dir, ['shop.bad:1', 'shop.good:2']);
  try {
    await produce(kafka.bootstrap, 'shop.bad', 20);
    produceRaw(kafka.bootstrap, 'shop.bad', 0, ['{"broken": ']);
    await produce(kafka.bootstrap, 'shop.bad', 10, ['--seed', '3']);  // behind the poison record: never archived
    await produce(kafka.bootstrap, 'shop.good', 400, ['--missing-time-fraction', '0.1', '--late-fraction', '0.2']);
    const lake = join(dir, 'lake');
    const status = join(dir, 'status.json');
    const cfg = writeConfig(dir, `${kafkaSection(kafka.bootstrap, 'isolation')}
store.url: "file://${lake}"
format: json
timestamp.fields: [occurred_at]
rotate.schedule.interval.ms: 0
connectors:
  - { name: shop, topics.regex: "shop\\\\..*", connector.restart.backoff.ms: 60000 }
`);
    // Exits once every partition is at its end or belongs to a failed topic, with the topic's failure.
    const r = await runFloe(['run', '--config', cfg, '--exit-when-idle', '--status-file', status]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /topic shop\.bad is FAILED: .*topic shop\.bad partition 0 offset 20/);
    assert.equal(await countRows(`${lake}/default/shop_bad/*/*/*.jsonl`), 20);
    const db = await duckdb();
    const [{ n, distinct_offsets, fallbacks }] = await db.all(`
      SELECT count(*)::INTEGER AS n, count(DISTINCT (_kafka_partition, _kafka_offset))::INTEGER AS distinct_offsets,
             count(*) FILTER (WHERE occurred_at IS NULL)::INTEGER AS fallbacks
      FROM read_json('${lake}/default/shop_good/*/*/*.jsonl', format = 'newline_delimited', union_by_name = true,
                     columns = {occurred_at: 'VARCHAR', _kafka_partition: 'INTEGER', _kafka_offset: 'BIGINT'})`);
    assert.equal(n, 400);
    assert.equal(distinct_offsets, 400);
    assert.ok(fallbacks > 10, `fallbacks ${fallbacks}`);

    const [shop] = JSON.parse(readFileSync(status, 'utf8')).connectors;
    assert.equal(shop.state, 'failed');  // the worst of its topics
    assert.match(shop.reason, /^topic shop\.bad: /);
    const topics = Object.fromEntries(shop.topics.map((t) => [t.topic, t]));
    assert.deepEqual(Object.keys(topics).sort(), ['shop.bad', 'shop.good']);
    assert.equal(topics['shop.bad'].state, 'failed');
    assert.match(topics['shop.bad'].reason, /partition 0 offset 20/);
    assert.equal(topics['shop.bad'].records_written, 20);
    assert.equal(topics['shop.bad'].time_fallbacks, 0);
    assert.equal(topics['shop.good'].state, 'running');
    assert.equal(topics['shop.good'].records_written, 400);
    assert.equal(topics['shop.good'].time_fallbacks, fallbacks);
    // Every written record is in one lateness bucket of its own topic; the late ones are not all in-order.
    const sum = (t) => Object.values(t.lateness).reduce((a, b) => a + b, 0);
    assert.equal(sum(topics['shop.good']), 400);
    assert.equal(sum(topics['shop.bad']), 20);
    assert.ok(topics['shop.good'].lateness.le_60s < 400, JSON.stringify(topics['shop.good'].lateness));
    // The connector's counters are the sums of its topics'.
    assert.equal(shop.records_written, 420);
    assert.equal(shop.time_fallbacks, fallbacks);
    assert.equal(shop.files_committed, topics['shop.bad'].files_committed + topics['shop.good'].files_committed);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});
