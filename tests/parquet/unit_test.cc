// Building blocks (thrift, encodings, hashing, Bloom filters, budget) and hostile input to the reader.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "parquet/bloom_filter.h"
#include "parquet/encoding.h"
#include "parquet/errors.h"
#include "parquet/file_reader.h"
#include "parquet/format.h"
#include "parquet/memory_budget.h"
#include "parquet/row_assembler.h"
#include "parquet/test_util.h"

namespace floe::parquet {
namespace {

using namespace testing;

TEST(ParquetThriftTest, FooterRoundTripsAndUnknownFieldsAreSkipped) {
  format::FileMetaData md;
  md.num_rows = 1234567890123;
  md.created_by = "x";
  format::SchemaElement root;
  root.name = "r";
  root.num_children = 1;
  format::SchemaElement leaf;
  leaf.name = "ts";
  leaf.type = format::Type::kInt64;
  leaf.repetition = format::Repetition::kOptional;
  leaf.logical.kind = format::LogicalType::kTimestamp;
  leaf.logical.unit = format::LogicalType::kMillis;
  leaf.logical.adjusted_to_utc = false;
  md.schema = {root, leaf};
  md.key_value_metadata = {{"k", std::string("v")}};
  md.column_orders = {1};
  std::string bytes;
  format::Serialize(md, &bytes);
  // An unknown field (id 99, a list of structs) before the stop byte must be skipped.
  bytes.pop_back();
  bytes += std::string("\x09\xc6\x01\x1c\x15\x02\x00\x00", 8);
  format::FileMetaData back;
  size_t used = 0;
  ASSERT_TRUE(format::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &back, &used).ok());
  EXPECT_EQ(used, bytes.size());
  EXPECT_EQ(back.num_rows, md.num_rows);
  ASSERT_EQ(back.schema.size(), 2u);
  EXPECT_EQ(back.schema[1].logical.kind, format::LogicalType::kTimestamp);
  EXPECT_EQ(back.schema[1].logical.unit, format::LogicalType::kMillis);
  EXPECT_FALSE(back.schema[1].logical.adjusted_to_utc);
  EXPECT_EQ(back.key_value_metadata[0].value, "v");
  EXPECT_EQ(back.column_orders, std::vector<int16_t>{1});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    format::FileMetaData t;
    EXPECT_FALSE(format::Parse(reinterpret_cast<const uint8_t*>(bytes.data()), cut, &t).ok()) << cut;
  }
}

TEST(ParquetEncodingTest, RleHybridRoundTripsRunsAndLiterals) {
  std::mt19937 rng(7);
  for (int bw : {1, 2, 3, 7, 8, 13, 20, 32}) {
    std::vector<uint32_t> v;
    for (int i = 0; i < 5000; ++i) {
      const uint32_t x = static_cast<uint32_t>(rng()) & (bw == 32 ? 0xFFFFFFFFu : ((1u << bw) - 1));
      const int run = rng() % 4 == 0 ? static_cast<int>(rng() % 40) : 1;
      for (int k = 0; k < run; ++k) v.push_back(x);
    }
    std::string enc;
    EncodeRleHybrid(v.data(), v.size(), bw, &enc);
    RleDecoder dec(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), bw);
    std::vector<uint32_t> out(v.size());
    ASSERT_EQ(dec.Get(out.data(), out.size()), v.size());
    EXPECT_EQ(out, v) << bw;
  }
}

TEST(ParquetEncodingTest, DeltaBinaryPackedRoundTripsExtremes) {
  std::vector<int64_t> v = {INT64_MIN, INT64_MAX, 0, -1, 1, INT64_MAX, INT64_MIN};
  for (int i = 0; i < 1000; ++i) v.push_back(1700000000000000LL + i * 1000 + (i % 7));
  std::string enc;
  EncodeDeltaBinaryPacked(v.data(), v.size(), &enc);
  std::vector<int64_t> out;
  size_t used = 0;
  ASSERT_TRUE(DecodeDeltaBinaryPacked(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), v.size(), false, &out, &used).ok());
  EXPECT_EQ(out, v);
  EXPECT_EQ(used, enc.size());
  std::vector<int32_t> v32 = {INT32_MIN, INT32_MAX, 5, -5, INT32_MIN};
  enc.clear();
  EncodeDeltaBinaryPacked(v32.data(), v32.size(), &enc);
  ASSERT_TRUE(DecodeDeltaBinaryPacked(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), 10, true, &out, nullptr).ok());
  ASSERT_EQ(out.size(), v32.size());
  for (size_t i = 0; i < v32.size(); ++i) EXPECT_EQ(out[i], v32[i]);
  // A header claiming more values than the page may hold is rejected before allocating.
  EXPECT_FALSE(DecodeDeltaBinaryPacked(reinterpret_cast<const uint8_t*>(enc.data()), enc.size(), 2, true, &out, nullptr).ok());
}

TEST(ParquetHashTest, XxHash64MatchesReferenceVectors) {
  EXPECT_EQ(XxHash64("", 0), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(XxHash64("abc", 3), 0x44BC2CF5AD770999ULL);
}

TEST(ParquetBloomTest, SplitBlockFilterHasNoFalseNegativesAndFewFalsePositives) {
  SplitBlockBloomFilter f(SplitBlockBloomFilter::OptimalBytes(10000, 0.01, 1 << 20));
  for (int i = 0; i < 10000; ++i) f.Insert(XxHash64(&i, sizeof i));
  int fp = 0;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(f.MightContain(XxHash64(&i, sizeof i)));
  for (int i = 10000; i < 30000; ++i) fp += f.MightContain(XxHash64(&i, sizeof i));
  EXPECT_LT(fp, 20000 * 0.03);
}

TEST(ParquetBudgetTest, WritersGetThreeQuartersOfTheLimitByDefault) {
  MemoryBudget b(1000);
  EXPECT_EQ(b.limit(), 1000u);
  EXPECT_EQ(b.writer_limit(), 750u);
  b.RegisterWriter();
  EXPECT_EQ(b.fair_share(), 750u);
  EXPECT_TRUE(b.TryReserve(700));
  EXPECT_FALSE(b.TryReserve(100));
  b.Release(700);
}

TEST(ParquetBudgetTest, ReservesReleasesAndReportsPressure) {
  MemoryBudget b(1000, 0.9, 0.7, /*writer_share=*/1.0);
  b.RegisterWriter();
  b.RegisterWriter();
  EXPECT_EQ(b.fair_share(), 500u);
  EXPECT_TRUE(b.TryReserve(800));
  EXPECT_FALSE(b.under_pressure());
  EXPECT_FALSE(b.TryReserve(300));
  EXPECT_TRUE(b.under_pressure());
  EXPECT_EQ(b.denials(), 1u);
  b.Release(500);
  EXPECT_FALSE(b.under_pressure());
  b.ForceReserve(2000);
  EXPECT_TRUE(b.under_pressure());
  EXPECT_EQ(b.peak(), 2300u);
  b.Release(2300);
  EXPECT_EQ(b.used(), 0u);
}

std::string SmallFile() {
  const auto schema = AllTypesSchema(true);
  std::vector<nlohmann::json> rows;
  for (int i = 0; i < 60; ++i) rows.push_back(AllTypesRow(i, true));
  WriterOptions o;
  o.bloom_columns = {"s"};
  const std::string path = WriteRows("small", schema, rows, o, 20);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Reads everything a reader can reach; must return errors, never crash.
Status ReadAll(std::string bytes) {
  ReaderOptions ro;
  ro.max_page_bytes = 1 << 20;
  ro.max_page_values = 1 << 20;
  ro.max_chunk_bytes = 1 << 24;
  ro.max_row_group_values = 1 << 22;
  FLOE_ASSIGN_OR_RETURN(auto r, ParquetReader::Open(MemorySource(std::move(bytes)), ro));
  columnar::ColumnarBatch batch;
  for (size_t g = 0; g < r->num_row_groups(); ++g) {
    FLOE_RETURN_IF_ERROR(r->ReadRowGroup(g, &batch));
    RowAssembler a(batch);
    nlohmann::ordered_json row;
    while (true) {
      FLOE_ASSIGN_OR_RETURN(bool more, a.Next(&row));
      if (!more) break;
    }
    for (size_t l = 0; l < r->schema().num_leaves(); ++l) {
      FLOE_RETURN_IF_ERROR(r->ReadColumnIndex(g, l).status());
      FLOE_RETURN_IF_ERROR(r->ReadOffsetIndex(g, l).status());
      FLOE_RETURN_IF_ERROR(r->ReadBloomFilter(g, l).status());
    }
  }
  return Status::Ok();
}

TEST(ParquetBadInputTest, TruncatedWrongMagicLyingLengths) {
  const std::string good = SmallFile();
  ASSERT_TRUE(ReadAll(good).ok());
  EXPECT_TRUE(ReadAll("").Is(ParquetError::kCorrupt));
  EXPECT_TRUE(ReadAll("PAR1PAR1").Is(ParquetError::kCorrupt));
  std::string bad = good;
  bad[0] = 'X';
  EXPECT_TRUE(ReadAll(bad).Is(ParquetError::kCorrupt));
  bad = good;
  bad[bad.size() - 1] = 'X';
  EXPECT_TRUE(ReadAll(bad).Is(ParquetError::kCorrupt));
  bad = good;
  const uint32_t huge = 0xFFFFFFF0u;
  std::memcpy(bad.data() + bad.size() - 8, &huge, 4);
  EXPECT_TRUE(ReadAll(bad).Is(ParquetError::kCorrupt));
  for (size_t cut : {good.size() - 1, good.size() - 9, good.size() / 2, size_t{12}}) {
    EXPECT_FALSE(ReadAll(good.substr(0, cut)).ok()) << cut;
  }
}

TEST(ParquetBadInputTest, CorruptedBytesNeverCrash) {
  const std::string good = SmallFile();
  std::mt19937 rng(11);
  int errors = 0;
  for (int iter = 0; iter < 400; ++iter) {
    std::string bad = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const size_t at = rng() % bad.size();
      switch (rng() % 3) {
        case 0: bad[at] = static_cast<char>(rng()); break;
        case 1: bad[at] = static_cast<char>(0xFF); break;
        default: bad[at] = static_cast<char>(bad[at] ^ 0x80); break;
      }
    }
    errors += !ReadAll(bad).ok();
  }
  EXPECT_GT(errors, 25);
}

}  // namespace
}  // namespace floe::parquet
