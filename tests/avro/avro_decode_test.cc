// Decoding datums written by an independent encoder (python3-avro) into columns, checked value by value and
// level by level; schema resolution cases; hostile payloads; business-time capture; Confluent framing.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "avro/confluent.h"
#include "avro/decoder.h"
#include "avro/json_codec.h"
#include "avro/test_util.h"

namespace floe::avro {
namespace {

using testing::Render;

class PythonFixtureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::ScratchDir("decode");
    int rc = 0;
    testing::Run(testing::FixtureScript() + " datums " + dir + "/datums.json", &rc);
    ASSERT_EQ(rc, 0) << "python3-avro fixture script failed";
    fixtures_ = new nlohmann::json(testing::ReadJsonFile(dir + "/datums.json"));
  }
  static void TearDownTestSuite() {
    delete fixtures_;
    fixtures_ = nullptr;
  }

  static Schema Writer(const std::string& name) { return *Schema::FromJson((*fixtures_)[name]["writer"]); }
  static Schema Reader(const std::string& name) {
    const auto& r = (*fixtures_)[name]["reader"];
    return r.is_null() ? Writer(name) : *Schema::FromJson(r);
  }
  static std::vector<std::string> Datums(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& h : (*fixtures_)[name]["datums"]) out.push_back(testing::Unhex(h.get<std::string>()));
    return out;
  }

  // Decodes every datum of a case into one batch and renders it.
  static std::string DecodeCase(const std::string& name) {
    auto decoder = RecordDecoder::Compile(Writer(name), Reader(name));
    EXPECT_TRUE(decoder.ok()) << decoder.status().ToString();
    if (!decoder.ok()) return "";
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    for (const auto& d : Datums(name)) {
      Status st = decoder->Decode(d, batch);
      EXPECT_TRUE(st.ok()) << name << ": " << st.ToString();
    }
    EXPECT_EQ(batch.num_records(), Datums(name).size());
    return Render(batch);
  }

  static nlohmann::json* fixtures_;
};
nlohmann::json* PythonFixtureTest::fixtures_ = nullptr;

TEST_F(PythonFixtureTest, Primitives) {
  EXPECT_EQ(DecodeCase("primitives"),
            "b: true false true\n"
            "i: 0 -2147483648 2147483647\n"
            "l: 0 9223372036854775807 -9223372036854775808\n"
            "f: 1.5 -0 3\n"
            "d: -2.25 1e+300 0.1\n"
            "s: '' 0x68c3a96c6c6f20e2988320f09d849e '" + std::string(200, 'x') + "'\n"
            "y: '' 0x00ff10 0x0001020304\n"
            "n: 0:- 0:- 0:-\n");
}

TEST_F(PythonFixtureTest, LogicalTypes) {
  EXPECT_EQ(DecodeCase("logical"),
            "date: 19844\n"                       // 2024-05-01
            "tmillis: 45015250\n"                 // 12:30:15.250
            "tmicros: 86399999999\n"
            "tsmillis: 1714564800123\n"           // 2024-05-01T12:00:00.123Z
            "tsmicros: -1\n"
            "ltsmillis: 1714564800123\n"
            "ltsmicros: -1\n"
            "dec: -123456789\n"                   // unscaled: decimal(9, s) is an int32 column
            "decfix: 123456789012345678\n"        // decimal(18, s) on fixed(8): int64
            "dec38: 0xf6b64f090ffdccec3bb66fb13398baeb\n"  // decimal(38, s) on bytes: the shortest fixed, 16
            "decfix20: 0xff54ab567314e0f52d\n"    // decimal(20, s) on fixed(12): FIXED(9), sign-extension dropped
            "id: 0x123e4567e89b12d3a456426614174000\n"
            "dur: 0x010000000200000003000000\n"
            "bad: '2024-01-01'\n"                 // "date" on a string is ignored: a plain string
);
}

TEST_F(PythonFixtureTest, NestedRecordsListsMapsEnumsFixed) {
  EXPECT_EQ(DecodeCase("nested"),
            "id: 1 2\n"
            "geo.lat: 1:1.5 0:-\n"
            "geo.tags.list.element: 0/2:'a' 1/2:'b' 0/0:-\n"
            "kind: 'VIDEO' 'BANNER'\n"
            "price: 1:100 0:-\n"
            "items.list.element.sku: 0/1:'s1' 1/1:'s2' 0/0:-\n"
            "items.list.element.qty: 0/2:2 1/1:- 0/0:-\n"
            "attrs.key_value.key: 0/1:'k1' 1/1:'k2' 0/0:-\n"
            "attrs.key_value.value.list.element: 0/2:1 2/2:2 1/1:- 0/0:-\n"
            "lmaps.list.element.key_value.key: 0/2:'m' 1/1:- 0/0:-\n"
            "lmaps.list.element.key_value.value: 0/2:'x' 1/1:- 0/0:-\n"
            "hash: 0x01020304 0x61626364\n"
            "home.lat: 0 -1\n"
            "home.tags.list.element: 0/0:- 0/1:'h'\n");
}

TEST_F(PythonFixtureTest, Unions) {
  EXPECT_EQ(DecodeCase("unions"),
            "u.string: 0:- 2:'str' 1:- 1:-\n"
            "u.long: 0:- 1:- 2:7 1:-\n"
            "u.P.x: 0:- 1:- 1:- 2:5\n"
            "v.int: 1:1 0:- 1:-1 0:-\n"
            "v.string: 0:- 1:'s' 0:- 1:''\n"
            "nn: 0:- 0:- 0:- 0:-\n");
}

TEST_F(PythonFixtureTest, RecursiveTypeStoredAsJson) {
  EXPECT_EQ(DecodeCase("recursive"),
            "value: 1 9\n"
            "next: 1:'{\"value\":2,\"next\":{\"value\":3,\"next\":null}}' 0:-\n");
}

TEST_F(PythonFixtureTest, TopLevelArray) {
  EXPECT_EQ(DecodeCase("toplevel_array"), "value.list.element: 0/2:'a' 1/1:- 1/2:'b' 0/0:-\n");
}

TEST_F(PythonFixtureTest, SchemaResolution) {
  EXPECT_EQ(DecodeCase("evolve"),
            "color: 'OTHER' 'GREEN'\n"   // PURPLE is not a reader symbol: the enum default
            "a: 1 -1\n"                  // int -> long
            "b: -3 2\n"                  // int -> double
            "c: 1.09951e+12 -5\n"        // long -> float
            "f: 0.5 -1.25\n"             // float -> double
            "s: 'str' ''\n"              // string -> bytes
            "y: 'bytes' ''\n"            // bytes -> string
            "new_name: 'renamed' ''\n"   // field alias
            "opt: 1:5 1:-1\n"            // long -> ["null","long"]
            "wu: 1:7 0:-\n"              // ["null","int"] -> ["null","long"]
            "added: 42 42\n"             // defaults written into the columns
            "added_rec.p: 'dflt' 'dflt'\n"
            "added_rec.q.list.element: 0/1:1 1/1:2 0/1:1 1/1:2\n"
            "added_opt: 0:- 0:-\n");
}

// The encoder agrees byte for byte with python3-avro on the same values.
TEST_F(PythonFixtureTest, EncoderMatchesPythonAvro) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"primitives",
       {R"({"b":true,"i":0,"l":0,"f":1.5,"d":-2.25,"s":"","y":"","n":null})",
        R"({"b":false,"i":-2147483648,"l":9223372036854775807,"f":-0.0,"d":1e300,"s":"héllo ☃ 𝄞",
            "y":"\u0000\u00ff\u0010","n":null})",
        R"({"b":true,"i":2147483647,"l":-9223372036854775808,"f":3.0,"d":0.1,"s":")" + std::string(200, 'x') +
            R"(","y":"\u0000\u0001\u0002\u0003\u0004","n":null})"}},
      {"nested",
       {R"({"id":1,"geo":{"lat":1.5,"tags":["a","b"]},"kind":"VIDEO","price":100,
            "items":[{"sku":"s1","qty":2},{"sku":"s2","qty":null}],"attrs":{"k1":[1,2],"k2":[]},
            "lmaps":[{"m":"x"},{}],"hash":"\u0001\u0002\u0003\u0004","home":{"lat":0.0,"tags":[]}})",
        R"({"id":2,"geo":null,"kind":"BANNER","price":null,"items":[],"attrs":{},"lmaps":[],"hash":"abcd",
            "home":{"lat":-1.0,"tags":["h"]}})"}},
      // Tagged union values, then the same values plain (first branch whose JSON kind fits).
      {"unions",
       {R"({"u":null,"v":{"int":1},"nn":null})", R"({"u":{"string":"str"},"v":{"string":"s"},"nn":null})",
        R"({"u":{"long":7},"v":-1,"nn":null})", R"({"u":{"P":{"x":5}},"v":"","nn":null})"}},
      {"unions",
       {R"({"u":null,"v":1,"nn":null})", R"({"u":"str","v":"s","nn":null})", R"({"u":7,"v":-1,"nn":null})",
        R"({"u":{"x":5},"v":"","nn":null})"}},
      {"recursive", {R"({"value":1,"next":{"value":2,"next":{"value":3,"next":null}}})", R"({"value":9,"next":null})"}},
  };
  for (const auto& [name, values] : cases) {
    const Schema schema = Writer(name);
    const auto expected = Datums(name);
    ASSERT_EQ(values.size(), expected.size());
    for (size_t i = 0; i < values.size(); ++i) {
      std::string out;
      Status st = EncodeJson(schema, nlohmann::json::parse(values[i]), out);
      ASSERT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(testing::Hex(out), testing::Hex(expected[i])) << name << " #" << i;
    }
  }
}

TEST_F(PythonFixtureTest, DatumToJsonRendersWriterData) {
  std::string json;
  ASSERT_TRUE(DatumToJson(Writer("unions").root(), Datums("unions")[3], json).ok());
  EXPECT_EQ(json, R"({"u":{"P":{"x":5}},"v":{"string":""},"nn":null})");
  json.clear();
  ASSERT_TRUE(DatumToJson(Writer("nested").root(), Datums("nested")[1], json).ok());
  EXPECT_EQ(json, R"({"id":2,"geo":null,"kind":"BANNER","price":null,"items":[],"attrs":{},"lmaps":[],)"
                  R"("hash":"abcd","home":{"lat":-1.0,"tags":["h"]}})");
}

TEST_F(PythonFixtureTest, ColumnarSchemaCarriesLogicalTypes) {
  auto s = ToColumnarSchema(Writer("logical"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ToString(),
            "schema Logical\n"
            "  required int32 date (date)\n"
            "  required int32 tmillis (time-millis)\n"
            "  required int64 tmicros (time-micros)\n"
            "  required int64 tsmillis (timestamp-millis)\n"
            "  required int64 tsmicros (timestamp-micros)\n"
            "  required int64 ltsmillis (timestamp-millis,local)\n"
            "  required int64 ltsmicros (timestamp-micros,local)\n"
            "  required int32 dec (decimal(9,2))\n"
            "  required int64 decfix (decimal(18,4))\n"
            "  required fixed_len_byte_array(16) dec38 (decimal(38,10))\n"
            "  required fixed_len_byte_array(9) decfix20 (decimal(20,2))\n"
            "  required fixed_len_byte_array(16) id (uuid)\n"
            "  required fixed_len_byte_array(12) dur (interval)\n"
            "  required binary bad (string)\n");
  auto u = ToColumnarSchema(Writer("unions"));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->ToString(),
            "schema U\n"
            "  optional group u\n"
            "    optional binary string (string)\n"
            "    optional int64 long\n"
            "    optional group P\n"
            "      required int32 x\n"
            "  required group v\n"
            "    optional int32 int\n"
            "    optional binary string (string)\n"
            "  optional int32 nn\n");
}

// Every strict prefix of a valid datum fails, and a failed datum leaves nothing in the batch.
TEST_F(PythonFixtureTest, TruncatedDatumsFailAndRollBack) {
  for (const std::string name : {"primitives", "logical", "nested", "unions", "recursive", "evolve"}) {
    auto decoder = RecordDecoder::Compile(Writer(name), Reader(name));
    ASSERT_TRUE(decoder.ok());
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    columnar::ColumnarBatch expected(decoder->columnar_schema());
    for (const auto& d : Datums(name)) {
      for (size_t n = 0; n < d.size(); ++n) {
        Status st = decoder->Decode(d.substr(0, n), batch);
        ASSERT_FALSE(st.ok()) << name << " prefix " << n;
        EXPECT_TRUE(st.Is(AvroError::kTruncated) || st.Is(AvroError::kLengthTooLarge)) << st.ToString();
      }
      ASSERT_TRUE(decoder->Decode(d, batch).ok());
      ASSERT_TRUE(decoder->Decode(d, expected).ok());
      Status trailing = decoder->Decode(d + std::string(1, '\0'), batch);
      EXPECT_TRUE(trailing.Is(AvroError::kTrailingBytes)) << trailing.ToString();
    }
    EXPECT_EQ(Render(batch), Render(expected)) << name;
  }
}

// Random corruption never crashes (ASan/UBSan build) and never leaves a partial row.
TEST_F(PythonFixtureTest, CorruptedDatumsNeverLeavePartialRows) {
  std::mt19937 rng(7);
  for (const std::string name : {"nested", "unions", "evolve", "recursive"}) {
    auto decoder = RecordDecoder::Compile(Writer(name), Reader(name));
    ASSERT_TRUE(decoder.ok());
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    for (int round = 0; round < 2000; ++round) {
      std::string d = Datums(name)[rng() % Datums(name).size()];
      d[rng() % d.size()] = static_cast<char>(rng());
      const size_t records = batch.num_records();
      std::vector<size_t> entries;
      for (size_t c = 0; c < batch.num_columns(); ++c) entries.push_back(batch.column(c).num_entries());
      if (decoder->Decode(d, batch).ok()) continue;
      ASSERT_EQ(batch.num_records(), records);
      for (size_t c = 0; c < batch.num_columns(); ++c) ASSERT_EQ(batch.column(c).num_entries(), entries[c]);
    }
  }
}

Schema MustParse(const std::string& json) {
  auto s = Schema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

Status DecodeOne(const Schema& schema, const std::string& bytes) {
  auto decoder = RecordDecoder::Compile(schema, schema);
  EXPECT_TRUE(decoder.ok());
  columnar::ColumnarBatch batch(decoder->columnar_schema());
  Status st = decoder->Decode(bytes, batch);
  if (!st.ok()) {
    EXPECT_EQ(batch.num_records(), 0u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).num_entries(), 0u);
  }
  return st;
}

TEST(HostilePayloadTest, NamedErrors) {
  const Schema str = MustParse(R"({"type":"record","name":"R","fields":[{"name":"i","type":"int"},{"name":"s","type":"string"}]})");
  EXPECT_TRUE(DecodeOne(str, std::string("\x02\x01", 2)).Is(AvroError::kNegativeLength));
  // Length 2^62, zig-zag encoded: must not allocate, must not read.
  std::string huge = "\x02";
  WriteLong(huge, int64_t{1} << 62);
  EXPECT_TRUE(DecodeOne(str, huge).Is(AvroError::kLengthTooLarge));
  EXPECT_TRUE(DecodeOne(str, "\x02\x04\xff\xfe").Is(AvroError::kInvalidUtf8));
  EXPECT_TRUE(DecodeOne(str, "\x02\x04\xc0\x80").Is(AvroError::kInvalidUtf8));  // overlong NUL
  EXPECT_TRUE(DecodeOne(str, "\x02\x06\xed\xa0\x80").Is(AvroError::kInvalidUtf8));  // surrogate
  EXPECT_TRUE(DecodeOne(str, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00").Is(AvroError::kVarintOverflow));
  EXPECT_TRUE(DecodeOne(str, "\x80\x80\x80\x80\x20\x00").Is(AvroError::kVarintOverflow));  // 2^33 as int
  EXPECT_TRUE(DecodeOne(str, std::string("\x02\x00\x00", 3)).Is(AvroError::kTrailingBytes));

  const Schema uni = MustParse(R"(["null","long"])");
  EXPECT_TRUE(DecodeOne(uni, "\x04").Is(AvroError::kBadUnionIndex));
  EXPECT_TRUE(DecodeOne(uni, "\x01").Is(AvroError::kBadUnionIndex));  // -1
  const Schema en = MustParse(R"({"type":"enum","name":"E","symbols":["A","B"]})");
  EXPECT_TRUE(DecodeOne(en, "\x04").Is(AvroError::kBadEnumIndex));

  const Schema arr = MustParse(R"({"type":"array","items":"long"})");
  std::string many;
  WriteLong(many, int64_t{1} << 40);
  EXPECT_TRUE(DecodeOne(arr, many + "\x02\x00").Is(AvroError::kLengthTooLarge));
  std::string neg;
  WriteLong(neg, -2);
  WriteLong(neg, 1000);  // block byte size past the end
  EXPECT_TRUE(DecodeOne(arr, neg + "\x02\x04\x00").Is(AvroError::kTruncated));
  // Arrays of nulls take no bytes per item: bounded by a fixed limit instead.
  const Schema nulls = MustParse(R"({"type":"array","items":"null"})");
  std::string lots;
  WriteLong(lots, int64_t{1} << 30);
  EXPECT_TRUE(DecodeOne(nulls, lots + std::string(1, '\0')).Is(AvroError::kLengthTooLarge));
  std::string few;
  WriteLong(few, 3);
  EXPECT_TRUE(DecodeOne(nulls, few + std::string(1, '\0')).ok());

  const Schema uuid = MustParse(R"({"type":"string","logicalType":"uuid"})");
  std::string bad_uuid;
  WriteBytes(bad_uuid, "not-a-uuid");
  EXPECT_TRUE(DecodeOne(uuid, bad_uuid).Is(AvroError::kInvalidLogicalValue));

  const Schema boolean = MustParse(R"("boolean")");
  EXPECT_TRUE(DecodeOne(boolean, "\x02").Is(AvroError::kInvalidLogicalValue));
}

TEST(HostilePayloadTest, DeepRecursiveDataIsBounded) {
  const Schema list = MustParse(R"({"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]})");
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "\x02";
  deep += std::string(1, '\0');
  EXPECT_TRUE(DecodeOne(list, deep).Is(AvroError::kTooDeep));
}

// L{v, next: ["null", L]} costs two bytes a level: `levels` nodes, the last one's next null.
std::string LinkedList(size_t levels) {
  std::string out;
  out.reserve(2 * levels + 2);
  for (size_t i = 0; i < levels; ++i) out += "\x02\x02";  // v = 1, next = branch 1 (L)
  out += std::string("\x02\x00", 2);                     // v = 1, next = null
  return out;
}

constexpr const char* kListSchema =
    R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"]}]})";

// A megabyte of list nodes would overflow the stack on every path that recurses per level: decoding
// (recursion as JSON), skipping a recursive field the reader dropped, the skipper alone, the JSON
// renderer and the container reader's datum splitter. Each stops with kTooDeep instead.
TEST(HostilePayloadTest, DeepRecursionFailsWithTooDeepOnEveryPath) {
  const Schema list = MustParse(kListSchema);
  const Schema only_v = MustParse(R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"}]})");
  const std::string hostile = LinkedList(512 * 1024);

  EXPECT_TRUE(DecodeOne(list, hostile).Is(AvroError::kTooDeep));

  auto dropping = RecordDecoder::Compile(list, only_v);
  ASSERT_TRUE(dropping.ok()) << dropping.status().ToString();
  columnar::ColumnarBatch batch(dropping->columnar_schema());
  EXPECT_TRUE(dropping->Decode(hostile, batch).Is(AvroError::kTooDeep));
  EXPECT_EQ(batch.num_records(), 0u);

  auto skipper = DatumSkipper::Compile(list);
  ASSERT_TRUE(skipper.ok());
  BinaryReader r(hostile.data(), hostile.size());
  EXPECT_FALSE(skipper->Skip(r));
  EXPECT_EQ(r.error, AvroError::kTooDeep);

  std::string json;
  EXPECT_TRUE(DatumToJson(list.root(), hostile, json).Is(AvroError::kTooDeep));
}

// The limit leaves room for real data: 40 nodes (the renderer spends two levels a node) pass every path.
TEST(HostilePayloadTest, ModeratelyDeepRecursionStillDecodes) {
  const Schema list = MustParse(kListSchema);
  const Schema only_v = MustParse(R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"}]})");
  const std::string ok = LinkedList(40);
  EXPECT_TRUE(DecodeOne(list, ok).ok());
  auto dropping = RecordDecoder::Compile(list, only_v);
  ASSERT_TRUE(dropping.ok());
  columnar::ColumnarBatch batch(dropping->columnar_schema());
  EXPECT_TRUE(dropping->Decode(ok, batch).ok());
  std::string json;
  size_t consumed = 0;
  ASSERT_TRUE(DatumToJson(list.root(), ok, json, &consumed).ok());
  EXPECT_EQ(consumed, ok.size());
  EXPECT_EQ(json.substr(0, 28), R"({"v":1,"next":{"v":1,"next":)");
}

// array<array<T>> with `outer` inner arrays of `inner` zero-width items each.
std::string NestedZeroWidth(int64_t outer, int64_t inner) {
  std::string out;
  WriteLong(out, outer);
  for (int64_t i = 0; i < outer; ++i) {
    WriteLong(out, inner);
    WriteLong(out, 0);
  }
  WriteLong(out, 0);
  return out;
}

// The zero-width cap holds for the whole datum: 1 000 inner arrays of 65 536 nulls (4 KB, 65 M entries
// under a per-array cap) fail, on every path; arrays of empty records too.
TEST(HostilePayloadTest, ZeroWidthItemsAreCappedPerDatumNotPerArray) {
  const Schema nulls = MustParse(R"({"type":"array","items":{"type":"array","items":"null"}})");
  const Schema empties = MustParse(
      R"({"type":"array","items":{"type":"array","items":{"type":"record","name":"E","fields":[]}}})");
  const std::string hostile = NestedZeroWidth(1000, 65536);
  for (const Schema* schema : {&nulls, &empties}) {
    EXPECT_TRUE(DecodeOne(*schema, hostile).Is(AvroError::kLengthTooLarge));
    auto skipper = DatumSkipper::Compile(*schema);
    ASSERT_TRUE(skipper.ok());
    BinaryReader r(hostile.data(), hostile.size());
    EXPECT_FALSE(skipper->Skip(r));
    EXPECT_EQ(r.error, AvroError::kLengthTooLarge);
    std::string json;
    EXPECT_TRUE(DatumToJson(schema->root(), hostile, json).Is(AvroError::kLengthTooLarge));
  }
  // The budget is the sum: two arrays of 30 000 fit, three do not.
  EXPECT_TRUE(DecodeOne(nulls, NestedZeroWidth(2, 30000)).ok());
  EXPECT_TRUE(DecodeOne(nulls, NestedZeroWidth(3, 30000)).Is(AvroError::kLengthTooLarge));
  std::string json;
  EXPECT_TRUE(DatumToJson(nulls.root(), NestedZeroWidth(2, 30000), json).ok());
  EXPECT_TRUE(DatumToJson(nulls.root(), NestedZeroWidth(3, 30000), json).Is(AvroError::kLengthTooLarge));

  // Inside a recursive subtree (rendered as JSON by the decoder) the decoder's budget carries on.
  const Schema tree = MustParse(R"({"type":"record","name":"T","fields":[
      {"name":"nulls","type":{"type":"array","items":"null"}},
      {"name":"kids","type":{"type":"array","items":"T"}}]})");
  std::string datum;
  WriteLong(datum, 40000);  // 40 000 nulls at the top
  WriteLong(datum, 0);
  WriteLong(datum, 1);      // one kid (rendered as JSON) with 40 000 more
  WriteLong(datum, 40000);
  WriteLong(datum, 0);
  WriteLong(datum, 0);      // the kid has no kids
  WriteLong(datum, 0);
  EXPECT_TRUE(DecodeOne(tree, datum).Is(AvroError::kLengthTooLarge));
}

// Decimals by precision: the unscaled big-endian bytes are narrowed (redundant sign bytes dropped) or
// sign-extended into the column's width; values with more digits than the precision are kDecimalOverflow.
TEST(DecimalTest, BytesBecomeInt32Int64OrShortestFixedAndOverflowIsNamed) {
  const Schema d4 = MustParse(R"({"type":"bytes","logicalType":"decimal","precision":4,"scale":2})");
  const auto int32_of = [&](const Schema& schema, const std::string& be, int32_t* out) {
    auto decoder = RecordDecoder::Compile(schema, schema);
    EXPECT_TRUE(decoder.ok());
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    std::string datum;
    WriteBytes(datum, be);
    Status st = decoder->Decode(datum, batch);
    if (st.ok()) std::memcpy(out, batch.column(0).fixed().data(), 4);
    return st;
  };
  int32_t v = 0;
  ASSERT_TRUE(int32_of(d4, std::string("\x27\x0f", 2), &v).ok());  // 9999
  EXPECT_EQ(v, 9999);
  ASSERT_TRUE(int32_of(d4, std::string("\xd8\xf1", 2), &v).ok());  // -9999
  EXPECT_EQ(v, -9999);
  ASSERT_TRUE(int32_of(d4, std::string("\x00\x00\x00\x00\x00\x00\x27\x0f", 8), &v).ok());  // redundant zeros
  EXPECT_EQ(v, 9999);
  ASSERT_TRUE(int32_of(d4, std::string("\xff\xff\xff\xff\xff\xff\xff", 7), &v).ok());  // -1, sign-extended
  EXPECT_EQ(v, -1);
  ASSERT_TRUE(int32_of(d4, "", &v).ok());  // no bytes: zero (as python3-avro and avsc read it)
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(int32_of(d4, std::string("\x80", 1), &v).ok());  // -128
  EXPECT_EQ(v, -128);
  EXPECT_TRUE(int32_of(d4, std::string("\x27\x10", 2), &v).Is(AvroError::kDecimalOverflow));   // 10000
  EXPECT_TRUE(int32_of(d4, std::string("\xd8\xf0", 2), &v).Is(AvroError::kDecimalOverflow));   // -10000
  EXPECT_TRUE(int32_of(d4, std::string("\x01\x00\x00\x00\x00", 5), &v).Is(AvroError::kDecimalOverflow));
  // Bytes beyond the width that are not sign extension: a large value, not a small one.
  EXPECT_TRUE(int32_of(d4, std::string("\x00\x80\x00\x00\x00", 5), &v).Is(AvroError::kDecimalOverflow));
  EXPECT_TRUE(int32_of(d4, std::string("\xff\x7f\xff\xff\xff", 5), &v).Is(AvroError::kDecimalOverflow));
  const Schema d9 = MustParse(R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":0})");
  ASSERT_TRUE(int32_of(d9, std::string("\x3b\x9a\xc9\xff", 4), &v).ok());  // 999 999 999
  EXPECT_EQ(v, 999999999);
  EXPECT_TRUE(int32_of(d9, std::string("\x3b\x9a\xca\x00", 4), &v).Is(AvroError::kDecimalOverflow));  // 10^9

  // decimal(18) on fixed(8) → int64; decimal(20) on fixed(12) → FIXED(9).
  const Schema f18 = MustParse(R"({"type":"fixed","name":"F","size":8,"logicalType":"decimal","precision":18})");
  EXPECT_TRUE(DecodeOne(f18, std::string("\x0d\xe0\xb6\xb3\xa7\x63\xff\xff", 8)).ok());  // 10^18 - 1
  EXPECT_TRUE(DecodeOne(f18, std::string("\x0d\xe0\xb6\xb3\xa7\x64\x00\x00", 8)).Is(AvroError::kDecimalOverflow));
  EXPECT_TRUE(DecodeOne(f18, std::string("\x80\x00\x00\x00\x00\x00\x00\x00", 8)).Is(AvroError::kDecimalOverflow));
  const Schema f20 = MustParse(R"({"type":"fixed","name":"G","size":12,"logicalType":"decimal","precision":20})");
  auto decoder = RecordDecoder::Compile(f20, f20);
  ASSERT_TRUE(decoder.ok());
  columnar::ColumnarBatch batch(decoder->columnar_schema());
  const std::string minus_one(12, '\xff');
  ASSERT_TRUE(decoder->Decode(minus_one, batch).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(batch.column(0).fixed().data()), 9), std::string(9, '\xff'));
  // 10^20 = 0x056bc75e2d63100000: fits 9 bytes, but has 21 digits.
  EXPECT_TRUE(decoder->Decode(std::string("\x00\x00\x00\x05\x6b\xc7\x5e\x2d\x63\x10\x00\x00", 12), batch)
                  .Is(AvroError::kDecimalOverflow));
  EXPECT_TRUE(decoder->Decode(std::string("\x00\x00\x00\x05\x6b\xc7\x5e\x2d\x63\x0f\xff\xff", 12), batch).ok());
  EXPECT_TRUE(decoder->Decode(std::string("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12), batch)
                  .Is(AvroError::kDecimalOverflow));
  EXPECT_EQ(batch.num_records(), 2u);
}

// A negative block byte size is kNegativeLength for the decoder, the skipper and the renderer alike.
TEST(HostilePayloadTest, NegativeBlockByteSizeIsTheSameErrorOnEveryPath) {
  const Schema arr = MustParse(R"({"type":"array","items":"long"})");
  std::string neg;
  WriteLong(neg, -1);  // one item, byte size follows
  WriteLong(neg, -2);
  WriteLong(neg, 7);
  WriteLong(neg, 0);
  EXPECT_TRUE(DecodeOne(arr, neg).Is(AvroError::kNegativeLength));
  auto skipper = DatumSkipper::Compile(arr);
  ASSERT_TRUE(skipper.ok());
  BinaryReader r(neg.data(), neg.size());
  EXPECT_FALSE(skipper->Skip(r));
  EXPECT_EQ(r.error, AvroError::kNegativeLength);
  std::string json;
  EXPECT_TRUE(DatumToJson(arr.root(), neg, json).Is(AvroError::kNegativeLength));
}

// The decoder's fast paths (8-byte varint loads, 8-byte ASCII checks that may read past a short string, SWAR
// uuid parsing) must agree with the byte-at-a-time rules at every distance from the end of the input. Datums
// are decoded from exactly-sized heap buffers so that ASan reports any read past the end.
class FastPathTest : public ::testing::Test {
 protected:
  // Decodes `bytes` from a buffer of exactly that size; on success the one record's column `col` in *out.
  Status Decode(const Schema& schema, const std::string& bytes, size_t col = 0, std::string* out = nullptr) {
    auto decoder = RecordDecoder::Compile(schema, schema);
    EXPECT_TRUE(decoder.ok());
    columnar::ColumnarBatch batch(decoder->columnar_schema());
    const std::vector<uint8_t> exact(bytes.begin(), bytes.end());
    Status st = decoder->Decode(exact.data(), exact.size(), batch);
    if (!st.ok()) {
      EXPECT_EQ(batch.column(col).num_entries(), 0u);
    } else if (out) {
      const auto& c = batch.column(col);
      *out = c.physical() == columnar::PhysicalType::kByteArray
                 ? std::string(c.bytes_value(0))
                 : std::string(reinterpret_cast<const char*>(c.fixed().data()), c.fixed().size());
    }
    return st;
  }
};

TEST_F(FastPathTest, VarintsOfEveryLengthAtEveryDistanceFromTheEnd) {
  const Schema long_first = MustParse(
      R"({"type":"record","name":"R","fields":[{"name":"l","type":"long"},{"name":"t","type":"bytes"}]})");
  const Schema long_last = MustParse(
      R"({"type":"record","name":"R","fields":[{"name":"t","type":"bytes"},{"name":"l","type":"long"}]})");
  std::vector<int64_t> values = {INT64_MIN, INT64_MAX, -1, 0};
  for (int len = 1; len <= 9; ++len) {  // zig-zag encodings of exactly `len` bytes, both signs
    const uint64_t lo = uint64_t{1} << (7 * (len - 1)), hi = (uint64_t{1} << (7 * len)) - 1;
    for (const uint64_t u : {lo, hi, lo | 1, hi - 1})
      values.push_back(static_cast<int64_t>((u >> 1) ^ (0 - (u & 1))));
  }
  for (const int64_t v : values) {
    std::string varint;
    WriteLong(varint, v);
    for (size_t tail = 0; tail <= 10; ++tail) {
      const std::string t(tail, '\xff');  // continuation-looking bytes right after the varint
      std::string bytes = varint;
      WriteBytes(bytes, t);
      std::string got;
      ASSERT_TRUE(Decode(long_first, bytes, 0, &got).ok()) << v << " tail " << tail;
      EXPECT_EQ(got, std::string(reinterpret_cast<const char*>(&v), 8)) << v << " tail " << tail;
      std::string last;
      WriteBytes(last, t);
      ASSERT_TRUE(Decode(long_last, last + varint, 1, &got).ok()) << v << " tail " << tail;
      EXPECT_EQ(got, std::string(reinterpret_cast<const char*>(&v), 8)) << v;
      // Cut inside the varint: truncated, whatever is left before it.
      for (size_t cut = 1; cut < varint.size(); ++cut)
        EXPECT_TRUE(Decode(long_last, last + varint.substr(0, cut), 1).Is(AvroError::kTruncated)) << v << " " << cut;
    }
  }
  // Ten bytes whose last carries more than bit 63, with and without bytes after it.
  const std::string overflow = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02";
  EXPECT_TRUE(Decode(long_first, overflow + std::string(1, '\0')).Is(AvroError::kVarintOverflow));
  EXPECT_TRUE(Decode(long_last, std::string(1, '\0') + overflow).Is(AvroError::kVarintOverflow));
  EXPECT_TRUE(Decode(long_last, std::string(1, '\0') + overflow + "\x01").Is(AvroError::kVarintOverflow));
}

TEST_F(FastPathTest, Utf8ChecksSeeOnlyTheStringAtEveryLengthAndPosition) {
  const Schema schema = MustParse(
      R"({"type":"record","name":"R","fields":[{"name":"s","type":"string"},{"name":"t","type":"bytes"}]})");
  for (size_t n = 0; n <= 20; ++n) {
    for (size_t tail = 0; tail <= 9; ++tail) {
      std::string t(tail, '\x80');  // non-ASCII bytes right after the string must not count
      const auto datum = [&](const std::string& s) {
        std::string d;
        WriteBytes(d, s);
        WriteBytes(d, t);
        return d;
      };
      const std::string ascii(n, 'a');
      std::string got;
      ASSERT_TRUE(Decode(schema, datum(ascii), 0, &got).ok()) << n << " " << tail;
      EXPECT_EQ(got, ascii);
      for (size_t i = 0; i < n; ++i) {
        std::string bad = ascii;
        bad[i] = '\xff';
        EXPECT_TRUE(Decode(schema, datum(bad)).Is(AvroError::kInvalidUtf8)) << n << " " << i << " " << tail;
        bad[i] = '\xc3';  // a lead byte without its continuation (or with 'a' after it)
        EXPECT_TRUE(Decode(schema, datum(bad)).Is(AvroError::kInvalidUtf8)) << n << " " << i << " " << tail;
        if (i + 1 < n) {
          std::string good = ascii;
          good.replace(i, 2, "\xc3\xa9");  // é
          ASSERT_TRUE(Decode(schema, datum(good), 0, &got).ok()) << n << " " << i << " " << tail;
          EXPECT_EQ(got, good);
        }
      }
    }
  }
}

TEST_F(FastPathTest, UuidTextIsParsedAndEveryNonHexByteRejected) {
  const Schema schema = MustParse(
      R"({"type":"record","name":"R","fields":[{"name":"u","type":{"type":"string","logicalType":"uuid"}}]})");
  const std::string text = "0123abcd-ef45-6789-ABCD-EF0123456789";
  const std::string expected("\x01\x23\xab\xcd\xef\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89", 16);
  std::string d, got;
  WriteBytes(d, text);
  ASSERT_TRUE(Decode(schema, d, 0, &got).ok());
  EXPECT_EQ(got, expected);
  const std::string hex = "0123456789abcdefABCDEF";
  for (size_t i = 0; i < text.size(); ++i) {
    for (int c = 0; c < 256; ++c) {
      const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash_position ? c == '-' : hex.find(static_cast<char>(c)) != std::string::npos) continue;
      std::string bad = text;
      bad[i] = static_cast<char>(c);
      std::string bytes;
      WriteBytes(bytes, bad);
      EXPECT_TRUE(Decode(schema, bytes).Is(AvroError::kInvalidLogicalValue)) << i << " " << c;
    }
  }
}

TEST_F(FastPathTest, ArraysOfLeavesCheckBlockSizesAndRollBack) {
  const Schema schema = MustParse(
      R"({"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"string"}}]})");
  std::string sized;  // one block of two strings with its byte size
  WriteLong(sized, -2);
  WriteLong(sized, 4);
  WriteBytes(sized, "x");
  WriteBytes(sized, "y");
  EXPECT_TRUE(Decode(schema, sized + std::string(1, '\0')).ok());
  std::string wrong;
  WriteLong(wrong, -2);
  WriteLong(wrong, 3);
  WriteBytes(wrong, "x");
  WriteBytes(wrong, "y");
  EXPECT_TRUE(Decode(schema, wrong + std::string(1, '\0')).Is(AvroError::kBadBlockSize));
  std::string bad_item;  // the second item is not UTF-8: nothing of the array stays
  WriteLong(bad_item, 2);
  WriteBytes(bad_item, "x");
  WriteBytes(bad_item, "\xff");
  EXPECT_TRUE(Decode(schema, bad_item + std::string(1, '\0')).Is(AvroError::kInvalidUtf8));
}

TEST(ResolutionTest, IncompatibleSchemasFailToCompileWithTheField) {
  const Schema w = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"string"}]})");
  const Schema r = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"long"}]})");
  auto d = RecordDecoder::Compile(w, r);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.status().Is(AvroError::kIncompatibleSchema));
  EXPECT_EQ(d.status().message(), "price: writer type string cannot be read as long");
  const Schema r2 = MustParse(R"({"type":"record","name":"Ad","fields":[{"name":"price","type":"string"},
      {"name":"qty","type":"int"}]})");
  auto d2 = RecordDecoder::Compile(w, r2);
  ASSERT_FALSE(d2.ok());
  EXPECT_EQ(d2.status().message(), "qty: field 'qty' of record 'Ad' is missing from the writer and has no default");
}

TEST(ResolutionTest, UnresolvableUnionBranchesAndEnumSymbolsFailOnlyWhenTheyOccur) {
  const Schema w = MustParse(R"({"type":"record","name":"R","fields":[
      {"name":"u","type":["null","string","long"]},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}]})");
  const Schema r = MustParse(R"({"type":"record","name":"R","fields":[
      {"name":"u","type":["null","long"]},
      {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]})");
  auto d = RecordDecoder::Compile(w, r);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  columnar::ColumnarBatch batch(d->columnar_schema());
  auto enc = [&](const char* json) {
    std::string out;
    EXPECT_TRUE(EncodeJson(w, nlohmann::json::parse(json), out).ok());
    return out;
  };
  EXPECT_TRUE(d->Decode(enc(R"({"u":{"long":5},"e":"B"})"), batch).ok());
  EXPECT_TRUE(d->Decode(enc(R"({"u":null,"e":"A"})"), batch).ok());
  EXPECT_TRUE(d->Decode(enc(R"({"u":{"string":"x"},"e":"A"})"), batch).Is(AvroError::kUnresolvedValue));
  EXPECT_TRUE(d->Decode(enc(R"({"u":null,"e":"C"})"), batch).Is(AvroError::kUnresolvedValue));
  EXPECT_EQ(Render(batch), "u: 1:5 0:-\ne: 'B' 'A'\n");
}

TEST(CaptureTest, ReportsTheFirstPresentCandidate) {
  const Schema w = MustParse(R"({"type":"record","name":"Ev","fields":[
      {"name":"meta","type":["null",{"type":"record","name":"Meta","fields":[
          {"name":"event_time","type":["null",{"type":"long","logicalType":"timestamp-millis"}]}]}]},
      {"name":"tags","type":{"type":"array","items":"string"}},
      {"name":"ts_str","type":"string"},
      {"name":"day","type":{"type":"int","logicalType":"date"}}]})");
  DecoderOptions opts;
  opts.capture_paths = {"meta.event_time", "ts_str"};
  auto d = RecordDecoder::Compile(w, w, opts);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  columnar::ColumnarBatch batch(d->columnar_schema());
  auto decode = [&](const char* json) {
    std::string out;
    EXPECT_TRUE(EncodeJson(w, nlohmann::json::parse(json), out).ok());
    EXPECT_TRUE(d->Decode(out, batch).ok());
    return d->captured();
  };
  CapturedValue v = decode(R"({"meta":{"event_time":1714564800123},"tags":["a"],"ts_str":"2024-01-01","day":3})");
  EXPECT_EQ(v.candidate, 0);
  EXPECT_EQ(v.kind, CapturedValue::Kind::kLong);
  EXPECT_EQ(v.long_value, 1714564800123);
  EXPECT_EQ(v.logical, LogicalType::kTimestampMillis);
  v = decode(R"({"meta":{"event_time":null},"tags":[],"ts_str":"2024-01-02T00:00:00Z","day":3})");
  EXPECT_EQ(v.candidate, 1);
  EXPECT_EQ(v.kind, CapturedValue::Kind::kString);
  EXPECT_EQ(v.string_value, "2024-01-02T00:00:00Z");
  v = decode(R"({"meta":null,"tags":[],"ts_str":"x","day":3})");
  EXPECT_EQ(v.candidate, 1);

  opts.capture_paths = {"day"};
  auto day = RecordDecoder::Compile(w, w, opts);
  ASSERT_TRUE(day.ok());
  columnar::ColumnarBatch b2(day->columnar_schema());
  std::string out;
  ASSERT_TRUE(EncodeJson(w, nlohmann::json::parse(R"({"meta":null,"tags":[],"ts_str":"x","day":19844})"), out).ok());
  ASSERT_TRUE(day->Decode(out, b2).ok());
  EXPECT_EQ(day->captured().long_value, 19844);
  EXPECT_EQ(day->captured().logical, LogicalType::kDate);

  for (const char* bad : {"tags", "nope", "meta", "meta.event_time.x"}) {
    opts.capture_paths = {bad};
    auto r = RecordDecoder::Compile(w, w, opts);
    EXPECT_TRUE(r.status().Is(AvroError::kUnsupported)) << bad;
  }
}

TEST(CaptureTest, DefaultsAndPromotionsAreCaptured) {
  const Schema w = MustParse(R"({"type":"record","name":"E","fields":[{"name":"t","type":"int"}]})");
  const Schema r = MustParse(R"({"type":"record","name":"E","fields":[{"name":"t","type":"long"},
      {"name":"src","type":"string","default":"none"}]})");
  DecoderOptions opts;
  opts.capture_paths = {"src", "t"};
  auto d = RecordDecoder::Compile(w, r, opts);
  ASSERT_TRUE(d.ok());
  columnar::ColumnarBatch batch(d->columnar_schema());
  ASSERT_TRUE(d->Decode(std::string("\x0e"), batch).ok());
  EXPECT_EQ(d->captured().candidate, 0);
  EXPECT_EQ(d->captured().string_value, "none");
  opts.capture_paths = {"t"};
  auto d2 = RecordDecoder::Compile(w, r, opts);
  columnar::ColumnarBatch b2(d2->columnar_schema());
  ASSERT_TRUE(d2->Decode(std::string("\x0e"), b2).ok());
  EXPECT_EQ(d2->captured().long_value, 7);
}

TEST(ConfluentFramingTest, ParsesHeaderAndDecodesBody) {
  EXPECT_TRUE(ParseConfluentFrame("").status().Is(AvroError::kTruncated));
  EXPECT_TRUE(ParseConfluentFrame("\x01\0\0\0\x01").status().Is(AvroError::kBadMagic));
  EXPECT_TRUE(ParseConfluentFrame(std::string("\0\0\0", 3)).status().Is(AvroError::kTruncated));
  EXPECT_TRUE(UnknownSchemaId(7).Is(AvroError::kUnknownSchemaId));

  const Schema s = MustParse(R"({"type":"record","name":"R","fields":[{"name":"id","type":"long"}]})");
  std::string payload;
  AppendConfluentHeader(payload, 0x01020304);
  ASSERT_TRUE(EncodeJson(s, nlohmann::json::parse(R"({"id":-3})"), payload).ok());
  auto frame = ParseConfluentFrame(payload);
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->schema_id, 0x01020304u);
  auto d = RecordDecoder::Compile(s, s);
  columnar::ColumnarBatch batch(d->columnar_schema());
  ASSERT_TRUE(d->Decode(frame->body, batch).ok());
  EXPECT_EQ(Render(batch), "id: -3\n");
}

}  // namespace
}  // namespace floe::avro
