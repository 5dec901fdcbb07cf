// floe's type model: the one schema every decoder produces and every file-format writer consumes.
//
// Avro schemas, inferred JSON schemas and Parquet files all map to and from this model. It is deliberately
// close to Parquet's (a tree of groups and primitive leaves with logical annotations) because the Parquet
// writer is the main consumer, and the decoders write straight into per-leaf ColumnBuffers
// (column_buffer.h) using the Dremel levels computed here.
//
// Nesting rules (the Parquet format's LogicalTypes.md "Nested Types"):
//   record → group;  list → <opt> group (LIST) { repeated group list { <opt> element } }
//   map    → <opt> group (MAP)  { repeated group key_value { required key; <opt> value } }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace floe::columnar {

// How values are stored (Parquet's physical types).
enum class PhysicalType : uint8_t {
  kBoolean,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kByteArray,
  kFixedLenByteArray,
};

// How stored values are interpreted (Parquet's logical types; kNone for a plain physical value).
enum class LogicalKind : uint8_t {
  kNone,
  kString,           // byte array, UTF-8
  kEnum,             // byte array, one of Type::symbols
  kUuid,             // fixed 16
  kDecimal,          // int32 / int64 / fixed / byte array, unscaled big-endian two's complement in bytes
  kDate,             // int32 days since epoch
  kTimeMillis,       // int32
  kTimeMicros,       // int64
  kTimestampMillis,  // int64
  kTimestampMicros,  // int64
  kInteger,          // int32 / int64 with bit_width 8/16/32/64 and signedness
  kDuration,         // fixed 12: Avro duration = months, days, millis (little-endian u32 each); Parquet INTERVAL
  kJson,             // byte array holding JSON text
};

enum class NodeKind : uint8_t { kPrimitive, kRecord, kList, kMap };

struct Node;
using NodePtr = std::shared_ptr<Node>;

// One node of the schema tree. Fields are public: the tree is built once per schema and then read only.
struct Node {
  std::string name;
  NodeKind kind = NodeKind::kPrimitive;
  bool nullable = false;  // Parquet OPTIONAL vs REQUIRED
  std::string doc;

  // kPrimitive
  PhysicalType physical = PhysicalType::kByteArray;
  LogicalKind logical = LogicalKind::kNone;
  int32_t type_length = 0;       // kFixedLenByteArray
  int32_t precision = 0;         // kDecimal
  int32_t scale = 0;             // kDecimal
  int8_t bit_width = 0;          // kInteger
  bool is_signed = true;         // kInteger
  bool adjusted_to_utc = true;   // timestamps: false for Avro local-timestamp-*
  std::vector<std::string> symbols;  // kEnum

  // kRecord: fields in order. kList: exactly one child, the element. kMap: two children, key then value.
  std::vector<NodePtr> children;

  static NodePtr Primitive(std::string name, PhysicalType physical, bool nullable,
                           LogicalKind logical = LogicalKind::kNone);
  static NodePtr Record(std::string name, std::vector<NodePtr> fields, bool nullable);
  static NodePtr List(std::string name, NodePtr element, bool nullable);
  static NodePtr Map(std::string name, NodePtr key, NodePtr value, bool nullable);
};

// A leaf column with its Dremel levels, in depth-first order of the tree.
struct LeafColumn {
  std::vector<std::string> path;  // names from the root's child down to the leaf, as Parquet spells them
                                  // (including the synthetic "list"/"element"/"key_value"/"key"/"value")
  const Node* node = nullptr;     // the primitive node
  int16_t max_definition_level = 0;
  int16_t max_repetition_level = 0;

  std::string dotted_path() const;
};

// A whole table schema: a root record and its leaves. Cheap to copy (shares the tree and the leaf list).
class Schema {
 public:
  Schema() = default;
  explicit Schema(NodePtr root);

  const Node& root() const { return *root_; }
  const NodePtr& root_ptr() const { return root_; }
  const std::vector<LeafColumn>& leaves() const { return leaves_ ? leaves_->leaves : kNoLeaves; }
  size_t num_leaves() const { return leaves().size(); }

  // Index of the first leaf under the root's top-level field `i`, and how many leaves it spans.
  // Decoders use this to null out a whole subtree.
  size_t first_leaf_of_field(size_t i) const { return leaves_->field_leaf_begin[i]; }
  size_t leaf_count_of_field(size_t i) const {
    return leaves_->field_leaf_begin[i + 1] - leaves_->field_leaf_begin[i];
  }

  // True when both are copies of one schema (same tree, same leaf list): their batches' buffers line up.
  bool SameAs(const Schema& other) const { return leaves_ == other.leaves_ && root_ == other.root_; }

  // A readable one-line-per-node rendering for tests, errors and `floe parquet inspect`.
  std::string ToString() const;

 private:
  struct Leaves {
    std::vector<LeafColumn> leaves;
    std::vector<size_t> field_leaf_begin;
  };
  static const std::vector<LeafColumn> kNoLeaves;
  NodePtr root_;
  // Shared by every copy, like the tree: a batch per open file copies its schema without allocating, and the
  // LeafColumn addresses its buffers keep stay the same in every copy.
  std::shared_ptr<const Leaves> leaves_;
};

// Number of leaf columns under `node` (1 for a primitive).
size_t CountLeaves(const Node& node);

}  // namespace floe::columnar
