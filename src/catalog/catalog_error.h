// The catalog module's error enum.
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::catalog {

enum class CatalogError {
  kInvalidArgument,  // bad URL, bad pattern, unknown dialect, unknown table
  kNotFound,         // no such table
  kDatabase,         // the SQL store refused a statement (constraint, syntax): retrying will not help
  kUnavailable,      // the SQL server is unreachable or the connection dropped: retry later
  kParse,            // a key, an event or a schema the catalog cannot read
  kSchemaConflict,   // a schema version whose columns cannot be merged into the table
  kPublish,          // a publisher (Glue, webhook) refused a request
};

}  // namespace floe::catalog

template <>
struct floe::ErrorTraits<floe::catalog::CatalogError> {
  static std::string_view Domain() { return "catalog"; }
  static std::string_view Name(floe::catalog::CatalogError e) {
    using E = floe::catalog::CatalogError;
    switch (e) {
      case E::kInvalidArgument: return "invalid_argument";
      case E::kNotFound: return "not_found";
      case E::kDatabase: return "database";
      case E::kUnavailable: return "unavailable";
      case E::kParse: return "parse";
      case E::kSchemaConflict: return "schema_conflict";
      case E::kPublish: return "publish";
    }
    return "unknown";
  }
  static bool DefaultRetryable(floe::catalog::CatalogError e) {
    return e == floe::catalog::CatalogError::kUnavailable;
  }
};
