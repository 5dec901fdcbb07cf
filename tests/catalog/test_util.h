// Catalog test helpers: a real PostgreSQL server for the store tests, Parquet files written by floe's writer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "archive/file_events.h"
#include "columnar/schema.h"

namespace floe::catalog::testing {

// A per-process scratch directory.
std::string TempDir();

// URL of a fresh, empty database on a PostgreSQL server this process starts on first use (initdb + pg_ctl
// as the `postgres` user when running as root) and stops at exit; "" with *why set when the PostgreSQL
// binaries are not installed.
std::string FreshPostgresUrl(std::string* why);
// True when PostgreSQL's server binaries are installed here: a PostgreSQL test may then only be skipped for
// their absence, never because a server that could run did not start.
bool PostgresInstalled();
// URL of a fresh SQLite database file.
std::string FreshSqliteUrl();

// A flat Parquet file: `rows` rows of the schema's required top-level primitive columns (int32, int64,
// double, string), value i (or "s<i>") in row i; `_kafka_offset` is first_offset + i.
std::string ParquetBytes(const columnar::Schema& schema, int rows, int64_t first_offset,
                         const std::vector<std::pair<std::string, std::string>>& key_values = {});

// An Avro object container file (zstandard) of `schema_json` holding the datums, each encoded from JSON.
std::string AvroFileBytes(const std::string& schema_json, const std::vector<nlohmann::json>& datums);

// A file event for key `<db>/<table>/v=<v>/dt=<dt>/hour=<hour>/<topic>+<partition>+<offset>.parquet`.
archive::FileCommittedEvent MakeEvent(const std::string& table, const std::string& version, const std::string& dt,
                                      const std::string& hour, int32_t partition, int64_t first_offset,
                                      uint64_t records, uint64_t bytes, const std::string& format = "parquet");

}  // namespace floe::catalog::testing
