#include "json/json_schema.h"

#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "json/inferred_schema.h"
#include "json/json_error.h"

namespace floe::json {

// simdjson 3.0 results have no value_or.
inline std::string_view StrOr(simdjson::simdjson_result<std::string_view> r, std::string_view fallback) {
  std::string_view s;
  return std::move(r).get(s) == simdjson::SUCCESS ? s : fallback;
}

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodePtr;
using columnar::PhysicalType;

namespace {

Status Invalid(const std::string& path, std::string_view what) {
  return Error(JsonError::kInvalidSchema, "JSON Schema at " + (path.empty() ? std::string("(root)") : path) + ": " +
                                              std::string(what));
}

NodePtr AnyJson(std::string name, bool nullable) {
  return Node::Primitive(std::move(name), PhysicalType::kByteArray, nullable, LogicalKind::kJson);
}

class Parser {
 public:
  DeclaredSchema out;

  Result<NodePtr> Parse(const simdjson::dom::element& s, std::string name, const std::string& path, bool required) {
    if (!s.is_object()) return Invalid(path, "a schema must be an object");
    simdjson::dom::object schema = s.get_object().value_unsafe();
    for (const char* k : {"$ref", "oneOf", "anyOf", "allOf", "not", "patternProperties"})
      if (schema[k].error() == simdjson::SUCCESS) return Invalid(path, std::string("unsupported keyword ") + k);
    // The non-null type names.
    std::vector<std::string_view> types;
    bool null_allowed = false;
    simdjson::dom::element type;
    if (schema["type"].get(type) == simdjson::SUCCESS) {
      auto add = [&](simdjson::dom::element t) -> Status {
        std::string_view name;
        if (t.get(name) != simdjson::SUCCESS) return Invalid(path, "type must be a string or a list of strings");
        if (name == "null")
          null_allowed = true;
        else
          types.push_back(name);
        return Status::Ok();
      };
      if (type.is_array()) {
        for (simdjson::dom::element t : simdjson::dom::array(type.get_array().value_unsafe())) FLOE_RETURN_IF_ERROR(add(t));
      } else {
        FLOE_RETURN_IF_ERROR(add(type));
      }
    } else if (schema["properties"].error() == simdjson::SUCCESS) {
      types.push_back("object");
    } else if (schema["items"].error() == simdjson::SUCCESS) {
      types.push_back("array");
    } else if (schema["enum"].error() == simdjson::SUCCESS) {
      types.push_back("string");
    }
    const bool nullable = !required || null_allowed;
    if (types.size() != 1) return AnyJson(std::move(name), nullable);
    const std::string_view t = types[0];
    if (t == "boolean") return BooleanType(std::move(name), nullable);
    if (t == "integer") return LongType(std::move(name), nullable);
    if (t == "number") return DoubleType(std::move(name), nullable);
    if (t == "string") {
      std::string_view format = StrOr(schema["format"].get_string(), "");
      if (format == "date-time")
        return Node::Primitive(std::move(name), PhysicalType::kInt64, nullable, LogicalKind::kTimestampMicros);
      simdjson::dom::array symbols;
      if (schema["enum"].get(symbols) == simdjson::SUCCESS) {
        auto n = Node::Primitive(std::move(name), PhysicalType::kByteArray, nullable, LogicalKind::kEnum);
        for (simdjson::dom::element e : symbols) {
          std::string_view sym;
          if (e.get(sym) != simdjson::SUCCESS) {
            if (e.is_null()) continue;  // "enum": ["a", null] is how some tools spell nullable enums
            return Invalid(path, "enum values must be strings");
          }
          n->symbols.emplace_back(sym);
        }
        return n;
      }
      return StringType(std::move(name), nullable);
    }
    if (t == "array") {
      simdjson::dom::element items;
      if (schema["items"].get(items) != simdjson::SUCCESS || !items.is_object())
        return AnyJson(std::move(name), nullable);
      auto element = Parse(items, "element", path + "[]", false);
      if (!element.ok()) return element.status();
      return Node::List(std::move(name), std::move(element).value(), nullable);
    }
    if (t == "object") {
      simdjson::dom::object properties;
      if (schema["properties"].get(properties) != simdjson::SUCCESS || properties.size() == 0)
        return AnyJson(std::move(name), nullable);
      std::vector<std::string_view> required_names;
      simdjson::dom::array req;
      if (schema["required"].get(req) == simdjson::SUCCESS)
        for (simdjson::dom::element r : req) required_names.push_back(StrOr(r.get_string(), ""));
      std::vector<NodePtr> fields;
      for (simdjson::dom::key_value_pair p : properties) {
        const bool is_required = std::find(required_names.begin(), required_names.end(), p.key) != required_names.end();
        auto field = Parse(p.value, std::string(p.key), path.empty() ? std::string(p.key) : path + "." + std::string(p.key),
                           is_required);
        if (!field.ok()) return field.status();
        fields.push_back(std::move(field).value());
      }
      auto record = Node::Record(std::move(name), std::move(fields), nullable);
      bool additional = true;
      if (schema["additionalProperties"].get(additional) == simdjson::SUCCESS && !additional)
        out.closed.insert(record.get());
      return record;
    }
    return Invalid(path, "unknown type \"" + std::string(t) + "\"");
  }
};

}  // namespace

Result<DeclaredSchema> ParseJsonSchema(std::string_view text, std::string root_name) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(text.data(), text.size()).get(doc); err != simdjson::SUCCESS)
    return Error(JsonError::kInvalidSchema, std::string("JSON Schema is not JSON: ") + simdjson::error_message(err));
  Parser p;
  auto root = p.Parse(doc, std::move(root_name), "", true);
  if (!root.ok()) return root.status();
  if ((*root)->kind != columnar::NodeKind::kRecord)
    return Error(JsonError::kInvalidSchema, "JSON Schema: the top level must be an object with properties");
  p.out.root = std::move(root).value();
  return std::move(p.out);
}

Result<DeclaredSchema> LoadJsonSchemaFile(const std::string& path, std::string root_name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus("open JSON Schema", path, errno);
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParseJsonSchema(text.str(), std::move(root_name));
  if (!parsed.ok()) return parsed.status().WithContext(path);
  return parsed;
}

}  // namespace floe::json
