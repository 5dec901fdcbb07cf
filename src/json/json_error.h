// Errors of the JSON schema subsystem (inference, declared JSON Schemas, the schema history).
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::json {

enum class JsonError {
  kInvalidSchema,  // a declared JSON Schema or a stored .avsc that floe cannot use (names the keyword/path)
  kMismatch,       // a record that does not fit a declared schema (names the field)
  kHistory,        // the schema history is inconsistent (unparsable version key, evolution did not converge)
};

}  // namespace floe::json

template <>
struct floe::ErrorTraits<floe::json::JsonError> {
  static std::string_view Domain() { return "json"; }
  static std::string_view Name(floe::json::JsonError e) {
    using E = floe::json::JsonError;
    switch (e) {
      case E::kInvalidSchema: return "invalid_schema";
      case E::kMismatch: return "mismatch";
      case E::kHistory: return "history";
    }
    return "unknown";
  }
  static bool DefaultRetryable(floe::json::JsonError) { return false; }
};
