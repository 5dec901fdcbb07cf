#include "json/inferred_schema.h"

#include <charconv>
#include <map>
#include <set>

#include "json/json_error.h"

namespace floe::json {

// simdjson 3.0 results have no value_or.
inline std::string_view StrOr(simdjson::simdjson_result<std::string_view> r, std::string_view fallback) {
  std::string_view s;
  return std::move(r).get(s) == simdjson::SUCCESS ? s : fallback;
}

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::NodePtr;
using columnar::PhysicalType;

NodePtr BooleanType(std::string name, bool nullable) {
  return Node::Primitive(std::move(name), PhysicalType::kBoolean, nullable);
}
NodePtr LongType(std::string name, bool nullable) {
  return Node::Primitive(std::move(name), PhysicalType::kInt64, nullable);
}
NodePtr DoubleType(std::string name, bool nullable) {
  return Node::Primitive(std::move(name), PhysicalType::kDouble, nullable);
}
NodePtr StringType(std::string name, bool nullable) {
  return Node::Primitive(std::move(name), PhysicalType::kByteArray, nullable, LogicalKind::kString);
}
NodePtr EmptyRecord(std::string name) { return Node::Record(std::move(name), {}, false); }

bool QuoteBigIntegers(std::string_view text, std::string& out) {
  out.clear();
  bool quoted = false;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {  // copy the string, escapes included
      size_t j = i + 1;
      while (j < n && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, n);
      out.append(text.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i + (c == '-' ? 1 : 0);
      const size_t digits_begin = j;
      while (j < n && text[j] >= '0' && text[j] <= '9') ++j;
      const size_t digits = j - digits_begin;
      const bool integer = j >= n || (text[j] != '.' && text[j] != 'e' && text[j] != 'E');
      size_t end = j;
      while (end < n && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                         text[end] == 'e' || text[end] == 'E' || text[end] == '+' || text[end] == '-'))
        ++end;
      const std::string_view token = text.substr(i, end - i);
      bool big = false;
      if (integer && digits >= 19) {
        if (c == '-') {
          int64_t v;
          big = std::from_chars(token.data(), token.data() + token.size(), v).ec != std::errc();
        } else {
          uint64_t v;
          big = std::from_chars(token.data(), token.data() + token.size(), v).ec != std::errc();
        }
      }
      if (big) {
        out += '"';
        out.append(token);
        out += '"';
        quoted = true;
      } else {
        out.append(token);
      }
      i = end;
      continue;
    }
    out += c;
    ++i;
  }
  return quoted;
}

bool IsTypeless(const simdjson::dom::element& value) {
  switch (value.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return true;
    case simdjson::dom::element_type::ARRAY:
      for (simdjson::dom::element item : simdjson::dom::array(value.get_array().value_unsafe()))
        if (!IsTypeless(item)) return false;
      return true;
    case simdjson::dom::element_type::OBJECT:
      for (simdjson::dom::key_value_pair member : simdjson::dom::object(value.get_object().value_unsafe()))
        if (!IsTypeless(member.value)) return false;
      return true;
    default: return false;
  }
}

namespace {

// Renames a (possibly shared) node without touching the original.
NodePtr Renamed(const NodePtr& node, const std::string& name, bool nullable) {
  if (node->name == name && node->nullable == nullable) return node;
  auto copy = std::make_shared<Node>(*node);
  copy->name = name;
  copy->nullable = nullable;
  return copy;
}

NodePtr InferObject(const simdjson::dom::object& object, std::string name, bool nullable,
                    const std::vector<std::string>* skip) {
  std::vector<NodePtr> fields;
  for (simdjson::dom::key_value_pair member : object) {
    if (skip && std::find(skip->begin(), skip->end(), member.key) != skip->end()) continue;
    // Duplicate keys: the first occurrence wins (the decoder skips later ones too).
    bool duplicate = false;
    for (const auto& f : fields) duplicate |= f->name == member.key;
    if (duplicate) continue;
    NodePtr t = InferValue(member.value, std::string(member.key));
    if (t) fields.push_back(std::move(t));
  }
  return Node::Record(std::move(name), std::move(fields), nullable);
}

}  // namespace

NodePtr InferValue(const simdjson::dom::element& value, std::string name) {
  using T = simdjson::dom::element_type;
  switch (value.type()) {
    case T::NULL_VALUE: return nullptr;
    case T::BOOL: return BooleanType(std::move(name));
    case T::INT64: return LongType(std::move(name));
    case T::UINT64: return StringType(std::move(name));  // above INT64_MAX: exact digits, not a lossy double
    case T::DOUBLE: return DoubleType(std::move(name));
    case T::STRING: return StringType(std::move(name));
    case T::ARRAY: {
      NodePtr element;
      for (simdjson::dom::element item : simdjson::dom::array(value.get_array().value_unsafe()))
        element = Widen(element, InferValue(item, "element"));
      if (!element) return nullptr;
      return Node::List(std::move(name), std::move(element), true);
    }
    case T::OBJECT: {
      NodePtr record = InferObject(value.get_object().value_unsafe(), std::move(name), true, nullptr);
      return record->children.empty() ? nullptr : record;
    }
  }
  return nullptr;
}

NodePtr InferRecord(const simdjson::dom::object& object, std::string name, const std::vector<std::string>& skip) {
  return InferObject(object, std::move(name), false, &skip);
}

NodePtr Widen(const NodePtr& a, const NodePtr& b) {
  if (!b) return a;
  if (!a) return b;
  if (a->kind == NodeKind::kRecord && b->kind == NodeKind::kRecord) {
    std::vector<NodePtr> fields = a->children;
    for (const NodePtr& bf : b->children) {
      auto it = std::find_if(fields.begin(), fields.end(), [&](const NodePtr& f) { return f->name == bf->name; });
      if (it == fields.end())
        fields.push_back(Renamed(bf, bf->name, true));
      else
        *it = Widen(*it, bf);
    }
    return Node::Record(a->name, std::move(fields), a->nullable);
  }
  if (a->kind == NodeKind::kList && b->kind == NodeKind::kList)
    return Node::List(a->name, Widen(a->children[0], b->children[0]), a->nullable);
  if (a->kind == NodeKind::kPrimitive && b->kind == NodeKind::kPrimitive) {
    if (a->physical == b->physical && a->logical == b->logical) return a;
    const bool a_num = a->physical == PhysicalType::kInt64 || a->physical == PhysicalType::kDouble;
    const bool b_num = b->physical == PhysicalType::kInt64 || b->physical == PhysicalType::kDouble;
    if (a_num && b_num && a->logical == LogicalKind::kNone && b->logical == LogicalKind::kNone)
      return DoubleType(a->name, a->nullable);
  }
  return StringType(a->name, a->nullable);
}

bool SameType(const Node& a, const Node& b) {
  if (a.name != b.name || a.kind != b.kind || a.nullable != b.nullable) return false;
  if (a.kind == NodeKind::kPrimitive &&
      (a.physical != b.physical || a.logical != b.logical || a.symbols != b.symbols))
    return false;
  if (a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i)
    if (!SameType(*a.children[i], *b.children[i])) return false;
  return true;
}

// --- Avro form --------------------------------------------------------------------------------------------

namespace {

bool IsAvroName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string AvroName(std::string_view s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out.insert(out.begin(), '_');
  return out;
}

void Quote(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

class AvroWriter {
 public:
  std::string Write(const Node& root) {
    out_.clear();
    Type(root, AvroName(root.name.empty() ? "record" : root.name));
    return std::move(out_);
  }

 private:
  // A unique full name for a named type (records, enums), derived from its path.
  std::string UniqueName(std::string base) {
    std::string name = base;
    for (int i = 2; !names_.insert(name).second; ++i) name = base + "_" + std::to_string(i);
    return name;
  }

  void Type(const Node& n, const std::string& path) {
    if (n.nullable) out_ += "[\"null\",";
    switch (n.kind) {
      case NodeKind::kRecord: {
        out_ += R"({"type":"record","name":)";
        Quote(out_, UniqueName(path));
        out_ += R"(,"fields":[)";
        std::set<std::string> field_names;
        for (size_t i = 0; i < n.children.size(); ++i) {
          const Node& f = *n.children[i];
          if (i) out_ += ',';
          std::string name = IsAvroName(f.name) ? f.name : AvroName(f.name);
          for (int k = 2; !field_names.insert(name).second; ++k) name = AvroName(f.name) + "_" + std::to_string(k);
          out_ += R"({"name":)";
          Quote(out_, name);
          if (name != f.name) {
            out_ += R"(,"floe.json.name":)";
            Quote(out_, f.name);
          }
          out_ += R"(,"type":)";
          Type(f, path + "_" + name);
          if (f.nullable) out_ += R"(,"default":null)";
          out_ += '}';
        }
        out_ += "]}";
        break;
      }
      case NodeKind::kList:
        out_ += R"({"type":"array","items":)";
        Type(*n.children[0], path + "_element");
        out_ += '}';
        break;
      case NodeKind::kMap:  // never produced by inference or declared schemas
        out_ += R"("string")";
        break;
      case NodeKind::kPrimitive: Primitive(n, path); break;
    }
    if (n.nullable) out_ += ']';
  }

  void Primitive(const Node& n, const std::string& path) {
    switch (n.physical) {
      case PhysicalType::kBoolean: out_ += R"("boolean")"; return;
      case PhysicalType::kInt64:
        out_ += n.logical == LogicalKind::kTimestampMicros ? R"({"type":"long","logicalType":"timestamp-micros"})"
                                                           : R"("long")";
        return;
      case PhysicalType::kDouble: out_ += R"("double")"; return;
      default: break;
    }
    if (n.logical == LogicalKind::kEnum &&
        std::all_of(n.symbols.begin(), n.symbols.end(), [](const std::string& s) { return IsAvroName(s); })) {
      out_ += R"({"type":"enum","name":)";
      Quote(out_, UniqueName(path));
      out_ += R"(,"symbols":[)";
      for (size_t i = 0; i < n.symbols.size(); ++i) {
        if (i) out_ += ',';
        Quote(out_, n.symbols[i]);
      }
      out_ += "]}";
      return;
    }
    out_ += n.logical == LogicalKind::kJson ? R"({"type":"string","logicalType":"json"})" : R"("string")";
  }

  std::string out_;
  std::set<std::string> names_;
};

Status Invalid(std::string_view what) { return Error(JsonError::kInvalidSchema, "avro schema: " + std::string(what)); }

Result<NodePtr> FromAvro(const simdjson::dom::element& t, std::string name, bool nullable) {
  if (t.is_array()) {  // ["null", T]
    simdjson::dom::array branches = t.get_array().value_unsafe();
    if (branches.size() != 2 || !branches.at(0).is_string() || branches.at(0).get_string().value_unsafe() != "null")
      return Invalid("unions other than [\"null\", T] at " + name);
    return FromAvro(branches.at(1).value_unsafe(), std::move(name), true);
  }
  std::string_view type;
  std::string_view logical;
  if (t.is_string()) {
    type = t.get_string().value_unsafe();
  } else if (t.is_object()) {
    if (t["type"].get(type) != simdjson::SUCCESS) return Invalid("type without a \"type\" at " + name);
    if (t["logicalType"].error() == simdjson::SUCCESS) logical = StrOr(t["logicalType"].get_string(), "");
  } else {
    return Invalid("unexpected type at " + name);
  }
  if (type == "boolean") return BooleanType(std::move(name), nullable);
  if (type == "double") return DoubleType(std::move(name), nullable);
  if (type == "long") {
    if (logical == "timestamp-micros")
      return Node::Primitive(std::move(name), PhysicalType::kInt64, nullable, LogicalKind::kTimestampMicros);
    return LongType(std::move(name), nullable);
  }
  if (type == "string") {
    if (logical == "json") return Node::Primitive(std::move(name), PhysicalType::kByteArray, nullable, LogicalKind::kJson);
    return StringType(std::move(name), nullable);
  }
  if (type == "enum") {
    auto n = Node::Primitive(std::move(name), PhysicalType::kByteArray, nullable, LogicalKind::kEnum);
    simdjson::dom::array symbols;
    if (t["symbols"].get(symbols) != simdjson::SUCCESS) return Invalid("enum without symbols at " + n->name);
    for (simdjson::dom::element s : symbols) n->symbols.emplace_back(StrOr(s.get_string(), ""));
    return n;
  }
  if (type == "array") {
    simdjson::dom::element items;
    if (t["items"].get(items) != simdjson::SUCCESS) return Invalid("array without items at " + name);
    auto element = FromAvro(items, "element", false);
    if (!element.ok()) return element.status();
    return Node::List(std::move(name), std::move(element).value(), nullable);
  }
  if (type == "record") {
    simdjson::dom::array fields;
    if (t["fields"].get(fields) != simdjson::SUCCESS) return Invalid("record without fields at " + name);
    std::vector<NodePtr> children;
    for (simdjson::dom::element f : fields) {
      std::string_view field_name;
      if (f["floe.json.name"].get(field_name) != simdjson::SUCCESS && f["name"].get(field_name) != simdjson::SUCCESS)
        return Invalid("field without a name in " + name);
      simdjson::dom::element ft;
      if (f["type"].get(ft) != simdjson::SUCCESS) return Invalid("field without a type in " + name);
      auto child = FromAvro(ft, std::string(field_name), false);
      if (!child.ok()) return child.status();
      children.push_back(std::move(child).value());
    }
    return Node::Record(std::move(name), std::move(children), nullable);
  }
  return Invalid("unsupported type \"" + std::string(type) + "\" at " + name);
}

}  // namespace

std::string ToAvroSchema(const Node& root) { return AvroWriter().Write(root); }

Result<NodePtr> FromAvroSchema(std::string_view avsc) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(avsc.data(), avsc.size()).get(doc); err != simdjson::SUCCESS)
    return Invalid(std::string("not JSON: ") + simdjson::error_message(err));
  std::string_view root_name = StrOr(doc["name"].get_string(), "record");
  auto root = FromAvro(doc, std::string(root_name), false);
  if (!root.ok()) return root.status();
  if ((*root)->kind != NodeKind::kRecord) return Invalid("the top-level type is not a record");
  return root;
}

}  // namespace floe::json
