// Checks a lake's row count with DuckDB: node count_rows.mjs 'GLOB' EXPECTED [distinct hours]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const m = await import(path.join(here, '..', '..', 'tests', 'tools', 'node_modules', '@duckdb/node-api/lib/index.js'));
const [glob, expected] = process.argv.slice(2);
const con = await (await m.DuckDBInstance.create(':memory:')).connect();
const [[rows, distinct, hours]] = (await con.runAndReadAll(
  `SELECT count(*), count(DISTINCT (_kafka_partition, _kafka_offset)), count(DISTINCT (dt, hour))
   FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`)).getRows();
console.log(`DuckDB: ${rows} rows (${distinct} distinct partition/offset) in ${hours} hours; expected ${expected}`);
if (Number(rows) !== Number(expected) || Number(distinct) !== Number(expected)) process.exit(1);
