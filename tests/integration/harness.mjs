// Shared helpers for floe's integration tests: start `floe dev-kafka` as its own process, run floe
// subcommands, and read the lake back with DuckDB (an independent reader).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require(process.env.FLOE_NODE_MODULES
  ? join(process.env.FLOE_NODE_MODULES, '@duckdb/node-api')
  : '@duckdb/node-api');

export const FLOE = process.env.FLOE_BIN;
if (!FLOE) throw new Error('FLOE_BIN must name the floe binary');

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `floe-${prefix}-`));
}

// Runs floe to completion; resolves { code, stdout, stderr }.
export function runFloe(args, { timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(FLOE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = timeoutMs > 0 && setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`floe ${args.join(' ')} timed out\n${stderr}`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(new Error(`cannot run floe ${args.join(' ')}: ${e.message}`)); });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

// Starts floe as a long-running process; returns { child, exited, output() }. A process still running after
// timeoutMs is killed (SIGKILL) so that a hang fails its test with floe's output instead of stalling the suite;
// timeoutMs 0 leaves it running (servers the test stops itself).
export function startFloe(args, { timeoutMs = 300_000 } = {}) {
  const child = spawn(FLOE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.on('data', () => {});
  child.stderr.on('data', (d) => (stderr += d));
  const timer = timeoutMs > 0 && setTimeout(() => {
    stderr += `\n[harness] floe ${args.join(' ')} still running after ${timeoutMs} ms: killed\n`;
    child.kill('SIGKILL');
  }, timeoutMs);
  if (timer) timer.unref();
  const exited = new Promise((resolve) => {
    child.on('error', (e) => { clearTimeout(timer); stderr += `cannot run floe: ${e.message}\n`; resolve({ code: -1, signal: null }); });
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
  });
  return { child, exited, output: () => stderr };
}

// `floe dev-kafka` in its own process; resolves once its bootstrap file appears.
export async function startDevKafka(dir, topics) {
  const file = join(dir, 'bootstrap');
  const args = ['dev-kafka', '--brokers', '1', '--bootstrap-file', file];
  for (const t of topics) args.push('--topic', t);
  const proc = startFloe(args, { timeoutMs: 0 });
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(50);
  if (!existsSync(file)) throw new Error(`dev-kafka did not start: ${proc.output()}`);
  const bootstrap = readFileSync(file, 'utf8').trim();
  return {
    bootstrap,
    async stop() { proc.child.kill('SIGTERM'); await proc.exited; },
  };
}

// `floe registry serve` on a free port (or `--port P` among `extra`); resolves with its URL once it listens.
export async function startRegistry(extra = []) {
  const proc = startFloe(['registry', 'serve', ...(extra.includes('--port') ? [] : ['--port', '0']), ...extra], { timeoutMs: 0 });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry did not start: ${proc.output()}`)), 20_000);
    proc.child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
  });
  return { url, async stop() { proc.child.kill('SIGTERM'); await proc.exited; } };
}

// Produces raw values (Buffers) to one partition with Debian's confluent-kafka, an independent client.
export function produceRaw(bootstrap, topic, partition, values) {
  const script = `
import sys, json, base64
from confluent_kafka import Producer
p = Producer({'bootstrap.servers': sys.argv[1]})
for v in json.loads(sys.stdin.read()):
    p.produce(sys.argv[2], value=base64.b64decode(v), partition=int(sys.argv[3]))
assert p.flush(30) == 0
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, topic, String(partition)], {
    input: JSON.stringify(values.map((v) => Buffer.from(v).toString('base64'))),
  });
  if (r.status !== 0) throw new Error(`raw produce failed: ${r.stderr}`);
}

// Every message of a topic with its partition, offset, key (text), value (base64, null for a tombstone) and
// headers, read by Debian's confluent-kafka (an independent client).
export function consumeAll(bootstrap, topic) {
  const script = `
import sys, json, base64
from confluent_kafka import Consumer, TopicPartition
c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': 'check', 'enable.auto.commit': False})
md = c.list_topics(sys.argv[2], timeout=10)
out = []
for p in md.topics[sys.argv[2]].partitions:
    lo, hi = c.get_watermark_offsets(TopicPartition(sys.argv[2], p), timeout=10)
    if hi <= lo: continue
    c.assign([TopicPartition(sys.argv[2], p, lo)])
    got = 0
    while got < hi - lo:
        m = c.poll(5)
        if m is None: break
        if m.error(): continue
        got += 1
        out.append({'partition': m.partition(), 'offset': m.offset(),
                    'key': None if m.key() is None else m.key().decode('utf-8', 'replace'),
                    'value': None if m.value() is None else base64.b64encode(m.value()).decode(),
                    'headers': {k: (v.decode('utf-8', 'replace') if v is not None else None) for k, v in (m.headers() or [])}})
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, bootstrap, topic], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`consume failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function produce(bootstrap, topic, count, extra = []) {
  const r = await runFloe(['produce', '--bootstrap', bootstrap, '--topic', topic, '--count', String(count), ...extra]);
  if (r.code !== 0) throw new Error(`produce failed (${r.code}): ${r.stderr}`);
}

export function writeConfig(dir, text) {
  const path = join(dir, 'floe.yaml');
  writeFileSync(path, text);
  return path;
}

export async function duckdb() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    async all(sql) { return (await conn.runAndReadAll(sql)).getRowObjectsJS(); },
    close() { conn.closeSync?.(); },
  };
}

// The exactly-once check of a JSON-lines table in a local lake: its rows (n) and distinct (partition, offset)
// pairs (d), over every schema version and hour.
export async function countJsonLinesOffsets(lake, table, database = 'default') {
  const db = await duckdb();
  const [counts] = await db.all(`
    SELECT count(*)::INTEGER AS n, count(DISTINCT (_kafka_partition, _kafka_offset))::INTEGER AS d
    FROM read_json('${lake}/${database}/${table}/*/*/*.jsonl', format = 'newline_delimited', union_by_name = true,
                   columns = {_kafka_partition: 'INTEGER', _kafka_offset: 'BIGINT'})`);
  db.close();
  return counts;
}

// Lists the files under root while floe may be writing there: an entry renamed or removed between the
// directory read and its stat (a temporary file being published) is simply not listed.
export function listFiles(root) {
  const out = [];
  const walk = (d) => {
    let names;
    try { names = readdirSync(d); } catch (e) { if (e.code === 'ENOENT') return; throw e; }
    for (const name of names) {
      const p = join(d, name);
      let st;
      try { st = statSync(p); } catch (e) { if (e.code === 'ENOENT') continue; throw e; }
      if (st.isDirectory()) walk(p); else out.push(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

export function cleanup(dir) { rmSync(dir, { recursive: true, force: true }); }

// The UTC "dt" and "hour" an instant (ms since epoch) belongs to.
export function utcPartition(ms) {
  const d = new Date(ms);
  return { dt: d.toISOString().slice(0, 10), hour: d.toISOString().slice(11, 13) };
}

// Parses an epoch number the way floe's `timestamp.unit: auto` does, or an ISO string; returns ms.
export function businessTimeMs(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value === 'number') {
    const mag = Math.abs(value);
    if (mag < 1e11) return value * 1000;
    if (mag < 1e14) return value;
    if (mag < 1e17) return value / 1000;
    return value / 1e6;
  }
  if (value instanceof Date) return value.getTime();
  return Date.parse(value);
}
