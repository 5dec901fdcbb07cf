// Building blocks (thrift, encodings, hashing, Bloom filters, budget) and hostile input to the reader.
#include <gtest/gtest.h>

#include <fstream>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>

#include <zstd.h>

#include "parquet/bloom_filter.h"
#include "parquet/compression.h"
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

std::vector<std::string> Values(const std::string& arena, const std::vector<uint32_t>& offsets) {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < offsets.size(); ++i) out.push_back(arena.substr(offsets[i], offsets[i + 1] - offsets[i]));
  return out;
}
const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Encodings.md's examples, built from DELTA_BINARY_PACKED (tested above) as the spec defines them.
TEST(ParquetEncodingTest, DeltaLengthByteArrayDecodesTheSpecExample) {
  const std::vector<int32_t> lengths = {5, 5, 6, 6, 0};
  std::string enc;
  EncodeDeltaBinaryPacked(lengths.data(), lengths.size(), &enc);
  enc += "HelloWorldFoobarABCDEF";
  std::string arena;
  std::vector<uint32_t> offsets;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(Bytes(enc), enc.size(), 5, &arena, &offsets).ok());
  EXPECT_EQ(Values(arena, offsets), (std::vector<std::string>{"Hello", "World", "Foobar", "ABCDEF", ""}));
  // Lengths that run past the data, fewer lengths than values, a negative length: errors.
  EXPECT_TRUE(DecodeDeltaLengthByteArray(Bytes(enc), enc.size() - 1, 5, &arena, &offsets).Is(ParquetError::kCorrupt));
  EXPECT_FALSE(DecodeDeltaLengthByteArray(Bytes(enc), enc.size(), 6, &arena, &offsets).ok());
  const std::vector<int32_t> negative = {3, -1};
  std::string bad;
  EncodeDeltaBinaryPacked(negative.data(), negative.size(), &bad);
  bad += "abcdef";
  EXPECT_FALSE(DecodeDeltaLengthByteArray(Bytes(bad), bad.size(), 2, &arena, &offsets).ok());
}

TEST(ParquetEncodingTest, DeltaByteArrayDecodesTheSpecExample) {
  // "axis", "axle", "babble", "babyhood": prefix lengths 0 2 0 3, suffixes as DELTA_LENGTH_BYTE_ARRAY.
  const std::vector<int32_t> prefixes = {0, 2, 0, 3, 8};
  const std::vector<int32_t> suffix_lengths = {4, 2, 6, 5, 0};
  std::string enc;
  EncodeDeltaBinaryPacked(prefixes.data(), prefixes.size(), &enc);
  EncodeDeltaBinaryPacked(suffix_lengths.data(), suffix_lengths.size(), &enc);
  enc += "axislebabbleyhood";
  std::string arena;
  std::vector<uint32_t> offsets;
  ASSERT_TRUE(DecodeDeltaByteArray(Bytes(enc), enc.size(), 5, &arena, &offsets).ok());
  EXPECT_EQ(Values(arena, offsets), (std::vector<std::string>{"axis", "axle", "babble", "babyhood", "babyhood"}));
  // A prefix longer than the previous value is corrupt.
  const std::vector<int32_t> too_long = {0, 5};
  const std::vector<int32_t> lens = {4, 1};
  std::string bad;
  EncodeDeltaBinaryPacked(too_long.data(), too_long.size(), &bad);
  EncodeDeltaBinaryPacked(lens.data(), lens.size(), &bad);
  bad += "axisz";
  EXPECT_TRUE(DecodeDeltaByteArray(Bytes(bad), bad.size(), 2, &arena, &offsets).Is(ParquetError::kCorrupt));
  EXPECT_FALSE(DecodeDeltaByteArray(Bytes(enc), enc.size() - 3, 5, &arena, &offsets).ok());
}

TEST(ParquetEncodingTest, ByteStreamSplitDecodesTheSpecExample) {
  // Encodings.md: three 4-byte values AA BB CC DD, 00 11 22 33, A3 B4 C5 D6 are stored stream by stream.
  const std::string enc("\xAA\x00\xA3\xBB\x11\xB4\xCC\x22\xC5\xDD\x33\xD6", 12);
  uint8_t out[12];
  ASSERT_TRUE(DecodeByteStreamSplit(Bytes(enc), enc.size(), 3, 4, out).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out), 12),
            std::string("\xAA\xBB\xCC\xDD\x00\x11\x22\x33\xA3\xB4\xC5\xD6", 12));
  // Doubles, values as DuckDB writes them (NaN and -0.0 included): bit-exact.
  const double d[] = {1.5, -0.0, std::numeric_limits<double>::quiet_NaN(), -1e300, 0.1};
  std::string split(sizeof d, '\0');
  for (size_t i = 0; i < 5; ++i)
    for (size_t k = 0; k < 8; ++k) split[k * 5 + i] = reinterpret_cast<const char*>(&d[i])[k];
  double back[5];
  ASSERT_TRUE(DecodeByteStreamSplit(Bytes(split), split.size(), 5, 8, reinterpret_cast<uint8_t*>(back)).ok());
  EXPECT_EQ(std::memcmp(back, d, sizeof d), 0);
  EXPECT_TRUE(DecodeByteStreamSplit(Bytes(split), split.size() - 1, 5, 8, out).Is(ParquetError::kCorrupt));
  EXPECT_FALSE(DecodeByteStreamSplit(Bytes(split), split.size(), 5, 0, out).ok());
}

// parquet.compression.level reaches zstd: a higher level gives a smaller frame of text that repeats, and
// both decode to the same bytes.
TEST(ParquetCompressionTest, ZstdLevelIsHonoured) {
  std::mt19937 rng(9);
  const char* words[] = {"ad_published", "ad_viewed", "Berlin", "Hamburg", "bicycle", "sofa", "EUR", "web", "app"};
  std::string text;
  while (text.size() < 200000) text += std::string(words[rng() % std::size(words)]) + std::to_string(rng() % 1000);
  const auto* data = reinterpret_cast<const uint8_t*>(text.data());
  std::string fast, small;
  ASSERT_TRUE(Compress(format::Codec::kZstd, 1, data, text.size(), &fast).ok());
  ASSERT_TRUE(Compress(format::Codec::kZstd, 19, data, text.size(), &small).ok());
  EXPECT_LT(small.size(), fast.size());
  for (const std::string* frame : {&fast, &small}) {
    std::string back;
    ASSERT_TRUE(Decompress(format::Codec::kZstd, reinterpret_cast<const uint8_t*>(frame->data()), frame->size(),
                           text.size(), &back).ok());
    EXPECT_EQ(back, text);
  }
}

// parquet.thrift declares RowGroup.ordinal (field 7) an i16: the field header must say so (type 4, not 5).
// The stored form of a page is a ZSTD frame of raw blocks: zstd itself decodes it, with the content size
// in the frame header, across the 128 KiB block limit.
TEST(ParquetCompressionTest, StoredZstdFramesDecodeWithZstdItself) {
  std::mt19937 rng(5);
  for (size_t size : {size_t{0}, size_t{1}, size_t{1000}, size_t{128 << 10}, (size_t{128} << 10) + 1, size_t{300000}}) {
    SCOPED_TRACE(size);
    std::string data(size, '\0');
    for (auto& c : data) c = static_cast<char>(rng());
    std::string out = "prefix";
    ASSERT_TRUE(AppendStored(format::Codec::kZstd, reinterpret_cast<const uint8_t*>(data.data()), size, &out));
    ASSERT_EQ(out.compare(0, 6, "prefix"), 0);
    const std::string frame = out.substr(6);
    EXPECT_EQ(ZSTD_getFrameContentSize(frame.data(), frame.size()), size);
    std::string back(size + 1, '\0');
    const size_t n = ZSTD_decompress(back.data(), back.size(), frame.data(), frame.size());
    ASSERT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
    back.resize(n);
    EXPECT_EQ(back, data);
    std::string via_reader;
    ASSERT_TRUE(Decompress(format::Codec::kZstd, reinterpret_cast<const uint8_t*>(frame.data()), frame.size(), size,
                           &via_reader).ok());
    EXPECT_EQ(via_reader, data);
  }
  // Codecs without a stored form that costs only a copy say so and append nothing.
  for (auto codec : {format::Codec::kSnappy, format::Codec::kGzip, format::Codec::kLz4Raw}) {
    std::string out;
    EXPECT_FALSE(AppendStored(codec, reinterpret_cast<const uint8_t*>("abc"), 3, &out));
    EXPECT_TRUE(out.empty());
  }
}

TEST(ParquetThriftTest, RowGroupOrdinalIsWrittenAsI16) {
  format::FileMetaData md;
  md.num_rows = 1;
  format::RowGroup rg;
  rg.num_rows = 1;
  rg.total_byte_size = 10;
  rg.total_compressed_size = 10;
  rg.ordinal = 3;
  md.row_groups = {rg};
  std::string bytes;
  format::Serialize(md, &bytes);
  // After field 6 (total_compressed_size): delta 1, type i16 (0x14), zigzag(3) = 6, then the struct's stop.
  EXPECT_NE(bytes.find(std::string("\x14\x06\x00", 3)), std::string::npos);
  EXPECT_EQ(bytes.find(std::string("\x15\x06\x00", 3)), std::string::npos);
  format::FileMetaData back;
  ASSERT_TRUE(format::Parse(Bytes(bytes), bytes.size(), &back).ok());
  ASSERT_EQ(back.row_groups.size(), 1u);
  EXPECT_EQ(back.row_groups[0].ordinal, 3);
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

TEST(ParquetBudgetTest, WritersGet70PercentOfTheLimitByDefault) {
  MemoryBudget b(1000);
  EXPECT_EQ(b.limit(), 1000u);
  EXPECT_EQ(b.writer_limit(), 700u);
  b.RegisterWriter();
  EXPECT_EQ(b.fair_share(), 700u);
  EXPECT_TRUE(b.TryReserve(650));
  EXPECT_FALSE(b.TryReserve(100));
  b.Release(650);
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
