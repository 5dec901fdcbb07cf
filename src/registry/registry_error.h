// The registry module's error enum, shared by the Schema Registry client and the embedded server.
//
// Codes mirror Confluent's error_code values where one exists, so a client error says exactly what the
// registry said, and the server answers with the code Confluent's own clients expect.
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::registry {

enum class RegistryError {
  kSubjectNotFound,            // 40401
  kVersionNotFound,            // 40402
  kSchemaNotFound,             // 40403: unknown schema id, or schema not registered under the subject
  kSubjectLevelConfigNotFound, // 40408
  kSubjectNotSoftDeleted,      // 40405: permanent delete of a subject that was not soft-deleted first
  kVersionNotSoftDeleted,      // 40407: same for one version
  kIncompatibleSchema,         // 409
  kInvalidSchema,              // 42201
  kInvalidVersion,             // 42202
  kInvalidCompatibilityLevel,  // 42203
  kUnauthorized,               // HTTP 401 / 403
  kUnavailable,                // connection refused, timeout, 5xx, 429: the registry may come back
  kBadResponse,                // the registry answered something that is not the documented JSON
  kBadRequest,                 // other 4xx: the request itself is wrong, retrying will not help
  kInvalidArgument,            // floe-side misuse: bad URL, bad option, unparsable schema JSON
  kStore,                      // embedded server: the SQLite store failed
};

// Confluent's numeric error codes.
inline constexpr int kCodeSubjectNotFound = 40401;
inline constexpr int kCodeVersionNotFound = 40402;
inline constexpr int kCodeSchemaNotFound = 40403;
inline constexpr int kCodeSubjectSoftDeleted = 40404;
inline constexpr int kCodeSubjectNotSoftDeleted = 40405;
inline constexpr int kCodeVersionSoftDeleted = 40406;
inline constexpr int kCodeVersionNotSoftDeleted = 40407;
inline constexpr int kCodeSubjectLevelConfigNotFound = 40408;
inline constexpr int kCodeIncompatibleSchema = 409;
inline constexpr int kCodeInvalidSchema = 42201;
inline constexpr int kCodeInvalidVersion = 42202;
inline constexpr int kCodeInvalidCompatibilityLevel = 42203;
inline constexpr int kCodeStoreError = 50001;

// Maps an HTTP status and Confluent error_code (0 when the body had none) to floe's enum.
RegistryError ErrorFromConfluent(int http_status, int error_code);

// The HTTP status and Confluent error_code the embedded server answers with for an error.
struct ConfluentCode {
  int http_status;
  int error_code;
};
ConfluentCode ConfluentCodeFor(RegistryError error);

}  // namespace floe::registry

template <>
struct floe::ErrorTraits<floe::registry::RegistryError> {
  static std::string_view Domain() { return "registry"; }
  static std::string_view Name(floe::registry::RegistryError e);
  static bool DefaultRetryable(floe::registry::RegistryError e) {
    return e == floe::registry::RegistryError::kUnavailable;
  }
};
