#include "json/column_writer.h"

#include <charconv>

#include "common/time_util.h"
#include "json/inferred_schema.h"

namespace floe::json {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::PhysicalType;

// One schema node with its Dremel levels and leaf range.
struct ColumnWriter::Compiled {
  const Node* node = nullptr;
  int16_t null_def = 0;   // definition level of a null (or missing) value here
  int16_t def = 0;        // definition level when the value is present
  int16_t elem_rep = 0;   // lists: repetition level of the second and later elements
  size_t leaf_begin = 0;
  size_t leaf_end = 0;
  bool closed = false;
  std::vector<std::unique_ptr<Compiled>> children;  // record fields, or the list element
  std::vector<uint8_t> seen;                        // records: scratch per written object
  size_t hint = 0;                                  // records: where the next member is probably found
};

namespace {

const char* KindName(const simdjson::dom::element& v) {
  using T = simdjson::dom::element_type;
  switch (v.type()) {
    case T::ARRAY: return "array";
    case T::OBJECT: return "object";
    case T::INT64: return "integer";
    case T::UINT64: return "integer above int64";
    case T::DOUBLE: return "number";
    case T::STRING: return "string";
    case T::BOOL: return "boolean";
    case T::NULL_VALUE: return "null";
  }
  return "value";
}


std::unique_ptr<ColumnWriter::Compiled> Compile(const Node& node, int16_t parent_def, int16_t parent_rep,
                                                size_t& leaf, const std::unordered_set<const Node*>& closed) {
  auto c = std::make_unique<ColumnWriter::Compiled>();
  c->node = &node;
  c->null_def = parent_def;
  c->def = static_cast<int16_t>(parent_def + (node.nullable ? 1 : 0));
  c->leaf_begin = leaf;
  c->closed = closed.count(&node) > 0;
  switch (node.kind) {
    case NodeKind::kPrimitive: ++leaf; break;
    case NodeKind::kRecord:
      for (const auto& child : node.children) c->children.push_back(Compile(*child, c->def, parent_rep, leaf, closed));
      c->seen.assign(node.children.size(), 0);
      break;
    case NodeKind::kList:
      c->elem_rep = static_cast<int16_t>(parent_rep + 1);
      // The repeated group adds one definition level: present-but-empty list = def, element slot = def + 1.
      c->children.push_back(Compile(*node.children[0], static_cast<int16_t>(c->def + 1), c->elem_rep, leaf, closed));
      break;
    case NodeKind::kMap: leaf += columnar::CountLeaves(node); break;  // never built by json/
  }
  c->leaf_end = leaf;
  return c;
}

}  // namespace

ColumnWriter::ColumnWriter(const Node& event, SchemaMode mode, std::vector<std::string> skip,
                           std::unordered_set<const Node*> closed)
    : mode_(mode), skip_(std::move(skip)) {
  size_t leaf = 0;
  root_ = Compile(event, 0, 0, leaf, closed);
}

ColumnWriter::~ColumnWriter() = default;

bool ColumnWriter::Write(const simdjson::dom::object& object, columnar::ColumnarBatch& batch) {
  batch_ = &batch;
  path_.clear();
  misfit_.clear();
  return WriteRecord(*root_, object, 0);
}

void ColumnWriter::WriteNull(const Compiled& c, int16_t def, int16_t rep) {
  for (size_t i = c.leaf_begin; i < c.leaf_end; ++i) batch_->column(i).AppendNull(def, rep);
}

bool ColumnWriter::MisfitText(std::string text) {
  std::string where;
  for (std::string_view p : path_) {
    if (p != "[]" && !where.empty()) where += '.';
    where += p;
  }
  misfit_ = (where.empty() ? std::string("(record)") : where) + ": " + text;
  return false;
}

bool ColumnWriter::Misfit(const char* expected, const simdjson::dom::element& value) {
  return MisfitText(std::string("expected ") + expected + ", got " + KindName(value));
}

bool ColumnWriter::WriteRecord(const Compiled& c_const, const simdjson::dom::object& object, int16_t rep) {
  // The scratch fields are per node; a node is never re-entered while it is being written (schemas are trees).
  auto& c = const_cast<Compiled&>(c_const);
  const size_t n = c.children.size();
  std::fill(c.seen.begin(), c.seen.end(), 0);
  for (simdjson::dom::key_value_pair member : object) {
    size_t idx = n;
    for (size_t k = 0; k < n; ++k) {
      size_t i = c.hint + k;
      if (i >= n) i -= n;
      if (c.children[i]->node->name == member.key) {
        idx = i;
        break;
      }
    }
    if (idx == n) {
      if (&c == root_.get() && std::find(skip_.begin(), skip_.end(), member.key) != skip_.end()) continue;
      if (mode_ == SchemaMode::kInferred ? !IsTypeless(member.value) : c.closed) {
        path_.push_back(member.key);
        return MisfitText("field not in the schema");
      }
      continue;
    }
    c.hint = idx + 1 == n ? 0 : idx + 1;
    if (c.seen[idx]) continue;
    c.seen[idx] = 1;
    path_.push_back(member.key);
    if (!WriteValue(*c.children[idx], member.value, rep)) return false;
    path_.pop_back();
  }
  for (size_t i = 0; i < n; ++i) {
    if (c.seen[i]) continue;
    const Compiled& child = *c.children[i];
    if (!child.node->nullable) {
      path_.push_back(child.node->name);
      return MisfitText("required field missing");
    }
    WriteNull(child, child.null_def, rep);
  }
  return true;
}

bool ColumnWriter::WriteValue(const Compiled& c, const simdjson::dom::element& value, int16_t rep) {
  using T = simdjson::dom::element_type;
  const Node& node = *c.node;
  const T type = value.type();
  if (type == T::NULL_VALUE) {
    if (!node.nullable) return MisfitText("required field is null");
    WriteNull(c, c.null_def, rep);
    return true;
  }
  // A value without a type ({}, [], [null]) never widened the schema, so it fits any node as a null (string
  // columns keep its JSON text instead).
  if (mode_ == SchemaMode::kInferred && (type == T::OBJECT || type == T::ARRAY) &&
      node.kind != (type == T::OBJECT ? NodeKind::kRecord : NodeKind::kList) &&
      !(node.kind == NodeKind::kPrimitive && node.physical == PhysicalType::kByteArray) && node.nullable &&
      IsTypeless(value)) {
    WriteNull(c, c.null_def, rep);
    return true;
  }
  switch (node.kind) {
    case NodeKind::kRecord:
      if (type != T::OBJECT) return Misfit("object", value);
      return WriteRecord(c, value.get_object().value_unsafe(), rep);
    case NodeKind::kList: {
      if (type != T::ARRAY) return Misfit("array", value);
      simdjson::dom::array array = value.get_array().value_unsafe();
      if (array.size() == 0) {
        WriteNull(c, c.def, rep);
        return true;
      }
      path_.push_back("[]");
      int16_t r = rep;
      for (simdjson::dom::element item : array) {
        if (!WriteValue(*c.children[0], item, r)) return false;
        r = c.elem_rep;
      }
      path_.pop_back();
      return true;
    }
    case NodeKind::kMap: return MisfitText("maps are not supported");
    case NodeKind::kPrimitive: break;
  }
  columnar::ColumnBuffer& col = batch_->column(c.leaf_begin);
  switch (node.physical) {
    case PhysicalType::kBoolean:
      if (type != T::BOOL) return Misfit("boolean", value);
      col.AppendBool(value.get_bool().value_unsafe(), c.def, rep);
      return true;
    case PhysicalType::kInt64:
      if (node.logical == LogicalKind::kTimestampMicros) {
        if (type != T::STRING) return Misfit("date-time string", value);
        std::optional<int64_t> micros = ParseIso8601Micros(value.get_string().value_unsafe());
        if (!micros) return MisfitText("not an RFC 3339 date-time: \"" + std::string(value.get_string().value_unsafe()) + "\"");
        col.AppendInt64(*micros, c.def, rep);
        return true;
      }
      if (type != T::INT64) return Misfit("integer", value);
      col.AppendInt64(value.get_int64().value_unsafe(), c.def, rep);
      return true;
    case PhysicalType::kDouble:
      if (type == T::DOUBLE)
        col.AppendDouble(value.get_double().value_unsafe(), c.def, rep);
      else if (type == T::INT64)
        col.AppendDouble(static_cast<double>(value.get_int64().value_unsafe()), c.def, rep);
      else
        return Misfit("number", value);
      return true;
    default: break;
  }
  // Byte-array leaves: string, enum, JSON text.
  if (node.logical == LogicalKind::kJson) {
    text_ = simdjson::to_string(value);
    col.AppendBytes(text_, c.def, rep);
    return true;
  }
  if (type == T::STRING) {
    std::string_view s = value.get_string().value_unsafe();
    if (node.logical == LogicalKind::kEnum &&
        std::find(node.symbols.begin(), node.symbols.end(), s) == node.symbols.end())
      return MisfitText("\"" + std::string(s) + "\" is not one of the enum's symbols");
    col.AppendBytes(s, c.def, rep);
    return true;
  }
  if (mode_ == SchemaMode::kDeclared || node.logical == LogicalKind::kEnum) return Misfit("string", value);
  // A widened string column: other kinds are kept as their JSON text.
  char buf[32];
  std::to_chars_result r{buf, std::errc()};
  switch (type) {
    case T::BOOL: col.AppendBytes(value.get_bool().value_unsafe() ? "true" : "false", c.def, rep); return true;
    case T::INT64: r = std::to_chars(buf, buf + sizeof buf, value.get_int64().value_unsafe()); break;
    case T::UINT64: r = std::to_chars(buf, buf + sizeof buf, value.get_uint64().value_unsafe()); break;
    case T::DOUBLE: r = std::to_chars(buf, buf + sizeof buf, value.get_double().value_unsafe()); break;
    default:
      text_ = simdjson::to_string(value);
      col.AppendBytes(text_, c.def, rep);
      return true;
  }
  col.AppendBytes(buf, static_cast<size_t>(r.ptr - buf), c.def, rep);
  return true;
}

}  // namespace floe::json
