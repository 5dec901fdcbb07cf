#include "parquet/schema_mapping.h"

#include "parquet/errors.h"

namespace floe::parquet {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::NodePtr;
using columnar::PhysicalType;
using format::ConvertedType;
using format::LogicalType;
using format::Repetition;
using format::SchemaElement;

namespace {

format::Type ToFormatType(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean: return format::Type::kBoolean;
    case PhysicalType::kInt32: return format::Type::kInt32;
    case PhysicalType::kInt64: return format::Type::kInt64;
    case PhysicalType::kFloat: return format::Type::kFloat;
    case PhysicalType::kDouble: return format::Type::kDouble;
    case PhysicalType::kByteArray: return format::Type::kByteArray;
    case PhysicalType::kFixedLenByteArray: return format::Type::kFixedLenByteArray;
  }
  return format::Type::kByteArray;
}

Status SchemaError(const Node& n, const std::string& why) {
  return Error(ParquetError::kSchema, "field '" + n.name + "': " + why);
}

Status ValidateLeaf(const Node& n) {
  const PhysicalType p = n.physical;
  auto need = [&](bool ok, const char* what) { return ok ? Status::Ok() : SchemaError(n, what); };
  if (p == PhysicalType::kFixedLenByteArray && n.type_length <= 0)
    return SchemaError(n, "fixed_len_byte_array needs a positive type_length");
  switch (n.logical) {
    case LogicalKind::kNone: return Status::Ok();
    case LogicalKind::kString:
    case LogicalKind::kEnum:
    case LogicalKind::kJson: return need(p == PhysicalType::kByteArray, "string/enum/json must be binary");
    case LogicalKind::kUuid:
      return need(p == PhysicalType::kFixedLenByteArray && n.type_length == 16, "uuid must be fixed(16)");
    case LogicalKind::kDuration:
      return need(p == PhysicalType::kFixedLenByteArray && n.type_length == 12, "interval must be fixed(12)");
    case LogicalKind::kDate:
    case LogicalKind::kTimeMillis: return need(p == PhysicalType::kInt32, "date/time-millis must be int32");
    case LogicalKind::kTimeMicros:
    case LogicalKind::kTimestampMillis:
    case LogicalKind::kTimestampMicros: return need(p == PhysicalType::kInt64, "time-micros/timestamps must be int64");
    case LogicalKind::kInteger:
      if (n.bit_width != 8 && n.bit_width != 16 && n.bit_width != 32 && n.bit_width != 64)
        return SchemaError(n, "integer bit width must be 8/16/32/64");
      return need(n.bit_width == 64 ? p == PhysicalType::kInt64 : p == PhysicalType::kInt32,
                  "integer width does not match its physical type");
    case LogicalKind::kDecimal: {
      if (n.precision <= 0 || n.scale < 0 || n.scale > n.precision) return SchemaError(n, "bad decimal precision/scale");
      if (p == PhysicalType::kInt32) return need(n.precision <= 9, "int32 decimal precision must be <= 9");
      if (p == PhysicalType::kInt64) return need(n.precision <= 18, "int64 decimal precision must be <= 18");
      if (p == PhysicalType::kFixedLenByteArray) {
        // The largest precision a fixed(n) two's-complement value holds: floor(log10(2^(8n-1) - 1)).
        const double digits = (8.0 * n.type_length - 1) * 0.30102999566398120;
        return need(n.precision <= static_cast<int>(digits), "decimal precision too large for its fixed length");
      }
      return need(p == PhysicalType::kByteArray, "decimal must be int32/int64/fixed/binary");
    }
  }
  return Status::Ok();
}

Status Emit(const Node& n, const std::string& name, Repetition rep, std::vector<SchemaElement>& out, int depth) {
  if (depth > 100) return SchemaError(n, "nesting deeper than 100");
  if (name.empty()) return Error(ParquetError::kSchema, "empty field name");
  switch (n.kind) {
    case NodeKind::kPrimitive: {
      FLOE_RETURN_IF_ERROR(ValidateLeaf(n));
      SchemaElement e = LeafElement(n);
      e.name = name;
      e.repetition = rep;
      out.push_back(std::move(e));
      return Status::Ok();
    }
    case NodeKind::kRecord: {
      if (n.children.empty()) return SchemaError(n, "a record needs at least one field (Parquet has no empty groups)");
      SchemaElement e;
      e.name = name;
      e.repetition = rep;
      e.num_children = static_cast<int32_t>(n.children.size());
      out.push_back(std::move(e));
      for (const auto& c : n.children)
        FLOE_RETURN_IF_ERROR(Emit(*c, c->name, c->nullable ? Repetition::kOptional : Repetition::kRequired, out, depth + 1));
      return Status::Ok();
    }
    case NodeKind::kList: {
      if (n.children.size() != 1) return SchemaError(n, "a list has exactly one element type");
      SchemaElement e;
      e.name = name;
      e.repetition = rep;
      e.num_children = 1;
      e.converted_type = ConvertedType::kList;
      e.logical.kind = LogicalType::kList;
      out.push_back(std::move(e));
      SchemaElement r;
      r.name = "list";
      r.repetition = Repetition::kRepeated;
      r.num_children = 1;
      out.push_back(std::move(r));
      const Node& el = *n.children[0];
      return Emit(el, "element", el.nullable ? Repetition::kOptional : Repetition::kRequired, out, depth + 1);
    }
    case NodeKind::kMap: {
      if (n.children.size() != 2) return SchemaError(n, "a map has a key and a value type");
      SchemaElement e;
      e.name = name;
      e.repetition = rep;
      e.num_children = 1;
      e.converted_type = ConvertedType::kMap;
      e.logical.kind = LogicalType::kMap;
      out.push_back(std::move(e));
      SchemaElement r;
      r.name = "key_value";
      r.repetition = Repetition::kRepeated;
      r.num_children = 2;
      out.push_back(std::move(r));
      FLOE_RETURN_IF_ERROR(Emit(*n.children[0], "key", Repetition::kRequired, out, depth + 1));
      const Node& v = *n.children[1];
      return Emit(v, "value", v.nullable ? Repetition::kOptional : Repetition::kRequired, out, depth + 1);
    }
  }
  return Status::Ok();
}

}  // namespace

SchemaElement LeafElement(const Node& n) {
  SchemaElement e;
  e.name = n.name;
  e.type = ToFormatType(n.physical);
  if (n.physical == PhysicalType::kFixedLenByteArray) e.type_length = n.type_length;
  auto& lt = e.logical;
  switch (n.logical) {
    case LogicalKind::kNone: break;
    case LogicalKind::kString: lt.kind = LogicalType::kString; e.converted_type = ConvertedType::kUtf8; break;
    case LogicalKind::kEnum: lt.kind = LogicalType::kEnum; e.converted_type = ConvertedType::kEnum; break;
    case LogicalKind::kJson: lt.kind = LogicalType::kJson; e.converted_type = ConvertedType::kJson; break;
    case LogicalKind::kUuid: lt.kind = LogicalType::kUuid; break;
    case LogicalKind::kDuration: e.converted_type = ConvertedType::kInterval; break;
    case LogicalKind::kDate: lt.kind = LogicalType::kDate; e.converted_type = ConvertedType::kDate; break;
    case LogicalKind::kDecimal:
      lt.kind = LogicalType::kDecimal;
      lt.precision = n.precision;
      lt.scale = n.scale;
      e.converted_type = ConvertedType::kDecimal;
      e.precision = n.precision;
      e.scale = n.scale;
      break;
    case LogicalKind::kTimeMillis:
    case LogicalKind::kTimeMicros: {
      const bool millis = n.logical == LogicalKind::kTimeMillis;
      lt.kind = LogicalType::kTime;
      lt.adjusted_to_utc = true;
      lt.unit = millis ? LogicalType::kMillis : LogicalType::kMicros;
      e.converted_type = millis ? ConvertedType::kTimeMillis : ConvertedType::kTimeMicros;
      break;
    }
    case LogicalKind::kTimestampMillis:
    case LogicalKind::kTimestampMicros: {
      const bool millis = n.logical == LogicalKind::kTimestampMillis;
      lt.kind = LogicalType::kTimestamp;
      lt.adjusted_to_utc = n.adjusted_to_utc;
      lt.unit = millis ? LogicalType::kMillis : LogicalType::kMicros;
      e.converted_type = millis ? ConvertedType::kTimestampMillis : ConvertedType::kTimestampMicros;
      break;
    }
    case LogicalKind::kInteger: {
      lt.kind = LogicalType::kInteger;
      lt.bit_width = n.bit_width;
      lt.is_signed = n.is_signed;
      const int idx = n.bit_width == 8 ? 0 : n.bit_width == 16 ? 1 : n.bit_width == 32 ? 2 : 3;
      e.converted_type = static_cast<ConvertedType>((n.is_signed ? 15 : 11) + idx);
      break;
    }
  }
  return e;
}

Result<std::vector<SchemaElement>> ToParquetSchema(const columnar::Schema& schema) {
  std::vector<SchemaElement> out;
  const Node& root = schema.root();
  if (root.children.empty()) return Error(ParquetError::kSchema, "schema has no fields");
  SchemaElement r;
  r.name = root.name.empty() ? "schema" : root.name;
  r.num_children = static_cast<int32_t>(root.children.size());
  out.push_back(std::move(r));
  for (const auto& c : root.children)
    FLOE_RETURN_IF_ERROR(Emit(*c, c->name, c->nullable ? Repetition::kOptional : Repetition::kRequired, out, 1));
  return out;
}

SortOrder SortOrderOf(const Node& n) {
  switch (n.logical) {
    case LogicalKind::kDuration: return SortOrder::kNone;
    case LogicalKind::kInteger: return n.is_signed ? SortOrder::kSigned : SortOrder::kUnsigned;
    case LogicalKind::kDecimal:
      return n.physical == PhysicalType::kInt32 || n.physical == PhysicalType::kInt64 ? SortOrder::kSigned
                                                                                      : SortOrder::kDecimalBytes;
    default: break;
  }
  switch (n.physical) {
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray: return SortOrder::kBytes;
    default: return SortOrder::kSigned;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading

namespace {

struct SchemaParser {
  explicit SchemaParser(const std::vector<SchemaElement>& elements) : els(elements) {}
  const std::vector<SchemaElement>& els;
  size_t i = 0;
  std::vector<format::Type> leaf_types;
  std::vector<const SchemaElement*> leaf_elements;
  std::vector<std::pair<int16_t, int16_t>> leaf_levels;  // (def, rep) implied by the Parquet tree

  Status Fail(const std::string& why) { return Error(ParquetError::kCorrupt, "schema: " + why); }

  Result<NodePtr> Primitive(const SchemaElement& e, bool nullable) {
    const format::Type t = *e.type;
    NodePtr n;
    auto make = [&](PhysicalType p) { n = Node::Primitive(e.name, p, nullable); };
    switch (t) {
      case format::Type::kBoolean: make(PhysicalType::kBoolean); break;
      case format::Type::kInt32: make(PhysicalType::kInt32); break;
      case format::Type::kInt64: make(PhysicalType::kInt64); break;
      case format::Type::kInt96:
        make(PhysicalType::kInt64);
        n->logical = LogicalKind::kTimestampMicros;
        return n;
      case format::Type::kFloat: make(PhysicalType::kFloat); break;
      case format::Type::kDouble: make(PhysicalType::kDouble); break;
      case format::Type::kByteArray: make(PhysicalType::kByteArray); break;
      case format::Type::kFixedLenByteArray:
        if (!e.type_length || *e.type_length <= 0 || *e.type_length > (1 << 20))
          return Fail("fixed_len_byte_array '" + e.name + "' has a bad type_length");
        make(PhysicalType::kFixedLenByteArray);
        n->type_length = *e.type_length;
        break;
      default: return Fail("unknown physical type for '" + e.name + "'");
    }
    const PhysicalType p = n->physical;
    const auto& lt = e.logical;
    auto set_decimal = [&](int32_t precision, int32_t scale) {
      n->logical = LogicalKind::kDecimal;
      n->precision = precision;
      n->scale = scale;
    };
    if (lt.kind != LogicalType::kNone) {
      switch (lt.kind) {
        case LogicalType::kString: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kString; break;
        case LogicalType::kEnum: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kEnum; break;
        case LogicalType::kJson: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kJson; break;
        case LogicalType::kUuid:
          if (p == PhysicalType::kFixedLenByteArray && n->type_length == 16) n->logical = LogicalKind::kUuid;
          break;
        case LogicalType::kDecimal: set_decimal(lt.precision, lt.scale); break;
        case LogicalType::kDate: if (p == PhysicalType::kInt32) n->logical = LogicalKind::kDate; break;
        case LogicalType::kTime:
          if (lt.unit == LogicalType::kMillis && p == PhysicalType::kInt32) n->logical = LogicalKind::kTimeMillis;
          if (lt.unit == LogicalType::kMicros && p == PhysicalType::kInt64) n->logical = LogicalKind::kTimeMicros;
          break;
        case LogicalType::kTimestamp:
          if (p == PhysicalType::kInt64 && lt.unit != LogicalType::kNanos) {
            n->logical = lt.unit == LogicalType::kMillis ? LogicalKind::kTimestampMillis : LogicalKind::kTimestampMicros;
            n->adjusted_to_utc = lt.adjusted_to_utc;
          }
          break;
        case LogicalType::kInteger:
          if ((lt.bit_width == 64 && p == PhysicalType::kInt64) ||
              ((lt.bit_width == 8 || lt.bit_width == 16 || lt.bit_width == 32) && p == PhysicalType::kInt32)) {
            n->logical = LogicalKind::kInteger;
            n->bit_width = lt.bit_width;
            n->is_signed = lt.is_signed;
          }
          break;
        default: break;
      }
    } else if (e.converted_type) {
      const auto c = *e.converted_type;
      switch (c) {
        case ConvertedType::kUtf8: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kString; break;
        case ConvertedType::kEnum: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kEnum; break;
        case ConvertedType::kJson: if (p == PhysicalType::kByteArray) n->logical = LogicalKind::kJson; break;
        case ConvertedType::kDecimal: set_decimal(e.precision.value_or(0), e.scale.value_or(0)); break;
        case ConvertedType::kDate: if (p == PhysicalType::kInt32) n->logical = LogicalKind::kDate; break;
        case ConvertedType::kTimeMillis: if (p == PhysicalType::kInt32) n->logical = LogicalKind::kTimeMillis; break;
        case ConvertedType::kTimeMicros: if (p == PhysicalType::kInt64) n->logical = LogicalKind::kTimeMicros; break;
        case ConvertedType::kTimestampMillis:
          if (p == PhysicalType::kInt64) n->logical = LogicalKind::kTimestampMillis;
          break;
        case ConvertedType::kTimestampMicros:
          if (p == PhysicalType::kInt64) n->logical = LogicalKind::kTimestampMicros;
          break;
        case ConvertedType::kInterval:
          if (p == PhysicalType::kFixedLenByteArray && n->type_length == 12) n->logical = LogicalKind::kDuration;
          break;
        default:
          if (c >= ConvertedType::kUint8 && c <= ConvertedType::kInt64) {
            const int k = static_cast<int>(c) - 11;
            const int8_t widths[] = {8, 16, 32, 64};
            const int8_t bw = widths[k % 4];
            if ((bw == 64) == (p == PhysicalType::kInt64) && (p == PhysicalType::kInt32 || p == PhysicalType::kInt64)) {
              n->logical = LogicalKind::kInteger;
              n->bit_width = bw;
              n->is_signed = k >= 4;
            }
          }
          break;
      }
    }
    if (n->logical == LogicalKind::kDecimal) {
      const bool ok_phys = p == PhysicalType::kInt32 || p == PhysicalType::kInt64 ||
                           p == PhysicalType::kFixedLenByteArray || p == PhysicalType::kByteArray;
      if (!ok_phys || n->precision <= 0 || n->scale < 0 || n->scale > n->precision) n->logical = LogicalKind::kNone;
    }
    return n;
  }

  // Parses the element at i (and its subtree). *repeated reports a REPEATED element, returned as required.
  Result<NodePtr> Parse(int depth, int16_t def, int16_t rep, bool* repeated) {
    if (depth > 100) return Fail("nesting deeper than 100");
    if (i >= els.size()) return Fail("fewer elements than num_children promises");
    const SchemaElement& e = els[i++];
    if (!e.repetition) return Fail("element '" + e.name + "' has no repetition");
    *repeated = *e.repetition == Repetition::kRepeated;
    const bool nullable = *e.repetition == Repetition::kOptional;
    if (nullable) ++def;
    if (*repeated) {
      ++def;
      ++rep;
    }
    const int32_t nc = e.num_children.value_or(0);
    if (nc < 0 || static_cast<size_t>(nc) > els.size() - i) return Fail("bad num_children for '" + e.name + "'");
    if (nc == 0) {
      if (!e.type) return Fail("empty group '" + e.name + "'");
      FLOE_ASSIGN_OR_RETURN(NodePtr n, Primitive(e, nullable));
      leaf_types.push_back(*e.type);
      leaf_elements.push_back(&e);
      leaf_levels.emplace_back(def, rep);
      return n;
    }
    const bool is_list = e.logical.kind == LogicalType::kList || e.converted_type == ConvertedType::kList;
    const bool is_map = e.logical.kind == LogicalType::kMap || e.converted_type == ConvertedType::kMap ||
                        e.converted_type == ConvertedType::kMapKeyValue;
    if (is_list && nc == 1 && !*repeated) {
      const SchemaElement& r = els[i];
      if (r.repetition == Repetition::kRepeated) {
        const bool three_level = r.num_children.value_or(0) == 1 && r.name != "array" && r.name != e.name + "_tuple";
        NodePtr element;
        bool elem_repeated = false;
        if (three_level) {
          ++i;
          FLOE_ASSIGN_OR_RETURN(element, Parse(depth + 1, static_cast<int16_t>(def + 1),
                                               static_cast<int16_t>(rep + 1), &elem_repeated));
          if (elem_repeated) return Fail("list element '" + element->name + "' is repeated");
        } else {
          FLOE_ASSIGN_OR_RETURN(element, Parse(depth + 1, def, rep, &elem_repeated));
        }
        return Node::List(e.name, element, nullable);
      }
    }
    if (is_map && nc == 1 && !*repeated) {
      const SchemaElement& kv = els[i];
      if (kv.repetition == Repetition::kRepeated && kv.num_children.value_or(0) == 2) {
        ++i;
        bool r1 = false, r2 = false;
        FLOE_ASSIGN_OR_RETURN(NodePtr key, Parse(depth + 1, static_cast<int16_t>(def + 1),
                                                 static_cast<int16_t>(rep + 1), &r1));
        FLOE_ASSIGN_OR_RETURN(NodePtr value, Parse(depth + 1, static_cast<int16_t>(def + 1),
                                                   static_cast<int16_t>(rep + 1), &r2));
        if (r1 || r2 || key->nullable) return Fail("map '" + e.name + "' has a repeated or optional key/value");
        return Node::Map(e.name, key, value, nullable);
      }
    }
    std::vector<NodePtr> fields;
    for (int32_t k = 0; k < nc; ++k) {
      bool child_repeated = false;
      FLOE_ASSIGN_OR_RETURN(NodePtr c, Parse(depth + 1, def, rep, &child_repeated));
      if (child_repeated) c = Node::List(c->name, c, false);
      fields.push_back(std::move(c));
    }
    return Node::Record(e.name, std::move(fields), nullable);
  }
};

}  // namespace

Result<FileSchema> FromParquetSchema(const std::vector<SchemaElement>& elements) {
  if (elements.empty()) return Error(ParquetError::kCorrupt, "schema: no elements");
  SchemaParser p(elements);
  const SchemaElement& root = elements[0];
  const int32_t nc = root.num_children.value_or(0);
  if (nc <= 0 || static_cast<size_t>(nc) >= elements.size()) return Error(ParquetError::kCorrupt, "schema: bad root");
  p.i = 1;
  std::vector<NodePtr> fields;
  for (int32_t k = 0; k < nc; ++k) {
    bool repeated = false;
    FLOE_ASSIGN_OR_RETURN(NodePtr c, p.Parse(1, 0, 0, &repeated));
    if (repeated) c = Node::List(c->name, c, false);
    fields.push_back(std::move(c));
  }
  if (p.i != elements.size()) return Error(ParquetError::kCorrupt, "schema: elements left after the root's children");
  FileSchema out;
  out.schema = columnar::Schema(Node::Record(root.name, std::move(fields), false));
  const auto& leaves = out.schema.leaves();
  if (leaves.size() != p.leaf_levels.size()) return Error(ParquetError::kSchema, "schema: leaf count mismatch");
  for (size_t k = 0; k < leaves.size(); ++k) {
    if (leaves[k].max_definition_level != p.leaf_levels[k].first ||
        leaves[k].max_repetition_level != p.leaf_levels[k].second)
      return Error(ParquetError::kUnsupported, "schema: nesting of '" + leaves[k].dotted_path() +
                                                   "' has no floe equivalent");
  }
  out.leaf_types = std::move(p.leaf_types);
  out.leaf_elements = std::move(p.leaf_elements);
  return out;
}

}  // namespace floe::parquet
