#include "parquet/test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "parquet/tools.h"

namespace floe::parquet::testing {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::NodePtr;
using columnar::PhysicalType;
using json = nlohmann::json;

namespace {

void NullSubtree(const Node& node, size_t& leaf, int16_t def, int16_t rep, columnar::ColumnarBatch* b) {
  const size_t n = columnar::CountLeaves(node);
  for (size_t k = 0; k < n; ++k) b->column(leaf + k).AppendNull(def, rep);
  leaf += n;
}

void AppendLeaf(const json& v, columnar::ColumnBuffer& c, int16_t def, int16_t rep) {
  switch (c.physical()) {
    case PhysicalType::kBoolean: c.AppendBool(v.get<bool>(), def, rep); break;
    case PhysicalType::kInt32: c.AppendInt32(static_cast<int32_t>(v.get<int64_t>()), def, rep); break;
    case PhysicalType::kInt64:
      if (v.is_number_unsigned()) c.AppendInt64(static_cast<int64_t>(v.get<uint64_t>()), def, rep);
      else c.AppendInt64(v.get<int64_t>(), def, rep);
      break;
    case PhysicalType::kFloat: c.AppendFloat(v.get<float>(), def, rep); break;
    case PhysicalType::kDouble: c.AppendDouble(v.get<double>(), def, rep); break;
    case PhysicalType::kByteArray: c.AppendBytes(v.get<std::string>(), def, rep); break;
    case PhysicalType::kFixedLenByteArray: {
      const std::string s = v.get<std::string>();
      ASSERT_EQ(s.size(), static_cast<size_t>(c.leaf().node->type_length));
      c.AppendFixedBytes(s.data(), s.size(), def, rep);
      break;
    }
  }
}

// rep: repetition level of this value's first entry; depth: repeated ancestors so far.
void Shred(const Node& node, const json* v, size_t& leaf, int16_t def, int16_t rep, int16_t depth,
           columnar::ColumnarBatch* b) {
  if (v == nullptr || v->is_null()) {
    ASSERT_TRUE(node.nullable) << node.name << " is required";
    NullSubtree(node, leaf, def, rep, b);
    return;
  }
  const int16_t present = static_cast<int16_t>(def + (node.nullable ? 1 : 0));
  switch (node.kind) {
    case NodeKind::kPrimitive:
      AppendLeaf(*v, b->column(leaf), present, rep);
      ++leaf;
      return;
    case NodeKind::kRecord:
      for (const auto& c : node.children) {
        const json* cv = v->contains(c->name) ? &(*v)[c->name] : nullptr;
        Shred(*c, cv, leaf, present, rep, depth, b);
      }
      return;
    case NodeKind::kList:
    case NodeKind::kMap: {
      if (v->empty()) {
        NullSubtree(node, leaf, present, rep, b);
        return;
      }
      const size_t begin = leaf;
      size_t end = begin;
      for (size_t k = 0; k < v->size(); ++k) {
        size_t l = begin;
        const int16_t r = k == 0 ? rep : static_cast<int16_t>(depth + 1);
        if (node.kind == NodeKind::kList) {
          Shred(*node.children[0], &(*v)[k], l, static_cast<int16_t>(present + 1), r, static_cast<int16_t>(depth + 1), b);
        } else {
          Shred(*node.children[0], &(*v)[k][0], l, static_cast<int16_t>(present + 1), r, static_cast<int16_t>(depth + 1), b);
          Shred(*node.children[1], &(*v)[k][1], l, static_cast<int16_t>(present + 1), r, static_cast<int16_t>(depth + 1), b);
        }
        end = l;
      }
      leaf = end;
      return;
    }
  }
}

NodePtr Prim(const std::string& name, PhysicalType p, bool nullable, LogicalKind lk = LogicalKind::kNone) {
  return Node::Primitive(name, p, nullable, lk);
}
NodePtr Int(const std::string& name, PhysicalType p, int8_t bits, bool is_signed, bool nullable = true) {
  auto n = Prim(name, p, nullable, LogicalKind::kInteger);
  n->bit_width = bits;
  n->is_signed = is_signed;
  return n;
}
NodePtr Fixed(const std::string& name, int32_t len, bool nullable, LogicalKind lk = LogicalKind::kNone) {
  auto n = Prim(name, PhysicalType::kFixedLenByteArray, nullable, lk);
  n->type_length = len;
  return n;
}
NodePtr Decimal(const std::string& name, PhysicalType p, int32_t precision, int32_t scale, int32_t len = 0,
                bool nullable = true) {
  auto n = Prim(name, p, nullable, LogicalKind::kDecimal);
  n->precision = precision;
  n->scale = scale;
  n->type_length = len;
  return n;
}
NodePtr Ts(const std::string& name, LogicalKind lk, bool utc, bool nullable = true) {
  auto n = Prim(name, PhysicalType::kInt64, nullable, lk);
  n->adjusted_to_utc = utc;
  return n;
}

std::string BigEndian(int64_t v, size_t width) {
  std::string s(width, '\0');
  for (size_t i = 0; i < width; ++i) s[width - 1 - i] = static_cast<char>((static_cast<uint64_t>(v) >> (8 * std::min<size_t>(i, 7))) & 0xFF);
  if (width > 8) {
    for (size_t i = 8; i < width; ++i) s[width - 1 - i] = v < 0 ? '\xFF' : '\0';
  }
  return s;
}

}  // namespace

void ShredRow(const json& row, columnar::ColumnarBatch* batch) {
  size_t leaf = 0;
  for (const auto& c : batch->schema().root().children) {
    const json* v = row.contains(c->name) ? &row[c->name] : nullptr;
    Shred(*c, v, leaf, 0, 0, 0, batch);
  }
  batch->EndRecord();
}

columnar::Schema AllTypesSchema(bool with_interval) {
  std::vector<NodePtr> f;
  f.push_back(Prim("b", PhysicalType::kBoolean, false));
  f.push_back(Prim("ob", PhysicalType::kBoolean, true));
  f.push_back(Prim("i32", PhysicalType::kInt32, false));
  f.push_back(Prim("oi64", PhysicalType::kInt64, true));
  f.push_back(Prim("f", PhysicalType::kFloat, true));
  f.push_back(Prim("d", PhysicalType::kDouble, false));
  f.push_back(Int("i8", PhysicalType::kInt32, 8, true));
  f.push_back(Int("u8", PhysicalType::kInt32, 8, false));
  f.push_back(Int("i16", PhysicalType::kInt32, 16, true));
  f.push_back(Int("u16", PhysicalType::kInt32, 16, false));
  f.push_back(Int("u32", PhysicalType::kInt32, 32, false));
  f.push_back(Int("u64", PhysicalType::kInt64, 64, false));
  f.push_back(Prim("s", PhysicalType::kByteArray, true, LogicalKind::kString));
  f.push_back(Prim("e", PhysicalType::kByteArray, true, LogicalKind::kEnum));
  f.push_back(Prim("j", PhysicalType::kByteArray, true, LogicalKind::kJson));
  f.push_back(Prim("bin", PhysicalType::kByteArray, true));
  f.push_back(Fixed("fx", 5, true));
  f.push_back(Fixed("uuid", 16, true, LogicalKind::kUuid));
  f.push_back(Decimal("dec32", PhysicalType::kInt32, 9, 2));
  f.push_back(Decimal("dec64", PhysicalType::kInt64, 18, 3));
  f.push_back(Decimal("decfx", PhysicalType::kFixedLenByteArray, 20, 4, 9));
  f.push_back(Decimal("decba", PhysicalType::kByteArray, 30, 5));
  f.push_back(Prim("date", PhysicalType::kInt32, true, LogicalKind::kDate));
  f.push_back(Prim("tms", PhysicalType::kInt32, true, LogicalKind::kTimeMillis));
  f.push_back(Prim("tus", PhysicalType::kInt64, true, LogicalKind::kTimeMicros));
  f.push_back(Ts("ts_ms", LogicalKind::kTimestampMillis, true));
  f.push_back(Ts("ts_us", LogicalKind::kTimestampMicros, true));
  f.push_back(Ts("lts_ms", LogicalKind::kTimestampMillis, false));
  f.push_back(Ts("lts_us", LogicalKind::kTimestampMicros, false));
  if (with_interval) f.push_back(Fixed("iv", 12, true, LogicalKind::kDuration));
  f.push_back(Node::Record("rec",
                           {Prim("x", PhysicalType::kInt32, false), Prim("y", PhysicalType::kByteArray, true, LogicalKind::kString),
                            Node::Record("inner", {Prim("z", PhysicalType::kDouble, true)}, true)},
                           true));
  f.push_back(Node::List("lst", Prim("v", PhysicalType::kInt64, true), true));
  f.push_back(Node::List("lst_req", Prim("v", PhysicalType::kByteArray, false, LogicalKind::kString), false));
  f.push_back(Node::List("lst_rec",
                         Node::Record("el", {Prim("a", PhysicalType::kInt32, false),
                                             Prim("b", PhysicalType::kByteArray, true, LogicalKind::kString)}, true),
                         true));
  f.push_back(Node::List("nested", Node::List("inner", Prim("v", PhysicalType::kInt32, true), true), true));
  f.push_back(Node::Map("mp", Prim("k", PhysicalType::kByteArray, false, LogicalKind::kString),
                        Prim("v", PhysicalType::kInt64, true), true));
  f.push_back(Node::Map("mp_int", Prim("k", PhysicalType::kInt32, false),
                        Node::Record("v", {Prim("q", PhysicalType::kDouble, true)}, true), true));
  return columnar::Schema(Node::Record("all_types", std::move(f), false));
}

json AllTypesRow(int i, bool with_interval) {
  const bool n = i % 7 == 3;  // a row of nulls in the optional columns
  json r;
  r["b"] = i % 2 == 0;
  r["ob"] = n ? json() : json(i % 3 == 0);
  r["i32"] = i == 1 ? INT32_MIN : i == 2 ? INT32_MAX : i * 37 - 500;
  r["oi64"] = n ? json() : json(i == 4 ? INT64_MIN : static_cast<int64_t>(i) * 123456789012LL);
  r["f"] = n ? json() : json(static_cast<double>(i) * 0.5 - 3.25);
  r["d"] = static_cast<double>(i) / 8.0 - 100.0;
  r["i8"] = n ? json() : json((i * 13) % 256 - 128);
  r["u8"] = n ? json() : json((i * 29) % 256);
  r["i16"] = n ? json() : json((i * 1013) % 65536 - 32768);
  r["u16"] = n ? json() : json((i * 977) % 65536);
  r["u32"] = n ? json() : json(i == 5 ? -1 : i * 100003);  // -1 stored = 4294967295 unsigned
  r["u64"] = n ? json() : json(i == 5 ? -1 : static_cast<int64_t>(i) * 1000000007LL);
  r["s"] = n ? json() : json(i % 11 == 0 ? std::string("") : "str-" + std::to_string(i % 40) + (i % 9 == 0 ? "-ünï" : ""));
  r["e"] = n ? json() : json(std::string(i % 3 == 0 ? "RED" : i % 3 == 1 ? "GREEN" : "BLUE"));
  r["j"] = n ? json() : json("{\"k\":" + std::to_string(i) + "}");
  r["bin"] = n ? json() : json(std::string("\x00\xff", 2) + std::to_string(i));
  r["fx"] = n ? json() : json(std::string("ab") + static_cast<char>('A' + i % 26) + "\x01\x02");
  {
    std::string u(16, '\0');
    for (int k = 0; k < 16; ++k) u[k] = static_cast<char>((i * 31 + k * 17) & 0xFF);
    r["uuid"] = n ? json() : json(u);
  }
  r["dec32"] = n ? json() : json(i * 12345 - 99999);
  r["dec64"] = n ? json() : json(static_cast<int64_t>(i) * 987654321 - 5000000000LL);
  r["decfx"] = n ? json() : json(BigEndian(static_cast<int64_t>(i) * 7777777777LL - 3, 9));
  r["decba"] = n ? json() : json(BigEndian(-static_cast<int64_t>(i) * 31, 3));
  r["date"] = n ? json() : json(i * 17 - 1000);  // includes dates before 1970
  r["tms"] = n ? json() : json(static_cast<int64_t>(i) * 1234567 % 86400000);
  r["tus"] = n ? json() : json(static_cast<int64_t>(i) * 1234567891 % 86400000000LL);
  r["ts_ms"] = n ? json() : json(1700000000000LL + static_cast<int64_t>(i) * 3600123);
  r["ts_us"] = n ? json() : json(1700000000000000LL + static_cast<int64_t>(i) * 3600123457LL - 2000000000000000LL * (i % 5 == 1));
  r["lts_ms"] = n ? json() : json(1600000000000LL + static_cast<int64_t>(i) * 61001);
  r["lts_us"] = n ? json() : json(1600000000000000LL + static_cast<int64_t>(i) * 61000001LL);
  if (with_interval) {
    std::string iv(12, '\0');
    const uint32_t parts[3] = {static_cast<uint32_t>(i % 13), static_cast<uint32_t>(i % 40), static_cast<uint32_t>(i * 1001)};
    std::memcpy(iv.data(), parts, 12);
    r["iv"] = n ? json() : json(iv);
  }
  if (i % 5 != 2) {
    json rec;
    rec["x"] = i;
    rec["y"] = i % 2 ? json("y" + std::to_string(i)) : json();
    rec["inner"] = i % 3 == 0 ? json() : json{{"z", i % 4 == 0 ? json() : json(i * 1.25)}};
    r["rec"] = rec;
  }
  if (i % 6 != 1) {
    json l = json::array();
    for (int k = 0; k < i % 4; ++k) l.push_back(k == 1 ? json() : json(static_cast<int64_t>(i) * 10 + k));
    r["lst"] = l;
  }
  {
    json l = json::array();
    for (int k = 0; k < i % 3; ++k) l.push_back("r" + std::to_string(k));
    r["lst_req"] = l;
  }
  if (i % 4 != 0) {
    json l = json::array();
    for (int k = 0; k < i % 3 + 1; ++k)
      l.push_back(k == 2 ? json() : json{{"a", k}, {"b", k == 1 ? json() : json("b" + std::to_string(i))}});
    r["lst_rec"] = l;
  }
  if (i % 5 != 4) {
    json outer = json::array();
    for (int k = 0; k < i % 3; ++k) {
      json inner = json::array();
      if (k == 1 && i % 2) inner = json();
      else for (int m = 0; m < (i + k) % 3; ++m) inner.push_back(m == 1 ? json() : json(i + k + m));
      outer.push_back(inner);
    }
    r["nested"] = outer;
  }
  if (i % 3 != 2) {
    json m = json::array();
    for (int k = 0; k < i % 4; ++k) m.push_back({"key" + std::to_string(k), k == 2 ? json() : json(static_cast<int64_t>(i) * k)});
    r["mp"] = m;
  }
  if (i % 2 == 0) {
    json m = json::array();
    for (int k = 0; k < i % 3; ++k) m.push_back({i + k, k == 1 ? json() : json{{"q", i * 0.5}}});
    r["mp_int"] = m;
  }
  return r;
}

columnar::Schema RequiredTypesSchema() {
  std::vector<NodePtr> f;
  f.push_back(Int("i8", PhysicalType::kInt32, 8, true, false));
  f.push_back(Int("u8", PhysicalType::kInt32, 8, false, false));
  f.push_back(Int("i16", PhysicalType::kInt32, 16, true, false));
  f.push_back(Int("u16", PhysicalType::kInt32, 16, false, false));
  f.push_back(Int("u32", PhysicalType::kInt32, 32, false, false));
  f.push_back(Int("u64", PhysicalType::kInt64, 64, false, false));
  f.push_back(Prim("s", PhysicalType::kByteArray, false, LogicalKind::kString));
  f.push_back(Prim("e", PhysicalType::kByteArray, false, LogicalKind::kEnum));
  f.push_back(Prim("j", PhysicalType::kByteArray, false, LogicalKind::kJson));
  f.push_back(Prim("bin", PhysicalType::kByteArray, false));
  f.push_back(Fixed("fx", 5, false));
  f.push_back(Fixed("uuid", 16, false, LogicalKind::kUuid));
  f.push_back(Decimal("dec32", PhysicalType::kInt32, 9, 2, 0, false));
  f.push_back(Decimal("dec64", PhysicalType::kInt64, 18, 3, 0, false));
  f.push_back(Decimal("decfx", PhysicalType::kFixedLenByteArray, 20, 4, 9, false));
  f.push_back(Decimal("decba", PhysicalType::kByteArray, 30, 5, 0, false));
  f.push_back(Prim("date", PhysicalType::kInt32, false, LogicalKind::kDate));
  f.push_back(Prim("tms", PhysicalType::kInt32, false, LogicalKind::kTimeMillis));
  f.push_back(Prim("tus", PhysicalType::kInt64, false, LogicalKind::kTimeMicros));
  f.push_back(Ts("ts_ms", LogicalKind::kTimestampMillis, true, false));
  f.push_back(Ts("ts_us", LogicalKind::kTimestampMicros, true, false));
  f.push_back(Ts("lts_ms", LogicalKind::kTimestampMillis, false, false));
  f.push_back(Ts("lts_us", LogicalKind::kTimestampMicros, false, false));
  f.push_back(Node::Record("rec",
                           {Prim("x", PhysicalType::kInt32, false),
                            Node::Record("inner", {Prim("z", PhysicalType::kDouble, false),
                                                   Prim("t", PhysicalType::kByteArray, false, LogicalKind::kString)},
                                         false)},
                           false));
  f.push_back(Node::Map("mp", Prim("k", PhysicalType::kByteArray, false, LogicalKind::kString),
                        Prim("v", PhysicalType::kInt64, false), false));
  f.push_back(Node::Map("mp_rec", Prim("k", PhysicalType::kInt32, false),
                        Node::Record("v", {Prim("q", PhysicalType::kDouble, false)}, false), false));
  f.push_back(Node::List("lst", Node::Record("el", {Prim("a", PhysicalType::kInt32, false)}, false), false));
  return columnar::Schema(Node::Record("required_types", std::move(f), false));
}

json RequiredTypesRow(int i) {
  // AllTypesRow's values of the same leaves; its every 7th row is the null row, so that one is skipped.
  const json all = AllTypesRow(i % 7 == 3 ? i + 1 : i, false);
  json r;
  for (const char* k : {"i8", "u8", "i16", "u16", "u32", "u64", "s", "e", "j", "bin", "fx", "uuid", "dec32", "dec64",
                        "decfx", "decba", "date", "tms", "tus", "ts_ms", "ts_us", "lts_ms", "lts_us"})
    r[k] = all[k];
  r["rec"] = {{"x", i * 3}, {"inner", {{"z", i * 0.25}, {"t", "t" + std::to_string(i % 17)}}}};
  json m = json::array();
  for (int k = 0; k < i % 4; ++k) m.push_back({"key" + std::to_string(k), static_cast<int64_t>(i) * k - 7});
  r["mp"] = m;
  json mr = json::array();
  for (int k = 0; k < i % 3; ++k) mr.push_back({i + k, {{"q", i * 0.5 + k}}});
  r["mp_rec"] = mr;
  json l = json::array();
  for (int k = 0; k < (i + 1) % 3; ++k) l.push_back({{"a", i - k}});
  r["lst"] = l;
  return r;
}

columnar::Schema NoiseAndTextSchema() {
  using columnar::Node;
  using columnar::PhysicalType;
  return columnar::Schema(Node::Record(
      "t", {Node::Primitive("noise", PhysicalType::kInt64, false),
            Node::Primitive("text", PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
      false));
}

columnar::Schema FloatEdgeSchema() {
  return columnar::Schema(Node::Record(
      "floats", {Prim("d", PhysicalType::kDouble, true), Prim("f", PhysicalType::kFloat, false)}, false));
}

std::vector<json> FloatEdgeRows() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const json null;
  const std::vector<json> d = {1.5, nan, -inf, inf,  0.0, 2.5, 0.0, null,  0.0, -0.0, nan, null,  nan, null, nan, nan,
                               -0.0, 0.0, -0.0, null};
  const std::vector<json> f = {1.5, nan, -inf, inf,  0.0, 2.5, 2.5, 0.0,   0.0, nan, nan, -0.0,   nan, nan, nan, nan,
                               -0.0, -0.0, -0.0, -0.0};
  std::vector<json> rows;
  for (size_t i = 0; i < d.size(); ++i) rows.push_back({{"d", d[i]}, {"f", f[i]}});
  return rows;
}

FullDisk::FullDisk(rlim_t bytes) {
  struct sigaction ignore{};
  ignore.sa_handler = SIG_IGN;
  EXPECT_EQ(::sigaction(SIGXFSZ, &ignore, &old_action_), 0);
  EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit_), 0);
  rlimit full = old_limit_;
  full.rlim_cur = bytes;
  EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &full), 0);
}

FullDisk::~FullDisk() {
  EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit_), 0);
  EXPECT_EQ(::sigaction(SIGXFSZ, &old_action_, nullptr), 0);
}

std::string TempDir() {
  static const std::string dir = [] {
    auto p = std::filesystem::temp_directory_path() / ("floe-parquet-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    return p.string();
  }();
  return dir;
}

std::string WriteRows(const std::string& name, const columnar::Schema& schema, const std::vector<json>& rows,
                      const WriterOptions& options, size_t batch_rows, FileStats* stats) {
  auto w = ParquetFileWriter::Open(schema, options, TempDir(), nullptr);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return "";
  columnar::ColumnarBatch batch(schema);
  for (const auto& r : rows) {
    ShredRow(r, &batch);
    if (batch.num_records() >= batch_rows) {
      Status st = (*w)->Append(batch);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
  }
  Status st = (*w)->Append(batch);
  EXPECT_TRUE(st.ok()) << st.ToString();
  const std::string path = TempDir() + "/" + name + ".parquet";
  auto sink = FileByteSink::Open(path);
  EXPECT_TRUE(sink.ok());
  auto fs = (*w)->Close(**sink);
  EXPECT_TRUE(fs.ok()) << fs.status().ToString();
  EXPECT_TRUE((*sink)->Close().ok());
  if (stats && fs.ok()) *stats = *fs;
  return path;
}

std::vector<json> ParseLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::vector<std::vector<json>> ParseFiles(const std::string& text) {
  std::vector<std::vector<json>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#FILE ", 0) == 0) out.emplace_back();
    else if (!line.empty() && !out.empty()) out.back().push_back(json::parse(line));
  }
  return out;
}

std::vector<json> CatRows(const std::string& path) {
  std::ostringstream out;
  Status st = CatParquet(path, out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ParseLines(out.str());
}

std::string RunOracle(const std::vector<std::string>& args) {
  const char* src = std::getenv("FLOE_SOURCE_DIR");
  std::string cmd = std::string("node ") + (src ? src : ".") + "/tests/parquet/parquet_oracle.mjs";
  for (const auto& a : args) {
    std::string quoted;  // single-quoted for the shell; a ' inside becomes '\''
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    cmd += " '" + quoted + "'";
  }
  cmd += " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    ADD_FAILURE() << "popen failed";
    return out;
  }
  std::array<char, 65536> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int rc = ::pclose(p);
  EXPECT_EQ(rc, 0) << cmd << "\n" << out.substr(0, 4000);
  return out;
}

}  // namespace floe::parquet::testing
