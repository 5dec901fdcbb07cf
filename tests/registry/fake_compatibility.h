// FieldSetCompatibility: a test stand-in for the Avro compatibility checker (src/avro), deliberately small.
//
// What it checks, and nothing more:
// - Canonicalize: the text is JSON; the normalised form is the JSON re-serialised (sorted keys, no spaces).
// - Check: only the top-level "fields" of record schemas, by name.
//     BACKWARD*: a field the candidate adds (absent from the old schema) must have a "default".
//     FORWARD*:  a field the candidate drops (present in the old schema) must have had a "default" there.
//     FULL*:     both. *_TRANSITIVE: against every existing schema; other levels: against the last one.
//     NONE:      always compatible.
//   Field types, nested records, unions, enums and type promotions are NOT checked.
#pragma once

#include <atomic>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/registry_error.h"
#include "registry/schema_compatibility.h"

namespace floe::registry::testing {

class FieldSetCompatibility final : public SchemaCompatibility {
 public:
  Result<CompatVerdict> Check(std::string_view schema_type, const std::string& candidate,
                              const std::vector<std::string>& existing_oldest_first,
                              std::string_view level) override {
    ++checks;
    nlohmann::json cand = nlohmann::json::parse(candidate, nullptr, false);
    if (cand.is_discarded()) return Error(RegistryError::kInvalidSchema, "candidate is not JSON");
    CompatVerdict verdict;
    if (level == "NONE" || existing_oldest_first.empty()) return verdict;
    const bool transitive = level.ends_with("_TRANSITIVE");
    const bool backward = level.starts_with("BACKWARD") || level.starts_with("FULL");
    const bool forward = level.starts_with("FORWARD") || level.starts_with("FULL");
    size_t first = transitive ? 0 : existing_oldest_first.size() - 1;
    for (size_t i = first; i < existing_oldest_first.size(); ++i) {
      nlohmann::json old = nlohmann::json::parse(existing_oldest_first[i], nullptr, false);
      if (old.is_discarded()) return Error(RegistryError::kInvalidSchema, "existing schema is not JSON");
      if (backward) MissingDefaults(cand, old, "added", verdict);
      if (forward) MissingDefaults(old, cand, "dropped", verdict);
    }
    verdict.compatible = verdict.messages.empty();
    return verdict;
  }

  Result<std::string> Canonicalize(std::string_view, const std::string& schema) override {
    nlohmann::json parsed = nlohmann::json::parse(schema, nullptr, false);
    if (parsed.is_discarded()) return Error(RegistryError::kInvalidSchema, "schema is not JSON");
    return parsed.dump();
  }

  std::atomic<int> checks{0};

 private:
  // Fields of `has` that `lacks` does not have must carry a default in `has`.
  static void MissingDefaults(const nlohmann::json& has, const nlohmann::json& lacks, const char* verb,
                              CompatVerdict& verdict) {
    std::set<std::string> names;
    for (const auto& f : Fields(lacks)) names.insert(f.value("name", ""));
    for (const auto& f : Fields(has)) {
      if (!names.count(f.value("name", "")) && !f.contains("default")) {
        verdict.messages.push_back("field '" + f.value("name", "") + "' " + verb + " without a default");
      }
    }
  }
  static nlohmann::json Fields(const nlohmann::json& schema) {
    if (schema.is_object() && schema.contains("fields") && schema["fields"].is_array()) return schema["fields"];
    return nlohmann::json::array();
  }
};

}  // namespace floe::registry::testing
