// SchemaCompatibility: the seam between the embedded registry server and a schema language implementation.
//
// The server knows nothing about Avro (or JSON Schema, Protobuf); it asks this interface whether a schema is
// valid, what its normalised text is, and whether it may follow the versions already under a subject. The
// Avro implementation lives in src/avro and is wired in by whoever starts the server.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::registry {

struct CompatVerdict {
  bool compatible = true;
  // Human-readable reasons when incompatible (Confluent returns them with ?verbose=true and in 409 bodies).
  std::vector<std::string> messages;
};

class SchemaCompatibility {
 public:
  virtual ~SchemaCompatibility() = default;

  // Checks `candidate_schema` against the schemas already under a subject, oldest first, under `level` (one of
  // kCompatibilityLevels). The implementation applies the level: non-transitive levels compare with the last
  // element only, *_TRANSITIVE with all of them, NONE always passes. `existing_oldest_first` is never empty.
  // Returns an error (RegistryError::kInvalidSchema) only when a schema cannot be parsed.
  virtual Result<CompatVerdict> Check(std::string_view schema_type, const std::string& candidate_schema,
                                      const std::vector<std::string>& existing_oldest_first,
                                      std::string_view level) = 0;

  // Validates the schema and returns its normalised text. Two registrations whose normalised texts are equal
  // get the same global id, so the normalised form must keep everything a reader depends on (defaults,
  // aliases, logical types), unlike the Avro Parsing Canonical Form, which drops defaults.
  // Returns RegistryError::kInvalidSchema when the text is not a valid schema of `schema_type`.
  virtual Result<std::string> Canonicalize(std::string_view schema_type, const std::string& schema) = 0;
};

// Confluent's compatibility levels, in its spelling.
inline constexpr std::string_view kCompatibilityLevels[] = {
    "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"};

// The canonical spelling of `level` (case-insensitive), or nullopt when it is not a Confluent level.
std::optional<std::string_view> ParseCompatibilityLevel(std::string_view level);

}  // namespace floe::registry
