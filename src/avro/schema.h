// Avro schemas (Apache Avro 1.11 specification, "Schema Declaration" and "Parsing Canonical Form").
//
// Schema::Parse turns schema JSON into an immutable graph of TypeNodes. Named types (record, enum, fixed) are
// defined once and referenced by pointer, so recursive types are cycles in the graph. Defaults are validated
// against their field's type when parsing (a union default must match the union's first branch, as 1.11
// says). A logical type that is invalid for its underlying type (decimal with scale > precision, date on a
// string, an unknown name...) is dropped and the underlying type is used, as the spec requires.
//
// A Schema is cheap to copy (it shares its graph) and safe to read from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "avro/error.h"
#include "common/status.h"

namespace floe::avro {

enum class Type : uint8_t {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

enum class LogicalType : uint8_t {
  kNone,
  kDecimal,               // bytes or fixed; precision, scale
  kUuid,                  // string (or fixed 16)
  kDate,                  // int
  kTimeMillis,            // int
  kTimeMicros,            // long
  kTimestampMillis,       // long
  kTimestampMicros,       // long
  kLocalTimestampMillis,  // long
  kLocalTimestampMicros,  // long
  kDuration,              // fixed 12
};

// "int", "record", ... as the spec spells them.
std::string_view TypeName(Type t);
// "timestamp-millis", ... ("" for kNone).
std::string_view LogicalTypeName(LogicalType t);

struct TypeNode;

struct Field {
  std::string name;
  std::vector<std::string> aliases;
  std::string doc;
  const TypeNode* type = nullptr;
  std::optional<nlohmann::json> default_value;  // validated against `type`
  size_t position = 0;                          // index in the record
};

struct TypeNode {
  Type type = Type::kNull;
  LogicalType logical = LogicalType::kNone;
  int32_t precision = 0;  // kDecimal
  int32_t scale = 0;      // kDecimal

  // Named types (record, enum, fixed).
  std::string name;       // simple name
  std::string space;      // namespace ("" when none)
  std::string full_name;  // space.name
  std::vector<std::string> aliases;  // full names
  std::string doc;

  std::vector<Field> fields;                // kRecord
  std::vector<std::string> symbols;         // kEnum
  std::optional<std::string> enum_default;  // kEnum
  const TypeNode* items = nullptr;          // kArray
  const TypeNode* values = nullptr;         // kMap
  std::vector<const TypeNode*> branches;    // kUnion
  int32_t size = 0;                         // kFixed

  bool is_named() const { return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed; }
  // The field called `name`, or nullptr.
  const Field* FindField(std::string_view field_name) const;
  // Index of the branch of type kNull in a union, or -1.
  int NullBranch() const;
  // For ["null", T] and [T, "null"]: T. Otherwise nullptr.
  const TypeNode* NullableOf() const;
  // The name this type has as a union branch: the full name for named types, TypeName() otherwise.
  std::string BranchName() const;
};

class Schema {
 public:
  Schema() = default;

  // Parses schema JSON text. Errors are AvroError::kInvalidSchema with the offending path in the message.
  static Result<Schema> Parse(std::string_view json_text);
  static Result<Schema> FromJson(const nlohmann::json& json);

  bool valid() const { return root_ != nullptr; }
  const TypeNode& root() const { return *root_; }
  const TypeNode* root_ptr() const { return root_; }

  // The named type with this full name, or nullptr.
  const TypeNode* FindNamed(std::string_view full_name) const;

  // Parsing Canonical Form (spec "Transforming into Parsing Canonical Form").
  const std::string& CanonicalForm() const { return *canonical_; }
  // CRC-64-AVRO (Rabin) fingerprint of the canonical form.
  uint64_t Fingerprint64() const { return fingerprint_; }
  // The full schema as JSON again (with logical types, defaults, docs, aliases); names fully qualified on
  // first definition, references by full name afterwards.
  std::string ToJson() const;

 private:
  struct Graph {
    std::vector<std::unique_ptr<TypeNode>> nodes;
  };
  std::shared_ptr<const Graph> graph_;
  const TypeNode* root_ = nullptr;
  std::shared_ptr<const std::string> canonical_;
  uint64_t fingerprint_ = 0;
};

// The fewest bytes a datum of this type can take (0 only for null and records of such fields; a union index
// alone takes one byte). Decoders use it to reject item counts larger than the bytes left.
size_t MinEncodedSize(const TypeNode& type);

// The fewest bytes that hold every unscaled value of a decimal of `precision` digits (|v| < 10^precision) in
// two's complement: the FIXED_LEN_BYTE_ARRAY length such decimals get in Parquet.
int32_t DecimalFixedSize(int32_t precision);

// CRC-64-AVRO of arbitrary bytes (the spec's fingerprinting algorithm).
uint64_t Rabin64(std::string_view bytes);

}  // namespace floe::avro
