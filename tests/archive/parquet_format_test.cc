// ParquetFormat's batching (src/archive/parquet_format.h): records reach the Parquet writer in batches, the
// files hold exactly the records appended to them, the batches waiting across open files stay within their
// share of the budget, and each file's footer names its Kafka offsets and business-time range.
#include "archive/parquet_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/byte_sink.h"
#include "parquet/file_reader.h"
#include "parquet/test_util.h"

namespace floe::archive {
namespace {

namespace pt = parquet::testing;

class ParquetFormatBatchingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = pt::TempDir() + "/archive-parquet-format";
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<FileFormatWriter> OpenFile(ParquetFormat& format, const std::string& name,
                                             columnar::ColumnarBatch& first) {
    auto sink = FileByteSink::Open(dir_ + "/" + name);
    EXPECT_TRUE(sink.ok());
    DecodedRecord rec;
    rec.columns = &first;
    auto w = format.Open(std::unique_ptr<ByteSink>(std::move(*sink)), rec);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? std::move(*w) : nullptr;
  }

  std::string dir_;
};

std::map<std::string, std::string> FooterMetadata(const std::string& path) {
  auto reader = parquet::ParquetReader::OpenFile(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::map<std::string, std::string> kv;
  if (reader.ok())
    for (const auto& e : (*reader)->metadata().key_value_metadata) kv[e.key] = e.value.value_or("");
  return kv;
}

TEST_F(ParquetFormatBatchingTest, InterleavedFilesHoldExactlyTheirRecordsOfEveryType) {
  // Three files take turns, as hours of one partition do; 800 records cross the batch size several times and
  // every type (nulls, nested lists and maps, fixed bytes) is copied through the batches.
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/true);
  ParquetFormat format(parquet::WriterOptions{}, dir_, nullptr);
  columnar::ColumnarBatch row(schema);
  std::vector<std::unique_ptr<FileFormatWriter>> files;
  for (int f = 0; f < 3; ++f) files.push_back(OpenFile(format, "f" + std::to_string(f) + ".parquet", row));
  std::vector<std::vector<nlohmann::json>> expected(3);
  int64_t last_offset[3] = {};
  for (int i = 0; i < 800; ++i) {
    const nlohmann::json r = pt::AllTypesRow(i, /*with_interval=*/true);
    pt::ShredRow(r, &row);
    RecordContext ctx{"ads", 4, 1000 + i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    rec.time.micros = 1'714'564'800'000'000 + (i % 7) * 1'000'000;
    ASSERT_TRUE(files[i % 3]->Append(ctx, rec).ok());
    EXPECT_EQ(row.num_records(), 0u) << "the decoder's row is taken";
    expected[i % 3].push_back(r);
    last_offset[i % 3] = ctx.offset;
  }
  EXPECT_EQ(files[0]->records(), 267u) << "records() counts rows still waiting in the batch";
  for (int f = 0; f < 3; ++f) {
    auto written = files[f]->Finish();
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_EQ(written->records, expected[f].size());
    const std::string path = dir_ + "/f" + std::to_string(f) + ".parquet";
    const std::string reference =
        pt::WriteRows("reference" + std::to_string(f) + ".parquet", schema, expected[f], parquet::WriterOptions{});
    EXPECT_EQ(pt::CatRows(path), pt::CatRows(reference)) << "file " << f;
    auto kv = FooterMetadata(path);
    EXPECT_EQ(kv["kafka.topic"], "ads");
    EXPECT_EQ(kv["kafka.partition"], "4");
    EXPECT_EQ(kv["kafka.offset.first"], std::to_string(1000 + f));
    EXPECT_EQ(kv["kafka.offset.last"], std::to_string(last_offset[f]));
    EXPECT_EQ(kv["floe.business_time.min"], "1714564800000000");
    EXPECT_EQ(kv["floe.business_time.max"], "1714564806000000");
  }
}

TEST_F(ParquetFormatBatchingTest, WaitingBatchesStayWithinTheirShareOfTheBudget) {
  // 100 open files each taking a record in turn: without a bound every file would keep a batch.
  parquet::MemoryBudget budget(16 << 20);
  ParquetFormat format(parquet::WriterOptions{}, dir_, &budget);
  ASSERT_GT(format.pending_limit(), 0u);
  EXPECT_LE(format.pending_limit(), budget.used()) << "the share is reserved from the budget";
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/false);
  columnar::ColumnarBatch row(schema);
  std::vector<std::unique_ptr<FileFormatWriter>> files;
  for (int f = 0; f < 100; ++f) files.push_back(OpenFile(format, "f" + std::to_string(f) + ".parquet", row));
  size_t peak = 0;
  for (int i = 0; i < 1500; ++i) {
    pt::ShredRow(pt::AllTypesRow(i, false), &row);
    RecordContext ctx{"ads", 0, i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    ASSERT_TRUE(files[i % 100]->Append(ctx, rec).ok());
    ASSERT_LE(format.pending_bytes(), format.pending_limit()) << "record " << i;
    peak = std::max(peak, format.pending_bytes());
  }
  EXPECT_GT(peak, format.pending_limit() / 2) << "records did wait in batches";
  uint64_t rows = 0;
  for (auto& f : files) {
    auto written = f->Finish();
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    rows += written->records;
  }
  EXPECT_EQ(rows, 1500u);
  EXPECT_EQ(format.pending_bytes(), 0u);
  EXPECT_EQ(budget.forced_bytes(), 0u);
}

}  // namespace
}  // namespace floe::archive
