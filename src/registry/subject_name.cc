#include "registry/subject_name.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "registry/registry_error.h"

namespace floe::registry {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

Result<SubjectNameStrategy> ParseSubjectNameStrategy(std::string_view name) {
  std::string n = Lower(name);
  if (auto dot = n.rfind('.'); dot != std::string::npos) n = n.substr(dot + 1);
  std::erase(n, '_');
  if (n == "topicnamestrategy" || n == "topicname" || n == "topic") return SubjectNameStrategy::kTopicName;
  if (n == "recordnamestrategy" || n == "recordname" || n == "record") return SubjectNameStrategy::kRecordName;
  if (n == "topicrecordnamestrategy" || n == "topicrecordname" || n == "topicrecord") {
    return SubjectNameStrategy::kTopicRecordName;
  }
  return Error(RegistryError::kInvalidArgument, "unknown subject name strategy '" + std::string(name) + "'");
}

Result<std::string> AvroFullName(std::string_view avro_schema_json) {
  nlohmann::json schema = nlohmann::json::parse(avro_schema_json, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded()) return Error(RegistryError::kInvalidArgument, "schema is not JSON");
  if (!schema.is_object() || !schema.contains("name") || !schema["name"].is_string()) {
    return Error(RegistryError::kInvalidArgument,
                 "schema has no name (record name strategies need a record, enum or fixed schema)");
  }
  std::string name = schema["name"].get<std::string>();
  // A dotted name is already full; otherwise the namespace qualifies it.
  if (name.find('.') != std::string::npos) return name;
  auto ns = schema.find("namespace");
  if (ns != schema.end() && ns->is_string() && !ns->get<std::string>().empty()) {
    return ns->get<std::string>() + "." + name;
  }
  return name;
}

std::string SubjectFor(SubjectNameStrategy strategy, std::string_view topic, bool is_key,
                       std::string_view record_full_name) {
  switch (strategy) {
    case SubjectNameStrategy::kTopicName: return std::string(topic) + (is_key ? "-key" : "-value");
    case SubjectNameStrategy::kRecordName: return std::string(record_full_name);
    case SubjectNameStrategy::kTopicRecordName: return std::string(topic) + "-" + std::string(record_full_name);
  }
  return {};
}

}  // namespace floe::registry
