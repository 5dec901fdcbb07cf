// CatalogStore: the catalog's tables in SQL (SQLite or PostgreSQL, same statements).
//
//   tables          (db_name, table_name) → location, format, partition keys, merged columns, conflicts
//   schema_versions (db_name, table_name, version) → columns of that version, source (avro fingerprint /
//                   parquet footer), what merging it added/widened, its conflicts (a version with conflicts is
//                   kept apart: its partitions are not published)
//   partitions      (db_name, table_name, spec) → values, location, complete/dirty flags, timestamps
//   files           key → table, partition spec, version, topic/partition/offsets, rows, bytes, time range
//
// Partition statistics (files, rows, bytes, min/max business time) are aggregated from `files` when read, so
// registering a file is one idempotent insert and re-delivered events change nothing.
// Timestamps are epoch microseconds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "catalog/hive_type.h"
#include "catalog/sql_db.h"
#include "common/status.h"

namespace floe::catalog {

struct TableInfo {
  std::string database;
  std::string name;
  std::string location;  // URL of the table's directory, ending in '/'
  std::string format;    // file format of the table's files: parquet, jsonl, avro
  std::vector<std::string> partition_keys;
  Columns columns;
  std::vector<std::string> conflicts;  // from every schema version, "version v: path: a vs b"
  // Avro tables: the reader schema engines are given (avro.schema.literal), the file schema of the table's
  // newest schema version. Avro schema resolution reads older versions' files through it. "" otherwise.
  std::string avro_schema;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct SchemaVersionInfo {
  std::string database;
  std::string table;
  std::string version;
  std::string source;  // "avro:<fingerprint hex>" or "parquet" or "jsonl"
  Columns columns;
  std::vector<std::string> added;
  std::vector<std::string> widened;
  std::vector<std::string> conflicts;
  int64_t created_at = 0;
};

struct PartitionInfo {
  std::string database;
  std::string table;
  std::string spec;  // "v=2/dt=2024-05-01/hour=12": the partition's directory under the table
  std::vector<std::pair<std::string, std::string>> values;
  std::string schema_version;
  bool complete = false;
  bool dirty = false;
  int64_t created_at = 0;
  int64_t completed_at = 0;
  // Aggregated from files when listed.
  uint64_t files = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
};

struct FileInfo {
  std::string key;
  std::string database;
  std::string table;
  std::string partition_spec;
  std::string schema_version;
  std::string format;
  std::string topic;
  int32_t kafka_partition = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  uint64_t records = 0;
  uint64_t bytes = 0;
  int64_t min_time = 0;
  int64_t max_time = 0;
  int64_t committed_at = 0;
};

class CatalogStore {
 public:
  // Opens the SQL database named by catalog.url and creates the catalog's tables if missing.
  static Result<std::unique_ptr<CatalogStore>> Open(const std::string& url);
  explicit CatalogStore(std::unique_ptr<SqlDb> db) : db_(std::move(db)) {}

  Status Migrate();
  Status Begin();
  Status Commit();
  Status Rollback();

  // Inserts the table or replaces its columns, conflicts, Avro schema and updated_at (location/format/keys
  // stay).
  Status UpsertTable(const TableInfo& table);
  // Idempotent: a version already stored is left alone.
  Status InsertSchemaVersion(const SchemaVersionInfo& version);
  Status InsertPartitions(const std::vector<PartitionInfo>& partitions);
  Status InsertFiles(const std::vector<FileInfo>& files);
  // Removes a file (an S3 ObjectRemoved event); its partition's statistics drop with it. Idempotent.
  Status DeleteFile(const std::string& key);
  Status SetPartitionState(const std::string& database, const std::string& table, const std::string& spec,
                           bool complete, bool dirty, int64_t completed_at);

  Result<bool> HasFile(const std::string& key);
  Result<std::vector<TableInfo>> ListTables();
  Result<std::vector<SchemaVersionInfo>> ListSchemaVersions(const std::string& database, const std::string& table);
  Result<std::vector<PartitionInfo>> ListPartitions(const std::string& database, const std::string& table);
  Result<std::vector<FileInfo>> ListFiles(const std::string& database, const std::string& table);

  SqlDb& db() { return *db_; }

 private:
  std::unique_ptr<SqlDb> db_;
};

}  // namespace floe::catalog
