#include "archive/field_transforms.h"

#include <simdjson.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "archive/archive_error.h"

namespace floe::archive {
namespace {

void AppendKey(std::string_view key, std::string& out) {
  out += '"';
  for (char c : key) {
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

Result<FieldTransforms> FieldTransforms::Create(const std::vector<std::string>& exclude,
                                                const std::vector<std::string>& renames) {
  FieldTransforms t;
  for (const auto& e : exclude) t.exclude_.insert(e);
  for (const auto& r : renames) {
    const size_t colon = r.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == r.size() || r.find(':', colon + 1) != std::string::npos)
      return Error(ArchiveError::kConfig, "fields.rename entry '" + r + "' is not old:new");
    const std::string from = r.substr(0, colon), to = r.substr(colon + 1);
    if (t.exclude_.count(from)) return Error(ArchiveError::kConfig, "field '" + from + "' is both excluded and renamed");
    if (!t.rename_.emplace(from, to).second)
      return Error(ArchiveError::kConfig, "field '" + from + "' is renamed twice in fields.rename");
  }
  return t;
}

Status FieldTransforms::ApplyToJson(std::string_view in, std::string& out) const {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(in.data(), in.size()).get(object) != simdjson::SUCCESS)
    return Error(ArchiveError::kMalformedPayload, "value is not a JSON object");
  out.clear();
  out += '{';
  for (auto [key, value] : object) {
    if (exclude_.count(key)) continue;
    if (out.size() > 1) out += ',';
    auto renamed = rename_.find(key);
    AppendKey(renamed != rename_.end() ? std::string_view(renamed->second) : key, out);
    out += ':';
    out += simdjson::minify(value);
  }
  out += '}';
  return Status::Ok();
}

Result<std::string> FieldTransforms::ApplyToAvroSchema(const std::string& writer_schema) const {
  nlohmann::json schema = nlohmann::json::parse(writer_schema, nullptr, false);
  if (schema.is_discarded() || !schema.is_object() || schema.value("type", "") != "record" ||
      !schema.contains("fields") || !schema["fields"].is_array())
    return Error(ArchiveError::kConfig, "fields.exclude/fields.rename need a record schema at the top level");
  nlohmann::json fields = nlohmann::json::array();
  for (auto& field : schema["fields"]) {
    const std::string name = field.value("name", "");
    if (exclude_.count(name)) continue;
    if (auto r = rename_.find(name); r != rename_.end()) {
      field["aliases"] = nlohmann::json::array({name});
      field["name"] = r->second;
    }
    fields.push_back(std::move(field));
  }
  schema["fields"] = std::move(fields);
  return schema.dump();
}

}  // namespace floe::archive
