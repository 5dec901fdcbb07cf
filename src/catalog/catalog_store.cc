#include "catalog/catalog_store.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

std::string ToJsonList(const std::vector<std::string>& items) { return nlohmann::json(items).dump(); }

std::vector<std::string> FromJsonList(const std::optional<std::string>& text) {
  if (!text) return {};
  auto j = nlohmann::json::parse(*text, nullptr, false);
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& s : j) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

std::string ValuesToJson(const std::vector<std::pair<std::string, std::string>>& values) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& [k, v] : values) arr.push_back({k, v});
  return arr.dump();
}

std::vector<std::pair<std::string, std::string>> ValuesFromJson(const std::optional<std::string>& text) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!text) return out;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& p : j) {
    if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string()) {
      out.emplace_back(p[0].get<std::string>(), p[1].get<std::string>());
    }
  }
  return out;
}

const std::string& Str(const SqlRow& row, size_t i) {
  static const std::string empty;
  return row[i] ? *row[i] : empty;
}
int64_t Int(const SqlRow& row, size_t i) { return row[i] && !row[i]->empty() ? std::stoll(*row[i]) : 0; }

// Rows per multi-row INSERT: one round trip each, well under both engines' bound-parameter limits.
constexpr size_t kRowsPerInsert = 200;

Status InsertRows(SqlDb& db, const std::string& head, size_t columns, const std::string& tail,
                  const std::vector<std::vector<SqlValue>>& rows) {
  std::string tuple = "(";
  for (size_t c = 0; c < columns; ++c) tuple += c ? ",?" : "?";
  tuple += ")";
  for (size_t start = 0; start < rows.size(); start += kRowsPerInsert) {
    const size_t end = std::min(rows.size(), start + kRowsPerInsert);
    std::string sql = head + " VALUES ";
    std::vector<SqlValue> params;
    params.reserve((end - start) * columns);
    for (size_t r = start; r < end; ++r) {
      sql += r == start ? tuple : "," + tuple;
      params.insert(params.end(), rows[r].begin(), rows[r].end());
    }
    FLOE_RETURN_IF_ERROR(db.Exec(sql + " " + tail, params));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CatalogStore>> CatalogStore::Open(const std::string& url) {
  FLOE_ASSIGN_OR_RETURN(auto db, OpenSqlDb(url));
  auto store = std::make_unique<CatalogStore>(std::move(db));
  FLOE_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status CatalogStore::Migrate() {
  static const char* const kSchema[] = {
      "CREATE TABLE IF NOT EXISTS floe_tables (db_name TEXT NOT NULL, table_name TEXT NOT NULL, "
      "location TEXT NOT NULL, format TEXT NOT NULL, partition_keys TEXT NOT NULL, columns_json TEXT NOT NULL, "
      "conflicts TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, avro_schema TEXT, "
      "PRIMARY KEY (db_name, table_name))",
      "CREATE TABLE IF NOT EXISTS floe_schema_versions (db_name TEXT NOT NULL, table_name TEXT NOT NULL, "
      "version TEXT NOT NULL, source TEXT NOT NULL, columns_json TEXT NOT NULL, added TEXT NOT NULL, "
      "widened TEXT NOT NULL, conflicts TEXT NOT NULL, created_at BIGINT NOT NULL, "
      "PRIMARY KEY (db_name, table_name, version))",
      "CREATE TABLE IF NOT EXISTS floe_partitions (db_name TEXT NOT NULL, table_name TEXT NOT NULL, "
      "spec TEXT NOT NULL, values_json TEXT NOT NULL, schema_version TEXT NOT NULL, complete BIGINT NOT NULL, "
      "dirty BIGINT NOT NULL, created_at BIGINT NOT NULL, completed_at BIGINT NOT NULL, "
      "PRIMARY KEY (db_name, table_name, spec))",
      "CREATE TABLE IF NOT EXISTS floe_files (file_key TEXT NOT NULL PRIMARY KEY, db_name TEXT NOT NULL, "
      "table_name TEXT NOT NULL, spec TEXT NOT NULL, schema_version TEXT NOT NULL, format TEXT NOT NULL, "
      "topic TEXT NOT NULL, kafka_partition BIGINT NOT NULL, first_offset BIGINT NOT NULL, "
      "last_offset BIGINT NOT NULL, records BIGINT NOT NULL, bytes BIGINT NOT NULL, min_time BIGINT NOT NULL, "
      "max_time BIGINT NOT NULL, committed_at BIGINT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS floe_files_by_partition ON floe_files (db_name, table_name, spec)",
  };
  for (const char* sql : kSchema) FLOE_RETURN_IF_ERROR(db_->Exec(sql));
  // Catalogs created before Avro tables lack floe_tables.avro_schema (SQLite has no ADD COLUMN IF NOT EXISTS).
  if (!db_->Query("SELECT avro_schema FROM floe_tables WHERE 1 = 0").ok()) {
    FLOE_RETURN_IF_ERROR(db_->Exec("ALTER TABLE floe_tables ADD COLUMN avro_schema TEXT"));
  }
  return Status::Ok();
}

Status CatalogStore::Begin() { return db_->Exec("BEGIN"); }
Status CatalogStore::Commit() { return db_->Exec("COMMIT"); }
Status CatalogStore::Rollback() { return db_->Exec("ROLLBACK"); }

Status CatalogStore::UpsertTable(const TableInfo& t) {
  return db_->Exec(
      "INSERT INTO floe_tables (db_name, table_name, location, format, partition_keys, columns_json, conflicts, "
      "avro_schema, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (db_name, table_name) DO "
      "UPDATE SET columns_json = excluded.columns_json, conflicts = excluded.conflicts, "
      "avro_schema = excluded.avro_schema, updated_at = excluded.updated_at",
      {t.database, t.name, t.location, t.format, ToJsonList(t.partition_keys), ColumnsToJson(t.columns),
       ToJsonList(t.conflicts), t.avro_schema.empty() ? SqlValue(nullptr) : SqlValue(t.avro_schema), t.created_at,
       t.updated_at});
}

Status CatalogStore::InsertSchemaVersion(const SchemaVersionInfo& v) {
  return db_->Exec(
      "INSERT INTO floe_schema_versions (db_name, table_name, version, source, columns_json, added, widened, "
      "conflicts, created_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (db_name, table_name, version) DO NOTHING",
      {v.database, v.table, v.version, v.source, ColumnsToJson(v.columns), ToJsonList(v.added),
       ToJsonList(v.widened), ToJsonList(v.conflicts), v.created_at});
}

Status CatalogStore::InsertPartitions(const std::vector<PartitionInfo>& partitions) {
  std::vector<std::vector<SqlValue>> rows;
  rows.reserve(partitions.size());
  for (const auto& p : partitions) {
    rows.push_back({p.database, p.table, p.spec, ValuesToJson(p.values), p.schema_version,
                    int64_t{p.complete}, int64_t{p.dirty}, p.created_at, p.completed_at});
  }
  return InsertRows(*db_,
                    "INSERT INTO floe_partitions (db_name, table_name, spec, values_json, schema_version, complete, "
                    "dirty, created_at, completed_at)",
                    9, "ON CONFLICT (db_name, table_name, spec) DO NOTHING", rows);
}

Status CatalogStore::InsertFiles(const std::vector<FileInfo>& files) {
  std::vector<std::vector<SqlValue>> rows;
  rows.reserve(files.size());
  for (const auto& f : files) {
    rows.push_back({f.key, f.database, f.table, f.partition_spec, f.schema_version, f.format, f.topic,
                    int64_t{f.kafka_partition}, f.first_offset, f.last_offset, static_cast<int64_t>(f.records),
                    static_cast<int64_t>(f.bytes), f.min_time, f.max_time, f.committed_at});
  }
  return InsertRows(*db_,
                    "INSERT INTO floe_files (file_key, db_name, table_name, spec, schema_version, format, topic, "
                    "kafka_partition, first_offset, last_offset, records, bytes, min_time, max_time, committed_at)",
                    15, "ON CONFLICT (file_key) DO NOTHING", rows);
}

Status CatalogStore::SetPartitionState(const std::string& database, const std::string& table,
                                       const std::string& spec, bool complete, bool dirty, int64_t completed_at) {
  return db_->Exec(
      "UPDATE floe_partitions SET complete = ?, dirty = ?, completed_at = ? WHERE db_name = ? AND table_name = ? "
      "AND spec = ?",
      {int64_t{complete}, int64_t{dirty}, completed_at, database, table, spec});
}

Status CatalogStore::DeleteFile(const std::string& key) {
  return db_->Exec("DELETE FROM floe_files WHERE file_key = ?", {key});
}

Result<bool> CatalogStore::HasFile(const std::string& key) {
  FLOE_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT 1 FROM floe_files WHERE file_key = ?", {key}));
  return !rows.empty();
}

Result<std::vector<TableInfo>> CatalogStore::ListTables() {
  FLOE_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT db_name, table_name, location, format, partition_keys, "
                                              "columns_json, conflicts, created_at, updated_at, avro_schema "
                                              "FROM floe_tables "
                                              "ORDER BY db_name, table_name"));
  std::vector<TableInfo> out;
  for (const auto& r : rows) {
    TableInfo t;
    t.database = Str(r, 0);
    t.name = Str(r, 1);
    t.location = Str(r, 2);
    t.format = Str(r, 3);
    t.partition_keys = FromJsonList(r[4]);
    FLOE_ASSIGN_OR_RETURN(t.columns, ColumnsFromJson(Str(r, 5)));
    t.conflicts = FromJsonList(r[6]);
    t.created_at = Int(r, 7);
    t.updated_at = Int(r, 8);
    t.avro_schema = Str(r, 9);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<SchemaVersionInfo>> CatalogStore::ListSchemaVersions(const std::string& database,
                                                                        const std::string& table) {
  FLOE_ASSIGN_OR_RETURN(auto rows, db_->Query("SELECT version, source, columns_json, added, widened, conflicts, "
                                              "created_at FROM floe_schema_versions WHERE db_name = ? AND "
                                              "table_name = ? ORDER BY created_at, version",
                                              {database, table}));
  std::vector<SchemaVersionInfo> out;
  for (const auto& r : rows) {
    SchemaVersionInfo v;
    v.database = database;
    v.table = table;
    v.version = Str(r, 0);
    v.source = Str(r, 1);
    FLOE_ASSIGN_OR_RETURN(v.columns, ColumnsFromJson(Str(r, 2)));
    v.added = FromJsonList(r[3]);
    v.widened = FromJsonList(r[4]);
    v.conflicts = FromJsonList(r[5]);
    v.created_at = Int(r, 6);
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<PartitionInfo>> CatalogStore::ListPartitions(const std::string& database,
                                                                const std::string& table) {
  FLOE_ASSIGN_OR_RETURN(
      auto rows,
      db_->Query("SELECT p.spec, p.values_json, p.schema_version, p.complete, p.dirty, p.created_at, "
                 "p.completed_at, COUNT(f.file_key), COALESCE(SUM(f.records), 0), COALESCE(SUM(f.bytes), 0), "
                 "COALESCE(MIN(f.min_time), 0), COALESCE(MAX(f.max_time), 0) FROM floe_partitions p LEFT JOIN "
                 "floe_files f ON f.db_name = p.db_name AND f.table_name = p.table_name AND f.spec = p.spec "
                 "WHERE p.db_name = ? AND p.table_name = ? GROUP BY p.spec, p.values_json, p.schema_version, "
                 "p.complete, p.dirty, p.created_at, p.completed_at ORDER BY p.spec",
                 {database, table}));
  std::vector<PartitionInfo> out;
  for (const auto& r : rows) {
    PartitionInfo p;
    p.database = database;
    p.table = table;
    p.spec = Str(r, 0);
    p.values = ValuesFromJson(r[1]);
    p.schema_version = Str(r, 2);
    p.complete = Int(r, 3) != 0;
    p.dirty = Int(r, 4) != 0;
    p.created_at = Int(r, 5);
    p.completed_at = Int(r, 6);
    p.files = static_cast<uint64_t>(Int(r, 7));
    p.records = static_cast<uint64_t>(Int(r, 8));
    p.bytes = static_cast<uint64_t>(Int(r, 9));
    p.min_time = Int(r, 10);
    p.max_time = Int(r, 11);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<FileInfo>> CatalogStore::ListFiles(const std::string& database, const std::string& table) {
  FLOE_ASSIGN_OR_RETURN(
      auto rows, db_->Query("SELECT file_key, spec, schema_version, format, topic, kafka_partition, first_offset, "
                            "last_offset, records, bytes, min_time, max_time, committed_at FROM floe_files WHERE "
                            "db_name = ? AND table_name = ? ORDER BY file_key",
                            {database, table}));
  std::vector<FileInfo> out;
  for (const auto& r : rows) {
    FileInfo f;
    f.key = Str(r, 0);
    f.database = database;
    f.table = table;
    f.partition_spec = Str(r, 1);
    f.schema_version = Str(r, 2);
    f.format = Str(r, 3);
    f.topic = Str(r, 4);
    f.kafka_partition = static_cast<int32_t>(Int(r, 5));
    f.first_offset = Int(r, 6);
    f.last_offset = Int(r, 7);
    f.records = static_cast<uint64_t>(Int(r, 8));
    f.bytes = static_cast<uint64_t>(Int(r, 9));
    f.min_time = Int(r, 10);
    f.max_time = Int(r, 11);
    f.committed_at = Int(r, 12);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace floe::catalog
