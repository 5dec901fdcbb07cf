// Schema Registry compatibility levels (Confluent semantics) on top of Avro schema resolution.
//
//   BACKWARD   the candidate (new reader) can read data written with the latest existing schema
//   FORWARD    the latest existing schema (as reader) can read data written with the candidate
//   FULL       both
//   *_TRANSITIVE  the same against every existing schema, not only the latest
//   NONE       anything goes
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "avro/schema.h"

namespace floe::avro {

enum class CompatibilityLevel {
  kNone,
  kBackward,
  kForward,
  kFull,
  kBackwardTransitive,
  kForwardTransitive,
  kFullTransitive,
};

// "BACKWARD", "full_transitive", ... (case-insensitive). nullopt for anything else.
std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view text);
// The registry's spelling: "BACKWARD", "FULL_TRANSITIVE", ...
std::string_view CompatibilityLevelName(CompatibilityLevel level);

struct CompatibilityResult {
  bool compatible = true;
  // One line per problem, naming the existing schema version (1-based, oldest first), the direction and
  // the field, e.g. "version 2, new schema reading old data: field 'price' of record 'Ad': writer type
  // string cannot be read as long".
  std::vector<std::string> messages;
};

CompatibilityResult CheckCompatibility(const Schema& candidate, const std::vector<Schema>& existing_oldest_first,
                                       CompatibilityLevel level);

}  // namespace floe::avro
