// `floe catalog serve`: the catalog as its own process, built from the file events `floe run` publishes on
// file.events.topic (in-process catalog off), and from S3 event notifications. It must equal what
// `floe catalog rebuild` builds from the lake alone, not count re-read events twice, and announce its
// notifications on catalog.notify.topic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tempDir, startDevKafka, produce, runFloe, listFiles, cleanup, consumeAll } from './harness.mjs';

function config(dir, name, bootstrap, lines) {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, `kafka: { bootstrap.servers: "${bootstrap}", group.id: archiver, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
store.url: "file://${join(dir, 'lake')}"
topics: [events]
timestamp.fields: [occurred_at]
flush.size: 300
rotate.schedule.interval.ms: 0
catalog.completeness.grace.ms: 0
${lines.join('\n')}
`);
  return path;
}

async function floe(args) {
  const r = await runFloe(args);
  assert.equal(r.code, 0, `floe ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// `floe catalog serve --exit-when-idle`; returns its summary counts.
async function serve(cfg, extra = []) {
  const out = await floe(['catalog', 'serve', '--config', cfg, '--exit-when-idle', ...extra]);
  const m = out.match(/consumed (\d+) messages: (\d+) file events, (\d+) S3 objects registered, (\d+) removed, (\d+) ignored .*?, (\d+) unreadable, (\d+) malformed/);
  assert.ok(m, out);
  const [messages, fileEvents, s3Created, s3Removed, ignored, unreadable, malformed] = m.slice(1).map(Number);
  return { messages, fileEvents, s3Created, s3Removed, ignored, unreadable, malformed };
}

// Messages produced with Debian's confluent-kafka (an independent client), in order, to partition 0.
function produceValues(bootstrap, topic, values) {
  const script = `
import sys, json
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
for v in json.loads(sys.stdin.read()):
    p.produce(sys.argv[2], value=v.encode(), partition=0)
assert p.flush(30) == 0
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, topic], { input: JSON.stringify(values) });
  if (r.status !== 0) throw new Error(`produce failed: ${r.stderr}`);
}

// An S3 event notification as Amazon S3 sends it: keys form-URL-encoded (space as +, + as %2B).
function s3Event(eventName, key, size) {
  const encoded = encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
  const object = { key: encoded, sequencer: '0055AED6DCD90281E5' };
  if (size !== undefined) Object.assign(object, { size, eTag: 'd41d8cd98f00b204e9800998ecf8427e' });
  return JSON.stringify({
    Records: [{
      eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2024-05-01T12:00:00.000Z',
      eventName, userIdentity: { principalId: 'AWS:AIDAEXAMPLE' }, requestParameters: { sourceIPAddress: '127.0.0.1' },
      s3: { s3SchemaVersion: '1.0', configurationId: 'floe', bucket: { name: 'lake', arn: 'arn:aws:s3:::lake' }, object },
    }],
  });
}

const withoutTimes = (s) => s.split('\n').map((l) => l.replace(/\s+\S+\s+\S+\s+\S+$/, '')).join('\n');

test('floe catalog serve builds from file events and S3 notifications what rebuild builds from the lake', async () => {
  const dir = tempDir('catalog-serve');
  const kafka = await startDevKafka(dir, ['events:2', 'floe.files:1', 's3.events:1', 'catalog.notes:1']);
  try {
    await produce(kafka.bootstrap, 'events', 2000, ['--spread-hours', '3', '--seed', '7']);
    const lake = join(dir, 'lake');
    const cfg = config(dir, 'floe', kafka.bootstrap, [
      'file.events.topic: floe.files', 'catalog.in.process: false', 'catalog.notify.topic: catalog.notes']);
    await floe(['run', '--config', cfg, '--exit-when-idle']);
    assert.equal(existsSync(join(lake, '_floe', 'catalog.db')), false, 'no in-process catalog');
    const files = listFiles(lake).filter((f) => f.endsWith('.parquet'));
    assert.ok(files.length > 3);

    // The catalog from the topic.
    const first = await serve(cfg);
    assert.equal(first.fileEvents, files.length);
    assert.equal(first.malformed, 0);
    const tables = await floe(['catalog', 'tables', '--config', cfg]);
    assert.match(tables, /^default\.events\s+parquet\s+\d+\s+\d+\s+\d+\s+2000\s/m);

    // ... equals the catalog rebuilt from the lake (business-time ranges and completeness aside: the
    // files do not hold them all, see src/catalog/rebuild.h).
    const rebuilt = ['--store', `file://${lake}`, '--catalog', `sqlite://${join(dir, 'rebuilt.db')}`];
    await floe(['catalog', 'rebuild', ...rebuilt]);
    assert.equal(await floe(['catalog', 'tables', ...rebuilt]), tables);
    const partitions = await floe(['catalog', 'partitions', 'events', '--config', cfg]);
    assert.equal(withoutTimes(await floe(['catalog', 'partitions', 'events', ...rebuilt])), withoutTimes(partitions));
    assert.equal(await floe(['catalog', 'ddl', '--dialect', 'duckdb', ...rebuilt]),
      await floe(['catalog', 'ddl', '--dialect', 'duckdb', '--config', cfg]));

    // A restart resumes after the committed offsets; another group re-reads every event, and the catalog
    // takes them as the files it has: no row counted twice, nothing announced twice.
    assert.equal((await serve(cfg)).messages, 0);
    const replay = config(dir, 'replay', kafka.bootstrap, [
      'file.events.topic: floe.files', 'catalog.in.process: false', 'catalog.notify.topic: catalog.notes',
      'catalog.group.id: catalog-replay']);
    assert.equal((await serve(replay)).fileEvents, files.length);
    assert.equal(await floe(['catalog', 'tables', '--config', cfg]), tables);
    assert.equal(await floe(['catalog', 'partitions', 'events', '--config', cfg]), partitions);

    // Notifications, keyed by table, each once.
    const notes = consumeAll(kafka.bootstrap, 'catalog.notes')
      .map((m) => ({ key: m.key, value: JSON.parse(Buffer.from(m.value, 'base64').toString()) }));
    for (const n of notes) {
      assert.equal(n.key, 'default.events');
      assert.deepEqual(Object.keys(n.value), ['type', 'database', 'table', 'partition', 'version', 'details']);
    }
    const of = (type) => notes.filter((n) => n.value.type === type);
    assert.equal(of('table_created').length, 1);
    const complete = of('partition_complete').map((n) => n.value.partition);
    assert.ok(complete.length >= 1, JSON.stringify(notes));
    assert.equal(new Set(complete).size, complete.length, 'each partition completes once');
    for (const spec of complete) assert.match(partitions, new RegExp(`^${spec}\\s.*complete$`, 'm'));
    assert.equal(of('late_data').length, 0);

    // S3 event notifications of the same files (and of objects that are not data files, and a message
    // that is not JSON) give the same catalog.
    const s3cfg = config(dir, 's3', kafka.bootstrap, [
      'catalog.s3.events.topic: s3.events', 'catalog.group.id: catalog-s3', `catalog.url: "sqlite://${join(dir, 's3.db')}"`]);
    const s3 = ['--config', s3cfg];
    const keys = files.map((f) => relative(lake, f)).sort();
    produceValues(kafka.bootstrap, 's3.events', [
      s3Event('ObjectCreated:Put', '_floe/catalog.db', 4096),
      ...keys.map((k) => s3Event('ObjectCreated:Put', k, statSync(join(lake, k)).size)),
      s3Event('ObjectCreated:Put', `${keys[0].slice(0, keys[0].lastIndexOf('/'))}/_SUCCESS`, 0),
      s3Event('ObjectCreated:Put', 'notes/read me.txt', 12),
      '{"Records": [',
    ]);
    const fromS3 = await serve(s3cfg);
    assert.deepEqual(fromS3, {
      messages: keys.length + 4, fileEvents: 0, s3Created: keys.length, s3Removed: 0, ignored: 3, unreadable: 0,
      malformed: 1,
    });
    assert.equal(await floe(['catalog', 'tables', ...s3]), tables);
    assert.equal(withoutTimes(await floe(['catalog', 'partitions', 'events', ...s3])), withoutTimes(partitions));

    // A removal takes the file (and its rows) out of the catalog.
    const removed = keys[keys.length - 1];
    const rowsOf = (t) => Number(t.match(/^default\.events\s+\S+\s+\d+\s+\d+\s+\d+\s+(\d+)/m)[1]);
    const before = rowsOf(await floe(['catalog', 'tables', ...s3]));
    produceValues(kafka.bootstrap, 's3.events', [s3Event('ObjectRemoved:Delete', removed)]);
    assert.equal((await serve(s3cfg)).s3Removed, 1);
    const parquetRows = await floe(['parquet', 'inspect', join(lake, removed)]);
    const fileRows = Number(parquetRows.match(/^rows: (\d+)$/m)[1]);
    assert.equal(rowsOf(await floe(['catalog', 'tables', ...s3])), before - fileRows);
  } finally {
    await kafka.stop();
    cleanup(dir);
  }
});
