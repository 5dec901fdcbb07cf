#include "parquet/row_assembler.h"


#include "common/unaligned.h"
#include "parquet/errors.h"
#include "parquet/value_format.h"

namespace floe::parquet {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::PhysicalType;
using json = nlohmann::ordered_json;

namespace {

std::string KeyString(const json& k) { return k.is_string() ? k.get<std::string>() : k.dump(); }

}  // namespace

json LeafValueToJson(const columnar::ColumnBuffer& col, size_t i) {
  const Node& n = *col.leaf().node;
  const uint8_t* f = col.fixed().data();
  switch (n.physical) {
    case PhysicalType::kBoolean: return f[i] != 0;
    case PhysicalType::kInt32: {
      const int32_t v = LoadUnaligned<int32_t>(f + i * 4);
      switch (n.logical) {
        case LogicalKind::kDate: return FormatDate(v);
        case LogicalKind::kTimeMillis: return FormatTime(v, false);
        case LogicalKind::kDecimal: return FormatDecimal(v, n.scale);
        case LogicalKind::kInteger: if (!n.is_signed) return static_cast<uint32_t>(v); return v;
        default: return v;
      }
    }
    case PhysicalType::kInt64: {
      const int64_t v = LoadUnaligned<int64_t>(f + i * 8);
      switch (n.logical) {
        case LogicalKind::kTimeMicros: return FormatTime(v, true);
        case LogicalKind::kTimestampMillis: return FormatTimestamp(v, false, n.adjusted_to_utc);
        case LogicalKind::kTimestampMicros: return FormatTimestamp(v, true, n.adjusted_to_utc);
        case LogicalKind::kDecimal: return FormatDecimal(v, n.scale);
        case LogicalKind::kInteger: if (!n.is_signed) return static_cast<uint64_t>(v); return v;
        default: return v;
      }
    }
    case PhysicalType::kFloat: return static_cast<double>(LoadUnaligned<float>(f + i * 4));
    case PhysicalType::kDouble: return LoadUnaligned<double>(f + i * 8);
    case PhysicalType::kByteArray: {
      const std::string_view v = col.bytes_value(i);
      switch (n.logical) {
        case LogicalKind::kString:
        case LogicalKind::kEnum:
        case LogicalKind::kJson: return std::string(v);
        case LogicalKind::kDecimal: return FormatDecimalBytes(v, n.scale);
        default: return Base64(v);
      }
    }
    case PhysicalType::kFixedLenByteArray: {
      const size_t w = static_cast<size_t>(n.type_length);
      const std::string_view v(reinterpret_cast<const char*>(f) + i * w, w);
      switch (n.logical) {
        case LogicalKind::kUuid: return FormatUuid(v);
        case LogicalKind::kDecimal: return FormatDecimalBytes(v, n.scale);
        case LogicalKind::kDuration: {
          const uint8_t* p = f + i * w;
          return json{{"months", LoadUnaligned<uint32_t>(p)},
                      {"days", LoadUnaligned<uint32_t>(p + 4)},
                      {"millis", LoadUnaligned<uint32_t>(p + 8)}};
        }
        default: return Base64(v);
      }
    }
  }
  return nullptr;
}

RowAssembler::RowAssembler(const columnar::ColumnarBatch& batch) : batch_(batch), cursors_(batch.num_columns()) {}

int16_t RowAssembler::PeekDef(size_t leaf) const {
  const auto& c = batch_.column(leaf);
  const Cursor& cur = cursors_[leaf];
  if (cur.entry >= c.num_entries()) return -1;
  return c.max_definition_level() > 0 ? c.def_levels()[cur.entry] : 0;
}

int16_t RowAssembler::PeekRep(size_t leaf) const {
  const auto& c = batch_.column(leaf);
  const Cursor& cur = cursors_[leaf];
  if (cur.entry >= c.num_entries()) return -1;
  return c.max_repetition_level() > 0 ? c.rep_levels()[cur.entry] : 0;
}

void RowAssembler::SkipNull(size_t leaf_begin, size_t leaf_count) {
  for (size_t l = leaf_begin; l < leaf_begin + leaf_count; ++l) {
    if (cursors_[l].entry >= batch_.column(l).num_entries()) {
      corrupt_ = true;
      return;
    }
    ++cursors_[l].entry;
  }
}

json RowAssembler::Value(size_t leaf) {
  const auto& c = batch_.column(leaf);
  Cursor& cur = cursors_[leaf];
  if (cur.entry >= c.num_entries() || cur.value >= c.num_values()) {
    corrupt_ = true;
    return nullptr;
  }
  json v = LeafValueToJson(c, cur.value);
  ++cur.entry;
  ++cur.value;
  return v;
}

json RowAssembler::Read(const Node& node, size_t leaf, int16_t def_base, int16_t rep_depth) {
  if (corrupt_) return nullptr;
  const size_t nleaves = columnar::CountLeaves(node);
  const int16_t present = static_cast<int16_t>(def_base + (node.nullable ? 1 : 0));
  const int16_t d = PeekDef(leaf);
  if (d < 0) {
    corrupt_ = true;
    return nullptr;
  }
  if (d < present) {
    if (!node.nullable) corrupt_ = true;
    SkipNull(leaf, nleaves);
    return nullptr;
  }
  switch (node.kind) {
    case NodeKind::kPrimitive:
      return Value(leaf);
    case NodeKind::kRecord: {
      json obj = json::object();
      size_t l = leaf;
      for (const auto& c : node.children) {
        obj[c->name] = Read(*c, l, present, rep_depth);
        l += columnar::CountLeaves(*c);
      }
      return obj;
    }
    case NodeKind::kList:
    case NodeKind::kMap: {
      const bool is_map = node.kind == NodeKind::kMap;
      json out = is_map ? json::object() : json::array();
      if (d == present) {  // empty
        SkipNull(leaf, nleaves);
        return out;
      }
      const int16_t elem_def = static_cast<int16_t>(present + 1);
      const int16_t elem_rep = static_cast<int16_t>(rep_depth + 1);
      while (!corrupt_) {
        if (is_map) {
          const Node& k = *node.children[0];
          json key = Read(k, leaf, elem_def, elem_rep);
          json val = Read(*node.children[1], leaf + columnar::CountLeaves(k), elem_def, elem_rep);
          out[KeyString(key)] = std::move(val);
        } else {
          out.push_back(Read(*node.children[0], leaf, elem_def, elem_rep));
        }
        if (PeekRep(leaf) != elem_rep) break;
      }
      return out;
    }
  }
  return nullptr;
}

Result<bool> RowAssembler::Next(json* row) {
  if (record_ >= batch_.num_records()) return false;
  const Node& root = batch_.schema().root();
  json obj = json::object();
  size_t l = 0;
  for (const auto& c : root.children) {
    obj[c->name] = Read(*c, l, 0, 0);
    l += columnar::CountLeaves(*c);
  }
  if (corrupt_) return Corrupt("levels of record " + std::to_string(record_) + " do not assemble");
  ++record_;
  *row = std::move(obj);
  return true;
}

}  // namespace floe::parquet
