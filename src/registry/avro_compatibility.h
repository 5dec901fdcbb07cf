// AvroSchemaCompatibility: the registry's SchemaCompatibility implemented with floe's Avro library, so the
// embedded registry validates, normalises and checks Avro schemas exactly as the archiver reads them.
#pragma once

#include "registry/schema_compatibility.h"

namespace floe::registry {

class AvroSchemaCompatibility final : public SchemaCompatibility {
 public:
  Result<CompatVerdict> Check(std::string_view schema_type, const std::string& candidate_schema,
                              const std::vector<std::string>& existing_oldest_first, std::string_view level) override;
  // The schema's full JSON (not the Parsing Canonical Form, which drops defaults: schemas differing only in
  // defaults must get different ids).
  Result<std::string> Canonicalize(std::string_view schema_type, const std::string& schema) override;
};

}  // namespace floe::registry
