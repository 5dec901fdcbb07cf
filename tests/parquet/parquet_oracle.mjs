// Independent Parquet readers/writers used as oracles by floe's parquet tests (DuckDB and hyparquet).
//
//   node parquet_oracle.mjs duckdb FILE...     rows as canonical JSON lines, read by DuckDB ("#FILE path" lines
//                                              separate files when there are several)
//   node parquet_oracle.mjs hyparquet FILE...  the same, read by hyparquet
//   node parquet_oracle.mjs duckdb-exact|hyparquet-exact FILE...  the same, NaN/Infinity/-0 kept as strings
//   node parquet_oracle.mjs duckdb-meta FILE   {"metadata":[...parquet_metadata()], "schema":[...parquet_schema()]}
//   node parquet_oracle.mjs duckdb-probe FILE COLUMN STRING  bloom probe results per row group (DuckDB)
//   node parquet_oracle.mjs duckdb-write DIR   writes fixture files with DuckDB (codecs, v1/v2 pages, types)
//   node parquet_oracle.mjs duckdb-sql SQL...  runs statements, prints result rows as JSON
//
// Canonical JSON (the renderings of `floe parquet cat`, docs/PARQUET_TYPES.md): integers exact (BigInt digits),
// dates "YYYY-MM-DD", times "HH:MM:SS.fff[fff]", timestamps RFC 3339 (+"Z" when UTC-adjusted), decimals exact
// strings, UUIDs canonical, INTERVAL {months,days,millis}, binary base64, maps as objects.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, '..', 'tools', 'node_modules');
const load = async (p) => import(path.join(modules, p));

// The *-exact modes keep what JSON cannot: NaN, +-Infinity and -0 become the strings "NaN", "Infinity",
// "-Infinity" and "-0" (floe's float-edge tests compare them); otherwise non-finite numbers are null.
let exactFloats = false;
function stringify(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && exactFloats && (!Number.isFinite(v) || Object.is(v, -0))) return JSON.stringify(Object.is(v, -0) ? '-0' : String(v));
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(stringify).join(',') + ']';
  return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + stringify(x)).join(',') + '}';
}

const pad = (n, w) => String(n).padStart(w, '0');
function bigDiv(a, b) { // floor division for BigInt
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
function formatDate(days) { return new Date(Number(days) * 86400000).toISOString().slice(0, 10); }
function formatTime(value, micros) {
  const unit = micros ? 1000000n : 1000n;
  const v = BigInt(value);
  const secs = bigDiv(v, unit), frac = v - secs * unit;
  return `${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}.${pad(frac, micros ? 6 : 3)}`;
}
function formatTimestamp(value, micros, utc) {
  const unit = micros ? 1000000n : 1000n;
  const v = BigInt(value);
  const secs = bigDiv(v, unit), frac = v - secs * unit;
  return new Date(Number(secs) * 1000).toISOString().slice(0, 19) + '.' + pad(frac, micros ? 6 : 3) + (utc ? 'Z' : '');
}
function formatDecimal(unscaled, scale) {
  let v = BigInt(unscaled);
  const neg = v < 0n;
  if (neg) v = -v;
  let s = v.toString();
  if (scale > 0) {
    if (s.length <= scale) s = '0'.repeat(scale + 1 - s.length) + s;
    s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  }
  return (neg ? '-' : '') + s;
}
const base64 = (bytes) => Buffer.from(bytes).toString('base64');

function leafKind(el) {
  const lt = el.logical_type;
  const ct = el.converted_type;
  if (lt?.type === 'DATE' || ct === 'DATE') return { kind: 'date' };
  if (lt?.type === 'TIME') return { kind: 'time', micros: lt.unit === 'MICROS' };
  if (ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') return { kind: 'time', micros: ct === 'TIME_MICROS' };
  if (lt?.type === 'TIMESTAMP') return { kind: 'ts', micros: lt.unit !== 'MILLIS', utc: lt.isAdjustedToUTC };
  if (ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return { kind: 'ts', micros: ct === 'TIMESTAMP_MICROS', utc: true };
  if (lt?.type === 'DECIMAL' || ct === 'DECIMAL') return { kind: 'decimal', scale: el.scale ?? lt.scale ?? 0 };
  if (lt?.type === 'UUID') return { kind: 'uuid' };
  if (ct === 'INTERVAL') return { kind: 'interval' };
  if (lt?.type === 'JSON' || ct === 'JSON') return { kind: 'json' };
  if (lt?.type === 'STRING' || lt?.type === 'ENUM' || ct === 'UTF8' || ct === 'ENUM') return { kind: 'string' };
  if (el.type === 'BYTE_ARRAY' || el.type === 'FIXED_LEN_BYTE_ARRAY') return { kind: 'binary' };
  return { kind: 'plain' };
}

function canonLeaf(v, el) {
  if (v === null || v === undefined) return null;
  const k = leafKind(el);
  switch (k.kind) {
    case 'date': return formatDate(v.days !== undefined ? v.days : v);
    case 'time': {
      if (v.micros !== undefined) return formatTime(k.micros ? v.micros : BigInt(v.micros) / 1000n, k.micros);
      return formatTime(v, k.micros);
    }
    case 'ts': {
      let raw;
      if (v.micros !== undefined) raw = k.micros ? BigInt(v.micros) : bigDiv(BigInt(v.micros), 1000n);
      else if (v.millis !== undefined) raw = k.micros ? BigInt(v.millis) * 1000n : BigInt(v.millis);
      else if (v.raw !== undefined) raw = v.raw;
      else raw = v;
      return formatTimestamp(raw, k.micros, k.utc);
    }
    case 'decimal':
      if (typeof v === 'number') return v.toFixed(k.scale);
      if (v.value !== undefined) return formatDecimal(v.value, v.scale);
      return formatDecimal(v, k.scale);
    case 'uuid': return typeof v === 'string' ? v : v.toString();
    case 'interval':
      return { months: Number(v.months), days: Number(v.days), millis: Number(BigInt(v.micros) / 1000n) };
    case 'json': return typeof v === 'string' ? v : JSON.stringify(v);
    case 'string': // ENUM is UTF-8 too; hyparquet only decodes STRING/UTF8 when utf8 is off
      return typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : v.toString();
    case 'binary':
      if (v instanceof Uint8Array) return base64(v);
      if (v.bytes) return base64(v.bytes);
      return base64(Buffer.from(String(v)));
    default:
      if (typeof v === 'object' && v !== null && v.toDouble) return v.toDouble();
      return v;
  }
}

function canon(v, node) {
  if (v === null || v === undefined) return null;
  const el = node.element;
  if (!node.children.length) return canonLeaf(v, el);
  const isList = el.logical_type?.type === 'LIST' || el.converted_type === 'LIST';
  const isMap = el.logical_type?.type === 'MAP' || el.converted_type === 'MAP' || el.converted_type === 'MAP_KEY_VALUE';
  if (isList) {
    const items = v.items ?? v;
    const elem = node.children[0].children.length === 1 ? node.children[0].children[0] : node.children[0];
    return Array.from(items, (x) => canon(x, elem));
  }
  if (isMap) {
    const kv = node.children[0];
    const out = {};
    const entries = v.entries ?? Object.entries(v).map(([key, value]) => ({ key, value }));
    for (const { key, value } of entries) {
      const ck = canon(key, kv.children[0]);
      out[typeof ck === 'string' ? ck : stringify(ck)] = canon(value, kv.children[1]);
    }
    return out;
  }
  const obj = v.entries ?? v;
  const out = {};
  for (const c of node.children) out[c.element.name] = canon(obj[c.element.name], c);
  return out;
}

async function schemaTree(file) {
  const { parquetMetadata, parquetSchema } = await load('hyparquet/src/index.js');
  const buf = fs.readFileSync(file);
  const md = parquetMetadata(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return { md, tree: parquetSchema(md), buf };
}

async function duckdb() {
  const m = await load('@duckdb/node-api/lib/index.js');
  const inst = await m.DuckDBInstance.create(':memory:');
  return inst.connect();
}

const [modeArg, ...args] = process.argv.slice(2);
exactFloats = modeArg.endsWith('-exact');
const mode = exactFloats ? modeArg.slice(0, -'-exact'.length) : modeArg;
const out = (s) => process.stdout.write(s + '\n');

if (mode === 'duckdb' || mode === 'hyparquet') {
  // Several files: each file's rows follow a line "#FILE <path>".
  const con = mode === 'duckdb' ? await duckdb() : null;
  for (const file of args) {
    if (args.length > 1) out('#FILE ' + file);
    const { md, tree, buf } = await schemaTree(file);
    let rows;
    if (con) {
      const r = await con.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
      rows = r.getRowObjects();
    } else {
      const { parquetReadObjects } = await load('hyparquet/src/index.js');
      const { compressors } = await load('hyparquet-compressors/src/index.js');
      const raw = (x) => ({ raw: BigInt(x) });
      rows = await parquetReadObjects({
        file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), metadata: md, compressors, utf8: false,
        parsers: { timestampFromMilliseconds: raw, timestampFromMicroseconds: raw, timestampFromNanoseconds: raw,
          dateFromDays: (d) => d, stringFromBytes: (b) => b && new TextDecoder().decode(b),
          jsonFromBytes: (b) => b && new TextDecoder().decode(b),
          uuidFromBytes: (b) => b && Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-') },
      });
    }
    for (const row of rows) out(stringify(canon(row, tree)));
  }
} else if (mode === 'duckdb-meta') {
  const con = await duckdb();
  const f = args[0].replace(/'/g, "''");
  const meta = (await con.runAndReadAll(`SELECT * FROM parquet_metadata('${f}')`)).getRowObjectsJson();
  const schema = (await con.runAndReadAll(`SELECT * FROM parquet_schema('${f}')`)).getRowObjectsJson();
  out(JSON.stringify({ metadata: meta, schema }));
} else if (mode === 'duckdb-probe') {
  const con = await duckdb();
  const [f, col, val] = args;
  const lit = `'${val.replace(/'/g, "''")}'`;
  const r = await con.runAndReadAll(`SELECT row_group_id, bloom_filter_excludes FROM parquet_bloom_probe('${f}', '${col}', ${lit}) ORDER BY 1`);
  out(JSON.stringify(r.getRowObjectsJson()));
} else if (mode === 'duckdb-write') {
  const dir = args[0];
  const con = await duckdb();
  await con.run(`CREATE TABLE t AS SELECT
      i::INTEGER AS i32, (i * 1000003)::BIGINT AS i64, (i % 7 = 0) AS b,
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'str' || (i % 50)::VARCHAR END AS s,
      ('k' || i::VARCHAR || repeat('x', i % 13)) AS uniq,
      (i / 4.0)::DOUBLE AS d, (i / 8.0)::FLOAT AS f,
      (i * 3.25)::DECIMAL(9,2) AS dec9, (i * 12345.6789)::DECIMAL(18,4) AS dec18, (i * 1.5)::DECIMAL(30,3) AS dec30,
      DATE '2024-01-01' + (i % 400)::INTEGER AS dt,
      TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i * 1234567) MICROSECOND AS ts,
      TIMESTAMPTZ '2024-01-01 00:00:00+00' + INTERVAL (i * 7) SECOND AS tstz,
      TIME '00:00:00' + INTERVAL (i * 999) MILLISECOND AS tm,
      CASE WHEN i % 4 = 0 THEN NULL ELSE 'u' || (i * 7919)::VARCHAR END AS sn,
      CASE WHEN i % 9 = 0 THEN NULL WHEN i % 50 = 1 THEN 'nan'::DOUBLE WHEN i % 50 = 2 THEN '-inf'::DOUBLE
           WHEN i % 50 = 3 THEN -0.0::DOUBLE ELSE i * 1.000001 END AS dn,
      CASE WHEN i % 3 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS lst,
      {'a': i, 'b': 'n' || (i % 3)::VARCHAR} AS st,
      MAP {'x': i, 'y': -i} AS mp,
      ('\\x' || lpad(to_hex(i % 256), 2, '0'))::BLOB AS bl,
      (i % 256)::UTINYINT AS u8, (-i)::SMALLINT AS i16
    FROM range(0, 1200) r(i)`);
  const variants = [
    ['v1_zstd', "COMPRESSION zstd"], ['v1_snappy', "COMPRESSION snappy"], ['v1_gzip', "COMPRESSION gzip"],
    ['v1_lz4', "COMPRESSION lz4_raw"], ['v1_none', "COMPRESSION uncompressed"],
    ['v2_zstd', "COMPRESSION zstd, PARQUET_VERSION v2"], ['v2_snappy', "COMPRESSION snappy, PARQUET_VERSION v2"],
    ['v1_small_groups', "COMPRESSION zstd, ROW_GROUP_SIZE 500"],
  ];
  for (const [name, opts] of variants) {
    await con.run(`COPY t TO '${path.join(dir, name + '.parquet')}' (FORMAT parquet, ${opts})`);
  }
  out(JSON.stringify(variants.map((v) => v[0])));
} else if (mode === 'duckdb-sql') {
  const con = await duckdb();
  for (const q of args) {
    const r = await con.runAndReadAll(q);
    out(JSON.stringify(r.getRowObjectsJson()));
  }
} else {
  console.error('unknown mode ' + mode);
  process.exit(2);
}
