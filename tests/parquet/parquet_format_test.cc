// ParquetFormat (src/archive/parquet_format.h): the archiver's Parquet output under a shared memory budget.
#include <gtest/gtest.h>

#include <filesystem>

#include "archive/parquet_format.h"
#include "common/byte_sink.h"
#include "parquet/file_reader.h"
#include "parquet/test_util.h"

namespace floe::parquet {
namespace {
using testing::TempDir;

columnar::Schema EventSchema() {
  return columnar::Schema(columnar::Node::Record(
      "t", {columnar::Node::Primitive("id", columnar::PhysicalType::kInt64, false),
            columnar::Node::Primitive("s", columnar::PhysicalType::kByteArray, true, columnar::LogicalKind::kString)},
      false));
}

void OneRow(int64_t id, columnar::ColumnarBatch* batch) {
  batch->column(0).AppendInt64(id, 0, 0);
  const std::string s = "value-" + std::to_string(id * 7919 % 100003);
  batch->column(1).AppendBytes(s, 1, 0);
  batch->EndRecord();
}

TEST(ParquetFormatTest, AnAppendRefusedByTheBudgetFlushesTheOtherOpenFiles) {
  // Files of other hours that receive no records keep what they buffered: 40 such files fill the budget, then
  // a new file's appends must get room from them instead of failing (the archiver would stop the connector).
  const std::string dir = TempDir() + "/format";
  std::filesystem::create_directories(dir);
  MemoryBudget budget(4 << 20);
  archive::ParquetFormat format(WriterOptions{}, dir, &budget);
  columnar::ColumnarBatch batch(EventSchema());
  archive::RecordContext ctx;
  archive::DecodedRecord rec;
  rec.columns = &batch;
  std::vector<std::unique_ptr<archive::FileFormatWriter>> files;
  for (int f = 0; f < 41; ++f) {
    OneRow(0, &batch);
    auto sink = FileByteSink::Open(dir + "/f" + std::to_string(f) + ".parquet");
    ASSERT_TRUE(sink.ok());
    auto w = format.Open(std::unique_ptr<ByteSink>(std::move(*sink)), rec);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    files.push_back(std::move(*w));
  }
  int64_t id = 0;
  for (int f = 0; f < 40; ++f) {
    for (int i = 0; i < 4000; ++i) {
      OneRow(++id, &batch);
      const Status st = files[f]->Append(ctx, rec);
      ASSERT_TRUE(st.ok()) << "file " << f << " row " << i << ": " << st.ToString();
    }
  }
  EXPECT_GT(budget.denials(), 0u) << "the budget must bind for this test";
  for (int i = 0; i < 20000; ++i) {
    OneRow(++id, &batch);
    const Status st = files[40]->Append(ctx, rec);
    ASSERT_TRUE(st.ok()) << "row " << i << ": " << st.ToString();
  }
  EXPECT_LE(budget.peak(), budget.writer_limit());
  EXPECT_EQ(budget.forced_bytes(), 0u);
  uint64_t rows = 0;
  for (int f = 0; f < 41; ++f) {
    auto written = files[f]->Finish();
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    rows += written->records;
    auto reader = ParquetReader::OpenFile(dir + "/f" + std::to_string(f) + ".parquet");
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(static_cast<uint64_t>((*reader)->metadata().num_rows), written->records);
  }
  EXPECT_EQ(rows, 41u + 40u * 4000u + 20000u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace floe::parquet
