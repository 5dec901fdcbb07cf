#include "columnar/schema.h"

#include <functional>

namespace floe::columnar {

NodePtr Node::Primitive(std::string name, PhysicalType physical, bool nullable, LogicalKind logical) {
  auto n = std::make_shared<Node>();
  n->name = std::move(name);
  n->kind = NodeKind::kPrimitive;
  n->physical = physical;
  n->nullable = nullable;
  n->logical = logical;
  return n;
}

NodePtr Node::Record(std::string name, std::vector<NodePtr> fields, bool nullable) {
  auto n = std::make_shared<Node>();
  n->name = std::move(name);
  n->kind = NodeKind::kRecord;
  n->nullable = nullable;
  n->children = std::move(fields);
  return n;
}

NodePtr Node::List(std::string name, NodePtr element, bool nullable) {
  auto n = std::make_shared<Node>();
  n->name = std::move(name);
  n->kind = NodeKind::kList;
  n->nullable = nullable;
  n->children.push_back(std::move(element));
  return n;
}

NodePtr Node::Map(std::string name, NodePtr key, NodePtr value, bool nullable) {
  auto n = std::make_shared<Node>();
  n->name = std::move(name);
  n->kind = NodeKind::kMap;
  n->nullable = nullable;
  key->nullable = false;  // Parquet map keys are required
  n->children.push_back(std::move(key));
  n->children.push_back(std::move(value));
  return n;
}

std::string LeafColumn::dotted_path() const {
  std::string out;
  for (const auto& p : path) {
    if (!out.empty()) out += '.';
    out += p;
  }
  return out;
}

size_t CountLeaves(const Node& node) {
  if (node.kind == NodeKind::kPrimitive) return 1;
  size_t n = 0;
  for (const auto& c : node.children) n += CountLeaves(*c);
  return n;
}

namespace {

void CollectLeaves(const Node& node, std::vector<std::string>& path, int16_t def, int16_t rep,
                   std::vector<LeafColumn>& out) {
  if (node.nullable) ++def;
  path.push_back(node.name);
  switch (node.kind) {
    case NodeKind::kPrimitive:
      out.push_back(LeafColumn{path, &node, def, rep});
      break;
    case NodeKind::kRecord:
      for (const auto& c : node.children) CollectLeaves(*c, path, def, rep, out);
      break;
    case NodeKind::kList:
      // The repeated "list" group adds one definition and one repetition level.
      path.push_back("list");
      {
        // Recurse through the real child so LeafColumn::node points into the tree; only the path name changes.
        const size_t before = out.size();
        CollectLeaves(*node.children[0], path, static_cast<int16_t>(def + 1), static_cast<int16_t>(rep + 1), out);
        for (size_t i = before; i < out.size(); ++i) out[i].path[path.size()] = "element";
      }
      path.pop_back();
      break;
    case NodeKind::kMap: {
      path.push_back("key_value");
      const size_t before = out.size();
      CollectLeaves(*node.children[0], path, static_cast<int16_t>(def + 1), static_cast<int16_t>(rep + 1), out);
      for (size_t i = before; i < out.size(); ++i) out[i].path[path.size()] = "key";
      const size_t mid = out.size();
      CollectLeaves(*node.children[1], path, static_cast<int16_t>(def + 1), static_cast<int16_t>(rep + 1), out);
      for (size_t i = mid; i < out.size(); ++i) out[i].path[path.size()] = "value";
      path.pop_back();
      break;
    }
  }
  path.pop_back();
}

const char* PhysicalName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return "boolean";
    case PhysicalType::kInt32: return "int32";
    case PhysicalType::kInt64: return "int64";
    case PhysicalType::kFloat: return "float";
    case PhysicalType::kDouble: return "double";
    case PhysicalType::kByteArray: return "binary";
    case PhysicalType::kFixedLenByteArray: return "fixed_len_byte_array";
  }
  return "?";
}

const char* LogicalName(LogicalKind k) {
  switch (k) {
    case LogicalKind::kNone: return "";
    case LogicalKind::kString: return "string";
    case LogicalKind::kEnum: return "enum";
    case LogicalKind::kUuid: return "uuid";
    case LogicalKind::kDecimal: return "decimal";
    case LogicalKind::kDate: return "date";
    case LogicalKind::kTimeMillis: return "time-millis";
    case LogicalKind::kTimeMicros: return "time-micros";
    case LogicalKind::kTimestampMillis: return "timestamp-millis";
    case LogicalKind::kTimestampMicros: return "timestamp-micros";
    case LogicalKind::kInteger: return "integer";
    case LogicalKind::kDuration: return "interval";
    case LogicalKind::kJson: return "json";
  }
  return "?";
}

void Render(const Node& node, int depth, std::string& out) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  out += node.nullable ? "optional " : "required ";
  switch (node.kind) {
    case NodeKind::kPrimitive:
      out += PhysicalName(node.physical);
      if (node.physical == PhysicalType::kFixedLenByteArray) out += "(" + std::to_string(node.type_length) + ")";
      out += ' ';
      out += node.name;
      if (node.logical != LogicalKind::kNone) {
        out += " (";
        out += LogicalName(node.logical);
        if (node.logical == LogicalKind::kDecimal)
          out += "(" + std::to_string(node.precision) + "," + std::to_string(node.scale) + ")";
        if (node.logical == LogicalKind::kInteger)
          out += "(" + std::to_string(node.bit_width) + (node.is_signed ? ",signed)" : ",unsigned)");
        if ((node.logical == LogicalKind::kTimestampMillis || node.logical == LogicalKind::kTimestampMicros) &&
            !node.adjusted_to_utc)
          out += ",local";
        out += ")";
      }
      out += '\n';
      return;
    case NodeKind::kRecord: out += "group " + node.name + "\n"; break;
    case NodeKind::kList: out += "list " + node.name + "\n"; break;
    case NodeKind::kMap: out += "map " + node.name + "\n"; break;
  }
  for (const auto& c : node.children) Render(*c, depth + 1, out);
}

}  // namespace

const std::vector<LeafColumn> Schema::kNoLeaves;

Schema::Schema(NodePtr root) : root_(std::move(root)) {
  auto leaves = std::make_shared<Leaves>();
  std::vector<std::string> path;
  leaves->field_leaf_begin.push_back(0);
  for (const auto& field : root_->children) {
    CollectLeaves(*field, path, 0, 0, leaves->leaves);
    leaves->field_leaf_begin.push_back(leaves->leaves.size());
  }
  leaves_ = std::move(leaves);
}

std::string Schema::ToString() const {
  std::string out = "schema " + root_->name + "\n";
  for (const auto& c : root_->children) Render(*c, 1, out);
  return out;
}

}  // namespace floe::columnar
