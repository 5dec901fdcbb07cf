// ParquetFormat's batching (src/archive/parquet_format.h): records reach the Parquet writer in batches, the
// files hold exactly the records appended to them, the batches waiting across open files stay within their
// share of the budget, and each file's footer names its Kafka offsets and business-time range. Every test
// runs with the batches encoded on the caller's thread and on encoding threads (parquet.encode.threads).
#include "archive/parquet_format.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>

#include "archive/archive_error.h"
#include "common/byte_sink.h"
#include "common/worker_threads.h"
#include "parquet/errors.h"
#include "parquet/file_reader.h"
#include "parquet/test_util.h"

namespace floe::archive {
namespace {

namespace pt = parquet::testing;

// The parameter: encoding threads (0: none, every batch is encoded by the appending thread).
class ParquetFormatBatchingTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = pt::TempDir() + "/archive-parquet-format";
    std::filesystem::create_directories(dir_);
    if (GetParam() > 0) encoders_ = std::make_unique<WorkerThreads>(static_cast<size_t>(GetParam()));
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
  std::unique_ptr<WorkerThreads> encoders_;
};

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::map<std::string, std::string> FooterMetadata(const std::string& path) {
  auto reader = parquet::ParquetReader::OpenFile(path);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  std::map<std::string, std::string> kv;
  if (reader.ok())
    for (const auto& e : (*reader)->metadata().key_value_metadata) kv[e.key] = e.value.value_or("");
  return kv;
}

// Decodes `r` as the Avro decoder does with RecordContext::append_to: into the waiting rows of `predicted`
// (the file the partition wrote last) when it offers them, else into the decoder's own row.
void DecodeRow(const nlohmann::json& r, FileFormatWriter* predicted, columnar::ColumnarBatch& own,
               columnar::ColumnarBatch::Mark& mark, DecodedRecord& rec) {
  columnar::ColumnarBatch* target = predicted ? predicted->InPlaceBatch() : nullptr;
  rec.own = &own;
  rec.in_place = nullptr;
  if (target && target->schema().SameAs(own.schema())) {
    target->SetMark(mark);
    rec.in_place = &mark;
  } else {
    own.Clear();
    target = &own;
  }
  pt::ShredRow(r, target);
  rec.columns = target;
}

TEST_P(ParquetFormatBatchingTest, InterleavedFilesHoldExactlyTheirRecordsOfEveryType) {
  // Three files take turns, as hours of one partition do; 800 records cross the batch size several times and
  // every type (nulls, nested lists and maps, fixed bytes) goes through the batches: decoded into the batch
  // of the file written last when that is where it goes (three records of four), else copied there.
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/true);
  ParquetFormat format(parquet::WriterOptions{}, dir_, nullptr, encoders_.get());
  ParquetFormat direct(parquet::WriterOptions{}, dir_, nullptr);  // the same files, no encoding threads
  columnar::ColumnarBatch row(schema);
  std::vector<std::unique_ptr<FileFormatWriter>> files, direct_files;
  for (int f = 0; f < 3; ++f) {
    files.push_back(OpenFile(format, "f" + std::to_string(f) + ".parquet", row));
    direct_files.push_back(OpenFile(direct, "direct" + std::to_string(f) + ".parquet", row));
  }
  std::vector<std::vector<nlohmann::json>> expected(3);
  int64_t last_offset[3] = {};
  columnar::ColumnarBatch::Mark mark;
  FileFormatWriter* last = nullptr;
  int in_place = 0;
  for (int i = 0; i < 800; ++i) {
    const int f = (i / 4) % 3;
    const nlohmann::json r = pt::AllTypesRow(i, /*with_interval=*/true);
    RecordContext ctx{"ads", 4, 1000 + i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    rec.time.micros = 1'714'564'800'000'000 + (i % 7) * 1'000'000;
    pt::ShredRow(r, &row);
    ASSERT_TRUE(direct_files[f]->Append(ctx, rec).ok());
    DecodeRow(r, last, row, mark, rec);
    in_place += rec.in_place != nullptr;
    ASSERT_TRUE(files[f]->Append(ctx, rec).ok());
    EXPECT_EQ(rec.in_place, nullptr) << "taken, or moved to the decoder's row and taken from there";
    EXPECT_EQ(row.num_records(), 0u) << "the decoder's row is taken";
    expected[f].push_back(r);
    last_offset[f] = ctx.offset;
    last = files[f].get();
  }
  EXPECT_GT(in_place, 400) << "records were decoded in place";
  EXPECT_EQ(files[0]->records(), 268u) << "records() counts rows still waiting in the batch";
  files[1]->PrepareFinish();  // a hint only: the file comes out the same
  for (int f = 0; f < 3; ++f) {
    auto written = files[f]->Finish();
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_EQ(written->records, expected[f].size());
    const std::string path = dir_ + "/f" + std::to_string(f) + ".parquet";
    const std::string reference =
        pt::WriteRows("reference" + std::to_string(f) + ".parquet", schema, expected[f], parquet::WriterOptions{});
    EXPECT_EQ(pt::CatRows(path), pt::CatRows(reference)) << "file " << f;
    // Batches are cut where they may be (a busy encoding thread lets the next one grow), but pages are cut
    // per value: the bytes are those written without encoding threads or the PrepareFinish hint.
    ASSERT_TRUE(direct_files[f]->Finish().ok());
    EXPECT_EQ(FileBytes(path), FileBytes(dir_ + "/direct" + std::to_string(f) + ".parquet")) << "file " << f;
    auto kv = FooterMetadata(path);
    EXPECT_EQ(kv["kafka.topic"], "ads");
    EXPECT_EQ(kv["kafka.partition"], "4");
    EXPECT_EQ(kv["kafka.offset.first"], std::to_string(1000 + 4 * f));
    EXPECT_EQ(kv["kafka.offset.last"], std::to_string(last_offset[f]));
    EXPECT_EQ(kv["floe.business_time.min"], "1714564800000000");
    EXPECT_EQ(kv["floe.business_time.max"], "1714564806000000");
  }
}

// The files of one schema share what their dictionaries learned (parquet/dictionary_history.h): from the
// third file on, a column of distinct values starts without a dictionary; a file of another schema learns
// on its own.
TEST_P(ParquetFormatBatchingTest, FilesOfOneSchemaShareWhatTheirDictionariesLearned) {
  auto schema_with = [](const char* id_name) {
    return columnar::Schema(columnar::Node::Record(
        "t",
        {columnar::Node::Primitive(id_name, columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString),
         columnar::Node::Primitive("cat", columnar::PhysicalType::kByteArray, false, columnar::LogicalKind::kString)},
        false));
  };
  ParquetFormat format(parquet::WriterOptions{}, dir_, nullptr, encoders_.get());
  auto write_file = [&](const columnar::Schema& schema, const std::string& name) {
    columnar::ColumnarBatch row(schema);
    const std::string id = schema.leaves()[0].path[0];
    pt::ShredRow({{id, "first"}, {"cat", "c"}}, &row);
    auto file = OpenFile(format, name, row);
    ASSERT_NE(file, nullptr);
    row.Clear();
    for (int i = 0; i < 3000; ++i) {
      RecordContext ctx{"ads", 0, i, 0, std::nullopt};
      DecodedRecord rec;
      rec.columns = &row;
      pt::ShredRow({{id, name + "-" + std::to_string(i)}, {"cat", "cat-" + std::to_string(i % 10)}}, &row);
      ASSERT_TRUE(file->Append(ctx, rec).ok());
    }
    ASSERT_TRUE(file->Finish().ok());
  };
  const auto ads = schema_with("ad_id");
  for (int f = 0; f < 2; ++f) write_file(ads, "ads" + std::to_string(f) + ".parquet");
  EXPECT_EQ(format.dictionaries_skipped(), 0u);
  write_file(ads, "ads2.parquet");
  EXPECT_EQ(format.dictionaries_skipped(), 1u) << "ad_id, not cat";
  write_file(schema_with("user_id"), "users0.parquet");
  EXPECT_EQ(format.dictionaries_skipped(), 1u) << "another schema has a history of its own";
  EXPECT_EQ(pt::CatRows(dir_ + "/ads2.parquet").size(), 3000u);
}

TEST_P(ParquetFormatBatchingTest, WaitingBatchesStayWithinTheirShareOfTheBudget) {
  // 100 open files each taking a record in turn: without a bound every file would keep a batch.
  parquet::MemoryBudget budget(16 << 20);
  ParquetFormat format(parquet::WriterOptions{}, dir_, &budget, encoders_.get());
  ASSERT_GT(format.pending_limit(), 0u);
  EXPECT_LE(format.pending_limit() * (encoders_ ? 2 : 1), budget.used())
      << "the share is reserved from the budget (twice with encoding threads: the batches in flight)";
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
    ASSERT_LE(format.in_flight_bytes(), format.pending_limit()) << "record " << i;
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
  EXPECT_EQ(format.in_flight_bytes(), 0u);
  EXPECT_EQ(budget.forced_bytes(), 0u);
}

TEST_P(ParquetFormatBatchingTest, WaitingRowsTheBudgetRefusesAreNotOfferedAgainOnEveryAppend) {
  // 100 open files take records in turn after all but 16 kB of the budget has been taken away, so the
  // waiting rows pass their share and the budget refuses them. The format offers them once, then again only
  // when memory comes back, and refuses appends (the archiver pauses) once they pass twice their share.
  // Offering every waiting batch again on each append made a 3,000-file run spend most of its CPU on
  // refused hand-overs (docs/PERFORMANCE.md, memory).
  if (!encoders_)
    GTEST_SKIP() << "without encoding threads nothing waits under pressure: each record is handed over at once "
                    "(RefusalsForMemoryLoseAndReorderNothing)";
  parquet::MemoryBudget budget(16 << 20);
  ParquetFormat format(parquet::WriterOptions{}, dir_, &budget, encoders_.get());
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/false);
  columnar::ColumnarBatch row(schema);
  std::vector<std::unique_ptr<FileFormatWriter>> files;
  for (int f = 0; f < 100; ++f) files.push_back(OpenFile(format, "f" + std::to_string(f) + ".parquet", row));
  const uint64_t squeeze = budget.writer_limit() - budget.used() - (16 << 10);
  ASSERT_TRUE(budget.TryReserve(squeeze));
  const uint64_t denials_before = budget.denials();
  uint64_t taken = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    pt::ShredRow(pt::AllTypesRow(i, false), &row);
    RecordContext ctx{"ads", 0, i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    const Status st = files[i % 100]->Append(ctx, rec);
    if (st.ok()) {
      ++taken;
    } else {
      ASSERT_TRUE(st.Is(parquet::ParquetError::kMemoryPressure)) << st.ToString();
      ASSERT_EQ(row.num_records(), 1u) << "record " << i << ": a refused record is not taken";
      row.Clear();
      ++refused;
    }
    ASSERT_LE(format.pending_bytes(), 2 * format.pending_limit() + ParquetFormat::kBatchBytes) << "record " << i;
  }
  EXPECT_GT(refused, 0u) << "the waiting rows were meant to pass twice their share";
  EXPECT_GT(taken, 100u);
  // One offer of ~100 waiting batches costs about a denial each; one per append would be well over 100,000.
  EXPECT_LT(budget.denials() - denials_before, 5000u);
  budget.Release(squeeze);
  uint64_t rows = 0;
  for (auto& f : files) {
    auto written = f->Finish();
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    rows += written->records;
  }
  EXPECT_EQ(rows, taken);
  EXPECT_EQ(format.pending_bytes(), 0u);
  EXPECT_EQ(format.in_flight_bytes(), 0u);
}

constexpr uint64_t kRoomLeft = 100;  // kB of budget left once the files are open

TEST_P(ParquetFormatBatchingTest, RefusalsForMemoryLoseAndReorderNothing) {
  // Once 16 files are open, all but 100 kB of the budget is taken away: reservations are refused, pages are
  // finished early, appends and Finish may be refused (in the background too, where the refused rows come
  // back to wait ahead of later ones). The caller answers a refusal as PartitionWriter does, by finishing
  // another file and retrying; every file must hold exactly its records, in order.
  parquet::MemoryBudget budget(16 << 20);
  ParquetFormat format(parquet::WriterOptions{}, dir_, &budget, encoders_.get());
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/false);
  columnar::ColumnarBatch row(schema);
  struct File {
    std::string name;
    std::unique_ptr<FileFormatWriter> writer;
    std::vector<nlohmann::json> rows;
  };
  std::vector<File> files(16);
  std::vector<File> done;
  int opened = 0;
  // Finishes one file other than `keep` (largest first); false when each refused.
  std::function<bool(const File*)> relieve;
  auto open = [&](File& f) {
    f.name = "f" + std::to_string(opened++) + ".parquet";
    f.rows.clear();
    for (int attempt = 0; attempt < 30; ++attempt) {
      auto sink = FileByteSink::Open(dir_ + "/" + f.name);
      ASSERT_TRUE(sink.ok());
      DecodedRecord first;
      first.columns = &row;
      auto w = format.Open(std::unique_ptr<ByteSink>(std::move(*sink)), first);
      if (w.ok()) {
        f.writer = std::move(*w);
        return;
      }
      ASSERT_TRUE(w.status().Is(parquet::ParquetError::kMemoryPressure)) << w.status().ToString();
      ASSERT_TRUE(relieve(&f));
    }
    FAIL() << "no room to open " << f.name;
  };
  relieve = [&](const File* keep) {
    std::vector<File*> order;
    for (auto& f : files)
      if (&f != keep && f.writer) order.push_back(&f);
    std::sort(order.begin(), order.end(),
              [](File* a, File* b) { return a->writer->records() > b->writer->records(); });
    for (File* f : order) {
      auto written = f->writer->Finish();
      if (!written.ok()) {
        EXPECT_TRUE(written.status().Is(parquet::ParquetError::kMemoryPressure)) << written.status().ToString();
        continue;
      }
      EXPECT_EQ(written->records, f->rows.size());
      done.push_back(std::move(*f));
      f->writer.reset();
      return true;
    }
    return false;
  };
  for (auto& f : files) open(f);
  uint64_t squeeze = budget.writer_limit() - budget.used() - (kRoomLeft << 10);
  ASSERT_TRUE(budget.TryReserve(squeeze));
  int refusals = 0;
  columnar::ColumnarBatch::Mark mark;
  const File* last = nullptr;
  for (int i = 0; i < 2500; ++i) {
    const nlohmann::json r = pt::AllTypesRow(i, false);
    // Runs of three records per file: most are decoded into the batch of the file written last.
    File& target = files[((i / 3) * 7) % files.size()];
    if (!target.writer) {
      open(target);
      ASSERT_TRUE(target.writer);
    }
    RecordContext ctx{"ads", 0, i, 0, std::nullopt};
    DecodedRecord rec;
    DecodeRow(r, last && last->writer ? last->writer.get() : nullptr, row, mark, rec);
    for (int attempt = 0;; ++attempt) {
      // A refused record is appended again from the decoder's row, as PartitionWriter retries it: the
      // refusal must leave it there (moved there when it was decoded in place).
      Status st = target.writer->Append(ctx, rec);
      if (st.ok()) break;
      ASSERT_TRUE(st.Is(parquet::ParquetError::kMemoryPressure)) << st.ToString();
      ASSERT_LT(attempt, 30) << "record " << i << " never taken";
      ASSERT_EQ(rec.in_place, nullptr) << "record " << i;
      ASSERT_EQ(rec.columns, &row) << "record " << i;
      ASSERT_EQ(row.num_records(), 1u) << "record " << i << ": a refused record is not taken";
      ++refusals;
      ASSERT_TRUE(relieve(&target)) << "record " << i;
    }
    ASSERT_EQ(rec.in_place, nullptr);
    target.rows.push_back(r);
    last = &target;
  }
  EXPECT_GT(budget.denials(), 0u) << "the budget was meant to refuse";
  while (relieve(nullptr)) {
  }
  budget.Release(squeeze);  // what is still refused finishes once the memory comes back
  squeeze = 0;
  while (relieve(nullptr)) {
  }
  for (const auto& f : files) ASSERT_FALSE(f.writer) << f.name << " could not be finished";
  size_t rows = 0;
  for (const auto& f : done) {
    const std::string reference = pt::WriteRows("reference-" + f.name, schema, f.rows, parquet::WriterOptions{});
    ASSERT_TRUE(pt::CatRows(dir_ + "/" + f.name) == pt::CatRows(reference)) << f.name;
    rows += f.rows.size();
  }
  EXPECT_EQ(rows, 2500u);
  EXPECT_EQ(format.pending_bytes(), 0u);
  EXPECT_EQ(format.in_flight_bytes(), 0u);
  RecordProperty("refused_appends", refusals);
}

TEST_P(ParquetFormatBatchingTest, AFullSpoolDiskFailsTheFilesItHitsAndNoFileFinishesShort) {
  // 8 open files take records in turn while the spool disk is full (RLIMIT_FSIZE: writes past 1 byte fail
  // with EFBIG, SIGXFSZ ignored): waiting rows handed over in the background, on the caller's thread, or to
  // make room for other files' batches cannot reach the spool. Afterwards every file either fails or holds
  // exactly the records it took; files opened once there is room again are whole.
  parquet::MemoryBudget budget(8 << 20);  // waiting rows pass their share (1/16) within a few records per file
  parquet::WriterOptions options;
  options.page_bytes = 1024;  // handed-over rows fill pages that go to the spool at once
  options.codec = parquet::format::Codec::kUncompressed;
  ParquetFormat format(options, dir_, &budget, encoders_.get());
  const columnar::Schema schema = pt::AllTypesSchema(/*with_interval=*/false);
  columnar::ColumnarBatch row(schema);
  std::vector<std::unique_ptr<FileFormatWriter>> files;
  constexpr int kFiles = 8;
  std::vector<std::vector<nlohmann::json>> taken(kFiles);
  for (int f = 0; f < kFiles; ++f) files.push_back(OpenFile(format, "f" + std::to_string(f) + ".parquet", row));
  auto append = [&](int i) {
    const nlohmann::json r = pt::AllTypesRow(i, false);
    pt::ShredRow(r, &row);
    RecordContext ctx{"ads", 0, i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    Status st = files[i % kFiles]->Append(ctx, rec);
    if (st.ok()) taken[i % kFiles].push_back(r);
    row.Clear();
    return st;
  };
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(append(i).ok());

  std::optional<pt::FullDisk> full;
  full.emplace(1);
  int refused = 0;
  for (int i = 400; i < 8400; ++i) {
    Status st = append(i);
    if (st.ok()) continue;
    ++refused;
    EXPECT_FALSE(st.Is(parquet::ParquetError::kMemoryPressure)) << st.ToString();
  }
  // Files are finished with the disk still full too: those must fail, not come out short.
  std::vector<bool> finished(files.size(), false);
  int failed = 0;
  auto finish = [&](size_t f) {
    auto written = files[f]->Finish();
    if (!written.ok()) {
      ++failed;
      // The cause, not a later symptom of a half-written spool.
      EXPECT_NE(written.status().ToString().find("write spool"), std::string::npos) << written.status().ToString();
      return;
    }
    finished[f] = true;
    EXPECT_EQ(written->records, taken[f].size()) << "file " << f;
  };
  for (size_t f = 0; f < files.size(); f += 2) finish(f);
  full.reset();
  for (size_t f = 1; f < files.size(); f += 2) finish(f);

  EXPECT_GT(refused, 0) << "the full disk was never hit while appending";
  for (size_t f = 0; f < files.size(); ++f) {
    if (!finished[f]) continue;
    const auto rows = pt::CatRows(dir_ + "/f" + std::to_string(f) + ".parquet");
    EXPECT_EQ(rows, pt::CatRows(pt::WriteRows("full-disk-ref.parquet", schema, taken[f], options))) << "file " << f;
  }
  // With room again, files opened now are whole.
  std::vector<nlohmann::json> later;
  auto fresh = OpenFile(format, "fresh.parquet", row);
  ASSERT_TRUE(fresh);
  for (int i = 0; i < 600; ++i) {
    const nlohmann::json r = pt::AllTypesRow(i, false);
    pt::ShredRow(r, &row);
    RecordContext ctx{"ads", 1, i, 0, std::nullopt};
    DecodedRecord rec;
    rec.columns = &row;
    ASSERT_TRUE(fresh->Append(ctx, rec).ok());
    later.push_back(r);
  }
  ASSERT_TRUE(fresh->Finish().ok());
  EXPECT_EQ(pt::CatRows(dir_ + "/fresh.parquet"), pt::CatRows(pt::WriteRows("fresh-ref.parquet", schema, later, options)));
}

INSTANTIATE_TEST_SUITE_P(EncodingThreads, ParquetFormatBatchingTest, ::testing::Values(0, 1, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 0 ? std::string("OnTheCallersThread")
                                                  : std::to_string(info.param) + "EncodingThreads";
                         });

}  // namespace
}  // namespace floe::archive
