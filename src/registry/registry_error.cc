#include "registry/registry_error.h"

namespace floe::registry {

RegistryError ErrorFromConfluent(int http_status, int error_code) {
  switch (error_code) {
    case kCodeSubjectNotFound:
    case kCodeSubjectSoftDeleted: return RegistryError::kSubjectNotFound;
    case kCodeVersionNotFound:
    case kCodeVersionSoftDeleted: return RegistryError::kVersionNotFound;
    case kCodeSchemaNotFound: return RegistryError::kSchemaNotFound;
    case kCodeSubjectLevelConfigNotFound: return RegistryError::kSubjectLevelConfigNotFound;
    case kCodeSubjectNotSoftDeleted: return RegistryError::kSubjectNotSoftDeleted;
    case kCodeVersionNotSoftDeleted: return RegistryError::kVersionNotSoftDeleted;
    case kCodeIncompatibleSchema: return RegistryError::kIncompatibleSchema;
    case kCodeInvalidSchema: return RegistryError::kInvalidSchema;
    case kCodeInvalidVersion: return RegistryError::kInvalidVersion;
    case kCodeInvalidCompatibilityLevel: return RegistryError::kInvalidCompatibilityLevel;
    default: break;
  }
  if (http_status == 401 || http_status == 403) return RegistryError::kUnauthorized;
  if (http_status == 408 || http_status == 429 || http_status >= 500) return RegistryError::kUnavailable;
  if (http_status == 409) return RegistryError::kIncompatibleSchema;
  return RegistryError::kBadRequest;
}

ConfluentCode ConfluentCodeFor(RegistryError error) {
  switch (error) {
    case RegistryError::kSubjectNotFound: return {404, kCodeSubjectNotFound};
    case RegistryError::kVersionNotFound: return {404, kCodeVersionNotFound};
    case RegistryError::kSchemaNotFound: return {404, kCodeSchemaNotFound};
    case RegistryError::kSubjectLevelConfigNotFound: return {404, kCodeSubjectLevelConfigNotFound};
    case RegistryError::kSubjectNotSoftDeleted: return {404, kCodeSubjectNotSoftDeleted};
    case RegistryError::kVersionNotSoftDeleted: return {404, kCodeVersionNotSoftDeleted};
    case RegistryError::kIncompatibleSchema: return {409, kCodeIncompatibleSchema};
    case RegistryError::kInvalidSchema: return {422, kCodeInvalidSchema};
    case RegistryError::kInvalidVersion: return {422, kCodeInvalidVersion};
    case RegistryError::kInvalidCompatibilityLevel: return {422, kCodeInvalidCompatibilityLevel};
    case RegistryError::kUnauthorized: return {401, 401};
    case RegistryError::kBadRequest:
    case RegistryError::kInvalidArgument: return {400, 400};
    case RegistryError::kUnavailable: return {503, 50003};
    case RegistryError::kBadResponse:
    case RegistryError::kStore: return {500, kCodeStoreError};
  }
  return {500, kCodeStoreError};
}

}  // namespace floe::registry

std::string_view floe::ErrorTraits<floe::registry::RegistryError>::Name(floe::registry::RegistryError e) {
  using floe::registry::RegistryError;
  switch (e) {
    case RegistryError::kSubjectNotFound: return "subject_not_found";
    case RegistryError::kVersionNotFound: return "version_not_found";
    case RegistryError::kSchemaNotFound: return "schema_not_found";
    case RegistryError::kSubjectLevelConfigNotFound: return "subject_level_config_not_found";
    case RegistryError::kSubjectNotSoftDeleted: return "subject_not_soft_deleted";
    case RegistryError::kVersionNotSoftDeleted: return "version_not_soft_deleted";
    case RegistryError::kIncompatibleSchema: return "incompatible_schema";
    case RegistryError::kInvalidSchema: return "invalid_schema";
    case RegistryError::kInvalidVersion: return "invalid_version";
    case RegistryError::kInvalidCompatibilityLevel: return "invalid_compatibility_level";
    case RegistryError::kUnauthorized: return "unauthorized";
    case RegistryError::kUnavailable: return "unavailable";
    case RegistryError::kBadResponse: return "bad_response";
    case RegistryError::kBadRequest: return "bad_request";
    case RegistryError::kInvalidArgument: return "invalid_argument";
    case RegistryError::kStore: return "store";
  }
  return "unknown";
}
