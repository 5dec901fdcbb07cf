#include "catalog/file_event_json.h"

#include <nlohmann/json.hpp>

#include "catalog/catalog_error.h"

namespace floe::catalog {

std::string FileEventToJson(const archive::FileCommittedEvent& e) {
  nlohmann::json values = nlohmann::json::array();
  for (const auto& [k, v] : e.partition_values) values.push_back({k, v});
  nlohmann::json j = {{"topic", e.topic},
                      {"partition", e.partition},
                      {"database", e.database},
                      {"table", e.table},
                      {"schema_version", e.schema_version},
                      {"partition_values", values},
                      {"key", e.key},
                      {"format", e.format},
                      {"records", e.records},
                      {"bytes", e.bytes},
                      {"first_offset", e.first_offset},
                      {"last_offset", e.last_offset},
                      {"min_business_time_micros", e.min_business_time_micros},
                      {"max_business_time_micros", e.max_business_time_micros}};
  return j.dump();
}

Result<archive::FileCommittedEvent> FileEventFromJson(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(CatalogError::kParse, "file event: not a JSON object");
  archive::FileCommittedEvent e;
  auto str = [&](const char* name, std::string& out, bool required) -> Status {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (required) return Error(CatalogError::kParse, std::string("file event: missing '") + name + "'");
      return Status::Ok();
    }
    if (!it->is_string()) return Error(CatalogError::kParse, std::string("file event: '") + name + "' not a string");
    out = it->get<std::string>();
    return Status::Ok();
  };
  auto num = [&](const char* name, auto& out) -> Status {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_number_integer()) {
      return Error(CatalogError::kParse, std::string("file event: '") + name + "' not an integer");
    }
    out = it->get<std::remove_reference_t<decltype(out)>>();
    return Status::Ok();
  };
  FLOE_RETURN_IF_ERROR(str("topic", e.topic, true));
  FLOE_RETURN_IF_ERROR(str("database", e.database, true));
  FLOE_RETURN_IF_ERROR(str("table", e.table, true));
  FLOE_RETURN_IF_ERROR(str("key", e.key, true));
  FLOE_RETURN_IF_ERROR(str("schema_version", e.schema_version, false));
  FLOE_RETURN_IF_ERROR(str("format", e.format, false));
  FLOE_RETURN_IF_ERROR(num("partition", e.partition));
  FLOE_RETURN_IF_ERROR(num("records", e.records));
  FLOE_RETURN_IF_ERROR(num("bytes", e.bytes));
  FLOE_RETURN_IF_ERROR(num("first_offset", e.first_offset));
  FLOE_RETURN_IF_ERROR(num("last_offset", e.last_offset));
  FLOE_RETURN_IF_ERROR(num("min_business_time_micros", e.min_business_time_micros));
  FLOE_RETURN_IF_ERROR(num("max_business_time_micros", e.max_business_time_micros));
  if (auto it = j.find("partition_values"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return Error(CatalogError::kParse, "file event: 'partition_values' not an array");
    for (const auto& pair : *it) {
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string()) {
        return Error(CatalogError::kParse, "file event: 'partition_values' entries must be [name, value]");
      }
      e.partition_values.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
  }
  return e;
}

}  // namespace floe::catalog
