#include "catalog/ddl.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

constexpr size_t kPartitionsPerAlter = 100;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Backtick(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string DoubleQuote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Hive/Spark string literals: backslash escapes.
std::string HiveLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// ANSI literals (Trino, DuckDB): quotes doubled.
std::string AnsiLiteral(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

bool IsJson(const TableInfo& t) { return t.format == "jsonl" || t.format == "json"; }
bool IsAvro(const TableInfo& t) { return t.format == "avro"; }

// The storage keyword of Spark's USING and Trino's format property.
std::string FormatName(const TableInfo& t) { return IsJson(t) ? "JSON" : IsAvro(t) ? "AVRO" : "PARQUET"; }

struct TableView {
  const TableInfo* table;
  Columns columns;  // without partition-key clashes
  std::vector<std::string> dropped;
  std::vector<PartitionInfo> partitions;
  std::vector<FileInfo> files;
  std::set<std::string> conflicting_versions;
};

void Comments(std::string& out, const TableView& v) {
  for (const auto& d : v.dropped) out += "-- column " + d + " has a partition key's name and is left out\n";
  for (const auto& c : v.conflicting_versions) {
    out += "-- schema version " + c + " conflicts with the table's columns; its partitions are left out\n";
  }
}

void HiveStyle(std::string& out, const TableView& v, Dialect d) {
  const TableInfo& t = *v.table;
  const std::string name = Backtick(t.database) + "." + Backtick(t.name);
  out += "CREATE DATABASE IF NOT EXISTS " + Backtick(t.database) + ";\n";
  Comments(out, v);
  if (d == Dialect::kSpark) {
    out += "CREATE TABLE IF NOT EXISTS " + name + " (\n";
    std::vector<std::string> cols;
    for (const auto& c : v.columns) cols.push_back("  " + Backtick(c.name) + " " + c.type.ToString());
    for (const auto& k : t.partition_keys) cols.push_back("  " + Backtick(k) + " string");
    for (size_t i = 0; i < cols.size(); ++i) out += cols[i] + (i + 1 < cols.size() ? ",\n" : "\n");
    out += ")\nUSING " + FormatName(t) + "\n";
    if (!t.partition_keys.empty()) {
      out += "PARTITIONED BY (";
      for (size_t i = 0; i < t.partition_keys.size(); ++i) out += (i ? ", " : "") + Backtick(t.partition_keys[i]);
      out += ")\n";
    }
  } else {
    out += "CREATE EXTERNAL TABLE IF NOT EXISTS " + name + " (\n";
    for (size_t i = 0; i < v.columns.size(); ++i) {
      out += "  " + Backtick(v.columns[i].name) + " " + v.columns[i].type.ToString() +
             (i + 1 < v.columns.size() ? ",\n" : "\n");
    }
    out += ")\n";
    if (!t.partition_keys.empty()) {
      out += "PARTITIONED BY (";
      for (size_t i = 0; i < t.partition_keys.size(); ++i) {
        out += (i ? ", " : "") + Backtick(t.partition_keys[i]) + " string";
      }
      out += ")\n";
    }
    if (IsJson(t)) {
      out += d == Dialect::kAthena ? "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\n"
                                   : "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'\n";
      out += "STORED AS TEXTFILE\n";
    } else if (IsAvro(t)) {
      // The AvroSerDe reads with the literal as reader schema (older versions' files resolve against it);
      // Athena takes it as a SerDe property, Hive as a table property.
      if (d == Dialect::kAthena && !t.avro_schema.empty()) {
        out += "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.avro.AvroSerDe'\n"
               "WITH SERDEPROPERTIES ('avro.schema.literal'=" + HiveLiteral(t.avro_schema) + ")\n";
      }
      out += "STORED AS AVRO\n";
    } else {
      out += "STORED AS PARQUET\n";
    }
  }
  out += "LOCATION " + HiveLiteral(t.location);
  if (d == Dialect::kHive && IsAvro(t) && !t.avro_schema.empty()) {
    out += "\nTBLPROPERTIES ('avro.schema.literal'=" + HiveLiteral(t.avro_schema) + ")";
  }
  out += ";\n";
  if (t.partition_keys.empty()) return;
  for (size_t start = 0; start < v.partitions.size(); start += kPartitionsPerAlter) {
    out += "ALTER TABLE " + name + " ADD IF NOT EXISTS\n";
    const size_t end = std::min(v.partitions.size(), start + kPartitionsPerAlter);
    for (size_t i = start; i < end; ++i) {
      const auto& p = v.partitions[i];
      out += "  PARTITION (";
      for (size_t k = 0; k < p.values.size(); ++k) {
        out += (k ? ", " : "") + Backtick(p.values[k].first) + "=" + HiveLiteral(p.values[k].second);
      }
      out += ") LOCATION " + HiveLiteral(t.location + p.spec + "/") + (i + 1 < end ? "\n" : ";\n");
    }
  }
}

void Trino(std::string& out, const TableView& v) {
  const TableInfo& t = *v.table;
  const std::string schema = "hive." + DoubleQuote(t.database);
  out += "CREATE SCHEMA IF NOT EXISTS " + schema + ";\n";
  Comments(out, v);
  out += "CREATE TABLE IF NOT EXISTS " + schema + "." + DoubleQuote(t.name) + " (\n";
  std::vector<std::string> cols;
  for (const auto& c : v.columns) cols.push_back("  " + DoubleQuote(c.name) + " " + TrinoTypeName(c.type));
  for (const auto& k : t.partition_keys) cols.push_back("  " + DoubleQuote(k) + " varchar");
  for (size_t i = 0; i < cols.size(); ++i) out += cols[i] + (i + 1 < cols.size() ? ",\n" : "\n");
  out += ") WITH (\n  external_location = " + AnsiLiteral(t.location) + ",\n  format = " +
         AnsiLiteral(FormatName(t));
  if (!t.partition_keys.empty()) {
    out += ",\n  partitioned_by = ARRAY[";
    for (size_t i = 0; i < t.partition_keys.size(); ++i) out += (i ? ", " : "") + AnsiLiteral(t.partition_keys[i]);
    out += "]";
  }
  out += "\n);\n";
  if (t.partition_keys.empty()) return;
  std::string keys = "ARRAY[";
  for (size_t i = 0; i < t.partition_keys.size(); ++i) keys += (i ? ", " : "") + AnsiLiteral(t.partition_keys[i]);
  keys += "]";
  for (const auto& p : v.partitions) {
    std::string values = "ARRAY[";
    for (size_t k = 0; k < p.values.size(); ++k) values += (k ? ", " : "") + AnsiLiteral(p.values[k].second);
    values += "]";
    out += "CALL hive.system.register_partition(" + AnsiLiteral(t.database) + ", " + AnsiLiteral(t.name) + ", " +
           keys + ", " + values + ", " + AnsiLiteral(t.location + p.spec + "/") + ");\n";
  }
}

void DuckDb(std::string& out, const TableView& v) {
  const TableInfo& t = *v.table;
  // The lake root is the table location minus "<db>/<table>/".
  std::string lake = t.location.substr(0, t.location.size() - (t.database.size() + t.name.size() + 2));
  out += "CREATE SCHEMA IF NOT EXISTS " + DoubleQuote(t.database) + ";\n";
  Comments(out, v);
  if (IsAvro(t)) {
    // read_avro lives in DuckDB's avro extension, which is not built in (and INSTALL needs the network).
    out += "-- " + t.database + "." + t.name + " is stored as Avro; DuckDB reads Avro only through its avro " +
           "extension (not built in), so no view is created\n";
    return;
  }
  std::vector<std::string> paths;
  for (const auto& f : v.files) {
    if (v.conflicting_versions.count(f.schema_version)) continue;
    paths.push_back(AnsiLiteral(ObjectLocation(lake, f.key)));
  }
  const std::string view = DoubleQuote(t.database) + "." + DoubleQuote(t.name);
  if (paths.empty()) {
    out += "-- " + t.database + "." + t.name + " has no files yet\n";
    return;
  }
  out += "CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM " +
         std::string(IsJson(t) ? "read_json_auto" : "read_parquet") + "([\n";
  for (size_t i = 0; i < paths.size(); ++i) out += "  " + paths[i] + (i + 1 < paths.size() ? ",\n" : "\n");
  out += "], hive_partitioning = true, union_by_name = true";
  if (IsJson(t)) out += ", format = 'newline_delimited'";
  out += ");\n";
}

}  // namespace

Result<Dialect> ParseDialect(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "athena") return Dialect::kAthena;
  if (n == "hive") return Dialect::kHive;
  if (n == "spark") return Dialect::kSpark;
  if (n == "trino") return Dialect::kTrino;
  if (n == "duckdb") return Dialect::kDuckDb;
  return Error(CatalogError::kInvalidArgument,
               "unknown dialect '" + std::string(name) + "' (athena, hive, spark, trino, duckdb)");
}

std::string ObjectLocation(std::string_view lake_url, std::string_view key) {
  std::string base(lake_url);
  if (base.rfind("file://", 0) == 0) base = base.substr(7);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/" + std::string(key);
}

Result<std::string> GenerateDdl(CatalogStore& store, Dialect dialect, std::string_view table_filter) {
  FLOE_ASSIGN_OR_RETURN(auto tables, store.ListTables());
  std::string out;
  bool matched = false;
  for (const auto& t : tables) {
    if (!table_filter.empty() && table_filter != t.name && table_filter != t.database + "." + t.name) continue;
    matched = true;
    TableView v;
    v.table = &t;
    std::set<std::string> keys;
    for (const auto& k : t.partition_keys) keys.insert(Lower(k));
    for (const auto& c : t.columns) {
      if (keys.count(Lower(c.name))) {
        v.dropped.push_back(c.name);
      } else {
        v.columns.push_back(c);
      }
    }
    FLOE_ASSIGN_OR_RETURN(auto versions, store.ListSchemaVersions(t.database, t.name));
    for (const auto& sv : versions) {
      if (!sv.conflicts.empty()) v.conflicting_versions.insert(sv.version);
    }
    FLOE_ASSIGN_OR_RETURN(auto partitions, store.ListPartitions(t.database, t.name));
    for (auto& p : partitions) {
      if (!v.conflicting_versions.count(p.schema_version)) v.partitions.push_back(std::move(p));
    }
    if (dialect == Dialect::kDuckDb) {
      FLOE_ASSIGN_OR_RETURN(v.files, store.ListFiles(t.database, t.name));
    }
    if (!out.empty()) out += "\n";
    switch (dialect) {
      case Dialect::kAthena:
      case Dialect::kHive:
      case Dialect::kSpark: HiveStyle(out, v, dialect); break;
      case Dialect::kTrino: Trino(out, v); break;
      case Dialect::kDuckDb: DuckDb(out, v); break;
    }
  }
  if (!table_filter.empty() && !matched) {
    return Error(CatalogError::kNotFound, "no table '" + std::string(table_filter) + "' in the catalog");
  }
  return out;
}

}  // namespace floe::catalog
