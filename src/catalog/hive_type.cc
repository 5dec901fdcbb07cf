#include "catalog/hive_type.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "avro/decoder.h"
#include "avro/schema.h"
#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

using Kind = HiveType::Kind;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool PlainIdentifier(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string_view PrimitiveName(Kind k) {
  switch (k) {
    case Kind::kBoolean: return "boolean";
    case Kind::kTinyint: return "tinyint";
    case Kind::kSmallint: return "smallint";
    case Kind::kInt: return "int";
    case Kind::kBigint: return "bigint";
    case Kind::kFloat: return "float";
    case Kind::kDouble: return "double";
    case Kind::kString: return "string";
    case Kind::kBinary: return "binary";
    case Kind::kDate: return "date";
    case Kind::kTimestamp: return "timestamp";
    default: return "";
  }
}

int IntegerRank(Kind k) {
  switch (k) {
    case Kind::kTinyint: return 1;
    case Kind::kSmallint: return 2;
    case Kind::kInt: return 3;
    case Kind::kBigint: return 4;
    default: return 0;
  }
}

class TypeParser {
 public:
  explicit TypeParser(std::string_view text) : text_(text) {}

  Result<HiveType> ParseAll() {
    FLOE_ASSIGN_OR_RETURN(HiveType t, Parse());
    SkipSpace();
    if (pos_ != text_.size()) return Fail("trailing text");
    return t;
  }

 private:
  Status Fail(std::string_view what) const {
    return Error(CatalogError::kParse,
                 std::string("hive type '") + std::string(text_) + "': " + std::string(what) + " at " +
                     std::to_string(pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::string Word() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  Result<std::string> FieldName() {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '`') {
      std::string name;
      ++pos_;
      while (pos_ < text_.size()) {
        if (text_[pos_] == '`') {
          if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '`') {
            name += '`';
            pos_ += 2;
            continue;
          }
          ++pos_;
          return name;
        }
        name += text_[pos_++];
      }
      return Fail("unterminated quoted name");
    }
    std::string w = Word();
    if (w.empty()) return Fail("field name expected");
    return w;
  }
  Result<int> Number() {
    std::string w = Word();
    if (w.empty() || !std::all_of(w.begin(), w.end(), ::isdigit) || w.size() > 3) return Fail("number expected");
    return std::stoi(w);
  }
  Result<HiveType> Parse() {
    const std::string w = Lower(Word());
    if (w == "array") {
      if (!Eat('<')) return Fail("'<' expected");
      FLOE_ASSIGN_OR_RETURN(HiveType e, Parse());
      if (!Eat('>')) return Fail("'>' expected");
      return HiveType::Array(std::move(e));
    }
    if (w == "map") {
      if (!Eat('<')) return Fail("'<' expected");
      FLOE_ASSIGN_OR_RETURN(HiveType k, Parse());
      if (!Eat(',')) return Fail("',' expected");
      FLOE_ASSIGN_OR_RETURN(HiveType v, Parse());
      if (!Eat('>')) return Fail("'>' expected");
      return HiveType::Map(std::move(k), std::move(v));
    }
    if (w == "struct") {
      if (!Eat('<')) return Fail("'<' expected");
      std::vector<HiveField> fields;
      if (!Eat('>')) {
        do {
          FLOE_ASSIGN_OR_RETURN(std::string name, FieldName());
          if (!Eat(':')) return Fail("':' expected");
          FLOE_ASSIGN_OR_RETURN(HiveType t, Parse());
          fields.push_back({std::move(name), std::move(t)});
        } while (Eat(','));
        if (!Eat('>')) return Fail("'>' expected");
      }
      return HiveType::Struct(std::move(fields));
    }
    if (w == "decimal") {
      if (!Eat('(')) return HiveType::Decimal(10, 0);  // Hive's default
      FLOE_ASSIGN_OR_RETURN(int p, Number());
      if (!Eat(',')) return Fail("',' expected");
      FLOE_ASSIGN_OR_RETURN(int s, Number());
      if (!Eat(')')) return Fail("')' expected");
      if (p < 1 || p > 38 || s > p) return Fail("decimal precision/scale out of range");
      return HiveType::Decimal(p, s);
    }
    for (Kind k : {Kind::kBoolean, Kind::kTinyint, Kind::kSmallint, Kind::kInt, Kind::kBigint, Kind::kFloat,
                   Kind::kDouble, Kind::kString, Kind::kBinary, Kind::kDate, Kind::kTimestamp}) {
      if (w == PrimitiveName(k)) return HiveType::Primitive(k);
    }
    if (w == "integer") return HiveType::Primitive(Kind::kInt);
    return Fail("unknown type '" + w + "'");
  }

  std::string_view text_;
  size_t pos_ = 0;
};

HiveField* FindField(Columns& columns, std::string_view name) {
  const std::string lower = Lower(name);
  for (auto& f : columns) {
    if (Lower(f.name) == lower) return &f;
  }
  return nullptr;
}

void MergeType(HiveType& table, const HiveType& incoming, const std::string& path, MergeResult& out) {
  if (table == incoming) return;
  const int ta = IntegerRank(table.kind), tb = IntegerRank(incoming.kind);
  if (ta && tb) {
    if (tb > ta) {
      out.widened.push_back(path + ": " + table.ToString() + " -> " + incoming.ToString());
      table = incoming;
    }
    return;
  }
  if (table.kind == Kind::kFloat && incoming.kind == Kind::kDouble) {
    out.widened.push_back(path + ": float -> double");
    table = incoming;
    return;
  }
  if (table.kind == Kind::kDouble && incoming.kind == Kind::kFloat) return;
  if (table.kind == Kind::kDecimal && incoming.kind == Kind::kDecimal) {
    const int scale = std::max(table.scale, incoming.scale);
    const int integer = std::max(table.precision - table.scale, incoming.precision - incoming.scale);
    if (integer + scale > 38) {
      out.conflicts.push_back(path + ": " + table.ToString() + " vs " + incoming.ToString());
      return;
    }
    HiveType merged = HiveType::Decimal(integer + scale, scale);
    if (!(merged == table)) {
      out.widened.push_back(path + ": " + table.ToString() + " -> " + merged.ToString());
      table = merged;
    }
    return;
  }
  if (table.kind == Kind::kStruct && incoming.kind == Kind::kStruct) {
    for (const auto& f : incoming.children) {
      const std::string child = path + "." + f.name;
      if (HiveField* existing = FindField(table.children, f.name)) {
        MergeType(existing->type, f.type, child, out);
      } else {
        table.children.push_back(f);
        out.added.push_back(child);
      }
    }
    return;
  }
  if (table.kind == Kind::kArray && incoming.kind == Kind::kArray) {
    MergeType(table.children[0].type, incoming.children[0].type, path + "[]", out);
    return;
  }
  if (table.kind == Kind::kMap && incoming.kind == Kind::kMap) {
    if (!(table.children[0].type == incoming.children[0].type)) {
      out.conflicts.push_back(path + ": " + table.ToString() + " vs " + incoming.ToString());
      return;
    }
    MergeType(table.children[1].type, incoming.children[1].type, path + "{}", out);
    return;
  }
  out.conflicts.push_back(path + ": " + table.ToString() + " vs " + incoming.ToString());
}

}  // namespace

HiveType HiveType::Array(HiveType element) { return HiveType{Kind::kArray, 0, 0, {{"", std::move(element)}}}; }
HiveType HiveType::Map(HiveType key, HiveType value) {
  return HiveType{Kind::kMap, 0, 0, {{"", std::move(key)}, {"", std::move(value)}}};
}
HiveType HiveType::Struct(std::vector<HiveField> fields) { return HiveType{Kind::kStruct, 0, 0, std::move(fields)}; }

bool HiveType::operator==(const HiveType& o) const {
  return kind == o.kind && precision == o.precision && scale == o.scale && children == o.children;
}

std::string QuoteHiveName(std::string_view name) {
  if (PlainIdentifier(name)) return std::string(name);
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string HiveType::ToString() const {
  switch (kind) {
    case Kind::kDecimal: return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case Kind::kArray: return "array<" + children[0].type.ToString() + ">";
    case Kind::kMap: return "map<" + children[0].type.ToString() + "," + children[1].type.ToString() + ">";
    case Kind::kStruct: {
      std::string out = "struct<";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ",";
        out += QuoteHiveName(children[i].name) + ":" + children[i].type.ToString();
      }
      return out + ">";
    }
    default: return std::string(PrimitiveName(kind));
  }
}

Result<HiveType> ParseHiveType(std::string_view text) { return TypeParser(text).ParseAll(); }

HiveType HiveTypeOf(const columnar::Node& node) {
  using columnar::LogicalKind;
  using columnar::NodeKind;
  using columnar::PhysicalType;
  switch (node.kind) {
    case NodeKind::kRecord: {
      std::vector<HiveField> fields;
      for (const auto& c : node.children) fields.push_back({c->name, HiveTypeOf(*c)});
      return HiveType::Struct(std::move(fields));
    }
    case NodeKind::kList: return HiveType::Array(HiveTypeOf(*node.children[0]));
    case NodeKind::kMap: return HiveType::Map(HiveTypeOf(*node.children[0]), HiveTypeOf(*node.children[1]));
    case NodeKind::kPrimitive: break;
  }
  switch (node.logical) {
    case LogicalKind::kString:
    case LogicalKind::kEnum:
    case LogicalKind::kJson: return HiveType::Primitive(Kind::kString);
    case LogicalKind::kUuid:
      return HiveType::Primitive(node.physical == PhysicalType::kByteArray ? Kind::kString : Kind::kBinary);
    case LogicalKind::kDecimal:
      if (node.precision >= 1 && node.precision <= 38) return HiveType::Decimal(node.precision, node.scale);
      return HiveType::Primitive(Kind::kString);
    case LogicalKind::kDate: return HiveType::Primitive(Kind::kDate);
    case LogicalKind::kTimeMillis: return HiveType::Primitive(Kind::kInt);
    case LogicalKind::kTimeMicros: return HiveType::Primitive(Kind::kBigint);
    case LogicalKind::kTimestampMillis:
    case LogicalKind::kTimestampMicros: return HiveType::Primitive(Kind::kTimestamp);
    case LogicalKind::kDuration: return HiveType::Primitive(Kind::kBinary);
    case LogicalKind::kInteger:
      if (node.bit_width == 8) return HiveType::Primitive(node.is_signed ? Kind::kTinyint : Kind::kSmallint);
      if (node.bit_width == 16) return HiveType::Primitive(node.is_signed ? Kind::kSmallint : Kind::kInt);
      if (node.bit_width == 32) return HiveType::Primitive(node.is_signed ? Kind::kInt : Kind::kBigint);
      return node.is_signed ? HiveType::Primitive(Kind::kBigint) : HiveType::Decimal(20, 0);
    case LogicalKind::kNone: break;
  }
  switch (node.physical) {
    case PhysicalType::kBoolean: return HiveType::Primitive(Kind::kBoolean);
    case PhysicalType::kInt32: return HiveType::Primitive(Kind::kInt);
    case PhysicalType::kInt64: return HiveType::Primitive(Kind::kBigint);
    case PhysicalType::kFloat: return HiveType::Primitive(Kind::kFloat);
    case PhysicalType::kDouble: return HiveType::Primitive(Kind::kDouble);
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: return HiveType::Primitive(Kind::kBinary);
  }
  return HiveType::Primitive(Kind::kBinary);
}

Columns ColumnsOf(const columnar::Schema& schema) {
  Columns out;
  for (const auto& c : schema.root().children) out.push_back({c->name, HiveTypeOf(*c)});
  return out;
}

namespace {

// Walks an Avro type beside the Hive type ToColumnarSchema gave it and turns uuid strings back into strings.
// Where the two shapes part (a recursive type stored as JSON text) there is nothing below to fix.
void UuidStringsAsStrings(const avro::TypeNode& avro_type, HiveType& type) {
  const avro::TypeNode* n = avro_type.NullableOf() ? avro_type.NullableOf() : &avro_type;
  switch (n->type) {
    case avro::Type::kString:
      if (n->logical == avro::LogicalType::kUuid && type.kind == Kind::kBinary) type = HiveType::Primitive(Kind::kString);
      return;
    case avro::Type::kRecord:
      if (type.kind != Kind::kStruct || type.children.size() != n->fields.size()) return;
      for (size_t i = 0; i < n->fields.size(); ++i) UuidStringsAsStrings(*n->fields[i].type, type.children[i].type);
      return;
    case avro::Type::kArray:
      if (type.kind == Kind::kArray) UuidStringsAsStrings(*n->items, type.children[0].type);
      return;
    case avro::Type::kMap:
      if (type.kind == Kind::kMap) UuidStringsAsStrings(*n->values, type.children[1].type);
      return;
    case avro::Type::kUnion: {  // several non-null branches: a struct of one member per branch, in order
      if (type.kind != Kind::kStruct) return;
      size_t member = 0;
      for (const avro::TypeNode* b : n->branches) {
        if (b->type == avro::Type::kNull) continue;
        if (member >= type.children.size()) return;
        UuidStringsAsStrings(*b, type.children[member++].type);
      }
      return;
    }
    default: return;
  }
}

}  // namespace

Result<Columns> ColumnsOfAvroSchema(std::string_view avro_schema_json, AvroStorage storage) {
  auto schema = avro::Schema::Parse(avro_schema_json);
  if (!schema.ok()) return Error(CatalogError::kParse, "avro writer schema: " + schema.status().ToString());
  auto columnar = avro::ToColumnarSchema(*schema);
  if (!columnar.ok()) return Error(CatalogError::kParse, "avro writer schema: " + columnar.status().ToString());
  Columns columns = ColumnsOf(*columnar);
  if (storage == AvroStorage::kAvroFile) {
    const avro::TypeNode& root = schema->root();
    if (root.type == avro::Type::kRecord && root.fields.size() == columns.size()) {
      for (size_t i = 0; i < columns.size(); ++i) UuidStringsAsStrings(*root.fields[i].type, columns[i].type);
    } else if (root.type != avro::Type::kRecord && columns.size() == 1) {
      UuidStringsAsStrings(root, columns[0].type);
    }
  }
  return columns;
}

std::string TrinoTypeName(const HiveType& t) {
  switch (t.kind) {
    case Kind::kInt: return "integer";
    case Kind::kFloat: return "real";
    case Kind::kString: return "varchar";
    case Kind::kBinary: return "varbinary";
    case Kind::kTimestamp: return "timestamp(3)";
    case Kind::kArray: return "array(" + TrinoTypeName(t.children[0].type) + ")";
    case Kind::kMap: return "map(" + TrinoTypeName(t.children[0].type) + ", " + TrinoTypeName(t.children[1].type) + ")";
    case Kind::kStruct: {
      std::string out = "row(";
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i) out += ", ";
        std::string name;
        for (char c : t.children[i].name) name += c == '"' ? std::string("\"\"") : std::string(1, c);
        out += "\"" + name + "\" " + TrinoTypeName(t.children[i].type);
      }
      return out + ")";
    }
    default: return t.ToString();
  }
}

std::string DuckDbTypeName(const HiveType& t) {
  switch (t.kind) {
    case Kind::kBoolean: return "BOOLEAN";
    case Kind::kTinyint: return "TINYINT";
    case Kind::kSmallint: return "SMALLINT";
    case Kind::kInt: return "INTEGER";
    case Kind::kBigint: return "BIGINT";
    case Kind::kFloat: return "FLOAT";
    case Kind::kDouble: return "DOUBLE";
    case Kind::kDecimal: return "DECIMAL(" + std::to_string(t.precision) + "," + std::to_string(t.scale) + ")";
    case Kind::kString: return "VARCHAR";
    case Kind::kBinary: return "BLOB";
    case Kind::kDate: return "DATE";
    case Kind::kTimestamp: return "TIMESTAMP";
    case Kind::kArray: return DuckDbTypeName(t.children[0].type) + "[]";
    case Kind::kMap: return "MAP(" + DuckDbTypeName(t.children[0].type) + ", " + DuckDbTypeName(t.children[1].type) + ")";
    case Kind::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i) out += ", ";
        std::string name;
        for (char c : t.children[i].name) name += c == '"' ? std::string("\"\"") : std::string(1, c);
        out += "\"" + name + "\" " + DuckDbTypeName(t.children[i].type);
      }
      return out + ")";
    }
  }
  return "VARCHAR";
}

MergeResult MergeColumns(const Columns& table, const Columns& incoming) {
  MergeResult out;
  out.columns = table;
  for (const auto& f : incoming) {
    if (HiveField* existing = FindField(out.columns, f.name)) {
      MergeType(existing->type, f.type, f.name, out);
    } else {
      out.columns.push_back(f);
      out.added.push_back(f.name);
    }
  }
  return out;
}

std::string ColumnsToJson(const Columns& columns) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& c : columns) arr.push_back({{"name", c.name}, {"type", c.type.ToString()}});
  return arr.dump();
}

Result<Columns> ColumnsFromJson(std::string_view json) {
  auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) return Error(CatalogError::kParse, "columns: not a JSON array");
  Columns out;
  for (const auto& c : parsed) {
    if (!c.is_object() || !c.contains("name") || !c.contains("type") || !c["name"].is_string() ||
        !c["type"].is_string()) {
      return Error(CatalogError::kParse, "columns: entry without name/type");
    }
    FLOE_ASSIGN_OR_RETURN(HiveType t, ParseHiveType(c["type"].get<std::string>()));
    out.push_back({c["name"].get<std::string>(), std::move(t)});
  }
  return out;
}

}  // namespace floe::catalog
