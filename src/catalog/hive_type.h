// Hive/Athena column types, inferred from the schemas floe writes, and merged across schema versions.
//
// Mapping (columnar/Parquet/Avro → Hive):
//   boolean → boolean; int8/int16 → tinyint/smallint; int32 → int; uint32, int64 → bigint;
//   uint64 → decimal(20,0); float → float; double → double; decimal(p,s) → decimal(p,s) (p ≤ 38, else string);
//   string, enum, json, uuid as a string → string; bytes, fixed, uuid as fixed(16) (how floe writes Avro
//   uuids), duration → binary;
//   date → date; timestamp-millis/micros (UTC or local) → timestamp; time-millis → int; time-micros → bigint;
//   record → struct<..>; array → array<..>; map → map<key,value>.
//
// Merging (MergeColumns) decides the table's columns from its schema versions, the way Athena/Hive can read
// every version's Parquet files through one table: new columns (top level or inside structs, recursively)
// are appended; widenings that Parquet readers apply on read are taken (tinyint→smallint→int→bigint,
// float→double, decimal(p,s)→decimal with enough integer and fraction digits); anything else is a conflict:
// the table keeps its type and the conflict is reported, so the table never silently breaks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"

namespace floe::catalog {

struct HiveField;

struct HiveType {
  enum class Kind {
    kBoolean, kTinyint, kSmallint, kInt, kBigint, kFloat, kDouble, kDecimal,
    kString, kBinary, kDate, kTimestamp, kArray, kMap, kStruct,
  };
  Kind kind = Kind::kString;
  int precision = 0;  // kDecimal
  int scale = 0;      // kDecimal
  // kArray: one child (the element, unnamed); kMap: key then value; kStruct: the fields in order.
  std::vector<HiveField> children;

  static HiveType Primitive(Kind kind) { return HiveType{kind, 0, 0, {}}; }
  static HiveType Decimal(int precision, int scale) { return HiveType{Kind::kDecimal, precision, scale, {}}; }
  static HiveType Array(HiveType element);
  static HiveType Map(HiveType key, HiveType value);
  static HiveType Struct(std::vector<HiveField> fields);

  // Hive spelling: "bigint", "decimal(10,2)", "array<string>", "struct<a:int,`b-c`:string>".
  std::string ToString() const;
  bool operator==(const HiveType& other) const;
};

struct HiveField {
  std::string name;
  HiveType type;
  bool operator==(const HiveField& other) const { return name == other.name && type == other.type; }
};

using Columns = std::vector<HiveField>;

// Parses the Hive spelling back (what ToString prints; case-insensitive keywords, optional spaces).
Result<HiveType> ParseHiveType(std::string_view text);

// The Hive type of one columnar node, and the columns of a whole schema (the root's fields).
HiveType HiveTypeOf(const columnar::Node& node);
Columns ColumnsOf(const columnar::Schema& schema);
// Where the data of an Avro schema is read from, which decides one type: floe's Parquet files hold a uuid
// string as FIXED(16) (binary), while Avro container readers (Hive's AvroSerDe, Trino, Spark) see a string.
enum class AvroStorage { kParquet, kAvroFile };
// Columns of an Avro writer schema (a record), via avro::ToColumnarSchema.
Result<Columns> ColumnsOfAvroSchema(std::string_view avro_schema_json, AvroStorage storage = AvroStorage::kParquet);

// The same type spelled for an engine that is not Hive-compatible.
std::string TrinoTypeName(const HiveType& type);   // integer, real, varchar, varbinary, row(..), array(..)
std::string DuckDbTypeName(const HiveType& type);  // INTEGER, VARCHAR, BLOB, STRUCT(..), T[], MAP(..)

// A column-identifier quoted when it needs to be: `name` (Hive/Spark/Athena backticks).
std::string QuoteHiveName(std::string_view name);

struct MergeResult {
  Columns columns;                     // the merged table columns
  std::vector<std::string> added;      // dotted paths of columns added by the incoming schema
  std::vector<std::string> widened;    // "path: int -> bigint"
  std::vector<std::string> conflicts;  // "path: bigint vs string" (the table keeps the first type)
};

// Merges `incoming` into `table` (names matched case-insensitively, as Hive does).
MergeResult MergeColumns(const Columns& table, const Columns& incoming);

// JSON array [{"name":..,"type":"<hive spelling>"}] for storing columns; and back.
std::string ColumnsToJson(const Columns& columns);
Result<Columns> ColumnsFromJson(std::string_view json);

}  // namespace floe::catalog
