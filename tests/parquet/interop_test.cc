// floe-written files read by DuckDB and hyparquet, DuckDB-written files read by floe: identical values.
#include <gtest/gtest.h>

#include <filesystem>

#include "parquet/file_reader.h"
#include "parquet/test_util.h"

namespace floe::parquet {
namespace {

using json = nlohmann::json;
using namespace testing;

std::vector<json> AllRows(int n, bool interval) {
  std::vector<json> rows;
  for (int i = 0; i < n; ++i) rows.push_back(AllTypesRow(i, interval));
  return rows;
}

void ExpectSameRows(const std::vector<json>& want, const std::vector<json>& got, const std::string& what) {
  ASSERT_EQ(want.size(), got.size()) << what;
  for (size_t i = 0; i < want.size(); ++i) ASSERT_EQ(want[i], got[i]) << what << " row " << i;
}

TEST(ParquetInteropTest, DuckDbReadsEveryTypeIncludingInterval) {
  const auto schema = AllTypesSchema(true);
  const std::string path = WriteRows("duck_all", schema, AllRows(400, true), WriterOptions{});
  const auto floe_rows = CatRows(path);
  ExpectSameRows(floe_rows, ParseLines(RunOracle({"duckdb", path})), "duckdb");
}

TEST(ParquetInteropTest, DuckDbAndHyparquetReadEveryCodecAndPageVersion) {
  const auto schema = AllTypesSchema(false);
  const auto rows = AllRows(300, false);
  struct Variant {
    const char* name;
    format::Codec codec;
    bool v2;
    bool dictionary;
    uint64_t page_bytes;
  };
  const Variant variants[] = {
      {"zstd", format::Codec::kZstd, false, true, 1 << 20},
      {"snappy_v2", format::Codec::kSnappy, true, true, 1 << 20},
      {"gzip_plain", format::Codec::kGzip, false, false, 1 << 20},
      {"lz4_small_pages", format::Codec::kLz4Raw, false, true, 256},
      {"none_v2_plain", format::Codec::kUncompressed, true, false, 512},
  };
  std::vector<std::string> paths;
  for (const auto& v : variants) {
    WriterOptions o;
    o.codec = v.codec;
    o.data_page_v2 = v.v2;
    o.dictionary = v.dictionary;
    o.page_bytes = v.page_bytes;
    paths.push_back(WriteRows(std::string("interop_") + v.name, schema, rows, o, 37));
  }
  std::vector<std::string> args = paths;
  args.insert(args.begin(), "duckdb");
  const auto duck = ParseFiles(RunOracle(args));
  args[0] = "hyparquet";
  const auto hyp = ParseFiles(RunOracle(args));
  ASSERT_EQ(duck.size(), paths.size());
  ASSERT_EQ(hyp.size(), paths.size());
  for (size_t k = 0; k < paths.size(); ++k) {
    const auto floe_rows = CatRows(paths[k]);
    ASSERT_EQ(floe_rows.size(), rows.size());
    ExpectSameRows(floe_rows, duck[k], std::string("duckdb ") + variants[k].name);
    ExpectSameRows(floe_rows, hyp[k], std::string("hyparquet ") + variants[k].name);
  }
}

const json* FindBy(const json& arr, const std::string& key, const std::string& value) {
  for (const auto& r : arr) {
    if (r.contains(key) && r[key].is_string() && r[key].get<std::string>() == value) return &r;
  }
  return nullptr;
}

TEST(ParquetInteropTest, DuckDbSeesOurLogicalTypesEncodingsAndStatistics) {
  const auto schema = AllTypesSchema(true);
  std::vector<json> rows;
  for (int i = 0; i < 2000; ++i) {
    json r = AllTypesRow(i, true);
    r["i32"] = i;  // monotone, distinct: DELTA_BINARY_PACKED
    rows.push_back(r);
  }
  WriterOptions o;
  o.bloom_columns = {"s", "oi64"};
  const std::string path = WriteRows("duck_meta", schema, rows, o, 500);
  const json meta = json::parse(RunOracle({"duckdb-meta", path}));
  const json& sch = meta["schema"];
  auto logical = [&](const std::string& name) {
    const json* e = FindBy(sch, "name", name);
    EXPECT_NE(e, nullptr) << name;
    return e ? e->dump() : std::string();
  };
  EXPECT_NE(logical("s").find("StringType"), std::string::npos);
  EXPECT_NE(logical("s").find("UTF8"), std::string::npos);
  EXPECT_NE(logical("e").find("EnumType"), std::string::npos);
  EXPECT_NE(logical("j").find("JsonType"), std::string::npos);
  EXPECT_NE(logical("uuid").find("UUIDType"), std::string::npos);
  EXPECT_NE(logical("dec32").find("DecimalType"), std::string::npos);
  EXPECT_NE(logical("decfx").find("FIXED_LEN_BYTE_ARRAY"), std::string::npos);
  EXPECT_NE(logical("date").find("DateType"), std::string::npos);
  EXPECT_NE(logical("tms").find("TIME_MILLIS"), std::string::npos);
  EXPECT_NE(logical("ts_us").find("isAdjustedToUTC=1"), std::string::npos) << logical("ts_us");
  EXPECT_NE(logical("lts_ms").find("isAdjustedToUTC=0"), std::string::npos) << logical("lts_ms");
  EXPECT_NE(logical("u16").find("UINT_16"), std::string::npos);
  EXPECT_NE(logical("iv").find("INTERVAL"), std::string::npos);
  EXPECT_NE(logical("lst").find("LIST"), std::string::npos);
  EXPECT_NE(logical("mp").find("MAP"), std::string::npos);

  const json& md = meta["metadata"];
  auto column = [&](const std::string& p) {
    const json* e = FindBy(md, "path_in_schema", p);
    EXPECT_NE(e, nullptr) << p;
    return e ? *e : json();
  };
  const json i32 = column("i32");
  EXPECT_NE(i32["encodings"].get<std::string>().find("DELTA_BINARY_PACKED"), std::string::npos) << i32.dump();
  EXPECT_EQ(i32["stats_min_value"], "0");
  EXPECT_EQ(i32["stats_max_value"], "1999");
  const json s = column("s");
  EXPECT_NE(s["encodings"].get<std::string>().find("RLE_DICTIONARY"), std::string::npos) << s.dump();
  EXPECT_EQ(s["stats_min_value"], "");
  EXPECT_NE(s["stats_null_count"], "0");
  EXPECT_EQ(column("u32")["stats_max_value"], "4294967295");  // unsigned order
  EXPECT_TRUE(column("iv")["stats_min_value"].is_null());     // INTERVAL has no order
  EXPECT_NE(column("iv")["stats_null_count"], nullptr);
  EXPECT_EQ(i32["compression"], "ZSTD");
  EXPECT_FALSE(column("s")["bloom_filter_offset"].is_null());

  // DuckDB probes our Bloom filters (xxHash64 and the block layout must match the spec).
  const json present = json::parse(RunOracle({"duckdb-probe", path, "s", "str-7"}));
  for (const auto& g : present) EXPECT_EQ(g["bloom_filter_excludes"], false) << present.dump();
  const json absent = json::parse(RunOracle({"duckdb-probe", path, "s", "'definitely-not-there'"}));
  int excluded = 0;
  for (const auto& g : absent) excluded += g["bloom_filter_excludes"] == true;
  EXPECT_GE(excluded, 1) << absent.dump();

  // And floe uses them (and the statistics) to skip row groups.
  auto reader = ParquetReader::OpenFile(path);
  ASSERT_TRUE(reader.ok());
  auto groups = (*reader)->SelectRowGroups({{"i32", Predicate::Op::kGtEq, int64_t{1500}}});
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(*groups, (std::vector<size_t>{(*reader)->num_row_groups() - 1}));
  groups = (*reader)->SelectRowGroups({{"s", Predicate::Op::kEq, std::string("definitely-not-there")}});
  ASSERT_TRUE(groups.ok());
  EXPECT_LT(groups->size(), (*reader)->num_row_groups());
}

TEST(ParquetInteropTest, FloeReadsDuckDbWrittenFiles) {
  const std::string dir = TempDir() + "/duckdb_fixtures";
  std::filesystem::create_directories(dir);
  const json names = json::parse(RunOracle({"duckdb-write", dir}));
  ASSERT_GE(names.size(), 8u);
  std::vector<std::string> args = {"duckdb"};
  for (const auto& n : names) args.push_back(dir + "/" + n.get<std::string>() + ".parquet");
  const auto duck = ParseFiles(RunOracle(args));
  ASSERT_EQ(duck.size(), names.size());
  for (size_t k = 0; k < names.size(); ++k) ExpectSameRows(duck[k], CatRows(args[k + 1]), names[k].get<std::string>());
}

}  // namespace
}  // namespace floe::parquet
