// floe-written files read by DuckDB and hyparquet, DuckDB-written files read by floe: identical values.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

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

// DuckDB and hyparquet read each file (of `rows` rows) as floe does.
void ExpectOraclesReadAsFloe(const std::vector<std::string>& paths, size_t rows) {
  std::vector<std::string> args = paths;
  args.insert(args.begin(), "duckdb");
  const auto duck = ParseFiles(RunOracle(args));
  args[0] = "hyparquet";
  const auto hyp = ParseFiles(RunOracle(args));
  ASSERT_EQ(duck.size(), paths.size());
  ASSERT_EQ(hyp.size(), paths.size());
  for (size_t k = 0; k < paths.size(); ++k) {
    const auto floe_rows = CatRows(paths[k]);
    ASSERT_EQ(floe_rows.size(), rows);
    ExpectSameRows(floe_rows, duck[k], "duckdb " + paths[k]);
    ExpectSameRows(floe_rows, hyp[k], "hyparquet " + paths[k]);
  }
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
  ExpectOraclesReadAsFloe(paths, rows.size());
}

// Pages that do not compress are written as ZSTD frames of raw blocks (AppendStored): both readers take
// them, in v1 and v2 pages.
TEST(ParquetInteropTest, DuckDbAndHyparquetReadStoredZstdPages) {
  const columnar::Schema schema = NoiseAndTextSchema();
  std::mt19937_64 rng(23);
  std::vector<json> rows;
  for (int i = 0; i < 20000; ++i)
    rows.push_back({{"noise", static_cast<int64_t>(rng() >> 1)}, {"text", "row " + std::to_string(i % 5)}});
  std::vector<std::string> paths;
  for (bool v2 : {false, true}) {
    WriterOptions o;
    o.dictionary = false;
    o.data_page_v2 = v2;
    o.page_bytes = 4096;
    paths.push_back(WriteRows(v2 ? "interop_stored_v2" : "interop_stored_v1", schema, rows, o, 500));
  }
  ExpectOraclesReadAsFloe(paths, rows.size());
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
  // The v2 fixtures are what exercise floe's readers of DuckDB's v2 encodings: assert they hold them (DuckDB
  // 1.5 writes no DELTA_BYTE_ARRAY; that decoder is covered by the unit tests). Same rows as the v1 files.
  for (const char* v2 : {"v2_zstd", "v2_snappy"}) {
    const json md = json::parse(RunOracle({"duckdb-meta", dir + "/" + v2 + ".parquet"}))["metadata"];
    auto encodings = [&](const std::string& column) {
      std::string all;
      for (const auto& c : md)
        if (c["path_in_schema"] == column) all += c["encodings"].get<std::string>() + ",";
      return all;
    };
    for (const char* c : {"uniq", "sn", "bl"})
      EXPECT_NE(encodings(c).find("DELTA_LENGTH_BYTE_ARRAY"), std::string::npos) << v2 << " " << c << ": " << encodings(c);
    for (const char* c : {"d", "f", "dn"})
      EXPECT_NE(encodings(c).find("BYTE_STREAM_SPLIT"), std::string::npos) << v2 << " " << c << ": " << encodings(c);
    for (const char* c : {"i64", "ts", "dec18"})
      EXPECT_NE(encodings(c).find("DELTA_BINARY_PACKED"), std::string::npos) << v2 << " " << c << ": " << encodings(c);
    ExpectSameRows(CatRows(dir + "/v1_zstd.parquet"), CatRows(dir + "/" + v2 + ".parquet"), v2);
  }
}

// Required (non-nullable) logical-type columns, a required record inside a required record, required maps and a
// required list: DuckDB and hyparquet read the values floe reads, and DuckDB's schema says REQUIRED.
TEST(ParquetInteropTest, RequiredLogicalTypesRecordsAndMaps) {
  const auto schema = RequiredTypesSchema();
  std::vector<json> rows;
  for (int i = 0; i < 300; ++i) rows.push_back(RequiredTypesRow(i));
  const std::string path = WriteRows("required", schema, rows, WriterOptions{}, 64);
  const auto floe_rows = CatRows(path);
  ASSERT_EQ(floe_rows.size(), rows.size());
  EXPECT_EQ(floe_rows[5]["rec"]["inner"]["t"], "t5");
  EXPECT_EQ(floe_rows[3]["mp"], (json{{"key0", -7}, {"key1", -4}, {"key2", -1}}));
  EXPECT_EQ(floe_rows[2]["mp_rec"].size(), 2u);
  EXPECT_EQ(floe_rows[5]["u32"], 4294967295u);
  ExpectSameRows(floe_rows, ParseLines(RunOracle({"duckdb", path})), "duckdb");
  ExpectSameRows(floe_rows, ParseLines(RunOracle({"hyparquet", path})), "hyparquet");
  const json sch = json::parse(RunOracle({"duckdb-meta", path}))["schema"];
  int required = 0;
  for (const auto& e : sch) {
    if (e["name"] == "required_types") continue;
    // Everything is required except the repeated key_value/list groups.
    if (e["repetition_type"] == "REPEATED") continue;
    EXPECT_EQ(e["repetition_type"], "REQUIRED") << e.dump();
    ++required;
  }
  EXPECT_GE(required, 30);
  EXPECT_NE(FindBy(sch, "name", "decfx")->dump().find("DecimalType"), std::string::npos);
  EXPECT_NE(FindBy(sch, "name", "uuid")->dump().find("UUIDType"), std::string::npos);
}

// NaN, both zeros and both infinities read back by DuckDB and hyparquet exactly; DuckDB sees the statistics
// floe claims (none for chunks holding NaN, -0.0 min and +0.0 max) and its filters, which prune on them, find
// every matching row: DuckDB orders NaN above every number, so bounds that left the NaNs out made it skip
// NaN rows for "d > 2" (7 of 8 found) before floe stopped writing them for such chunks.
TEST(ParquetInteropTest, FloatEdgeValuesAndStatistics) {
  const auto schema = FloatEdgeSchema();
  const auto rows = FloatEdgeRows();
  WriterOptions o;
  o.row_group_bytes = 1;  // one row group per append of 4 rows
  const std::string path = WriteRows("float_edges_interop", schema, rows, o, 4);
  const std::vector<json> want_d = {1.5, "NaN", "-Infinity", "Infinity", 0, 2.5, 0, nullptr, 0, "-0", "NaN",
                                    nullptr, "NaN", nullptr, "NaN", "NaN", "-0", 0, "-0", nullptr};
  const std::vector<json> want_f = {1.5, "NaN", "-Infinity", "Infinity", 0, 2.5, 2.5, 0, 0, "NaN", "NaN",
                                    "-0", "NaN", "NaN", "NaN", "NaN", "-0", "-0", "-0", "-0"};
  ASSERT_EQ(rows.size(), want_d.size());
  for (const char* reader : {"duckdb-exact", "hyparquet-exact"}) {
    const auto got = ParseLines(RunOracle({reader, path}));
    ASSERT_EQ(got.size(), rows.size()) << reader;
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(got[i]["d"], want_d[i]) << reader << " row " << i;
      EXPECT_EQ(got[i]["f"], want_f[i]) << reader << " row " << i;
    }
  }
  const std::string f = "read_parquet('" + path + "')";
  const auto results = ParseLines(RunOracle(
      {"duckdb-sql",
       "SELECT stats_min_value AS mn, stats_max_value AS mx, stats_null_count AS nulls FROM parquet_metadata('" +
           path + "') WHERE path_in_schema = 'd' ORDER BY row_group_id",
       "SELECT count(*)::INTEGER AS n FROM " + f + " WHERE d > 2",
       "SELECT count(*)::INTEGER AS n FROM " + f + " WHERE d + 0 > 2",  // not pushed down: no pruning
       "SELECT count(*)::INTEGER AS n FROM " + f + " WHERE d < 0",
       "SELECT count(*)::INTEGER AS n FROM " + f + " WHERE d = 0",
       "SELECT count(*)::INTEGER AS n FROM " + f + " WHERE isnan(f)"}));
  ASSERT_EQ(results.size(), 6u);
  const json& st = results[0];
  ASSERT_EQ(st.size(), 5u);
  for (size_t g : {0, 2, 3}) {
    EXPECT_TRUE(st[g]["mn"].is_null()) << g << " " << st.dump();
    EXPECT_TRUE(st[g]["mx"].is_null()) << g << " " << st.dump();
  }
  EXPECT_EQ(st[1]["mn"], "-0.0");
  EXPECT_EQ(st[1]["mx"], "2.5");
  EXPECT_EQ(st[4]["mn"], "-0.0");
  EXPECT_EQ(st[4]["mx"], "0.0");
  EXPECT_EQ(st[1]["nulls"], "1");
  EXPECT_EQ(results[1][0]["n"], 7);  // inf, 2.5 and 5 NaNs
  EXPECT_EQ(results[2][0]["n"], 7);
  EXPECT_EQ(results[3][0]["n"], 1);  // -inf (-0.0 is not below 0)
  EXPECT_EQ(results[4][0]["n"], 7);  // both zeros
  EXPECT_EQ(results[5][0]["n"], 7);
}

}  // namespace
}  // namespace floe::parquet
