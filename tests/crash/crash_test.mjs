// Crash harness for the exactly-once protocol (docs/EXACTLY_ONCE.md, figures in docs/RELIABILITY.md).
//
// 3 Avro topics x 8 partitions are produced while `floe run` archives them to Parquet with size, business-time
// and wall-clock rotation all on; the worker is killed with SIGKILL at random moments (and SIGTERM a few
// times), a second worker joins and leaves the group (rebalances), and a reader lists and counts the lake the
// whole time. Then one last worker runs until idle and DuckDB checks every (topic, partition, offset) is in
// the lake exactly once, in the hour its business time says, in files named after their first offset.
//
//   FLOE_CRASH_SIZE=small (default, part of `make test`) | medium (for measuring) | full (`make crash-test`)
//   FLOE_CRASH_SEED=<n> replays a run's random choices; FLOE_CRASH_STORE=local (default)|s3|both
//   FLOE_CRASH_REPORT=<file> appends the run's figures as JSON
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join, basename, dirname } from 'node:path';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  tempDir, startDevKafka, startRegistry, runFloe, startFloe, duckdb, listFiles, cleanup, utcPartition, FLOE,
} from '../integration/harness.mjs';

const SIZE = process.env.FLOE_CRASH_SIZE ?? 'small';
const SEED = Number(process.env.FLOE_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STORE = process.env.FLOE_CRASH_STORE ?? 'local';
const STORES = STORE === 'both' ? ['local', 's3'] : [STORE];
const TOPICS = ['clicks', 'orders', 'views'];
// A SIGKILLed member stays in the group until its session timeout (6 s), so pauses between signals range
// from "mid-rebalance" to "well into processing". The mock's retention (newest 5 MiB per partition) counts
// batch overhead: producing fast makes big batches, so a partition of 42 500 records almost fits (at 1 350/s
// per topic, 15 % of them were dropped before any worker made them durable; at 2 000/s, 3.4 %).
const SIZES = {
  // events per topic, producer rate per topic (events/s), SIGKILLs, SIGTERMs, pause between signals (ms)
  small: { local: { events: 2_500, rate: 120, kills: 5, terms: 1, pause: [1500, 4500] },
           s3: { events: 600, rate: 40, kills: 3, terms: 1, pause: [1500, 4000] } },
  medium: { local: { events: 60_000, rate: 1_000, kills: 8, terms: 1, pause: [1500, 7000] },
            s3: { events: 20_000, rate: 500, kills: 8, terms: 1, pause: [1500, 7000] } },
  full: { local: { events: 340_000, rate: 2_500, kills: 32, terms: 3, pause: [1500, 7000] },
          s3: { events: 340_000, rate: 2_500, kills: 32, terms: 3, pause: [2000, 8000] } },
};
// Wall-clock rotation: every 3 s at small size, so it fires many times in a short run; every 20 s at larger sizes,
// still dozens of times per partition over the run, where 3 s buried the drain in ~8-row files (RELIABILITY.md).
const WALL_CLOCK_ROTATION_MS = SIZE === 'small' ? 3_000 : 20_000;
const T0 = Date.now();
const progress = (...a) => process.env.FLOE_CRASH_VERBOSE && console.error(`[${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);

function rng(seed) {  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function config({ bootstrap, registry, store }) {
  return `kafka: { bootstrap.servers: "${bootstrap}", group.id: crash, session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
${store}
schema.registry.url: "${registry}"
topics: [${TOPICS.join(', ')}]
input.format: avro
format: parquet
timestamp.fields: [occurred_at]
flush.size: 1500
rotate.interval.ms: 1200000
rotate.schedule.interval.ms: ${WALL_CLOCK_ROTATION_MS}
max.open.files.per.partition: 6
offset.commit.interval.ms: 1000
log.level: info
`;
}

// A line-oriented child that prints "listening <port>" once ready.
async function startListening(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${err}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening (\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  return { child, port, exited, stderr: () => err };
}

// The lake's visible data files; hidden entries (".floe-" scratch, the "_floe" state) are not descended
// into, and entries that vanish while listing (spool files of a running worker) are ignored.
function dataFiles(root) {
  const out = [];
  const walk = (d) => {
    let names;
    try { names = readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of names) {
      if (e.name.startsWith('.floe-') || e.name === '_floe') continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.parquet')) out.push(join(d, e.name));
    }
  };
  walk(root);
  return out;
}

// A lake reader running beside the workers: it lists the visible files and counts rows and distinct
// (topic, partition, offset) with DuckDB; any difference is a duplicate a query engine would have seen.
function startReader(listVisible) {
  const figures = { scans: 0, maxRows: 0, duplicates: 0, errors: 0 };
  let stop = false;
  const done = (async () => {
    const db = await duckdb();
    while (!stop) {
      const files = await listVisible();
      if (files.length > 0) {
        try {
          const list = files.map((f) => `'${f}'`).join(',');
          const [r] = await db.all(`
            SELECT count(*)::BIGINT AS n,
                   count(DISTINCT (split_part(filename, '/', -5), _kafka_partition, _kafka_offset))::BIGINT AS d
            FROM read_parquet([${list}], filename = true, union_by_name = true)`);
          figures.scans++;
          figures.maxRows = Math.max(figures.maxRows, Number(r.n));
          if (Number(r.n) !== Number(r.d)) figures.duplicates += Number(r.n) - Number(r.d);
        } catch (e) {
          figures.errors++;
          figures.lastError = String(e.message ?? e).slice(0, 300);
        }
      }
      await sleep(SIZE === 'small' ? 700 : 2000);
    }
    db.close();
  })();
  return { figures, async stop() { stop = true; await done; } };
}

// Each partition's low watermark: the mock cluster drops a partition's oldest records silently past its
// retention (5 MiB / 100 000 batches), so offsets below it can be absent without floe losing anything.
function lowWatermarks(bootstrap) {
  const script = `
import json, sys
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'crash-verify'})
out = {}
for t in sys.argv[2:]:
    for p in c.list_topics(t, timeout=10).topics[t].partitions:
        out[f'{t}/{p}'] = c.get_watermark_offsets(TopicPartition(t, p), timeout=10)[0]
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, ...TOPICS], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`watermarks: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Every (topic, partition, offset) exactly once, in its business hour, files named after their first offset.
// An offset absent from the lake is "missing" (lost by floe) unless the broker no longer holds it
// ("droppedByBroker": below the partition's low watermark); the first few absent ranges are listed.
async function verifyLake(localRoot, produced, bootstrap) {
  const files = dataFiles(localRoot);
  for (const f of files) assert.match(basename(f), /^(clicks|orders|views)\+\d+\+\d+\.parquet$/, `unexpected file ${f}`);
  const db = await duckdb();
  const rows = await db.all(`
    SELECT split_part(filename, '/', -5) AS topic, _kafka_partition AS p, _kafka_offset::BIGINT AS o,
           coalesce(epoch_ms(occurred_at), epoch_ms(_kafka_timestamp))::DOUBLE AS t, dt, hour, filename
    FROM read_parquet('${localRoot}/default/*/*/*/*/*.parquet', hive_partitioning = true,
                      hive_types_autocast = false, union_by_name = true, filename = true)`);
  const seen = new Map();
  const firstOfFile = new Map();
  let duplicates = 0, wrongHour = 0;
  for (const r of rows) {
    const id = `${r.topic}/${r.p}/${r.o}`;
    if (seen.has(id)) duplicates++;
    seen.set(id, r.filename);
    const want = utcPartition(r.t);
    if (`${r.dt}/${r.hour}` !== `${want.dt}/${want.hour}`) wrongHour++;
    const prev = firstOfFile.get(r.filename);
    firstOfFile.set(r.filename, prev === undefined ? Number(r.o) : Math.min(prev, Number(r.o)));
  }
  db.close();
  let misnamed = 0;
  for (const [file, first] of firstOfFile) if (Number(basename(file, '.parquet').split('+')[2]) !== first) misnamed++;
  let missing = 0, droppedByBroker = 0;
  const gaps = [];
  const perPartition = new Map();
  for (const id of seen.keys()) {
    const [topic, p, o] = id.split('/');
    const key = `${topic}/${p}`;
    if (!perPartition.has(key)) perPartition.set(key, []);
    perPartition.get(key).push(Number(o));
  }
  const low = lowWatermarks(bootstrap);
  for (const [key, offsets] of perPartition) {
    offsets.sort((a, b) => a - b);
    let expect = 0;
    for (const o of offsets) {
      if (o > expect) {
        const below = Math.max(0, Math.min(o, low[key] ?? 0) - expect);
        droppedByBroker += below;
        missing += o - expect - below;
        if (gaps.length < 10) gaps.push(`${key} [${expect}, ${o})${below ? ` ${below} below low watermark ${low[key]}` : ''}`);
      }
      expect = o + 1;
    }
  }
  for (const t of TOPICS) {
    const got = [...perPartition.entries()].filter(([k]) => k.startsWith(`${t}/`)).reduce((s, [, v]) => s + v[v.length - 1] + 1, 0);
    missing += Math.max(0, produced[t] - got);  // records past the last archived offset
  }
  return { rows: rows.length, files: files.length, duplicates, missing, droppedByBroker, gaps, wrongHour, misnamed };
}

// tests/storage/s3rver_main.js's request log summed per kind of request: { kind: { n, ms, avgMs } }; the figures tell how many
// requests each published file cost and where s3rver's time went.
function s3Requests(logFile) {
  const out = {};
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const [kind, , ms] = line.split('\t');
    if (!ms) continue;
    const k = (out[kind] ??= { n: 0, ms: 0 });
    k.n++;
    k.ms += Number(ms);
  }
  for (const k of Object.values(out)) { k.ms = Math.round(k.ms); k.avgMs = Number((k.ms / k.n).toFixed(2)); }
  return out;
}

async function scenario(kind, t) {
  const size = SIZES[SIZE][kind];
  const random = rng(SEED + (kind === 's3' ? 1 : 0));
  const between = (lo, hi) => lo + Math.floor(random() * (hi - lo));
  const dir = tempDir(`crash-${kind}`);
  const kafka = await startDevKafka(dir, TOPICS.map((x) => `${x}:8`));
  const registry = await startRegistry();
  const stops = [];
  const figures = { store: kind, seed: SEED, events: size.events * TOPICS.length, kills: 0, terms: 0, joins: 0,
                    leaves: 0, rebalances: 0, storeFaults: 0, proxyRequests: 0 };
  try {
    let storeSection, storeSectionFaulty = null, localRoot, listVisible, s3dir, s3Log;
    let stopProxy = async () => {};
    if (kind === 'local') {
      localRoot = join(dir, 'lake');
      storeSection = `store.url: "file://${localRoot}"`;
      listVisible = async () => dataFiles(localRoot);
    } else {
      s3dir = join(dir, 's3');
      mkdirSync(s3dir);
      s3Log = join(dir, 's3-requests.log');
      const s3 = await startListening('node', ['--openssl-legacy-provider',
        join(import.meta.dirname, '..', 'storage', 's3rver_main.js'), s3dir, 'lake', s3Log]);
      stops.push(async () => { s3.child.stdin.end(); await s3.exited; });
      const proxy = await startListening(process.env.FLOE_FAULT_PROXY, ['--upstream-port', String(s3.port),
        '--fault-rate', '0.15', '--seed', String(SEED), '--delay-ms', '1500',
        '--faults', 'error,slowdown,delay,drop,late-drop,truncate']);
      stopProxy = async () => {
        if (!proxy.child.exitCode && proxy.child.signalCode === null) proxy.child.kill('SIGTERM');
        await proxy.exited;
        const m = proxy.stderr().match(/requests=(\d+)/);
        if (m) figures.proxyRequests = Number(m[1]);
        const f = proxy.stderr().match(/ faults=(\d+)/);
        if (f) figures.storeFaults = Number(f[1]);
        stopProxy = async () => {};
      };
      stops.push(() => stopProxy());
      const s3cfg = (port) => `store.url: "s3://lake/data"
s3.endpoint: "http://127.0.0.1:${port}"
s3.path.style: true
s3.region: us-east-1
s3.access.key.id: S3RVER
s3.secret.access.key: S3RVER
s3.max.retries: 4
s3.retry.backoff.ms: 50
s3.request.timeout.ms: 1000`;
      storeSection = s3cfg(s3.port);
      storeSectionFaulty = s3cfg(proxy.port);
      localRoot = join(dir, 'mirror');
    }
    const cfgPath = join(dir, 'floe.yaml');
    const faultyPath = join(dir, 'floe-faulty.yaml');
    writeFileSync(cfgPath, config({ bootstrap: kafka.bootstrap, registry: registry.url, store: storeSection }));
    if (storeSectionFaulty)
      writeFileSync(faultyPath, config({ bootstrap: kafka.bootstrap, registry: registry.url, store: storeSectionFaulty }));

    // Producers run while the workers archive (the mock cluster keeps only the newest 5 MiB per partition).
    const producers = TOPICS.map((topic, i) => runFloe(['produce', '--bootstrap', kafka.bootstrap, '--topic', topic,
      '--count', String(size.events), '--rate', String(size.rate), '--format', 'avro', '--registry', registry.url,
      '--evolve-at', '0.5', '--late-fraction', '0.1', '--spread-hours', '2', '--compression', 'zstd',
      '--seed', String(SEED + i)], { timeoutMs: 1_800_000 }));

    const logs = [];
    const start = (faulty) => {
      const w = startFloe(['run', '--config', faulty ? faultyPath : cfgPath], { timeoutMs: 0 });
      logs.push(w);
      return w;
    };
    const reader = kind === 'local' ? startReader(listVisible) : null;
    const signals = size.kills + size.terms;
    const termAt = new Set();
    while (termAt.size < size.terms) termAt.add(between(1, signals));
    const joinAt = between(1, Math.max(2, Math.floor(signals / 2)));
    const leaveAt = between(joinAt + 1, signals + 1);
    // The s3 scenario goes through the fault proxy for the middle third of the signals.
    const faultyPhase = (i) => storeSectionFaulty !== null && i >= signals / 3 && i < (2 * signals) / 3;
    let a = start(faultyPhase(0));
    let b = null;
    for (let i = 0; i < signals; i++) {
      await sleep(between(size.pause[0], size.pause[1]));
      if (i === joinAt) { b = start(faultyPhase(i)); figures.joins++; }
      if (i === leaveAt && b) {
        b.child.kill(random() < 0.5 ? 'SIGTERM' : 'SIGKILL');
        await b.exited;
        b = null;
        figures.leaves++;
      }
      const sig = termAt.has(i) ? 'SIGTERM' : 'SIGKILL';
      a.child.kill(sig);
      const r = await a.exited;
      if (sig === 'SIGTERM') {
        figures.terms++;
        // A clean stop exits 0; a crash while stopping is one more crash for the protocol, but is counted.
        if (r.code !== 0) {
          figures.termFailures = (figures.termFailures ?? 0) + 1;
          progress(`SIGTERM ended with ${r.code ?? r.signal}: ${a.output().slice(-1500)}`);
        }
      } else {
        figures.kills++;
      }
      a = start(faultyPhase(i + 1));
      progress(`signal ${i + 1}/${signals} (${sig}) exit ${r.code ?? r.signal}`);
    }
    for (const r of await Promise.all(producers)) assert.equal(r.code, 0, r.stderr);
    progress('producers done');
    if (b) { b.child.kill('SIGTERM'); await b.exited; figures.leaves++; }
    a.child.kill('SIGTERM');
    await a.exited;
    // The last worker drains everything; SIGKILLed members leave the group after the session timeout.
    await stopProxy();
    progress('draining with one worker');
    const last = await runFloe(['run', '--config', cfgPath, '--exit-when-idle'], { timeoutMs: 3_600_000 });
    assert.equal(last.code, 0, last.stderr.slice(-4000));
    progress('drained');
    // Assignments each worker received, and partition claims (a new epoch of the protocol) it made.
    figures.claims = 0;
    for (const out of [...logs.map((w) => w.output()), last.stderr]) {
      figures.rebalances += (out.match(/assigned \d+ partition/g) ?? []).length;
      figures.claims += (out.match(/: epoch \d+, resuming at offset/g) ?? []).length;
    }
    if (reader) {
      await reader.stop();
      figures.readerScans = reader.figures.scans;
      figures.readerDuplicates = reader.figures.duplicates;
      figures.readerErrors = reader.figures.errors;
      if (reader.figures.lastError) figures.readerLastError = reader.figures.lastError;
    }
    if (kind === 's3') {
      figures.s3Requests = s3Requests(s3Log);
      // Copy the data objects the bucket lists out for DuckDB. The bytes come from s3rver's own files (a GET
      // per object through `floe store cat` took ~50 ms each, half an hour at full size); the first few are
      // also fetched with GET and compared, so the shortcut reads what an S3 client would.
      const ls = await runFloe(['store', '--config', cfgPath, 'ls', '--recursive', 'default/']);
      assert.equal(ls.code, 0, ls.stderr);
      const keys = ls.stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()).filter((k) => k && k.endsWith('.parquet'));
      for (const [i, key] of keys.entries()) {
        const body = readFileSync(join(s3dir, 'lake', 'data', `${key}._S3rver_object`));
        if (i < 3) {
          const cat = spawnSync(FLOE, ['store', '--config', cfgPath, 'cat', key], { maxBuffer: 1 << 30 });
          assert.equal(cat.status, 0, String(cat.stderr));
          assert.ok(cat.stdout.equals(body), `s3rver's file of ${key} is not what GET returns`);
        }
        const dest = join(localRoot, key.slice(key.indexOf('default/')));
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, body);
      }
    }
    progress('verifying');
    const produced = Object.fromEntries(TOPICS.map((x) => [x, size.events]));
    Object.assign(figures, await verifyLake(localRoot, produced, kafka.bootstrap));
    if (kind === 'local') {
      // Nothing left in the spool: every killed process's directory was removed by a later one.
      figures.spoolLeftovers = listFiles(join(localRoot, '.floe-spool')).length;
    }
    t.diagnostic(JSON.stringify(figures));
    if (process.env.FLOE_CRASH_REPORT) appendFileSync(process.env.FLOE_CRASH_REPORT, JSON.stringify(figures) + '\n');
    assert.equal(figures.duplicates, 0, 'duplicates');
    assert.equal(figures.missing, 0, 'missing');
    assert.equal(figures.wrongHour, 0, 'rows in the wrong hour');
    assert.equal(figures.misnamed, 0, 'files not named after their first offset');
    assert.equal(figures.rows + figures.droppedByBroker, size.events * TOPICS.length);
    if (reader) assert.equal(figures.readerDuplicates, 0, 'the concurrent reader saw duplicates');
    if (kind === 'local') assert.equal(figures.spoolLeftovers, 0, 'spool files left');
  } finally {
    for (const s of stops.reverse()) await s().catch(() => {});
    await registry.stop();
    await kafka.stop();
    cleanup(dir);
  }
}

for (const kind of STORES) {
  test(`exactly once under SIGKILL, SIGTERM, rebalances${kind === 's3' ? ' and store faults (s3rver)' : ''} [${kind} store, seed ${SEED}]`,
    { timeout: SIZE === 'small' ? 300_000 : 7_200_000 }, (t) => scenario(kind, t));
}
