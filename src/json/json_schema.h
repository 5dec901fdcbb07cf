// Declared schemas: the common subset of JSON Schema (draft 4 to 2020-12) mapped to floe's type model, for
// topics whose shape is fixed by contract instead of inferred.
//
//   type (a name, or a list of names with "null")   object + properties (in file order) + required
//   additionalProperties: false (unknown members are errors; otherwise they are ignored)
//   array + items (one schema)   string (format date-time → timestamp-micros UTC; enum → enum of strings)
//   integer → long   number → double   boolean
//   a schema with no type, several non-null types, an object without properties or an array without items
//   → a JSON-text column (logical JSON) that accepts any value
// A property is nullable unless it is listed in `required` and its type does not allow null. $ref, oneOf,
// anyOf, allOf, not and patternProperties are rejected with kInvalidSchema naming the path.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "columnar/schema.h"
#include "common/status.h"

namespace floe::json {

struct DeclaredSchema {
  columnar::NodePtr root;                           // a required record
  std::unordered_set<const columnar::Node*> closed;  // records with additionalProperties: false
};

// `root_name` names the root record (and so the Avro record of the persisted schema).
Result<DeclaredSchema> ParseJsonSchema(std::string_view text, std::string root_name);
// Reads and parses a JSON Schema file.
Result<DeclaredSchema> LoadJsonSchemaFile(const std::string& path, std::string root_name);

}  // namespace floe::json
