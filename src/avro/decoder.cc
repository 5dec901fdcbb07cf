#include "avro/decoder.h"

#include <map>
#include <set>

#include "avro/json_codec.h"
#include "avro/resolution.h"

namespace floe::avro {

using columnar::ColumnarBatch;
using columnar::ColumnBuffer;
using columnar::LogicalKind;
using columnar::Node;
using columnar::NodePtr;
using columnar::PhysicalType;

namespace {

// ---------------------------------------------------------------------------------------------------------
// Mapping: where each position of the reader's value tree lands in the columnar schema.

struct Slot {
  enum class Kind : uint8_t { kLeaf, kNull, kRecord, kList, kMap, kUnion, kJson };
  Kind kind = Kind::kLeaf;
  const TypeNode* type = nullptr;         // the reader type here (the non-null type for nullable unions)
  const TypeNode* union_type = nullptr;   // the reader union when the reader type here is a union
  int16_t def = 0;                        // definition level when a value is present here
  int16_t rep = 0;                        // kList/kMap: repetition level of the items
  uint32_t first_leaf = 0;
  uint32_t leaf_count = 0;
  std::vector<Slot> children;  // kRecord: reader fields; kList: {items}; kMap: {values};
                               // kUnion: one per reader branch (the null branch's is empty)
};

// Decimals are stored by precision, not by their Avro carrier (docs/PARQUET_TYPES.md): int32 up to 9
// digits, int64 up to 18, above that the shortest FIXED_LEN_BYTE_ARRAY that holds them.
PhysicalType DecimalPhysical(int32_t precision) {
  if (precision <= 9) return PhysicalType::kInt32;
  if (precision <= 18) return PhysicalType::kInt64;
  return PhysicalType::kFixedLenByteArray;
}

class Mapper {
 public:
  Slot Build(const TypeNode& t, const std::string& name, int16_t parent_def, int16_t rep, NodePtr& node) {
    if (t.type != Type::kUnion) return BuildValue(t, name, parent_def, rep, false, node);
    const int null_branch = t.NullBranch();
    const bool has_null = null_branch >= 0;
    std::vector<const TypeNode*> non_null;
    for (const auto* b : t.branches)
      if (b->type != Type::kNull) non_null.push_back(b);
    Slot s;
    if (non_null.empty()) {
      s = NullColumn(name, parent_def, node);
    } else if (non_null.size() == 1) {
      s = BuildValue(*non_null[0], name, parent_def, rep, has_null, node);
    } else {
      s.kind = Slot::Kind::kUnion;
      s.type = &t;
      s.def = static_cast<int16_t>(parent_def + (has_null ? 1 : 0));
      s.first_leaf = next_leaf_;
      std::vector<NodePtr> members;
      for (const auto* b : t.branches) {
        if (b->type == Type::kNull) {
          s.children.emplace_back();
          s.children.back().first_leaf = next_leaf_;
          continue;
        }
        NodePtr member;
        s.children.push_back(BuildValue(*b, b->is_named() ? b->name : std::string(TypeName(b->type)), s.def, rep,
                                        true, member));
        members.push_back(std::move(member));
      }
      s.leaf_count = next_leaf_ - s.first_leaf;
      node = Node::Record(name, std::move(members), has_null);
    }
    s.union_type = &t;
    return s;
  }

 private:
  Slot NullColumn(const std::string& name, int16_t parent_def, NodePtr& node) {
    Slot s;
    s.kind = Slot::Kind::kNull;
    s.def = static_cast<int16_t>(parent_def + 1);
    s.first_leaf = next_leaf_++;
    s.leaf_count = 1;
    node = Node::Primitive(name, PhysicalType::kInt32, true);
    return s;
  }

  Slot Leaf(const TypeNode& t, const std::string& name, int16_t def, bool nullable, NodePtr& node) {
    Slot s;
    s.kind = Slot::Kind::kLeaf;
    s.type = &t;
    s.def = def;
    s.first_leaf = next_leaf_++;
    s.leaf_count = 1;
    PhysicalType phys = PhysicalType::kByteArray;
    LogicalKind logical = LogicalKind::kNone;
    switch (t.type) {
      case Type::kBoolean: phys = PhysicalType::kBoolean; break;
      case Type::kInt:
        phys = PhysicalType::kInt32;
        if (t.logical == LogicalType::kDate) logical = LogicalKind::kDate;
        if (t.logical == LogicalType::kTimeMillis) logical = LogicalKind::kTimeMillis;
        break;
      case Type::kLong:
        phys = PhysicalType::kInt64;
        switch (t.logical) {
          case LogicalType::kTimeMicros: logical = LogicalKind::kTimeMicros; break;
          case LogicalType::kTimestampMillis:
          case LogicalType::kLocalTimestampMillis: logical = LogicalKind::kTimestampMillis; break;
          case LogicalType::kTimestampMicros:
          case LogicalType::kLocalTimestampMicros: logical = LogicalKind::kTimestampMicros; break;
          default: break;
        }
        break;
      case Type::kFloat: phys = PhysicalType::kFloat; break;
      case Type::kDouble: phys = PhysicalType::kDouble; break;
      case Type::kBytes: break;
      case Type::kString:
        if (t.logical == LogicalType::kUuid) {
          phys = PhysicalType::kFixedLenByteArray;
          logical = LogicalKind::kUuid;
        } else {
          logical = LogicalKind::kString;
        }
        break;
      case Type::kEnum: logical = LogicalKind::kEnum; break;
      case Type::kFixed:
        phys = PhysicalType::kFixedLenByteArray;
        if (t.logical == LogicalType::kDuration) logical = LogicalKind::kDuration;
        if (t.logical == LogicalType::kUuid) logical = LogicalKind::kUuid;
        break;
      default: break;
    }
    int32_t type_length = t.type == Type::kFixed ? t.size : 16;
    if (t.logical == LogicalType::kDecimal) {  // on bytes or fixed alike
      logical = LogicalKind::kDecimal;
      phys = DecimalPhysical(t.precision);
      type_length = DecimalFixedSize(t.precision);
    }
    node = Node::Primitive(name, phys, nullable, logical);
    if (phys == PhysicalType::kFixedLenByteArray) node->type_length = type_length;
    if (logical == LogicalKind::kDecimal) {
      node->precision = t.precision;
      node->scale = t.scale;
    }
    if (t.logical == LogicalType::kLocalTimestampMillis || t.logical == LogicalType::kLocalTimestampMicros)
      node->adjusted_to_utc = false;
    if (t.type == Type::kEnum) node->symbols = t.symbols;
    node->doc = t.doc;
    return s;
  }

  Slot BuildValue(const TypeNode& t, const std::string& name, int16_t parent_def, int16_t rep, bool nullable,
                  NodePtr& node) {
    const auto def = static_cast<int16_t>(parent_def + (nullable ? 1 : 0));
    Slot s;
    switch (t.type) {
      case Type::kNull: return NullColumn(name, parent_def, node);
      case Type::kRecord: {
        if (open_.count(&t)) {
          s.kind = Slot::Kind::kJson;
          s.type = &t;
          s.def = def;
          s.first_leaf = next_leaf_++;
          s.leaf_count = 1;
          node = Node::Primitive(name, PhysicalType::kByteArray, nullable, LogicalKind::kJson);
          return s;
        }
        open_.insert(&t);
        s.kind = Slot::Kind::kRecord;
        s.type = &t;
        s.def = def;
        s.first_leaf = next_leaf_;
        std::vector<NodePtr> fields;
        for (const auto& f : t.fields) {
          NodePtr child;
          s.children.push_back(Build(*f.type, f.name, def, rep, child));
          child->doc = f.doc;
          fields.push_back(std::move(child));
        }
        open_.erase(&t);
        s.leaf_count = next_leaf_ - s.first_leaf;
        node = Node::Record(name, std::move(fields), nullable);
        node->doc = t.doc;
        return s;
      }
      case Type::kArray: {
        s.kind = Slot::Kind::kList;
        s.type = &t;
        s.def = def;
        s.rep = static_cast<int16_t>(rep + 1);
        s.first_leaf = next_leaf_;
        NodePtr element;
        s.children.push_back(Build(*t.items, "element", static_cast<int16_t>(def + 1), s.rep, element));
        s.leaf_count = next_leaf_ - s.first_leaf;
        node = Node::List(name, std::move(element), nullable);
        return s;
      }
      case Type::kMap: {
        s.kind = Slot::Kind::kMap;
        s.type = &t;
        s.def = def;
        s.rep = static_cast<int16_t>(rep + 1);
        s.first_leaf = next_leaf_++;  // the key column
        NodePtr value;
        s.children.push_back(Build(*t.values, "value", static_cast<int16_t>(def + 1), s.rep, value));
        s.leaf_count = next_leaf_ - s.first_leaf;
        node = Node::Map(name, Node::Primitive("key", PhysicalType::kByteArray, false, LogicalKind::kString),
                         std::move(value), nullable);
        return s;
      }
      default: return Leaf(t, name, def, nullable, node);
    }
  }

  uint32_t next_leaf_ = 0;
  std::set<const TypeNode*> open_;
};

// The reader schema's slot tree and columnar schema; the root slot is always a record.
struct Mapping {
  Slot root;
  columnar::Schema schema;
};

Mapping MapReader(const Schema& reader) {
  Mapper m;
  Mapping out;
  NodePtr root;
  const TypeNode& t = reader.root();
  if (t.type == Type::kRecord) {
    out.root = m.Build(t, t.name, 0, 0, root);
  } else {
    NodePtr value;
    Slot child = m.Build(t, "value", 0, 0, value);
    out.root.kind = Slot::Kind::kRecord;
    out.root.leaf_count = child.leaf_count;
    out.root.children.push_back(std::move(child));
    root = Node::Record("value", {value}, false);
  }
  out.schema = columnar::Schema(root);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The instruction set.

enum class Op : uint8_t {
  kEnd,
  // Leaf instructions, kBool..kEnum (IsLeafOp): one value into one column.
  kBool,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kIntToLong,
  kIntToFloat,
  kIntToDouble,
  kLongToFloat,
  kLongToDouble,
  kFloatToDouble,
  kBytes,       // writer bytes/string into a byte-array column, no check
  kString,      // into a string column: UTF-8 checked
  kUuidString,  // 36-char UUID text into FIXED(16)
  kFixed,       // a = size
  kDecimal,     // a = writer fixed size (0: length-prefixed bytes), b = width of the column (4: int32,
                // 8: int64, else FIXED(b)), c = const index of 10^precision as b big-endian bytes
  kEnum,        // a = offset in enum_symbols, b = writer symbol count
  kNulls,       // b = leaf count from col, def = level of the null
  kUnion,       // a = offset in jump table, b = writer branch count
  kOptional,    // writer ["null",T]/[T,"null"] into an optional slot: aux = null branch index; on null, nulls
                // for b leaves from col at def, then skip the next c instructions (T's, inlined after it)
  kArray,       // a = items block, b = leaf count, c = min item size, def = def of an empty list, aux = item rep
  kMap,         // as kArray; col is the key column
  kDefault,     // a = const index, b = block decoding it
  kJson,        // a = writer type index
  kCapture,     // a = candidate index; reads back the value just appended to col
  kFail,        // a = message index, aux = AvroError
  kSkipVarint,
  kSkipBytes,
  kSkipN,       // a = byte count
  kSkipArray,   // a = items block, c = min item size
  kSkipMap,     // as kSkipArray (block skips the value only)
  kSkipUnion,   // a = offset in jump table, b = branch count
  kCall,        // a = block (recursive skips)
};

struct Instr {
  Op op = Op::kEnd;
  int16_t def = 0;
  int16_t aux = 0;
  uint32_t col = 0;
  uint32_t a = 0;
  uint32_t b = 0;
  uint32_t c = 0;
};

const char* OpName(Op op) {
  static const char* const kNames[] = {
      "end", "bool", "int", "long", "float", "double", "int->long", "int->float", "int->double", "long->float",
      "long->double", "float->double", "bytes", "string", "uuid-string", "fixed", "decimal", "enum", "nulls", "union", "optional",
      "array", "map", "default", "json", "capture", "fail", "skip-varint", "skip-bytes", "skip-n", "skip-array",
      "skip-map", "skip-union", "call"};
  return kNames[static_cast<int>(op)];
}

bool HasBlockInA(Op op) {
  return op == Op::kArray || op == Op::kMap || op == Op::kSkipArray || op == Op::kSkipMap || op == Op::kCall;
}

constexpr int kMaxCaptures = 32;
// Widest decimal column: precision 1000 (the most the schema parser accepts) needs 416 bytes.
constexpr size_t kMaxDecimalWidth = 512;

}  // namespace

struct RecordDecoder::Program {
  Schema writer;
  Schema reader;
  columnar::Schema columnar;
  std::vector<Instr> code;
  uint32_t entry = 0;
  std::vector<uint32_t> jump;
  std::vector<std::string_view> enum_symbols;  // data() == nullptr: symbol the reader cannot represent
  std::vector<std::string> consts;
  std::vector<std::string> messages;
  std::vector<const TypeNode*> json_types;
  std::vector<LogicalType> capture_logical;

  // Per-datum state, reused so decoding does not allocate.
  ColumnarBatch::Mark mark;
  std::string json_scratch;
  uint32_t capture_present = 0;
  struct Captured {
    CapturedValue::Kind kind = CapturedValue::Kind::kNone;
    int64_t long_value = 0;
    std::string_view string_value;
  };
  std::vector<Captured> captured;
};

namespace {

using Program = RecordDecoder::Program;

struct ExecState {
  BinaryReader r;
  ColumnBuffer* cols = nullptr;
  int16_t rep = 0;
  Program* prog = nullptr;
  DatumBudget budget;  // of the datum being read
};

// Eight ASCII hex digits (first digit in the lowest byte) → four bytes, or false. SWAR: every byte is
// range-checked and converted at once, no table lookups.
inline bool HexToBytes8(uint64_t w, uint8_t out[4]) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  if (w & kHigh) return false;
  // Bytes are < 0x80, so adding (0x80 - lo) sets a byte's high bit iff it is >= lo, without carries.
  const auto in_range = [](uint64_t x, uint8_t lo, uint8_t hi) {
    return (x + kOnes * (0x80 - lo)) & ~(x + kOnes * (0x7f - hi)) & kHigh;
  };
  const uint64_t digit = in_range(w, '0', '9');
  const uint64_t letter = in_range(w | kOnes * 0x20, 'a', 'f');  // A-F folded to a-f
  if ((digit | letter) != kHigh) return false;
  const uint64_t nibbles = (w & kOnes * 0x0f) + (letter >> 7) * 9;
  uint64_t x = ((nibbles << 4) | (nibbles >> 8)) & 0x00ff00ff00ff00ffULL;  // byte pairs → one byte per lane
  x = (x | (x >> 8)) & 0x0000ffff0000ffffULL;
  x = (x | (x >> 16)) & 0xffffffffULL;
  const auto v = static_cast<uint32_t>(x);
  std::memcpy(out, &v, 4);
  return true;
}

// "123e4567-e89b-12d3-a456-426614174000" → 16 bytes. It runs per event: four 8-digit SWAR conversions.
bool ParseUuid(std::string_view s, uint8_t out[16]) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  const char* p = s.data();
  char digits[32];
  std::memcpy(digits, p, 8);
  std::memcpy(digits + 8, p + 9, 4);
  std::memcpy(digits + 12, p + 14, 4);
  std::memcpy(digits + 16, p + 19, 4);
  std::memcpy(digits + 20, p + 24, 12);
  bool ok = true;
  for (int i = 0; i < 4; ++i) ok &= HexToBytes8(BinaryReader::Load64(reinterpret_cast<const uint8_t*>(digits) + 8 * i), out + 4 * i);
  return ok;
}

[[gnu::noinline]] bool Exec(uint32_t pc, ExecState& s);

inline void AppendNulls(ColumnBuffer* cols, int16_t rep, const Instr& in) {
  for (uint32_t i = 0; i < in.b; ++i) cols[in.col + i].AppendNull(in.def, rep);
}

// A decimal's unscaled value (big-endian two's complement of any length; none is zero) into its column of
// in.b bytes: sign bytes dropped or added, then |value| < 10^precision checked. False when it does not fit.
[[gnu::noinline]] bool AppendDecimal(const uint8_t* p, size_t n, const Instr& in, ColumnBuffer& col, int16_t rep,
                                     const Program& prog) {
  const size_t width = in.b;
  const bool negative = n > 0 && (p[0] & 0x80);
  const uint8_t sign = negative ? 0xff : 0x00;
  uint8_t buf[kMaxDecimalWidth];
  if (n > width) {
    for (size_t i = 0; i < n - width; ++i)
      if (p[i] != sign) return false;
    if ((p[n - width] & 0x80) != (sign & 0x80)) return false;
    std::memcpy(buf, p + (n - width), width);
  } else {
    std::memset(buf, sign, width - n);
    if (n) std::memcpy(buf + (width - n), p, n);
  }
  // |value| as an unsigned big-endian number (two's complement negation), compared with 10^precision.
  uint8_t magnitude[kMaxDecimalWidth];
  std::memcpy(magnitude, buf, width);
  if (negative) {
    unsigned carry = 1;
    for (size_t i = width; i-- > 0;) {
      const unsigned v = static_cast<uint8_t>(~magnitude[i]) + carry;
      magnitude[i] = static_cast<uint8_t>(v);
      carry = v >> 8;
    }
  }
  if (std::memcmp(magnitude, prog.consts[in.c].data(), width) >= 0) return false;
  if (width == 4 || width == 8) {
    uint64_t u = negative ? ~uint64_t{0} : 0;
    for (size_t i = 0; i < width; ++i) u = (u << 8) | buf[i];
    if (width == 4) {
      col.AppendInt32(static_cast<int32_t>(u), in.def, rep);
    } else {
      col.AppendInt64(static_cast<int64_t>(u), in.def, rep);
    }
  } else {
    col.AppendFixedBytes(buf, width, in.def, rep);
  }
  return true;
}

// The leaf instructions: read one value and append it to one column. kOther for every other instruction.
enum class Step : uint8_t { kOk, kFailed, kOther };

bool IsLeafOp(Op op) { return op >= Op::kBool && op <= Op::kEnum; }

[[gnu::always_inline]] inline Step ExecLeaf(const Instr& in, BinaryReader& r, ColumnBuffer* cols, int16_t rep,
                                            const Program& prog) {
  switch (in.op) {
    case Op::kBool: {
      bool v;
      if (!r.ReadBool(v)) return Step::kFailed;
      cols[in.col].AppendBool(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kInt: {
      int32_t v;
      if (!r.ReadInt(v)) return Step::kFailed;
      cols[in.col].AppendInt32(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kLong: {
      int64_t v;
      if (!r.ReadLong(v)) return Step::kFailed;
      cols[in.col].AppendInt64(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kFloat: {
      float v;
      if (!r.ReadFloat(v)) return Step::kFailed;
      cols[in.col].AppendFloat(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kDouble: {
      double v;
      if (!r.ReadDouble(v)) return Step::kFailed;
      cols[in.col].AppendDouble(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kIntToLong: {
      int32_t v;
      if (!r.ReadInt(v)) return Step::kFailed;
      cols[in.col].AppendInt64(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kIntToFloat: {
      int32_t v;
      if (!r.ReadInt(v)) return Step::kFailed;
      cols[in.col].AppendFloat(static_cast<float>(v), in.def, rep);
      return Step::kOk;
    }
    case Op::kIntToDouble: {
      int32_t v;
      if (!r.ReadInt(v)) return Step::kFailed;
      cols[in.col].AppendDouble(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kLongToFloat: {
      int64_t v;
      if (!r.ReadLong(v)) return Step::kFailed;
      cols[in.col].AppendFloat(static_cast<float>(v), in.def, rep);
      return Step::kOk;
    }
    case Op::kLongToDouble: {
      int64_t v;
      if (!r.ReadLong(v)) return Step::kFailed;
      cols[in.col].AppendDouble(static_cast<double>(v), in.def, rep);
      return Step::kOk;
    }
    case Op::kFloatToDouble: {
      float v;
      if (!r.ReadFloat(v)) return Step::kFailed;
      cols[in.col].AppendDouble(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kBytes: {
      std::string_view v;
      if (!r.ReadBytes(v)) return Step::kFailed;
      cols[in.col].AppendBytes(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kString: {
      std::string_view v;
      if (!r.ReadBytes(v)) return Step::kFailed;
      if (!ValidUtf8InBuffer(v.data(), v.size(), r.end)) {
        r.Fail(AvroError::kInvalidUtf8, "string is not UTF-8");
        return Step::kFailed;
      }
      cols[in.col].AppendBytes(v, in.def, rep);
      return Step::kOk;
    }
    case Op::kUuidString: {
      std::string_view v;
      if (!r.ReadBytes(v)) return Step::kFailed;
      uint8_t uuid[16];
      if (!ParseUuid(v, uuid)) {
        r.Fail(AvroError::kInvalidLogicalValue, "uuid string is not a UUID");
        return Step::kFailed;
      }
      cols[in.col].AppendFixedBytes(uuid, 16, in.def, rep);
      return Step::kOk;
    }
    case Op::kFixed: {
      const uint8_t* p;
      if (!r.ReadFixed(in.a, p)) return Step::kFailed;
      cols[in.col].AppendFixedBytes(p, in.a, in.def, rep);
      return Step::kOk;
    }
    case Op::kDecimal: {
      const uint8_t* p;
      size_t n = in.a;
      if (n == 0) {
        std::string_view v;
        if (!r.ReadBytes(v)) return Step::kFailed;
        p = reinterpret_cast<const uint8_t*>(v.data());
        n = v.size();
      } else if (!r.ReadFixed(n, p)) {
        return Step::kFailed;
      }
      if (!AppendDecimal(p, n, in, cols[in.col], rep, prog)) {
        r.Fail(AvroError::kDecimalOverflow, "decimal has more digits than its precision");
        return Step::kFailed;
      }
      return Step::kOk;
    }
    case Op::kEnum: {
      int64_t i;
      if (!r.ReadLong(i)) return Step::kFailed;
      if (i < 0 || static_cast<uint64_t>(i) >= in.b) {
        r.Fail(AvroError::kBadEnumIndex, "enum index outside the writer's symbols");
        return Step::kFailed;
      }
      const std::string_view sym = prog.enum_symbols[in.a + static_cast<size_t>(i)];
      if (sym.data() == nullptr) {
        r.Fail(AvroError::kUnresolvedValue, "enum symbol unknown to the reader schema (no default)");
        return Step::kFailed;
      }
      cols[in.col].AppendBytes(sym, in.def, rep);
      return Step::kOk;
    }
    default: return Step::kOther;
  }
}

// Arrays and maps. Items that are one leaf value (the common array<string>, map<long>, ...) run here in a
// loop; others re-enter the interpreter per item.
[[gnu::noinline, gnu::flatten]] bool ExecRepeated(const Instr& in, ExecState& s, bool is_map) {
  const int16_t outer_rep = s.rep;
  const Instr* item = &s.prog->code[in.a];
  if (!IsLeafOp(item[0].op) || item[1].op != Op::kEnd) item = nullptr;
  bool any = false;
  BinaryReader r = s.r;
  const auto fail = [&] {
    s.r = r;
    return false;
  };
  for (;;) {
    int64_t count, bytes;
    if (!ReadBlockHeader(r, count, bytes)) return fail();
    if (count == 0) break;
    if (!CheckItemCount(r, count, in.c, s.budget)) return fail();
    const uint8_t* block_start = r.p;
    for (int64_t i = 0; i < count; ++i) {
      const int16_t rep = any ? in.aux : outer_rep;
      any = true;
      if (is_map) {
        std::string_view key;
        if (!r.ReadBytes(key)) return fail();
        if (!ValidUtf8InBuffer(key.data(), key.size(), r.end)) {
          r.Fail(AvroError::kInvalidUtf8, "map key is not UTF-8");
          return fail();
        }
        s.cols[in.col].AppendBytes(key, static_cast<int16_t>(in.def + 1), rep);
      }
      const Step st = item ? ExecLeaf(*item, r, s.cols, rep, *s.prog) : Step::kOther;
      if (st == Step::kFailed) return fail();
      if (st == Step::kOther) {
        s.r = r;
        s.rep = rep;
        if (!Exec(in.a, s)) return false;
        r = s.r;
      }
    }
    // Readers that jump over blocks by their size must see the same data as readers that decode them.
    if (bytes >= 0 && r.p - block_start != bytes) {
      r.Fail(AvroError::kBadBlockSize, "block byte size differs from its items");
      return fail();
    }
  }
  s.r = r;
  s.rep = outer_rep;
  if (!any) AppendNulls(s.cols, s.rep, in);
  return true;
}

bool ExecSkipRepeated(const Instr& in, ExecState& s, bool is_map) {
  for (;;) {
    int64_t count, bytes;
    if (!ReadBlockHeader(s.r, count, bytes)) return false;
    if (count == 0) return true;
    if (bytes >= 0) {  // the writer told us the block's size: jump over it
      s.r.p += bytes;
      continue;
    }
    if (!CheckItemCount(s.r, count, in.c, s.budget)) return false;
    for (int64_t i = 0; i < count; ++i) {
      if (is_map) {
        std::string_view key;
        if (!s.r.ReadBytes(key)) return false;
      }
      if (!Exec(in.a, s)) return false;
    }
  }
}

void Capture(const Instr& in, ExecState& s) {
  const ColumnBuffer& c = s.cols[in.col];
  Program::Captured& cap = s.prog->captured[in.a];
  const size_t n = c.num_values();
  switch (c.physical()) {
    case PhysicalType::kInt32: {
      int32_t v;
      std::memcpy(&v, c.fixed().data() + (n - 1) * 4, 4);
      cap.kind = CapturedValue::Kind::kLong;
      cap.long_value = v;
      break;
    }
    case PhysicalType::kInt64:
      std::memcpy(&cap.long_value, c.fixed().data() + (n - 1) * 8, 8);
      cap.kind = CapturedValue::Kind::kLong;
      break;
    default:
      cap.kind = CapturedValue::Kind::kString;
      cap.string_value = c.bytes_value(n - 1);
      break;
  }
  s.prog->capture_present |= 1u << in.a;
}

// The interpreter. The cursor lives in a local whose address is never taken, so it stays in registers
// across the column appends (byte stores, which the compiler must otherwise assume may overwrite it); it is
// handed back through `s` only around calls that work on `s`. Flattened so that the readers and the
// ColumnBuffer appends are inlined into the loop rather than called per value.
// Every nested call runs through here, so the depth limit guards them all.
[[gnu::flatten]] bool Exec(uint32_t pc, ExecState& s) {
  if (!EnterLevel(s.r, s.budget)) return false;
  const LevelGuard level{s.budget};
  const Instr* const code = s.prog->code.data();
  ColumnBuffer* const cols = s.cols;
  const int16_t rep = s.rep;  // callees restore it
  BinaryReader r = s.r;
  const auto fail = [&] {
    s.r = r;
    return false;
  };
  // Runs a callee that reads through s.r, then takes the cursor back.
  const auto through_s = [&](auto&& callee) {
    s.r = r;
    const bool ok = callee();
    r = s.r;
    return ok;
  };
  for (;;) {
    const Instr& in = code[pc++];
    const Step leaf = ExecLeaf(in, r, cols, rep, *s.prog);
    if (leaf == Step::kOk) continue;
    if (leaf == Step::kFailed) return fail();
    switch (in.op) {
      case Op::kEnd:
        s.r = r;
        return true;
      case Op::kNulls: AppendNulls(cols, rep, in); break;
      case Op::kUnion:
      case Op::kSkipUnion: {
        int64_t i;
        if (!r.ReadLong(i)) return fail();
        if (i < 0 || static_cast<uint64_t>(i) >= in.b) {
          r.Fail(AvroError::kBadUnionIndex, "union index outside the writer's branches");
          return fail();
        }
        if (!through_s([&] { return Exec(s.prog->jump[in.a + static_cast<size_t>(i)], s); })) return false;
        break;
      }
      case Op::kOptional: {
        int64_t i;
        if (!r.ReadLong(i)) return fail();
        if (i == in.aux) {
          AppendNulls(cols, rep, in);
          pc += in.c;
        } else if (i != 1 - in.aux) {
          r.Fail(AvroError::kBadUnionIndex, "union index outside the writer's branches");
          return fail();
        }
        break;
      }
      case Op::kArray:
      case Op::kMap:
        if (!through_s([&] { return ExecRepeated(in, s, in.op == Op::kMap); })) return false;
        break;
      case Op::kDefault: {
        const BinaryReader saved = r;
        const std::string& bytes = s.prog->consts[in.a];
        s.r = BinaryReader(bytes.data(), bytes.size());
        const bool ok = Exec(in.b, s);
        r = saved;
        if (!ok) {
          r.Fail(s.r.error, s.r.what);
          return fail();
        }
        break;
      }
      case Op::kJson: {
        std::string& out = s.prog->json_scratch;
        out.clear();
        if (!through_s([&] { return RenderDatumJson(*s.prog->json_types[in.a], s.r, out, s.budget); })) return false;
        cols[in.col].AppendBytes(out, in.def, rep);
        break;
      }
      case Op::kCapture: Capture(in, s); break;
      case Op::kFail:
        r.Fail(static_cast<AvroError>(in.aux), s.prog->messages[in.a].c_str());
        return fail();
      case Op::kSkipVarint:
        if (!r.SkipVarint()) return fail();
        break;
      case Op::kSkipBytes: {
        std::string_view v;
        if (!r.ReadBytes(v)) return fail();
        break;
      }
      case Op::kSkipN:
        if (!r.Skip(in.a)) return fail();
        break;
      case Op::kSkipArray:
      case Op::kSkipMap:
        if (!through_s([&] { return ExecSkipRepeated(in, s, in.op == Op::kSkipMap); })) return false;
        break;
      case Op::kCall:
        if (!through_s([&] { return Exec(in.a, s); })) return false;
        break;
      default: break;  // leaf instructions, run above
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The compiler.

Status Incompatible(const std::string& where, const std::string& what) {
  return Error(AvroError::kIncompatibleSchema, where.empty() ? what : where + ": " + what);
}

std::string Describe(const TypeNode& t) {
  return t.is_named() ? std::string(TypeName(t.type)) + " '" + t.full_name + "'" : std::string(TypeName(t.type));
}

class Compiler {
 public:
  Compiler(Program& prog, const std::vector<std::string>& capture_paths) : prog_(prog) {
    for (size_t i = 0; i < capture_paths.size(); ++i) capture_index_.emplace(capture_paths[i], i);
  }

  uint32_t NewBlock() {
    blocks_.emplace_back();
    return static_cast<uint32_t>(blocks_.size() - 1);
  }

  // Decodes a writer value of `w` into the reader position `s`.
  Status Value(const TypeNode& w, const Slot& s, uint32_t block, const std::string& path) {
    if (w.NullableOf() && s.union_type && s.kind != Slot::Kind::kUnion && s.union_type->NullBranch() >= 0) {
      // The common optional field: T's instructions go inline after one kOptional, no jump table, no call.
      const uint32_t t_block = NewBlock();
      const Status st = Value(*w.NullableOf(), s, t_block, path);
      if (st.ok()) {
        std::vector<Instr> body = std::move(blocks_[t_block]);
        blocks_[t_block].clear();
        Emit(block, {Op::kOptional, static_cast<int16_t>(s.def - 1), static_cast<int16_t>(w.NullBranch()),
                     s.first_leaf, 0, s.leaf_count, static_cast<uint32_t>(body.size())});
        blocks_[block].insert(blocks_[block].end(), body.begin(), body.end());
        return Status::Ok();
      }
      blocks_[t_block].clear();
    }
    if (w.type == Type::kUnion) {
      const uint32_t table = static_cast<uint32_t>(prog_.jump.size());
      prog_.jump.resize(prog_.jump.size() + w.branches.size());
      size_t failed = 0;
      std::string first_problem;
      for (size_t i = 0; i < w.branches.size(); ++i) {
        const uint32_t b = NewBlock();
        patches_.push_back({table + static_cast<uint32_t>(i)});
        prog_.jump[table + i] = b;
        Status st = Value(*w.branches[i], s, b, path);
        if (!st.ok()) {
          // Only an error if such a value occurs (spec); the block reports it then.
          blocks_[b].clear();
          Fail(b, AvroError::kUnresolvedValue, st.message());
          if (failed++ == 0) first_problem = st.message();
        }
        Emit(b, {Op::kEnd});
      }
      if (failed == w.branches.size() && !w.branches.empty()) return Incompatible(path, first_problem);
      Emit(block, {Op::kUnion, 0, 0, 0, table, static_cast<uint32_t>(w.branches.size())});
      return Status::Ok();
    }
    if (s.union_type) {
      if (w.type == Type::kNull) {
        if (s.union_type->NullBranch() < 0)
          return Incompatible(path, "writer type null matches no branch of the reader's union");
        Emit(block, {Op::kNulls, static_cast<int16_t>(s.def - 1), 0, s.first_leaf, 0, s.leaf_count});
        return Status::Ok();
      }
      const int k = ReaderBranchFor(w, *s.union_type);
      if (k < 0) return Incompatible(path, "writer type " + Describe(w) + " matches no branch of the reader's union");
      if (s.kind != Slot::Kind::kUnion) return NonUnion(w, s, block, path);
      // One member of the group is set, the others are null inside a present group.
      const Slot& member = s.children[static_cast<size_t>(k)];
      if (member.first_leaf > s.first_leaf)
        Emit(block, {Op::kNulls, s.def, 0, s.first_leaf, 0, member.first_leaf - s.first_leaf});
      FLOE_RETURN_IF_ERROR(NonUnion(w, member, block, path));
      const uint32_t after = member.first_leaf + member.leaf_count;
      if (after < s.first_leaf + s.leaf_count)
        Emit(block, {Op::kNulls, s.def, 0, after, 0, s.first_leaf + s.leaf_count - after});
      return Status::Ok();
    }
    return NonUnion(w, s, block, path);
  }

  // Skips a writer value of `w`.
  void Skip(const TypeNode& w, uint32_t block) {
    switch (w.type) {
      case Type::kNull: return;
      case Type::kBoolean: Emit(block, {Op::kSkipN, 0, 0, 0, 1}); return;
      case Type::kInt:
      case Type::kLong:
      case Type::kEnum: Emit(block, {Op::kSkipVarint}); return;
      case Type::kFloat: Emit(block, {Op::kSkipN, 0, 0, 0, 4}); return;
      case Type::kDouble: Emit(block, {Op::kSkipN, 0, 0, 0, 8}); return;
      case Type::kFixed: Emit(block, {Op::kSkipN, 0, 0, 0, static_cast<uint32_t>(w.size)}); return;
      case Type::kBytes:
      case Type::kString: Emit(block, {Op::kSkipBytes}); return;
      case Type::kRecord: {
        auto it = skip_blocks_.find(&w);
        if (it == skip_blocks_.end()) {
          const uint32_t b = NewBlock();
          it = skip_blocks_.emplace(&w, b).first;
          for (const auto& f : w.fields) Skip(*f.type, b);
          Emit(b, {Op::kEnd});
        }
        Emit(block, {Op::kCall, 0, 0, 0, it->second});
        return;
      }
      case Type::kArray:
      case Type::kMap: {
        const bool is_map = w.type == Type::kMap;
        const TypeNode& item = is_map ? *w.values : *w.items;
        const uint32_t b = NewBlock();
        Skip(item, b);
        Emit(b, {Op::kEnd});
        Emit(block, {is_map ? Op::kSkipMap : Op::kSkipArray, 0, 0, 0, b, 0,
                     static_cast<uint32_t>(MinEncodedSize(item) + (is_map ? 1 : 0))});
        return;
      }
      case Type::kUnion: {
        const uint32_t table = static_cast<uint32_t>(prog_.jump.size());
        prog_.jump.resize(prog_.jump.size() + w.branches.size());
        for (size_t i = 0; i < w.branches.size(); ++i) {
          const uint32_t b = NewBlock();
          prog_.jump[table + i] = b;
          patches_.push_back({table + static_cast<uint32_t>(i)});
          Skip(*w.branches[i], b);
          Emit(b, {Op::kEnd});
        }
        Emit(block, {Op::kSkipUnion, 0, 0, 0, table, static_cast<uint32_t>(w.branches.size())});
        return;
      }
    }
  }

  // Lays the blocks out one after another and turns block ids into instruction indexes.
  void Link(uint32_t entry_block) {
    std::vector<uint32_t> start(blocks_.size());
    for (size_t i = 0; i < blocks_.size(); ++i) {
      start[i] = static_cast<uint32_t>(prog_.code.size());
      prog_.code.insert(prog_.code.end(), blocks_[i].begin(), blocks_[i].end());
    }
    for (auto& in : prog_.code) {
      if (HasBlockInA(in.op)) in.a = start[in.a];
      if (in.op == Op::kDefault) in.b = start[in.b];
    }
    for (const auto& p : patches_) prog_.jump[p.jump_index] = start[prog_.jump[p.jump_index]];
    prog_.entry = start[entry_block];
  }

  void Emit(uint32_t block, Instr in) { blocks_[block].push_back(in); }

 private:
  void Fail(uint32_t block, AvroError code, const std::string& message) {
    prog_.messages.push_back(message);
    Emit(block, {Op::kFail, 0, static_cast<int16_t>(code), 0, static_cast<uint32_t>(prog_.messages.size() - 1)});
  }

  void MaybeCapture(const Slot& s, uint32_t block, const std::string& path) {
    auto it = capture_index_.find(path);
    if (it == capture_index_.end()) return;
    Emit(block, {Op::kCapture, 0, 0, s.first_leaf, static_cast<uint32_t>(it->second)});
  }

  Status NonUnion(const TypeNode& w, const Slot& s, uint32_t block, const std::string& path) {
    if (s.kind == Slot::Kind::kNull) {
      if (w.type != Type::kNull) return Incompatible(path, "writer type " + Describe(w) + " cannot be read as null");
      Emit(block, {Op::kNulls, static_cast<int16_t>(s.def - 1), 0, s.first_leaf, 0, 1});
      return Status::Ok();
    }
    const TypeNode& r = *s.type;
    if (!TopLevelMatch(w, r))
      return Incompatible(path, "writer type " + Describe(w) + " cannot be read as " + Describe(r));
    if (s.kind == Slot::Kind::kJson) {
      prog_.json_types.push_back(&w);
      Emit(block, {Op::kJson, s.def, 0, s.first_leaf, static_cast<uint32_t>(prog_.json_types.size() - 1)});
      return Status::Ok();
    }
    switch (r.type) {
      case Type::kRecord: return Record(w, s, block, path);
      case Type::kArray:
      case Type::kMap: {
        const bool is_map = r.type == Type::kMap;
        const uint32_t b = NewBlock();
        FLOE_RETURN_IF_ERROR(Value(is_map ? *w.values : *w.items, s.children[0], b,
                                   path + (is_map ? "{}" : "[]")));
        Emit(b, {Op::kEnd});
        Emit(block, {is_map ? Op::kMap : Op::kArray, s.def, s.rep, s.first_leaf, b, s.leaf_count,
                     static_cast<uint32_t>(MinEncodedSize(is_map ? *w.values : *w.items) + (is_map ? 1 : 0))});
        return Status::Ok();
      }
      case Type::kEnum: {
        const uint32_t at = static_cast<uint32_t>(prog_.enum_symbols.size());
        for (const auto& sym : w.symbols) {
          std::string_view found;
          for (const auto& rs : r.symbols)
            if (rs == sym) found = rs;
          if (found.data() == nullptr && r.enum_default) {
            for (const auto& rs : r.symbols)
              if (rs == *r.enum_default) found = rs;
          }
          prog_.enum_symbols.push_back(found);
        }
        Emit(block, {Op::kEnum, s.def, 0, s.first_leaf, at, static_cast<uint32_t>(w.symbols.size())});
        break;
      }
      case Type::kFixed:
        if (r.logical == LogicalType::kDecimal) {
          EmitDecimal(w, r, s, block);
          break;
        }
        Emit(block, {Op::kFixed, s.def, 0, s.first_leaf, static_cast<uint32_t>(r.size)});
        break;
      case Type::kBytes:
        if (r.logical == LogicalType::kDecimal) {
          EmitDecimal(w, r, s, block);
          break;
        }
        Emit(block, {PrimitiveOp(w, r), s.def, 0, s.first_leaf});
        break;
      default: {
        const Op op = PrimitiveOp(w, r);
        Emit(block, {op, s.def, 0, s.first_leaf});
        break;
      }
    }
    MaybeCapture(s, block, path);
    return Status::Ok();
  }

  // Reader decimal `r` from writer bytes, string or fixed `w` (TopLevelMatch has checked the pair).
  void EmitDecimal(const TypeNode& w, const TypeNode& r, const Slot& s, uint32_t block) {
    const PhysicalType phys = DecimalPhysical(r.precision);
    const uint32_t width = phys == PhysicalType::kInt32   ? 4
                           : phys == PhysicalType::kInt64 ? 8
                                                          : static_cast<uint32_t>(DecimalFixedSize(r.precision));
    // 10^precision in `width` big-endian bytes: it fits, since width holds 10^precision - 1 as a positive
    // two's-complement value.
    std::string pow10(width, '\0');
    pow10.back() = 1;
    for (int32_t d = 0; d < r.precision; ++d) {
      unsigned carry = 0;
      for (size_t i = width; i-- > 0;) {
        const unsigned v = static_cast<uint8_t>(pow10[i]) * 10u + carry;
        pow10[i] = static_cast<char>(v & 0xff);
        carry = v >> 8;
      }
    }
    prog_.consts.push_back(std::move(pow10));
    Emit(block, {Op::kDecimal, s.def, 0, s.first_leaf, w.type == Type::kFixed ? static_cast<uint32_t>(w.size) : 0,
                 width, static_cast<uint32_t>(prog_.consts.size() - 1)});
  }

  static Op PrimitiveOp(const TypeNode& w, const TypeNode& r) {
    switch (r.type) {
      case Type::kBoolean: return Op::kBool;
      case Type::kInt: return Op::kInt;
      case Type::kLong: return w.type == Type::kInt ? Op::kIntToLong : Op::kLong;
      case Type::kFloat:
        return w.type == Type::kInt ? Op::kIntToFloat : w.type == Type::kLong ? Op::kLongToFloat : Op::kFloat;
      case Type::kDouble:
        switch (w.type) {
          case Type::kInt: return Op::kIntToDouble;
          case Type::kLong: return Op::kLongToDouble;
          case Type::kFloat: return Op::kFloatToDouble;
          default: return Op::kDouble;
        }
      case Type::kBytes: return Op::kBytes;
      case Type::kString: return r.logical == LogicalType::kUuid ? Op::kUuidString : Op::kString;
      default: return Op::kEnd;
    }
  }

  Status Record(const TypeNode& w, const Slot& s, uint32_t block, const std::string& path) {
    const TypeNode& r = *s.type;
    // Writer order drives the bytes; each reader field goes to its own columns, so order between them is free.
    std::vector<const Field*> feeds(r.fields.size(), nullptr);
    for (size_t i = 0; i < r.fields.size(); ++i) feeds[i] = WriterFieldFor(w, r.fields[i]);
    for (const auto& wf : w.fields) {
      size_t reader_index = r.fields.size();
      for (size_t i = 0; i < r.fields.size(); ++i)
        if (feeds[i] == &wf) reader_index = i;
      if (reader_index == r.fields.size()) {
        Skip(*wf.type, block);
        continue;
      }
      const Field& rf = r.fields[reader_index];
      FLOE_RETURN_IF_ERROR(Value(*wf.type, s.children[reader_index], block, Join(path, rf.name)));
    }
    for (size_t i = 0; i < r.fields.size(); ++i) {
      if (feeds[i]) continue;
      const Field& rf = r.fields[i];
      const std::string fp = Join(path, rf.name);
      if (!rf.default_value)
        return Incompatible(fp, "field '" + rf.name + "' of record '" + r.name +
                                    "' is missing from the writer and has no default");
      std::string bytes;
      FLOE_RETURN_IF_ERROR(EncodeDefault(*rf.type, *rf.default_value, bytes));
      prog_.consts.push_back(std::move(bytes));
      const uint32_t b = NewBlock();
      FLOE_RETURN_IF_ERROR(Value(*rf.type, s.children[i], b, fp));
      Emit(b, {Op::kEnd});
      Emit(block, {Op::kDefault, 0, 0, 0, static_cast<uint32_t>(prog_.consts.size() - 1), b});
    }
    return Status::Ok();
  }

  // Capture paths are dotted field names; inside arrays and maps the path gets "[]"/"{}" and never matches.
  static std::string Join(const std::string& path, const std::string& field) {
    return path.empty() ? field : path + "." + field;
  }

  struct Patch {
    uint32_t jump_index;
  };
  Program& prog_;
  std::vector<std::vector<Instr>> blocks_;
  std::vector<Patch> patches_;
  std::map<const TypeNode*, uint32_t> skip_blocks_;
  std::map<std::string, size_t> capture_index_;
};

// Checks a capture path against the reader schema: record fields, through nullable unions, ending at an
// int, long or string field. Returns the field's logical type.
Result<LogicalType> CheckCapturePath(const Schema& reader, const std::string& path) {
  auto strip = [](const TypeNode* t) { return t->type == Type::kUnion && t->NullableOf() ? t->NullableOf() : t; };
  const TypeNode* t = reader.root_ptr();
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    const std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    t = strip(t);
    if (t->type != Type::kRecord)
      return Error(AvroError::kUnsupported, "capture path '" + path + "': '" + name + "' is not inside a record");
    const Field* f = t->FindField(name);
    if (!f) return Error(AvroError::kUnsupported, "capture path '" + path + "': no field '" + name + "'");
    t = f->type;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  t = strip(t);
  if ((t->type != Type::kInt && t->type != Type::kLong && t->type != Type::kString) ||
      t->logical == LogicalType::kUuid)
    return Error(AvroError::kUnsupported, "capture path '" + path + "' must name an int, long or string field");
  return t->logical;
}

}  // namespace

Result<columnar::Schema> ToColumnarSchema(const Schema& reader) {
  if (!reader.valid()) return Error(AvroError::kInvalidSchema, "empty schema");
  return MapReader(reader).schema;
}

RecordDecoder::RecordDecoder(std::unique_ptr<Program> program) : program_(std::move(program)) {}
RecordDecoder::RecordDecoder(RecordDecoder&&) noexcept = default;
RecordDecoder& RecordDecoder::operator=(RecordDecoder&&) noexcept = default;
RecordDecoder::~RecordDecoder() = default;

Result<RecordDecoder> RecordDecoder::Compile(const Schema& writer, const Schema& reader,
                                             const DecoderOptions& options) {
  if (!writer.valid() || !reader.valid()) return Error(AvroError::kInvalidSchema, "empty schema");
  if (options.capture_paths.size() > kMaxCaptures)
    return Error(AvroError::kUnsupported, "at most 32 capture paths");
  auto prog = std::make_unique<Program>();
  prog->writer = writer;
  prog->reader = reader;
  for (const auto& p : options.capture_paths) {
    FLOE_ASSIGN_OR_RETURN(LogicalType logical, CheckCapturePath(reader, p));
    prog->capture_logical.push_back(logical);
  }
  prog->captured.resize(options.capture_paths.size());
  Mapping mapping = MapReader(reader);
  prog->columnar = mapping.schema;
  Compiler c(*prog, options.capture_paths);
  const uint32_t entry = c.NewBlock();
  const Slot& target = reader.root().type == Type::kRecord ? mapping.root : mapping.root.children[0];
  FLOE_RETURN_IF_ERROR(c.Value(writer.root(), target, entry, ""));
  c.Emit(entry, {Op::kEnd});
  c.Link(entry);
  return RecordDecoder(std::move(prog));
}

const columnar::Schema& RecordDecoder::columnar_schema() const { return program_->columnar; }

Status RecordDecoder::DecodeNext(BinaryReader& reader, ColumnarBatch& batch) {
  Program& prog = *program_;
  if (batch.num_columns() < prog.columnar.num_leaves())
    return Error(AvroError::kUnsupported, "batch has " + std::to_string(batch.num_columns()) +
                                              " columns, the decoder's schema " +
                                              std::to_string(prog.columnar.num_leaves()));
  batch.SetMark(prog.mark);
  prog.capture_present = 0;
  ExecState s;
  s.r = reader;
  s.cols = batch.num_columns() ? &batch.column(0) : nullptr;
  s.prog = &prog;
  if (!Exec(prog.entry, s)) {
    batch.Rollback(prog.mark);
    prog.capture_present = 0;
    return Error(s.r.error, std::string(s.r.what) + " at byte " + std::to_string(s.r.offset()));
  }
  reader.p = s.r.p;
  batch.EndRecord();
  return Status::Ok();
}

Status RecordDecoder::Decode(const uint8_t* data, size_t size, ColumnarBatch& batch) {
  BinaryReader r(data, size);
  FLOE_RETURN_IF_ERROR(DecodeNext(r, batch));
  if (r.remaining() != 0) {
    batch.Rollback(program_->mark);
    program_->capture_present = 0;
    return Error(AvroError::kTrailingBytes, std::to_string(r.remaining()) + " bytes after the datum (of " +
                                                std::to_string(size) + ")");
  }
  return Status::Ok();
}

const ColumnarBatch::Mark& RecordDecoder::last_record_start() const { return program_->mark; }

CapturedValue RecordDecoder::captured() const {
  const Program& prog = *program_;
  CapturedValue v;
  if (!prog.capture_present) return v;
  for (size_t i = 0; i < prog.captured.size(); ++i) {
    if (!(prog.capture_present & (1u << i))) continue;
    v.candidate = static_cast<int>(i);
    v.kind = prog.captured[i].kind;
    v.long_value = prog.captured[i].long_value;
    v.string_value = prog.captured[i].string_value;
    v.logical = prog.capture_logical[i];
    return v;
  }
  return v;
}

std::string RecordDecoder::Disassemble() const {
  std::string out;
  const Program& prog = *program_;
  for (size_t pc = 0; pc < prog.code.size(); ++pc) {
    const Instr& in = prog.code[pc];
    out += std::to_string(pc) + (pc == prog.entry ? "* " : "  ") + OpName(in.op) + " col=" +
           std::to_string(in.col) + " def=" + std::to_string(in.def) + " aux=" + std::to_string(in.aux) +
           " a=" + std::to_string(in.a) + " b=" + std::to_string(in.b) + " c=" + std::to_string(in.c) + "\n";
  }
  return out;
}

Result<DatumSkipper> DatumSkipper::Compile(const Schema& writer) {
  if (!writer.valid()) return Error(AvroError::kInvalidSchema, "empty schema");
  auto prog = std::make_shared<Program>();
  prog->writer = writer;
  Compiler c(*prog, {});
  const uint32_t entry = c.NewBlock();
  c.Skip(writer.root(), entry);
  c.Emit(entry, {Op::kEnd});
  c.Link(entry);
  DatumSkipper s;
  s.program_ = std::move(prog);
  return s;
}

bool DatumSkipper::Skip(BinaryReader& reader) const {
  ExecState s;
  s.r = reader;
  // Skip programs never touch columns or per-datum state.
  s.prog = const_cast<Program*>(program_.get());
  const bool ok = Exec(program_->entry, s);
  reader = s.r;
  return ok;
}

}  // namespace floe::avro
