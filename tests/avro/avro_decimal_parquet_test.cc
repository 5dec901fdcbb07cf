// Avro decimals through the decoder into Parquet, read back by DuckDB: the physical type follows the
// precision (INT32 ≤ 9 digits, INT64 ≤ 18, the shortest FIXED_LEN_BYTE_ARRAY above, docs/PARQUET_TYPES.md)
// whatever the Avro carrier (bytes or fixed), and DuckDB reads every value exactly, boundaries included.
#include <gtest/gtest.h>

#include <map>

#include "avro/decoder.h"
#include "common/byte_sink.h"
#include "parquet/test_util.h"

namespace floe::avro {
namespace {

using nlohmann::json;

// Big-endian two's complement of a decimal integer written in digits (with an optional '-'), in `width`
// bytes (the test's own conversion, independent of the decoder's).
std::string TwosComplement(const std::string& digits, size_t width) {
  const bool negative = digits[0] == '-';
  std::string out(width, '\0');
  for (size_t k = negative ? 1 : 0; k < digits.size(); ++k) {
    unsigned carry = static_cast<unsigned>(digits[k] - '0');
    for (size_t i = width; i-- > 0;) {
      const unsigned v = static_cast<uint8_t>(out[i]) * 10u + carry;
      out[i] = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
  }
  if (negative) {
    unsigned carry = 1;
    for (size_t i = width; i-- > 0;) {
      const unsigned v = static_cast<uint8_t>(~out[i]) + carry;
      out[i] = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
  }
  return out;
}

// `digits` as Avro bytes: the shortest two's complement (as Java's BigDecimal and python3-avro write it).
std::string AsBytes(const std::string& digits) {
  std::string be = TwosComplement(digits, 17);
  size_t start = 0;
  while (start + 1 < be.size() && ((be[start] == '\0' && !(be[start + 1] & 0x80)) ||
                                   (be[start] == '\xff' && (be[start + 1] & 0x80))))
    ++start;
  std::string out;
  WriteBytes(out, be.substr(start));
  return out;
}

TEST(DecimalParquetTest, DuckDbReadsEveryDecimalWidthExactly) {
  auto schema = Schema::Parse(R"({"type":"record","name":"D","fields":[
      {"name":"d4","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}},
      {"name":"d9","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":0}},
      {"name":"f18","type":{"type":"fixed","name":"F8","size":8,"logicalType":"decimal","precision":18,"scale":4}},
      {"name":"d38","type":{"type":"bytes","logicalType":"decimal","precision":38,"scale":10}},
      {"name":"f20","type":{"type":"fixed","name":"F12","size":12,"logicalType":"decimal","precision":20,"scale":2}},
      {"name":"opt","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":3}]}]})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  auto decoder = RecordDecoder::Compile(*schema, *schema);
  ASSERT_TRUE(decoder.ok()) << decoder.status().ToString();
  EXPECT_EQ(decoder->columnar_schema().ToString(),
            "schema D\n"
            "  required int32 d4 (decimal(4,2))\n"
            "  required int32 d9 (decimal(9,0))\n"
            "  required int64 f18 (decimal(18,4))\n"
            "  required fixed_len_byte_array(16) d38 (decimal(38,10))\n"
            "  required fixed_len_byte_array(9) f20 (decimal(20,2))\n"
            "  optional int64 opt (decimal(12,3))\n");

  // Unscaled values per row: zero, small, the largest and smallest each precision allows.
  struct Row {
    const char* d4;
    const char* d9;
    const char* f18;
    const char* d38;
    const char* f20;
    const char* opt;  // nullptr: null
  };
  const std::string nines18(18, '9'), nines38(38, '9'), nines20(20, '9');
  const std::vector<std::vector<std::string>> rows = {
      {"0", "0", "0", "0", "0", ""},
      {"1", "-1", "-1", "1", "-1", "-1"},
      {"9999", "999999999", nines18, nines38, nines20, "999999999999"},
      {"-9999", "-999999999", "-" + nines18, "-" + nines38, "-" + nines20, "-999999999999"},
      {"-128", "128", "12345678901234", "-12345678901234567890123456780123456789", "-12345678901234567891", "5"},
  };
  const std::vector<std::vector<std::string>> want = {
      {"0.00", "0", "0.0000", "0.0000000000", "0.00", ""},
      {"0.01", "-1", "-0.0001", "0.0000000001", "-0.01", "-0.001"},
      {"99.99", "999999999", "99999999999999.9999", "9999999999999999999999999999.9999999999",
       "999999999999999999.99", "999999999.999"},
      {"-99.99", "-999999999", "-99999999999999.9999", "-9999999999999999999999999999.9999999999",
       "-999999999999999999.99", "-999999999.999"},
      {"-1.28", "128", "1234567890.1234", "-1234567890123456789012345678.0123456789", "-123456789012345678.91",
       "0.005"},
  };
  columnar::ColumnarBatch batch(decoder->columnar_schema());
  for (const auto& r : rows) {
    std::string datum = AsBytes(r[0]) + AsBytes(r[1]) + TwosComplement(r[2], 8) + AsBytes(r[3]) +
                        TwosComplement(r[4], 12);
    if (r[5].empty()) {
      WriteLong(datum, 0);
    } else {
      WriteLong(datum, 1);
      datum += AsBytes(r[5]);
    }
    ASSERT_TRUE(decoder->Decode(datum, batch).ok()) << r[0];
  }

  auto writer = parquet::ParquetFileWriter::Open(decoder->columnar_schema(), parquet::WriterOptions{},
                                                 parquet::testing::TempDir(), nullptr);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  ASSERT_TRUE((*writer)->Append(batch).ok());
  const std::string path = parquet::testing::TempDir() + "/avro_decimals.parquet";
  auto sink = FileByteSink::Open(path);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*writer)->Close(**sink).ok());
  ASSERT_TRUE((*sink)->Close().ok());

  // The physical types as DuckDB sees them in the file's schema.
  const json meta = json::parse(parquet::testing::RunOracle({"duckdb-meta", path}));
  std::map<std::string, std::string> physical;
  for (const auto& e : meta["schema"]) {
    if (!e["type"].is_string()) continue;
    const json& length = e["type_length"];  // a number or, from BigInts, a string
    physical[e["name"]] = e["type"].get<std::string>() +
                          (length.is_null() ? "" : "(" + (length.is_string() ? length.get<std::string>() : length.dump()) + ")");
  }
  EXPECT_EQ(physical, (std::map<std::string, std::string>{{"d4", "INT32"},
                                                          {"d9", "INT32"},
                                                          {"f18", "INT64"},
                                                          {"d38", "FIXED_LEN_BYTE_ARRAY(16)"},
                                                          {"f20", "FIXED_LEN_BYTE_ARRAY(9)"},
                                                          {"opt", "INT64"}}));

  // DuckDB's own reading and its own decimal → text conversion.
  const json got = json::parse(parquet::testing::RunOracle(
      {"duckdb-sql", "SELECT d4::VARCHAR AS d4, d9::VARCHAR AS d9, f18::VARCHAR AS f18, d38::VARCHAR AS d38, "
                     "f20::VARCHAR AS f20, opt::VARCHAR AS opt, typeof(d4) AS t4, typeof(f18) AS t18, "
                     "typeof(d38) AS t38, typeof(f20) AS t20 FROM read_parquet($$" + path + "$$, file_row_number = true) ORDER BY file_row_number"}));
  ASSERT_EQ(got.size(), want.size());
  const char* const names[] = {"d4", "d9", "f18", "d38", "f20", "opt"};
  for (size_t i = 0; i < want.size(); ++i) {
    for (size_t c = 0; c < 6; ++c) {
      const json expected = want[i][c].empty() ? json(nullptr) : json(want[i][c]);
      EXPECT_EQ(got[i][names[c]], expected) << "row " << i << " column " << names[c];
    }
    EXPECT_EQ(got[i]["t4"], "DECIMAL(4,2)");
    EXPECT_EQ(got[i]["t18"], "DECIMAL(18,4)");
    EXPECT_EQ(got[i]["t38"], "DECIMAL(38,10)");
    EXPECT_EQ(got[i]["t20"], "DECIMAL(20,2)");
  }
}

}  // namespace
}  // namespace floe::avro
