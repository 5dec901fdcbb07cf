#include "avro/schema.h"

#include <array>
#include <cmath>
#include <map>
#include <set>

namespace floe::avro {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kNull: return "null";
    case Type::kBoolean: return "boolean";
    case Type::kInt: return "int";
    case Type::kLong: return "long";
    case Type::kFloat: return "float";
    case Type::kDouble: return "double";
    case Type::kBytes: return "bytes";
    case Type::kString: return "string";
    case Type::kRecord: return "record";
    case Type::kEnum: return "enum";
    case Type::kArray: return "array";
    case Type::kMap: return "map";
    case Type::kUnion: return "union";
    case Type::kFixed: return "fixed";
  }
  return "?";
}

std::string_view LogicalTypeName(LogicalType t) {
  switch (t) {
    case LogicalType::kNone: return "";
    case LogicalType::kDecimal: return "decimal";
    case LogicalType::kUuid: return "uuid";
    case LogicalType::kDate: return "date";
    case LogicalType::kTimeMillis: return "time-millis";
    case LogicalType::kTimeMicros: return "time-micros";
    case LogicalType::kTimestampMillis: return "timestamp-millis";
    case LogicalType::kTimestampMicros: return "timestamp-micros";
    case LogicalType::kLocalTimestampMillis: return "local-timestamp-millis";
    case LogicalType::kLocalTimestampMicros: return "local-timestamp-micros";
    case LogicalType::kDuration: return "duration";
  }
  return "";
}

const Field* TypeNode::FindField(std::string_view field_name) const {
  for (const auto& f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

int TypeNode::NullBranch() const {
  for (size_t i = 0; i < branches.size(); ++i)
    if (branches[i]->type == Type::kNull) return static_cast<int>(i);
  return -1;
}

const TypeNode* TypeNode::NullableOf() const {
  if (type != Type::kUnion || branches.size() != 2) return nullptr;
  if (branches[0]->type == Type::kNull && branches[1]->type != Type::kNull) return branches[1];
  if (branches[1]->type == Type::kNull && branches[0]->type != Type::kNull) return branches[0];
  return nullptr;
}

std::string TypeNode::BranchName() const { return is_named() ? full_name : std::string(TypeName(type)); }

const TypeNode* Schema::FindNamed(std::string_view full_name) const {
  if (!graph_) return nullptr;
  for (const auto& n : graph_->nodes)
    if (n->is_named() && n->full_name == full_name) return n.get();
  return nullptr;
}

namespace {

using nlohmann::json;

std::optional<Type> PrimitiveType(std::string_view s) {
  static const std::array<std::pair<std::string_view, Type>, 8> kPrimitives = {{
      {"null", Type::kNull}, {"boolean", Type::kBoolean}, {"int", Type::kInt}, {"long", Type::kLong},
      {"float", Type::kFloat}, {"double", Type::kDouble}, {"bytes", Type::kBytes}, {"string", Type::kString},
  }};
  for (const auto& [name, t] : kPrimitives)
    if (name == s) return t;
  return std::nullopt;
}

bool ValidNameComponent(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

bool ValidDottedName(std::string_view s) {
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    if (!ValidNameComponent(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Status Invalid(const std::string& where, const std::string& what) {
  return Error(AvroError::kInvalidSchema, where.empty() ? what : where + ": " + what);
}

// Largest decimal precision a fixed of `size` bytes can hold: floor(log10(2^(8*size-1) - 1)).
int32_t MaxDecimalPrecision(int32_t size) {
  if (size <= 0) return 0;
  return static_cast<int32_t>(std::floor(std::log10(2.0) * (8.0 * size - 1)));
}

class Parser {
 public:
  explicit Parser(std::vector<std::unique_ptr<TypeNode>>& nodes) : nodes_(nodes) {}

  Result<const TypeNode*> Parse(const json& j, const std::string& ns, const std::string& where) {
    if (++depth_ > 200) return Invalid(where, "schema nested too deeply");
    auto r = ParseInner(j, ns, where);
    --depth_;
    return r;
  }

 private:
  TypeNode* New(Type t) {
    nodes_.push_back(std::make_unique<TypeNode>());
    nodes_.back()->type = t;
    return nodes_.back().get();
  }

  Result<const TypeNode*> Reference(const std::string& name, const std::string& ns, const std::string& where) {
    if (auto p = PrimitiveType(name)) return static_cast<const TypeNode*>(New(*p));
    if (name.find('.') == std::string::npos && !ns.empty()) {
      auto it = named_.find(ns + "." + name);
      if (it != named_.end()) return static_cast<const TypeNode*>(it->second);
    }
    auto it = named_.find(name);
    if (it != named_.end()) return static_cast<const TypeNode*>(it->second);
    return Invalid(where, "unknown type '" + name + "'" + (ns.empty() ? "" : " (namespace '" + ns + "')"));
  }

  Result<const TypeNode*> ParseInner(const json& j, const std::string& ns, const std::string& where) {
    if (j.is_string()) return Reference(j.get<std::string>(), ns, where);
    if (j.is_array()) return ParseUnion(j, ns, where);
    if (!j.is_object()) return Invalid(where, "a schema must be a string, an array or an object, got " + j.dump());
    auto type_it = j.find("type");
    if (type_it == j.end()) return Invalid(where, "object schema without \"type\"");
    if (!type_it->is_string()) {
      // {"type": {...}} or {"type": [...]}: the attribute itself is a schema.
      return Parse(*type_it, ns, where);
    }
    const std::string type = type_it->get<std::string>();
    if (auto p = PrimitiveType(type)) {
      TypeNode* node = New(*p);
      ApplyLogicalType(j, node);
      return static_cast<const TypeNode*>(node);
    }
    if (type == "record" || type == "error") return ParseRecord(j, ns, where);
    if (type == "enum") return ParseEnum(j, ns, where);
    if (type == "fixed") return ParseFixed(j, ns, where);
    if (type == "array") {
      auto items = j.find("items");
      if (items == j.end()) return Invalid(where, "array without \"items\"");
      TypeNode* node = New(Type::kArray);
      FLOE_ASSIGN_OR_RETURN(node->items, Parse(*items, ns, where + "[items]"));
      return static_cast<const TypeNode*>(node);
    }
    if (type == "map") {
      auto values = j.find("values");
      if (values == j.end()) return Invalid(where, "map without \"values\"");
      TypeNode* node = New(Type::kMap);
      FLOE_ASSIGN_OR_RETURN(node->values, Parse(*values, ns, where + "[values]"));
      return static_cast<const TypeNode*>(node);
    }
    // {"type": "com.example.Named"}: a reference written as an object.
    return Reference(type, ns, where);
  }

  Result<const TypeNode*> ParseUnion(const json& j, const std::string& ns, const std::string& where) {
    TypeNode* node = New(Type::kUnion);
    std::set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string w = where + "[union branch " + std::to_string(i) + "]";
      FLOE_ASSIGN_OR_RETURN(const TypeNode* branch, Parse(j[i], ns, w));
      if (branch->type == Type::kUnion) return Invalid(w, "a union may not directly contain a union");
      if (!seen.insert(branch->BranchName()).second)
        return Invalid(w, "union contains '" + branch->BranchName() + "' twice");
      node->branches.push_back(branch);
    }
    return static_cast<const TypeNode*>(node);
  }

  // Sets name, space and full_name from "name"/"namespace" and registers the type. Returns its namespace.
  Status DefineName(const json& j, TypeNode* node, const std::string& ns, const std::string& where) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string())
      return Invalid(where, std::string(TypeName(node->type)) + " without a \"name\"");
    std::string name = name_it->get<std::string>();
    std::string space = ns;
    if (auto ns_it = j.find("namespace"); ns_it != j.end() && !ns_it->is_null()) {
      if (!ns_it->is_string()) return Invalid(where, "\"namespace\" must be a string");
      space = ns_it->get<std::string>();
    }
    if (const size_t dot = name.rfind('.'); dot != std::string::npos) {
      space = name.substr(0, dot);
      name = name.substr(dot + 1);
    }
    if (!ValidNameComponent(name)) return Invalid(where, "invalid name '" + name + "'");
    if (!space.empty() && !ValidDottedName(space)) return Invalid(where, "invalid namespace '" + space + "'");
    if (PrimitiveType(name) && space.empty()) return Invalid(where, "'" + name + "' cannot be redefined");
    node->name = name;
    node->space = space;
    node->full_name = space.empty() ? name : space + "." + name;
    if (!named_.emplace(node->full_name, node).second)
      return Invalid(where, "type '" + node->full_name + "' is defined twice");
    if (auto a = j.find("aliases"); a != j.end()) {
      if (!a->is_array()) return Invalid(where, "\"aliases\" must be an array");
      for (const auto& alias : *a) {
        if (!alias.is_string() || !ValidDottedName(alias.get<std::string>()))
          return Invalid(where, "invalid alias " + alias.dump());
        std::string s = alias.get<std::string>();
        node->aliases.push_back(s.find('.') == std::string::npos && !space.empty() ? space + "." + s : s);
      }
    }
    if (auto d = j.find("doc"); d != j.end() && d->is_string()) node->doc = d->get<std::string>();
    return Status::Ok();
  }

  Result<const TypeNode*> ParseRecord(const json& j, const std::string& ns, const std::string& where) {
    TypeNode* node = New(Type::kRecord);
    FLOE_RETURN_IF_ERROR(DefineName(j, node, ns, where));
    const std::string here = where.empty() ? node->full_name : where + "/" + node->full_name;
    auto fields = j.find("fields");
    if (fields == j.end() || !fields->is_array()) return Invalid(here, "record without a \"fields\" array");
    std::set<std::string> names;
    for (const auto& fj : *fields) {
      if (!fj.is_object()) return Invalid(here, "a field must be an object");
      auto name_it = fj.find("name");
      if (name_it == fj.end() || !name_it->is_string()) return Invalid(here, "field without a \"name\"");
      Field f;
      f.name = name_it->get<std::string>();
      const std::string fw = here + "." + f.name;
      if (!ValidNameComponent(f.name)) return Invalid(here, "invalid field name '" + f.name + "'");
      if (!names.insert(f.name).second) return Invalid(here, "field '" + f.name + "' appears twice");
      auto type_it = fj.find("type");
      if (type_it == fj.end()) return Invalid(fw, "field without a \"type\"");
      FLOE_ASSIGN_OR_RETURN(f.type, Parse(*type_it, node->space, fw));
      if (auto d = fj.find("doc"); d != fj.end() && d->is_string()) f.doc = d->get<std::string>();
      if (auto a = fj.find("aliases"); a != fj.end()) {
        if (!a->is_array()) return Invalid(fw, "\"aliases\" must be an array");
        for (const auto& alias : *a) {
          if (!alias.is_string()) return Invalid(fw, "invalid alias " + alias.dump());
          f.aliases.push_back(alias.get<std::string>());
        }
      }
      if (auto o = fj.find("order"); o != fj.end()) {
        if (!o->is_string() || (*o != "ascending" && *o != "descending" && *o != "ignore"))
          return Invalid(fw, "\"order\" must be ascending, descending or ignore");
      }
      if (auto d = fj.find("default"); d != fj.end()) f.default_value = *d;
      f.position = node->fields.size();
      node->fields.push_back(std::move(f));
    }
    // Defaults are checked once every field type is known (a default may be of a type defined later on).
    pending_defaults_.push_back(node);
    return static_cast<const TypeNode*>(node);
  }

  Result<const TypeNode*> ParseEnum(const json& j, const std::string& ns, const std::string& where) {
    TypeNode* node = New(Type::kEnum);
    FLOE_RETURN_IF_ERROR(DefineName(j, node, ns, where));
    const std::string here = where.empty() ? node->full_name : where + "/" + node->full_name;
    auto symbols = j.find("symbols");
    if (symbols == j.end() || !symbols->is_array()) return Invalid(here, "enum without a \"symbols\" array");
    std::set<std::string> seen;
    for (const auto& s : *symbols) {
      if (!s.is_string() || !ValidNameComponent(s.get<std::string>()))
        return Invalid(here, "invalid enum symbol " + s.dump());
      if (!seen.insert(s.get<std::string>()).second) return Invalid(here, "enum symbol " + s.dump() + " twice");
      node->symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || !seen.count(d->get<std::string>()))
        return Invalid(here, "enum default " + d->dump() + " is not one of its symbols");
      node->enum_default = d->get<std::string>();
    }
    return static_cast<const TypeNode*>(node);
  }

  Result<const TypeNode*> ParseFixed(const json& j, const std::string& ns, const std::string& where) {
    TypeNode* node = New(Type::kFixed);
    FLOE_RETURN_IF_ERROR(DefineName(j, node, ns, where));
    auto size = j.find("size");
    if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0 ||
        size->get<int64_t>() > (1 << 30))
      return Invalid(where.empty() ? node->full_name : where, "fixed needs a non-negative integer \"size\"");
    node->size = static_cast<int32_t>(size->get<int64_t>());
    ApplyLogicalType(j, node);
    return static_cast<const TypeNode*>(node);
  }

  // Annotates `node` with its logicalType when valid for the underlying type; ignores it otherwise.
  static void ApplyLogicalType(const json& j, TypeNode* node) {
    auto lt = j.find("logicalType");
    if (lt == j.end() || !lt->is_string()) return;
    const std::string name = lt->get<std::string>();
    const Type t = node->type;
    if (name == "decimal") {
      if (t != Type::kBytes && t != Type::kFixed) return;
      auto p = j.find("precision");
      auto s = j.find("scale");
      if (p == j.end() || !p->is_number_integer()) return;
      const int64_t precision = p->get<int64_t>();
      int64_t scale = 0;
      if (s != j.end()) {
        if (!s->is_number_integer()) return;
        scale = s->get<int64_t>();
      }
      if (precision <= 0 || precision > 1000 || scale < 0 || scale > precision) return;
      if (t == Type::kFixed && precision > MaxDecimalPrecision(node->size)) return;
      node->logical = LogicalType::kDecimal;
      node->precision = static_cast<int32_t>(precision);
      node->scale = static_cast<int32_t>(scale);
      return;
    }
    struct Rule {
      std::string_view name;
      LogicalType logical;
      Type on;
    };
    static const std::array<Rule, 10> kRules = {{
        {"uuid", LogicalType::kUuid, Type::kString},
        {"date", LogicalType::kDate, Type::kInt},
        {"time-millis", LogicalType::kTimeMillis, Type::kInt},
        {"time-micros", LogicalType::kTimeMicros, Type::kLong},
        {"timestamp-millis", LogicalType::kTimestampMillis, Type::kLong},
        {"timestamp-micros", LogicalType::kTimestampMicros, Type::kLong},
        {"local-timestamp-millis", LogicalType::kLocalTimestampMillis, Type::kLong},
        {"local-timestamp-micros", LogicalType::kLocalTimestampMicros, Type::kLong},
        {"duration", LogicalType::kDuration, Type::kFixed},
        {"uuid", LogicalType::kUuid, Type::kFixed},
    }};
    for (const auto& r : kRules) {
      if (r.name != name || r.on != t) continue;
      if (t == Type::kFixed && r.logical == LogicalType::kDuration && node->size != 12) return;
      if (t == Type::kFixed && r.logical == LogicalType::kUuid && node->size != 16) return;
      node->logical = r.logical;
      return;
    }
  }

 public:
  Status CheckDefaults() {
    for (const TypeNode* rec : pending_defaults_) {
      for (const auto& f : rec->fields) {
        if (!f.default_value) continue;
        std::string why;
        if (!ValidDefault(*f.type, *f.default_value, why, 0))
          return Invalid(rec->full_name + "." + f.name, "invalid default " + f.default_value->dump() + ": " + why);
      }
    }
    return Status::Ok();
  }

  static bool ValidDefault(const TypeNode& t, const json& v, std::string& why, int depth) {
    if (depth > 200) {
      why = "nested too deeply";
      return false;
    }
    auto fail = [&](std::string msg) {
      why = std::move(msg);
      return false;
    };
    switch (t.type) {
      case Type::kNull: return v.is_null() || fail("expected null");
      case Type::kBoolean: return v.is_boolean() || fail("expected a boolean");
      case Type::kInt:
        if (!v.is_number_integer()) return fail("expected an int");
        if (v.is_number_unsigned() ? v.get<uint64_t>() > INT32_MAX
                                   : (v.get<int64_t>() < INT32_MIN || v.get<int64_t>() > INT32_MAX))
          return fail("out of int range");
        return true;
      case Type::kLong:
        if (!v.is_number_integer()) return fail("expected a long");
        if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
          return fail("out of long range");
        return true;
      case Type::kFloat:
      case Type::kDouble:
        if (v.is_number()) return true;
        if (v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity")) return true;
        return fail("expected a number");
      case Type::kBytes:
      case Type::kFixed: {
        if (!v.is_string()) return fail("expected a string of bytes");
        // Bytes defaults are strings whose code points 0-255 are the byte values.
        size_t n = 0;
        const std::string& s = v.get_ref<const std::string&>();
        for (size_t i = 0; i < s.size(); ++n) {
          const auto c = static_cast<unsigned char>(s[i]);
          if (c < 0x80) {
            i += 1;
          } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
            i += 2;
          } else {
            return fail("bytes default has a code point above U+00FF");
          }
        }
        if (t.type == Type::kFixed && n != static_cast<size_t>(t.size))
          return fail("fixed default must have " + std::to_string(t.size) + " bytes");
        return true;
      }
      case Type::kString: return v.is_string() || fail("expected a string");
      case Type::kEnum:
        if (!v.is_string()) return fail("expected an enum symbol");
        for (const auto& s : t.symbols)
          if (s == v.get_ref<const std::string&>()) return true;
        return fail(v.dump() + " is not a symbol of " + t.full_name);
      case Type::kArray:
        if (!v.is_array()) return fail("expected an array");
        for (const auto& e : v)
          if (!ValidDefault(*t.items, e, why, depth + 1)) return false;
        return true;
      case Type::kMap:
        if (!v.is_object()) return fail("expected an object");
        for (const auto& [k, e] : v.items())
          if (!ValidDefault(*t.values, e, why, depth + 1)) return false;
        return true;
      case Type::kRecord:
        if (!v.is_object()) return fail("expected an object for record " + t.full_name);
        for (const auto& f : t.fields) {
          auto it = v.find(f.name);
          if (it == v.end()) {
            if (!f.default_value) return fail("record " + t.full_name + " field '" + f.name + "' missing");
            continue;
          }
          if (!ValidDefault(*f.type, *it, why, depth + 1)) return false;
        }
        return true;
      case Type::kUnion:
        if (t.branches.empty()) return fail("an empty union has no values");
        if (!ValidDefault(*t.branches[0], v, why, depth + 1))
          return fail("a union default must match the union's first branch (" + t.branches[0]->BranchName() +
                      "): " + why);
        return true;
    }
    return fail("unknown type");
  }

 private:
  std::vector<std::unique_ptr<TypeNode>>& nodes_;
  std::map<std::string, TypeNode*, std::less<>> named_;
  std::vector<const TypeNode*> pending_defaults_;
  int depth_ = 0;
};

// --- Canonical form and JSON output ------------------------------------------------------------------

void AppendJsonString(std::string& out, std::string_view s) { out += json(std::string(s)).dump(); }

void WriteCanonical(const TypeNode& t, std::set<std::string>& written, std::string& out) {
  switch (t.type) {
    case Type::kRecord:
    case Type::kEnum:
    case Type::kFixed:
      if (!written.insert(t.full_name).second) {
        AppendJsonString(out, t.full_name);
        return;
      }
      out += "{\"name\":";
      AppendJsonString(out, t.full_name);
      out += ",\"type\":\"";
      out += TypeName(t.type);
      out += '"';
      if (t.type == Type::kRecord) {
        out += ",\"fields\":[";
        for (size_t i = 0; i < t.fields.size(); ++i) {
          if (i) out += ',';
          out += "{\"name\":";
          AppendJsonString(out, t.fields[i].name);
          out += ",\"type\":";
          WriteCanonical(*t.fields[i].type, written, out);
          out += '}';
        }
        out += ']';
      } else if (t.type == Type::kEnum) {
        out += ",\"symbols\":[";
        for (size_t i = 0; i < t.symbols.size(); ++i) {
          if (i) out += ',';
          AppendJsonString(out, t.symbols[i]);
        }
        out += ']';
      } else {
        out += ",\"size\":" + std::to_string(t.size);
      }
      out += '}';
      return;
    case Type::kArray:
      out += "{\"type\":\"array\",\"items\":";
      WriteCanonical(*t.items, written, out);
      out += '}';
      return;
    case Type::kMap:
      out += "{\"type\":\"map\",\"values\":";
      WriteCanonical(*t.values, written, out);
      out += '}';
      return;
    case Type::kUnion:
      out += '[';
      for (size_t i = 0; i < t.branches.size(); ++i) {
        if (i) out += ',';
        WriteCanonical(*t.branches[i], written, out);
      }
      out += ']';
      return;
    default:
      out += '"';
      out += TypeName(t.type);
      out += '"';
  }
}

json ToJsonValue(const TypeNode& t, std::set<std::string>& written) {
  json j;
  switch (t.type) {
    case Type::kRecord:
    case Type::kEnum:
    case Type::kFixed:
      if (!written.insert(t.full_name).second) return t.full_name;
      j["type"] = std::string(TypeName(t.type));
      j["name"] = t.full_name;
      if (!t.aliases.empty()) j["aliases"] = t.aliases;
      if (!t.doc.empty()) j["doc"] = t.doc;
      if (t.type == Type::kRecord) {
        j["fields"] = json::array();
        for (const auto& f : t.fields) {
          json fj;
          fj["name"] = f.name;
          fj["type"] = ToJsonValue(*f.type, written);
          if (f.default_value) fj["default"] = *f.default_value;
          if (!f.aliases.empty()) fj["aliases"] = f.aliases;
          if (!f.doc.empty()) fj["doc"] = f.doc;
          j["fields"].push_back(std::move(fj));
        }
      } else if (t.type == Type::kEnum) {
        j["symbols"] = t.symbols;
        if (t.enum_default) j["default"] = *t.enum_default;
      } else {
        j["size"] = t.size;
      }
      break;
    case Type::kArray:
      j["type"] = "array";
      j["items"] = ToJsonValue(*t.items, written);
      return j;
    case Type::kMap:
      j["type"] = "map";
      j["values"] = ToJsonValue(*t.values, written);
      return j;
    case Type::kUnion:
      j = json::array();
      for (const auto* b : t.branches) j.push_back(ToJsonValue(*b, written));
      return j;
    default:
      if (t.logical == LogicalType::kNone) return std::string(TypeName(t.type));
      j["type"] = std::string(TypeName(t.type));
  }
  if (t.logical != LogicalType::kNone) {
    j["logicalType"] = std::string(LogicalTypeName(t.logical));
    if (t.logical == LogicalType::kDecimal) {
      j["precision"] = t.precision;
      j["scale"] = t.scale;
    }
  }
  return j;
}

struct RabinTable {
  static constexpr uint64_t kEmpty = 0xc15d213aa4d7a795ULL;
  std::array<uint64_t, 256> table{};
  RabinTable() {
    for (uint64_t i = 0; i < 256; ++i) {
      uint64_t fp = i;
      for (int j = 0; j < 8; ++j) fp = (fp >> 1) ^ (kEmpty & (0 - (fp & 1)));
      table[i] = fp;
    }
  }
};

}  // namespace

namespace {
size_t MinSize(const TypeNode& t, std::set<const TypeNode*>& open) {
  switch (t.type) {
    case Type::kNull: return 0;
    case Type::kFloat: return 4;
    case Type::kDouble: return 8;
    case Type::kFixed: return static_cast<size_t>(t.size);
    case Type::kRecord: {
      // A recursive reference adds nothing: the cycle must end in a branch without it.
      if (!open.insert(&t).second) return 0;
      size_t n = 0;
      for (const auto& f : t.fields) n += MinSize(*f.type, open);
      open.erase(&t);
      return n;
    }
    default: return 1;  // boolean, varints, lengths, block terminators, union indexes
  }
}
}  // namespace

int32_t DecimalFixedSize(int32_t precision) {
  int32_t size = 1;
  while (MaxDecimalPrecision(size) < precision) ++size;
  return size;
}

size_t MinEncodedSize(const TypeNode& type) {
  std::set<const TypeNode*> open;
  return MinSize(type, open);
}

uint64_t Rabin64(std::string_view bytes) {
  static const RabinTable t;
  uint64_t fp = RabinTable::kEmpty;
  for (unsigned char b : bytes) fp = (fp >> 8) ^ t.table[(fp ^ b) & 0xff];
  return fp;
}

Result<Schema> Schema::FromJson(const nlohmann::json& j) {
  auto graph = std::make_shared<Graph>();
  Parser parser(graph->nodes);
  FLOE_ASSIGN_OR_RETURN(const TypeNode* root, parser.Parse(j, "", ""));
  FLOE_RETURN_IF_ERROR(parser.CheckDefaults());
  Schema s;
  s.graph_ = std::move(graph);
  s.root_ = root;
  std::string canonical;
  std::set<std::string> written;
  WriteCanonical(*root, written, canonical);
  s.fingerprint_ = Rabin64(canonical);
  s.canonical_ = std::make_shared<const std::string>(std::move(canonical));
  return s;
}

Result<Schema> Schema::Parse(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return Error(AvroError::kInvalidSchema, std::string("schema is not JSON: ") + e.what());
  }
  return FromJson(j);
}

std::string Schema::ToJson() const {
  if (!root_) return "null";
  std::set<std::string> written;
  return ToJsonValue(*root_, written).dump();
}

}  // namespace floe::avro

std::string_view floe::ErrorTraits<floe::avro::AvroError>::Name(floe::avro::AvroError e) {
  using floe::avro::AvroError;
  switch (e) {
    case AvroError::kInvalidSchema: return "invalid_schema";
    case AvroError::kIncompatibleSchema: return "incompatible_schema";
    case AvroError::kUnsupported: return "unsupported";
    case AvroError::kBadMagic: return "bad_magic";
    case AvroError::kUnknownSchemaId: return "unknown_schema_id";
    case AvroError::kTruncated: return "truncated";
    case AvroError::kTrailingBytes: return "trailing_bytes";
    case AvroError::kNegativeLength: return "negative_length";
    case AvroError::kLengthTooLarge: return "length_too_large";
    case AvroError::kBadBlockSize: return "bad_block_size";
    case AvroError::kVarintOverflow: return "varint_overflow";
    case AvroError::kInvalidUtf8: return "invalid_utf8";
    case AvroError::kBadUnionIndex: return "bad_union_index";
    case AvroError::kBadEnumIndex: return "bad_enum_index";
    case AvroError::kUnresolvedValue: return "unresolved_value";
    case AvroError::kInvalidLogicalValue: return "invalid_logical_value";
    case AvroError::kDecimalOverflow: return "decimal_overflow";
    case AvroError::kTooDeep: return "too_deep";
    case AvroError::kEncode: return "encode";
    case AvroError::kBadContainer: return "bad_container";
    case AvroError::kCodec: return "codec";
  }
  return "unknown";
}
