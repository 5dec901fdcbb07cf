// DuckDB peer for bench/parquet: loads floe's output (not timed), then times a single-threaded
// COPY ... TO ... (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE <same rows per group>); wall and CPU time.
//   node duckdb_copy.mjs INPUT.parquet OUTPUT.parquet ROW_GROUP_ROWS
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const m = await import(path.join(here, '..', '..', 'tests', 'tools', 'node_modules', '@duckdb/node-api/lib/index.js'));
const [input, output, groupRows] = process.argv.slice(2);
const con = await (await m.DuckDBInstance.create(':memory:')).connect();
await con.run('SET threads=1');
await con.run(`CREATE TABLE t AS SELECT * FROM read_parquet('${input}')`);
const rows = Number((await con.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0]);
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();  // the whole process's CPU (user + system): the per-core figure on a shared machine
await con.run(`COPY t TO '${output}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${groupRows})`);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(c0);
const cpuS = (cpu.user + cpu.system) / 1e6;
console.log(JSON.stringify({ rows, seconds: Number(s.toFixed(3)), rows_per_s: Math.round(rows / s),
  cpu_seconds: Number(cpuS.toFixed(3)), rows_per_cpu_s: Math.round(rows / cpuS), bytes: fs.statSync(output).size }));
