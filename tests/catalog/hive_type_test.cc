#include "catalog/hive_type.h"

#include <gtest/gtest.h>

namespace floe::catalog {
namespace {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodePtr;
using columnar::PhysicalType;
using K = HiveType::Kind;

NodePtr Prim(PhysicalType p, LogicalKind l = LogicalKind::kNone) { return Node::Primitive("x", p, true, l); }
NodePtr Int(int bits, bool is_signed, PhysicalType p) {
  auto n = Prim(p, LogicalKind::kInteger);
  n->bit_width = static_cast<int8_t>(bits);
  n->is_signed = is_signed;
  return n;
}

TEST(HiveTypeOf, EveryPrimitive) {
  struct Case {
    NodePtr node;
    std::string hive;
  };
  auto dec = Prim(PhysicalType::kFixedLenByteArray, LogicalKind::kDecimal);
  dec->precision = 12;
  dec->scale = 3;
  auto huge_dec = Prim(PhysicalType::kByteArray, LogicalKind::kDecimal);
  huge_dec->precision = 60;
  const std::vector<Case> cases = {
      {Prim(PhysicalType::kBoolean), "boolean"},
      {Int(8, true, PhysicalType::kInt32), "tinyint"},
      {Int(8, false, PhysicalType::kInt32), "smallint"},
      {Int(16, true, PhysicalType::kInt32), "smallint"},
      {Int(16, false, PhysicalType::kInt32), "int"},
      {Int(32, true, PhysicalType::kInt32), "int"},
      {Int(32, false, PhysicalType::kInt32), "bigint"},
      {Int(64, true, PhysicalType::kInt64), "bigint"},
      {Int(64, false, PhysicalType::kInt64), "decimal(20,0)"},
      {Prim(PhysicalType::kInt32), "int"},
      {Prim(PhysicalType::kInt64), "bigint"},
      {Prim(PhysicalType::kFloat), "float"},
      {Prim(PhysicalType::kDouble), "double"},
      {dec, "decimal(12,3)"},
      {huge_dec, "string"},
      {Prim(PhysicalType::kByteArray, LogicalKind::kString), "string"},
      {Prim(PhysicalType::kByteArray, LogicalKind::kEnum), "string"},
      {Prim(PhysicalType::kByteArray, LogicalKind::kJson), "string"},
      {Prim(PhysicalType::kByteArray, LogicalKind::kUuid), "string"},
      {Prim(PhysicalType::kFixedLenByteArray, LogicalKind::kUuid), "binary"},
      {Prim(PhysicalType::kByteArray), "binary"},
      {Prim(PhysicalType::kFixedLenByteArray), "binary"},
      {Prim(PhysicalType::kInt32, LogicalKind::kDate), "date"},
      {Prim(PhysicalType::kInt32, LogicalKind::kTimeMillis), "int"},
      {Prim(PhysicalType::kInt64, LogicalKind::kTimeMicros), "bigint"},
      {Prim(PhysicalType::kInt64, LogicalKind::kTimestampMillis), "timestamp"},
      {Prim(PhysicalType::kInt64, LogicalKind::kTimestampMicros), "timestamp"},
      {Prim(PhysicalType::kFixedLenByteArray, LogicalKind::kDuration), "binary"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(HiveTypeOf(*c.node).ToString(), c.hive);
    auto parsed = ParseHiveType(c.hive);
    ASSERT_TRUE(parsed.ok()) << c.hive;
    EXPECT_EQ(*parsed, HiveTypeOf(*c.node));
  }
}

TEST(HiveTypeOf, NestedTypesAndQuotedNames) {
  auto rec = Node::Record("r",
                          {Node::Primitive("a", PhysicalType::kInt32, false),
                           Node::Primitive("b-c", PhysicalType::kByteArray, true, LogicalKind::kString)},
                          true);
  auto list = Node::List("l", rec, true);
  auto map = Node::Map("m", Node::Primitive("key", PhysicalType::kByteArray, false, LogicalKind::kString),
                       Node::List("v", Node::Primitive("element", PhysicalType::kDouble, true), true), true);
  columnar::Schema schema(Node::Record("root", {list, map}, false));
  Columns cols = ColumnsOf(schema);
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0].type.ToString(), "array<struct<a:int,`b-c`:string>>");
  EXPECT_EQ(cols[1].type.ToString(), "map<string,array<double>>");
  EXPECT_EQ(TrinoTypeName(cols[0].type), "array(row(\"a\" integer, \"b-c\" varchar))");
  EXPECT_EQ(DuckDbTypeName(cols[1].type), "MAP(VARCHAR, DOUBLE[])");
  for (const auto& c : cols) {
    auto parsed = ParseHiveType(c.type.ToString());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, c.type);
  }
  EXPECT_FALSE(ParseHiveType("struct<a:int").ok());
  EXPECT_FALSE(ParseHiveType("decimal(40,2)").ok());
  EXPECT_FALSE(ParseHiveType("varchar2").ok());
}

TEST(ColumnsOfAvroSchema, EveryAvroType) {
  const std::string schema = R"({"type":"record","name":"E","fields":[
    {"name":"b","type":"boolean"},{"name":"i","type":"int"},{"name":"l","type":"long"},
    {"name":"f","type":"float"},{"name":"d","type":"double"},{"name":"s","type":"string"},
    {"name":"by","type":"bytes"},{"name":"fx","type":{"type":"fixed","name":"F","size":4}},
    {"name":"e","type":{"type":"enum","name":"Col","symbols":["R","G"]}},
    {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
    {"name":"u","type":{"type":"string","logicalType":"uuid"}},
    {"name":"dt","type":{"type":"int","logicalType":"date"}},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"tu","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"lt","type":{"type":"long","logicalType":"local-timestamp-micros"}},
    {"name":"opt","type":["null","string"],"default":null},
    {"name":"arr","type":{"type":"array","items":"int"}},
    {"name":"mp","type":{"type":"map","values":"long"}},
    {"name":"sub","type":{"type":"record","name":"Sub","fields":[{"name":"x","type":"double"}]}}]})";
  auto cols = ColumnsOfAvroSchema(schema);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  std::vector<std::string> got;
  for (const auto& c : *cols) got.push_back(c.name + " " + c.type.ToString());
  const std::vector<std::string> want = {
      "b boolean", "i int", "l bigint", "f float", "d double", "s string", "by binary", "fx binary", "e string",
      "dec decimal(9,2)", "u binary", "dt date", "ts timestamp", "tu timestamp", "lt timestamp", "opt string",
      "arr array<int>", "mp map<string,bigint>", "sub struct<x:double>"};
  EXPECT_EQ(got, want);
  EXPECT_FALSE(ColumnsOfAvroSchema("{not json").ok());
}

TEST(ColumnsOfAvroSchema, UuidStringsAreStringsInAvroFilesWhereverTheyNest) {
  const std::string schema = R"({"type":"record","name":"E","fields":[
    {"name":"u","type":{"type":"string","logicalType":"uuid"}},
    {"name":"ou","type":["null",{"type":"string","logicalType":"uuid"}],"default":null},
    {"name":"fu","type":{"type":"fixed","name":"U16","size":16,"logicalType":"uuid"}},
    {"name":"arr","type":{"type":"array","items":{"type":"string","logicalType":"uuid"}}},
    {"name":"mp","type":{"type":"map","values":{"type":"string","logicalType":"uuid"}}},
    {"name":"sub","type":{"type":"record","name":"Sub","fields":[
      {"name":"id","type":{"type":"string","logicalType":"uuid"}},{"name":"n","type":"int"}]}},
    {"name":"wide","type":["null","long",{"type":"string","logicalType":"uuid"}],"default":null}]})";
  auto parquet = ColumnsOfAvroSchema(schema);
  auto avro = ColumnsOfAvroSchema(schema, AvroStorage::kAvroFile);
  ASSERT_TRUE(parquet.ok()) << parquet.status().ToString();
  ASSERT_TRUE(avro.ok()) << avro.status().ToString();
  std::vector<std::string> got;
  for (const auto& c : *avro) got.push_back(c.name + " " + c.type.ToString());
  const std::vector<std::string> want = {
      "u string", "ou string", "fu binary", "arr array<string>", "mp map<string,string>",
      "sub struct<id:string,n:int>", "wide struct<long:bigint,string:string>"};
  EXPECT_EQ(got, want);
  // Parquet files hold every uuid as FIXED(16).
  EXPECT_EQ((*parquet)[0].type.ToString(), "binary");
  EXPECT_EQ((*parquet)[5].type.ToString(), "struct<id:binary,n:int>");
}

Columns Cols(std::initializer_list<std::pair<const char*, const char*>> spec) {
  Columns out;
  for (const auto& [n, t] : spec) out.push_back({n, *ParseHiveType(t)});
  return out;
}

std::string Render(const Columns& cols) {
  std::string s;
  for (const auto& c : cols) s += (s.empty() ? "" : ", ") + c.name + " " + c.type.ToString();
  return s;
}

TEST(MergeColumns, AddedColumnsAppend) {
  auto m = MergeColumns(Cols({{"id", "bigint"}, {"name", "string"}}), Cols({{"id", "bigint"}, {"country", "string"}}));
  EXPECT_EQ(Render(m.columns), "id bigint, name string, country string");
  EXPECT_EQ(m.added, std::vector<std::string>{"country"});
  EXPECT_TRUE(m.conflicts.empty());
  EXPECT_TRUE(m.widened.empty());
}

TEST(MergeColumns, AllowedWidenings) {
  auto m = MergeColumns(Cols({{"a", "tinyint"}, {"b", "int"}, {"c", "float"}, {"d", "decimal(5,2)"}, {"e", "bigint"}}),
                        Cols({{"A", "smallint"}, {"b", "bigint"}, {"c", "double"}, {"d", "decimal(10,4)"}, {"e", "int"}}));
  EXPECT_EQ(Render(m.columns), "a smallint, b bigint, c double, d decimal(10,4), e bigint");
  EXPECT_EQ(m.widened.size(), 4u);  // e: int into bigint needs nothing
  EXPECT_TRUE(m.conflicts.empty());
  // Decimal merging keeps both the integer digits and the scale.
  auto d = MergeColumns(Cols({{"d", "decimal(10,0)"}}), Cols({{"d", "decimal(4,3)"}}));
  EXPECT_EQ(Render(d.columns), "d decimal(13,3)");
  auto over = MergeColumns(Cols({{"d", "decimal(38,0)"}}), Cols({{"d", "decimal(38,10)"}}));
  EXPECT_EQ(over.conflicts.size(), 1u);
}

TEST(MergeColumns, NestedStructsMergeRecursively) {
  auto m = MergeColumns(Cols({{"user", "struct<id:int,geo:struct<lat:float>>"}, {"tags", "array<struct<k:string>>"}}),
                        Cols({{"user", "struct<id:bigint,geo:struct<lat:double,lon:double>,email:string>"},
                              {"tags", "array<struct<k:string,v:string>>"},
                              {"attrs", "map<string,struct<n:int>>"}}));
  EXPECT_EQ(Render(m.columns),
            "user struct<id:bigint,geo:struct<lat:double,lon:double>,email:string>, "
            "tags array<struct<k:string,v:string>>, attrs map<string,struct<n:int>>");
  EXPECT_EQ(m.added, (std::vector<std::string>{"user.geo.lon", "user.email", "tags[].v", "attrs"}));
  EXPECT_EQ(m.widened.size(), 2u);
  EXPECT_TRUE(m.conflicts.empty());
}

TEST(MergeColumns, ConflictsKeepTheTableTypeAndAreReported) {
  auto m = MergeColumns(Cols({{"id", "bigint"}, {"s", "struct<a:int>"}, {"m", "map<string,int>"}, {"f", "double"}}),
                        Cols({{"id", "string"}, {"s", "struct<a:boolean>"}, {"m", "map<int,int>"}, {"f", "bigint"}}));
  EXPECT_EQ(Render(m.columns), "id bigint, s struct<a:int>, m map<string,int>, f double");
  EXPECT_EQ(m.conflicts, (std::vector<std::string>{"id: bigint vs string", "s.a: int vs boolean",
                                                   "m: map<string,int> vs map<int,int>", "f: double vs bigint"}));
  // Narrowing is not a conflict: files of the narrower version read fine as the wider type.
  auto n = MergeColumns(Cols({{"x", "bigint"}, {"y", "double"}}), Cols({{"x", "int"}, {"y", "float"}}));
  EXPECT_TRUE(n.conflicts.empty());
  EXPECT_EQ(Render(n.columns), "x bigint, y double");
}

TEST(ColumnsJson, RoundTrips) {
  Columns c = Cols({{"a", "array<map<string,decimal(3,1)>>"}, {"we`ird", "struct<`x y`:date>"}});
  auto back = ColumnsFromJson(ColumnsToJson(c));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
  EXPECT_FALSE(ColumnsFromJson("{}").ok());
}

}  // namespace
}  // namespace floe::catalog
