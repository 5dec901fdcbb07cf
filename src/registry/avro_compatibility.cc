#include "registry/avro_compatibility.h"

#include "avro/compatibility.h"
#include "avro/schema.h"
#include "registry/registry_error.h"

namespace floe::registry {
namespace {

Status RequireAvro(std::string_view schema_type) {
  if (schema_type == "AVRO") return Status::Ok();
  return Error(RegistryError::kInvalidSchema, "schemaType " + std::string(schema_type) + " is not supported (only AVRO)");
}

Result<avro::Schema> ParseAvro(const std::string& text) {
  auto schema = avro::Schema::Parse(text);
  if (!schema.ok()) return Error(RegistryError::kInvalidSchema, "invalid Avro schema: " + schema.status().message());
  return schema;
}

}  // namespace

Result<CompatVerdict> AvroSchemaCompatibility::Check(std::string_view schema_type, const std::string& candidate_schema,
                                                     const std::vector<std::string>& existing_oldest_first,
                                                     std::string_view level) {
  FLOE_RETURN_IF_ERROR(RequireAvro(schema_type));
  const auto parsed_level = avro::ParseCompatibilityLevel(level);
  if (!parsed_level)
    return Error(RegistryError::kInvalidCompatibilityLevel, "unknown compatibility level " + std::string(level));
  FLOE_ASSIGN_OR_RETURN(avro::Schema candidate, ParseAvro(candidate_schema));
  std::vector<avro::Schema> existing;
  for (const auto& text : existing_oldest_first) {
    FLOE_ASSIGN_OR_RETURN(avro::Schema s, ParseAvro(text));
    existing.push_back(std::move(s));
  }
  avro::CompatibilityResult r = avro::CheckCompatibility(candidate, existing, *parsed_level);
  return CompatVerdict{r.compatible, std::move(r.messages)};
}

Result<std::string> AvroSchemaCompatibility::Canonicalize(std::string_view schema_type, const std::string& schema) {
  FLOE_RETURN_IF_ERROR(RequireAvro(schema_type));
  FLOE_ASSIGN_OR_RETURN(avro::Schema parsed, ParseAvro(schema));
  return parsed.ToJson();
}

}  // namespace floe::registry
