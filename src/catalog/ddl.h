// DDL publishers: the catalog as statements for an engine that reads the lake directly.
//
//   athena, hive  CREATE DATABASE IF NOT EXISTS; CREATE EXTERNAL TABLE IF NOT EXISTS .. PARTITIONED BY ..
//                 STORED AS PARQUET (JSON lines: the engine's JSON SerDe; Avro: STORED AS AVRO with the table's
//                 avro.schema.literal, a SerDe property for Athena, a table property for Hive) LOCATION ..;
//                 ALTER TABLE .. ADD IF NOT EXISTS PARTITION (..) LOCATION .. in batches of 100 partitions
//   spark         CREATE TABLE IF NOT EXISTS .. USING PARQUET|JSON|AVRO PARTITIONED BY .. LOCATION ..; same ALTERs
//   trino         CREATE SCHEMA/TABLE in the `hive` catalog WITH (external_location, format, partitioned_by);
//                 CALL hive.system.register_partition(..) per partition
//   duckdb        CREATE SCHEMA; CREATE OR REPLACE VIEW over read_parquet/read_json of the exact committed
//                 files (hive_partitioning, union_by_name: older files read NULL for newer columns); Avro
//                 tables get a comment instead (read_avro is in an extension DuckDB does not build in)
//
// Identifiers are always quoted (backticks for Hive-style engines, double quotes for Trino/DuckDB), string
// literals escaped per dialect. Partition keys are string columns (`v`, `dt`, `hour`); a data column with a
// partition key's name is left out (with a comment) because engines reject the duplicate. Partitions of a
// schema version with merge conflicts are left out and named in a comment: they would not read correctly.
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog_store.h"
#include "common/status.h"

namespace floe::catalog {

enum class Dialect { kAthena, kHive, kSpark, kTrino, kDuckDb };

Result<Dialect> ParseDialect(std::string_view name);

// `table_filter`: "" for every table, "table" or "database.table" for one (kNotFound if none matches).
Result<std::string> GenerateDdl(CatalogStore& store, Dialect dialect, std::string_view table_filter = "");

// The path or URL an engine reads an object key of the lake at: a local path for file:// lakes, the URL
// otherwise (s3://bucket/prefix/key).
std::string ObjectLocation(std::string_view lake_url, std::string_view key);

}  // namespace floe::catalog
