// Schema inference for JSON records: the type of a value, widening two types into one, and the Avro form
// of a schema (how versions are persisted and what Parquet files carry in `avro.schema`).
//
// Inferred schemas use a subset of floe's type model (columnar/schema.h), every node nullable:
//   boolean → kBoolean   integer → kInt64   other number → kDouble   string → kByteArray/kString
//   object  → record (fields in order of first appearance)   array → list of the widened element type
// The rules (src/json/README.md has the table):
//   - null, [], {} and arrays of those carry no type: they never add a field and fit any field.
//   - long + double → double; any other mix of kinds (scalar/scalar, scalar/object, object/array, ...) →
//     string, whose values are the JSON text of non-string values.
//   - integers outside int64 are typed string (their exact digits), never a lossy double.
//   - records merge field by field (existing fields keep their position, new ones are appended in order of
//     appearance); lists widen their element types recursively.
// Widen is deterministic and monotone (the result accepts every value either input accepted), so every
// worker that widens the same schema with the same record gets the same result.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>
#include <vector>

#include "columnar/schema.h"
#include "common/status.h"

namespace floe::json {

// simdjson's DOM rejects integers outside [INT64_MIN, UINT64_MAX] (NUMBER_ERROR). This rewrites
// `text` into `out` with every such integer literal quoted, so the document parses and the value is typed
// string with its exact digits (the rule for integers outside int64). Returns false when nothing was quoted.
bool QuoteBigIntegers(std::string_view text, std::string& out);

// Leaf types of inferred (and declared) schemas.
columnar::NodePtr BooleanType(std::string name, bool nullable = true);
columnar::NodePtr LongType(std::string name, bool nullable = true);
columnar::NodePtr DoubleType(std::string name, bool nullable = true);
columnar::NodePtr StringType(std::string name, bool nullable = true);

// An empty nullable-free root record: the schema before any record was seen.
columnar::NodePtr EmptyRecord(std::string name);

// The type of one value, named `name`; nullptr for values without a type (null, [], {}, [null, []]).
columnar::NodePtr InferValue(const simdjson::dom::element& value, std::string name);
// The type of a top-level object: a required root record, leaving out members named in `skip`.
columnar::NodePtr InferRecord(const simdjson::dom::object& object, std::string name,
                              const std::vector<std::string>& skip);
// Whether a value carries no type (see above): such a value fits any field and never widens a schema.
bool IsTypeless(const simdjson::dom::element& value);

// The narrowest type accepting everything `a` and `b` accept; either may be nullptr (no type). The result
// takes `a`'s name and nullability (inferred types are nullable everywhere except the root).
columnar::NodePtr Widen(const columnar::NodePtr& a, const columnar::NodePtr& b);

// Structural equality (names, kinds, types, nullability, field order).
bool SameType(const columnar::Node& a, const columnar::Node& b);

// The Avro schema (JSON text, deterministic) of a record tree: nullable nodes become ["null", T] with a null
// default, lists arrays, records named <root>_<path>. Names that are not Avro names are sanitised and the
// JSON member name kept in a "floe.json.name" property. kJson leaves are strings with
// "logicalType": "json"; timestamps timestamp-micros; enums Avro enums when their symbols are Avro names.
std::string ToAvroSchema(const columnar::Node& root);
// Reads what ToAvroSchema wrote back into a record tree.
Result<columnar::NodePtr> FromAvroSchema(std::string_view avsc);

}  // namespace floe::json
