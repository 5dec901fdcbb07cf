// Checks a lake's row count with DuckDB: node count_rows.mjs 'GLOB' EXPECTED [--metadata]
// --metadata: also checks that each file's footer names the Kafka offsets it holds (kafka.offset.first/last =
// min/max of its _kafka_offset) and its business-time range (floe.business_time.min/max).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const m = await import(path.join(here, '..', '..', 'tests', 'tools', 'node_modules', '@duckdb/node-api/lib/index.js'));
const [glob, expected, flag] = process.argv.slice(2);
const con = await (await m.DuckDBInstance.create(':memory:')).connect();
const [[rows, distinct, hours]] = (await con.runAndReadAll(
  `SELECT count(*), count(DISTINCT (_kafka_partition, _kafka_offset)), count(DISTINCT (dt, hour))
   FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`)).getRows();
console.log(`DuckDB: ${rows} rows (${distinct} distinct partition/offset) in ${hours} hours; expected ${expected}`);
if (Number(rows) !== Number(expected) || Number(distinct) !== Number(expected)) process.exit(1);
if (flag === '--metadata') {
  const [[files, matching, timed]] = (await con.runAndReadAll(
    `WITH kv AS (SELECT file_name, decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${glob}')),
     meta AS (SELECT file_name,
                     max(v) FILTER (WHERE k = 'kafka.offset.first')::BIGINT AS first,
                     max(v) FILTER (WHERE k = 'kafka.offset.last')::BIGINT AS last,
                     count(*) FILTER (WHERE k IN ('floe.business_time.min', 'floe.business_time.max')) AS times
              FROM kv GROUP BY file_name),
     data AS (SELECT filename, min(_kafka_offset) AS lo, max(_kafka_offset) AS hi
              FROM read_parquet('${glob}', filename = true, union_by_name = true) GROUP BY filename)
     SELECT count(*), count(*) FILTER (WHERE meta.first = data.lo AND meta.last = data.hi), count(*) FILTER (WHERE meta.times = 2)
     FROM data LEFT JOIN meta ON meta.file_name = data.filename`)).getRows();
  console.log(`DuckDB parquet_kv_metadata: ${matching} of ${files} files name their Kafka offsets, ${timed} their business-time range`);
  if (Number(matching) !== Number(files) || Number(timed) !== Number(files)) process.exit(1);
}
