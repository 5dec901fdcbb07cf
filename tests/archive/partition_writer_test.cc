#include "archive/partition_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "archive/archive_error.h"
#include "archive/json_format.h"
#include "archive/parquet_format.h"
#include "archive/partition_state.h"
#include "common/time_util.h"
#include "parquet/errors.h"
#include "parquet/memory_budget.h"
#include "parquet/test_util.h"
#include "storage/fault_injecting_object_store.h"
#include "storage/memory_object_store.h"

namespace floe::archive {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kHour = 3600 * kSec;
constexpr int64_t kNoon = 1'714'564'800 * kSec;  // 2024-05-01T12:00:00Z

class Collect final : public FileEventListener {
 public:
  void OnFileCommitted(const FileCommittedEvent& e) override { events.push_back(e); }
  std::vector<FileCommittedEvent> events;
};

class PartitionWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spool_ = std::filesystem::temp_directory_path() / ("floe-pw-" + std::to_string(::getpid()));
    std::filesystem::create_directories(spool_);
    ctx_.topic = "ads";
    ctx_.database = "default";
    ctx_.table = "ads";
    ctx_.rotation.flush_size = 3;
    ctx_.format = &format_;
    ctx_.store = &faulty_;
    ctx_.spool_dir = spool_.string();
    ctx_.clock = &clock_;
    ctx_.listener = &events_;
  }
  void TearDown() override { std::filesystem::remove_all(spool_); }

  Status Write(PartitionWriter& w, int64_t offset, int64_t business_micros, int32_t partition = 2) {
    json_ = R"({"n":)" + std::to_string(offset) + "}";
    RecordContext ctx{"ads", partition, offset, 1000, std::nullopt};
    DecodedRecord rec;
    rec.time = BusinessTime{business_micros, TimeSource::kField, 0};
    rec.raw_json = json_;
    const CivilTime t = CivilFromMicros(business_micros);
    char path[40];
    std::snprintf(path, sizeof path, "dt=%04d-%02d-%02d/hour=%02d", t.year, t.month, t.day, t.hour);
    return w.Write(ctx, rec, path);
  }
  // _kafka_offset -> visible files holding it, over every data object of the table.
  std::map<int64_t, int> VisibleOffsets() {
    std::map<int64_t, int> seen;
    auto objects = storage::ListAll(memory_, "default/ads/");
    EXPECT_TRUE(objects.ok());
    static const std::regex offset_re(R"("_kafka_offset":(\d+))");
    for (const auto& o : *objects) {
      auto body = memory_.Get(o.key);
      EXPECT_TRUE(body.ok());
      for (std::sregex_iterator it(body->begin(), body->end(), offset_re), end; it != end; ++it)
        ++seen[std::stoll((*it)[1].str())];
    }
    return seen;
  }
  static void ExpectExactlyOnce(const std::map<int64_t, int>& seen, int64_t from, int64_t to) {
    for (int64_t o = from; o < to; ++o) EXPECT_EQ(seen.count(o) ? seen.at(o) : 0, 1) << "offset " << o;
    EXPECT_EQ(seen.size(), static_cast<size_t>(to - from));
  }
  size_t spool_files() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(spool_), {}));
  }

  ManualClock clock_{kNoon};
  storage::MemoryObjectStore memory_{clock_};
  storage::FaultInjectingObjectStore faulty_{memory_};
  JsonLinesFormat format_;
  Collect events_;
  std::filesystem::path spool_;
  PartitionWriterContext ctx_;
  std::string json_;
};

TEST_F(PartitionWriterTest, FlushSizeSealsAFileNamedAfterItsFirstOffset) {
  PartitionWriter w(ctx_, 2);
  EXPECT_FALSE(w.committable_offset().has_value());
  for (int64_t o = 10; o < 13; ++o) ASSERT_TRUE(Write(w, o, kNoon + o * kSec).ok());
  EXPECT_TRUE(events_.events.empty()) << "sealed, published by the next round";
  EXPECT_TRUE(w.has_pending_uploads());
  EXPECT_EQ(w.committable_offset(), 10);
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  const auto& e = events_.events[0];
  EXPECT_EQ(e.key, "default/ads/dt=2024-05-01/hour=12/ads+2+10.jsonl");
  EXPECT_EQ(e.records, 3u);
  EXPECT_EQ(e.first_offset, 10);
  EXPECT_EQ(e.last_offset, 12);
  EXPECT_EQ(e.min_business_time_micros, kNoon + 10 * kSec);
  EXPECT_EQ(e.partition_values, (std::vector<std::pair<std::string, std::string>>{{"dt", "2024-05-01"}, {"hour", "12"}}));
  auto body = memory_.Get(e.key);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "{\"_kafka_partition\":2,\"_kafka_offset\":10,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":10}\n"
                   "{\"_kafka_partition\":2,\"_kafka_offset\":11,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":11}\n"
                   "{\"_kafka_partition\":2,\"_kafka_offset\":12,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":12}\n");
  EXPECT_EQ(w.committable_offset(), 13);
  EXPECT_EQ(spool_files(), 0u);
}

TEST_F(PartitionWriterTest, FileEventsCarryPartitionValuesUnescapedAndTheKeyEscaped) {
  PartitionWriter w(ctx_, 2);
  json_ = R"({"n":1})";
  DecodedRecord rec;
  rec.time = BusinessTime{kNoon, TimeSource::kField, 0};
  rec.raw_json = json_;
  ASSERT_TRUE(w.Write(RecordContext{"ads", 2, 1, 1000, std::nullopt}, rec, "v=3/city=a%2Fb%3Dc%25/hour=12").ok());
  ASSERT_TRUE(w.SealAll().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  const auto& e = events_.events[0];
  EXPECT_EQ(e.key, "default/ads/v=3/city=a%2Fb%3Dc%25/hour=12/ads+2+1.jsonl");
  EXPECT_EQ(e.schema_version, "3");
  EXPECT_EQ(e.partition_values, (std::vector<std::pair<std::string, std::string>>{{"city", "a/b=c%"}, {"hour", "12"}}));
}

TEST_F(PartitionWriterTest, FilesSealedBetweenRoundsArePublishedWithOneStateWriteAndOneFenceCheck) {
  ctx_.rotation.flush_size = 2;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());  // claims: one LIST, one PUT of the claim object
  const int64_t puts = faulty_.calls(storage::StoreOp::kPut), lists = faulty_.calls(storage::StoreOp::kList);
  for (int64_t o = 1; o < 6; ++o) ASSERT_TRUE(Write(w, o, kNoon).ok());  // seals 0..1, 2..3, 4..5
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kPut), puts);
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kPutFile), 0);
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kPut), puts + 1) << "one state object lists the three files";
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kList), lists + 1) << "one fence check covers them";
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kPutFile), 3);
  auto state = DecodePartitionState(*memory_.Get(PartitionStateKey("ads", 2, 1)));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->files.size(), 3u);
  ExpectExactlyOnce(VisibleOffsets(), 0, 6);
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  EXPECT_EQ(faulty_.calls(storage::StoreOp::kList), lists + 1) << "nothing pending: no request";
}

TEST_F(PartitionWriterTest, LateEventsOpenTheirOwnHourAndHoldBackTheCommit) {
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  ASSERT_TRUE(Write(w, 1, kNoon - 5 * kHour).ok());  // late: 07:00
  ASSERT_TRUE(Write(w, 2, kNoon + kSec).ok());
  EXPECT_EQ(w.open_files(), 2u);
  EXPECT_EQ(w.committable_offset(), 0);  // nothing durable yet
  ASSERT_TRUE(Write(w, 3, kNoon + 2 * kSec).ok());  // noon file reaches flush.size
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].key, "default/ads/dt=2024-05-01/hour=12/ads+2+0.jsonl");
  EXPECT_EQ(w.committable_offset(), 1);  // the 07:00 file still holds offset 1
  ASSERT_TRUE(w.SealAll().ok());
  ASSERT_EQ(events_.events.size(), 2u);
  EXPECT_EQ(events_.events[1].key, "default/ads/dt=2024-05-01/hour=07/ads+2+1.jsonl");
  EXPECT_EQ(w.committable_offset(), 4);
}

TEST_F(PartitionWriterTest, WallClockRotationFiresAtIntervalBoundariesWithoutNewRecords) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.rotate_schedule_interval_ms = 10 * 60 * 1000;
  clock_.Set(kNoon + 7 * 60 * kSec);  // 12:07: the next boundary is 12:10
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  clock_.Advance(2 * 60 * kSec);  // 12:09
  ASSERT_TRUE(w.SealDue().ok());
  EXPECT_TRUE(events_.events.empty());
  clock_.Advance(61 * kSec);  // 12:10:01
  ASSERT_TRUE(w.SealDue().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(w.committable_offset(), 1);
}

TEST_F(PartitionWriterTest, TombstonesAdvanceTheCommittableOffset) {
  PartitionWriter w(ctx_, 2);
  w.MarkSkipped(0);
  EXPECT_EQ(w.committable_offset(), 1);
  ASSERT_TRUE(Write(w, 1, kNoon).ok());
  w.MarkSkipped(2);
  EXPECT_EQ(w.committable_offset(), 1);  // offset 1 is only in an open file
}

TEST_F(PartitionWriterTest, AFailedUploadIsRetriedAndNeverCommittedBeforeItSucceeds) {
  faulty_.AddFault({storage::StoreOp::kPutFile, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  ASSERT_TRUE(Write(w, 1, kNoon).ok());
  ASSERT_TRUE(Write(w, 2, kNoon).ok());
  // The file that could not be published stays pending.
  EXPECT_FALSE(w.RetryPendingUploads().ok());
  EXPECT_TRUE(w.has_pending_uploads());
  EXPECT_EQ(w.committable_offset(), 0);
  EXPECT_TRUE(events_.events.empty());
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  EXPECT_FALSE(w.has_pending_uploads());
  EXPECT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(w.committable_offset(), 3);
}

TEST_F(PartitionWriterTest, FileMaxBytesSealsAFile) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.file_max_bytes = 200;  // each line is ~90 bytes
  PartitionWriter w(ctx_, 2);
  for (int64_t o = 0; o < 3; ++o) ASSERT_TRUE(Write(w, o, kNoon).ok());
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].records, 3u);
  EXPECT_GE(events_.events[0].bytes, 200u);
  ASSERT_TRUE(Write(w, 3, kNoon).ok());
  EXPECT_EQ(w.open_files(), 1u);
}

TEST_F(PartitionWriterTest, BusinessTimeSpanRotatesBeforeTheRecordThatExceedsIt) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.rotate_interval_ms = 60'000;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  ASSERT_TRUE(Write(w, 1, kNoon + 59 * kSec).ok());
  ASSERT_TRUE(Write(w, 2, kNoon + 10 * kSec).ok());  // earlier than the span: same file
  EXPECT_TRUE(events_.events.empty());
  ASSERT_TRUE(Write(w, 3, kNoon + 60 * kSec).ok());  // a minute past the first record: opens the next file
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].last_offset, 2);
  ASSERT_TRUE(w.SealAll().ok());
  ASSERT_EQ(events_.events.size(), 2u);
  EXPECT_EQ(events_.events[1].key, "default/ads/dt=2024-05-01/hour=12/ads+2+3.jsonl");
}

TEST_F(PartitionWriterTest, OpeningOneFileTooManySealsTheLeastRecentlyWritten) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.max_open_files = 2;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon - 2 * kHour).ok());  // 10:00
  ASSERT_TRUE(Write(w, 1, kNoon - kHour).ok());      // 11:00
  ASSERT_TRUE(Write(w, 2, kNoon - 2 * kHour).ok());  // 10:00 again: 11:00 is now the least recent
  ASSERT_TRUE(Write(w, 3, kNoon).ok());              // a third file
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].key, "default/ads/dt=2024-05-01/hour=11/ads+2+1.jsonl");
  EXPECT_EQ(w.open_files(), 2u);
}

// Records decoded into the batch of the file the partition wrote last (InPlaceBatch) are taken there when
// they belong to it, and otherwise moved out before anything else happens to that file: a late event goes to
// its own hour, a record past rotate.interval.ms or flush.size to the next file, a fenced writer drops it.
TEST_F(PartitionWriterTest, RecordsDecodedInPlaceLandInTheirOwnFileWhateverFileOfferedItsBatch) {
  parquet::MemoryBudget budget(64 << 20);
  ParquetFormat parquet(parquet::WriterOptions{}, spool_.string(), &budget);
  ctx_.format = &parquet;
  ctx_.rotation.flush_size = 12;
  ctx_.rotation.rotate_interval_ms = 20 * 60'000;
  const columnar::Schema schema(columnar::Node::Record(
      "e", {columnar::Node::Primitive("n", columnar::PhysicalType::kInt64, false)}, false));
  columnar::ColumnarBatch own(schema);
  columnar::ColumnarBatch::Mark mark;
  PartitionWriter w(ctx_, 2);
  std::map<std::string, std::vector<int64_t>> expected_hours;  // hour directory -> offsets
  int in_place = 0;
  for (int64_t o = 0; o < 200; ++o) {
    // In order, every ninth record two hours late: a minute apart first (files end at flush.size), then
    // three minutes apart (they end at rotate.interval.ms).
    const int64_t minute = o < 100 ? o : 100 + 3 * (o - 100);
    const int64_t micros = o % 9 == 4 ? kNoon - 2 * kHour : kNoon + minute * 60 * kSec;
    DecodedRecord rec;
    rec.time = BusinessTime{micros, TimeSource::kField, 0};
    rec.own = &own;
    columnar::ColumnarBatch* target = w.InPlaceBatch();
    if (target && target->schema().SameAs(schema)) {
      target->SetMark(mark);
      rec.in_place = &mark;
      ++in_place;
    } else {
      own.Clear();
      target = &own;
    }
    target->column(0).AppendInt64(o, 0, 0);
    target->EndRecord();
    rec.columns = target;
    const CivilTime t = CivilFromMicros(micros);
    char path[40];
    std::snprintf(path, sizeof path, "dt=%04d-%02d-%02d/hour=%02d", t.year, t.month, t.day, t.hour);
    ASSERT_TRUE(w.Write(RecordContext{"ads", 2, o, 1000, std::nullopt}, rec, path).ok()) << o;
    ASSERT_EQ(rec.in_place, nullptr) << o;
    expected_hours[path].push_back(o);
  }
  EXPECT_GT(in_place, 100);
  ASSERT_TRUE(w.SealAll().ok());
  std::map<std::string, std::vector<int64_t>> hours;
  for (const auto& e : events_.events) {
    auto body = memory_.Get(e.key);
    ASSERT_TRUE(body.ok());
    const std::string local = spool_.string() + "/check.parquet";
    {
      std::ofstream out(local, std::ios::binary);
      out << *body;
    }
    const auto rows = parquet::testing::CatRows(local);
    ASSERT_EQ(rows.size(), e.records) << e.key;
    ASSERT_LE(rows.size(), 12u) << e.key;
    const std::string hour = e.key.substr(std::string("default/ads/").size(), std::string("dt=2024-05-01/hour=12").size());
    for (const auto& r : rows) {
      const int64_t n = r["n"].get<int64_t>();
      EXPECT_GE(n, e.first_offset) << e.key;
      EXPECT_LE(n, e.last_offset) << e.key;
      hours[hour].push_back(n);
    }
  }
  for (auto& [hour, offsets] : hours) std::sort(offsets.begin(), offsets.end());
  EXPECT_EQ(hours, expected_hours) << "every record once, in its own hour";
}

// The failure issue #7 is about: files made visible by wall-clock rotation after the last commit are
// written again on replay with other boundaries. The state object makes the replay skip them.
TEST_F(PartitionWriterTest, ReplayAfterACrashSkipsRecordsOfVisibleFiles) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.rotate_schedule_interval_ms = 60'000;
  {
    PartitionWriter w(ctx_, 2);
    for (int64_t o = 0; o < 10; ++o) ASSERT_TRUE(Write(w, o, o % 3 == 0 ? kNoon - kHour : kNoon).ok());
    clock_.Advance(61 * kSec);
    ASSERT_TRUE(w.SealDue().ok());  // both hours visible
    for (int64_t o = 10; o < 14; ++o) ASSERT_TRUE(Write(w, o, kNoon).ok());
    // SIGKILL: nothing committed to Kafka, offsets 10..13 only in an open file.
  }
  EXPECT_EQ(events_.events.size(), 2u);
  ctx_.rotation.rotate_schedule_interval_ms = 0;
  ctx_.rotation.flush_size = 4;  // other boundaries on replay
  PartitionWriter again(ctx_, 2);
  for (int64_t o = 0; o < 20; ++o) ASSERT_TRUE(Write(again, o, o % 3 == 0 ? kNoon - kHour : kNoon).ok());
  ASSERT_TRUE(again.SealAll().ok());
  EXPECT_EQ(again.stats().replayed_skipped, 10u);
  EXPECT_EQ(again.stats().epoch, 2u);
  ExpectExactlyOnce(VisibleOffsets(), 0, 20);
  EXPECT_EQ(again.committable_offset(), 20);
}

TEST_F(PartitionWriterTest, AListedFileThatNeverBecameVisibleIsRecreatedWithItsBoundaries) {
  ctx_.rotation.flush_size = 1000;
  ctx_.rotation.rotate_schedule_interval_ms = 60'000;
  faulty_.AddFault({storage::StoreOp::kPutFile, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter zombie(ctx_, 2);
  for (int64_t o = 0; o < 5; ++o) ASSERT_TRUE(Write(zombie, o, kNoon).ok());
  clock_.Advance(61 * kSec);
  EXPECT_FALSE(zombie.SealDue().ok());  // listed in the state, PUT failed
  EXPECT_TRUE(zombie.has_pending_uploads());

  // A new owner (the zombie is paused, not dead) replays with a different flush size.
  ctx_.rotation.rotate_schedule_interval_ms = 0;
  ctx_.rotation.flush_size = 2;
  PartitionWriter owner(ctx_, 2);
  for (int64_t o = 0; o < 8; ++o) ASSERT_TRUE(Write(owner, o, kNoon).ok());
  ASSERT_TRUE(owner.SealAll().ok());
  EXPECT_EQ(owner.stats().replayed_redone, 5u);
  EXPECT_TRUE(memory_.Head("default/ads/dt=2024-05-01/hour=12/ads+2+0.jsonl").ok());
  ExpectExactlyOnce(VisibleOffsets(), 0, 8);

  // The zombie wakes up: it sees the newer epoch and publishes nothing.
  Status st = zombie.RetryPendingUploads();
  EXPECT_TRUE(st.Is(ArchiveError::kFenced)) << st.ToString();
  EXPECT_TRUE(zombie.fenced());
  EXPECT_FALSE(zombie.committable_offset().has_value());
  ExpectExactlyOnce(VisibleOffsets(), 0, 8);
}

TEST_F(PartitionWriterTest, AZombiePutThatLandsAfterTheNewOwnerReadsTheStateWritesTheSameRecords) {
  // Listed and past the fence check, but the PUT lands late: the new owner re-creates the same object.
  ctx_.rotation.flush_size = 3;
  faulty_.AddFault({storage::StoreOp::kPutFile, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter zombie(ctx_, 2);
  for (int64_t o = 0; o < 3; ++o) ASSERT_TRUE(Write(zombie, o, kNoon).ok());
  ASSERT_FALSE(zombie.RetryPendingUploads().ok());
  ASSERT_TRUE(zombie.has_pending_uploads());
  PartitionWriter owner(ctx_, 2);
  for (int64_t o = 0; o < 3; ++o) ASSERT_TRUE(Write(owner, o, kNoon).ok());
  ASSERT_TRUE(owner.RetryPendingUploads().ok());
  const std::string key = "default/ads/dt=2024-05-01/hour=12/ads+2+0.jsonl";
  auto recreated = memory_.Get(key);
  ASSERT_TRUE(recreated.ok());
  // What the zombie's in-flight PUT carries is the same object.
  ASSERT_TRUE(memory_.Delete(key).ok());
  ASSERT_TRUE(zombie.RetryPendingUploads().Is(ArchiveError::kFenced));
  ASSERT_TRUE(owner.SealAll().ok());
  EXPECT_EQ(*recreated, "{\"_kafka_partition\":2,\"_kafka_offset\":0,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":0}\n"
                        "{\"_kafka_partition\":2,\"_kafka_offset\":1,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":1}\n"
                        "{\"_kafka_partition\":2,\"_kafka_offset\":2,\"_kafka_timestamp\":\"1970-01-01T00:00:01.000000Z\",\"n\":2}\n");
}

TEST_F(PartitionWriterTest, CommittedFilesLeaveTheStateAndOldEpochsAreDeleted) {
  PartitionWriter first(ctx_, 2);
  for (int64_t o = 0; o < 6; ++o) {
    ASSERT_TRUE(Write(first, o, kNoon).ok());
    ASSERT_TRUE(first.RetryPendingUploads().ok());
  }
  first.OnCommitted(3);
  ASSERT_TRUE(Write(first, 6, kNoon).ok());
  ASSERT_TRUE(first.SealAll().ok());
  auto body = memory_.Get(PartitionStateKey("ads", 2, 1));
  ASSERT_TRUE(body.ok());
  auto state = DecodePartitionState(*body);
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->files.size(), 2u);  // 3..5 and 6..6
  EXPECT_EQ(state->files[0].first, 3);
  PartitionWriter second(ctx_, 2);
  ASSERT_TRUE(Write(second, 7, kNoon).ok());
  ASSERT_TRUE(second.SealAll().ok());
  EXPECT_FALSE(memory_.Head(PartitionStateKey("ads", 2, 1)).ok());
  EXPECT_TRUE(memory_.Head(PartitionStateKey("ads", 2, 2)).ok());
}

TEST_F(PartitionWriterTest, ClaimingAbortsThePartitionsOrphanMultipartUploads) {
  auto mine = memory_.CreateMultipartUpload("default/ads/dt=2024-05-01/hour=12/ads+2+40.jsonl");
  auto other = memory_.CreateMultipartUpload("default/ads/dt=2024-05-01/hour=12/ads+3+40.jsonl");
  ASSERT_TRUE(mine.ok() && other.ok());
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  auto uploads = memory_.ListMultipartUploads("default/");
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ((*uploads)[0].upload_id, *other);
}

TEST_F(PartitionWriterTest, AFailedClaimRejectsTheRecordSoItIsDeliveredAgain) {
  faulty_.AddFault({storage::StoreOp::kList, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter w(ctx_, 2);
  Status st = Write(w, 0, kNoon);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.retryable());
  EXPECT_EQ(w.open_files(), 0u);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  EXPECT_EQ(w.open_files(), 1u);
}

TEST_F(PartitionWriterTest, AClaimAtAssignmentIsTheOneTheFirstRecordUses) {
  auto orphan = memory_.CreateMultipartUpload("default/ads/dt=2024-05-01/hour=12/ads+2+40.jsonl");
  ASSERT_TRUE(orphan.ok());
  PartitionWriter w(ctx_, 2);
  w.ClaimAhead();
  // Claimed before any record: the epoch's claim object exists (incomplete) and the orphan upload is gone.
  auto claim = memory_.Get(PartitionStateKey("ads", 2, 1));
  ASSERT_TRUE(claim.ok());
  auto claimed = DecodePartitionState(*claim);
  ASSERT_TRUE(claimed.ok());
  EXPECT_FALSE(claimed->complete);
  auto uploads = memory_.ListMultipartUploads("default/");
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());

  for (int64_t o = 0; o < 4; ++o) ASSERT_TRUE(Write(w, o, kNoon).ok());
  ASSERT_TRUE(w.SealAll().ok());
  EXPECT_EQ(w.stats().epoch, 1u);  // no second claim
  EXPECT_FALSE(memory_.Head(PartitionStateKey("ads", 2, 2)).ok());
  auto state = memory_.Get(PartitionStateKey("ads", 2, 1));
  ASSERT_TRUE(state.ok());
  auto published = DecodePartitionState(*state);
  ASSERT_TRUE(published.ok());
  EXPECT_TRUE(published->complete);
  ExpectExactlyOnce(VisibleOffsets(), 0, 4);
}

TEST_F(PartitionWriterTest, AClaimAtAssignmentThatFailsIsMadeAgainByTheFirstRecord) {
  faulty_.AddFault({storage::StoreOp::kList, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter w(ctx_, 2);
  w.ClaimAhead();
  EXPECT_FALSE(memory_.Head(PartitionStateKey("ads", 2, 1)).ok());
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  ASSERT_TRUE(w.SealAll().ok());
  EXPECT_EQ(w.stats().epoch, 1u);
  ExpectExactlyOnce(VisibleOffsets(), 0, 1);
}

TEST_F(PartitionWriterTest, AClaimAtAssignmentFencesTheOldOwnerAndItsListedFileIsReplayedAtTheFirstRecord) {
  // The old owner listed a file and passed the fence check, but its PUT has not landed.
  faulty_.AddFault({storage::StoreOp::kPutFile, 1, 0.0, storage::FaultKind::kRetryable});
  PartitionWriter zombie(ctx_, 2);
  for (int64_t o = 0; o < 3; ++o) ASSERT_TRUE(Write(zombie, o, kNoon).ok());
  ASSERT_FALSE(zombie.RetryPendingUploads().ok());
  PartitionWriter owner(ctx_, 2);
  owner.ClaimAhead();  // the new owner's assignment, before any of its records arrive
  EXPECT_TRUE(zombie.RetryPendingUploads().Is(ArchiveError::kFenced));
  for (int64_t o = 0; o < 5; ++o) ASSERT_TRUE(Write(owner, o, kNoon).ok());
  ASSERT_TRUE(owner.SealAll().ok());
  EXPECT_EQ(owner.stats().epoch, 2u);
  EXPECT_EQ(owner.stats().replayed_redone, 3u);
  ExpectExactlyOnce(VisibleOffsets(), 0, 5);
}

TEST_F(PartitionWriterTest, AClaimAtAssignmentThatGotNoRecordIsDroppedWithItsWriter) {
  {
    PartitionWriter first(ctx_, 2);
    for (int64_t o = 0; o < 3; ++o) ASSERT_TRUE(Write(first, o, kNoon).ok());
    ASSERT_TRUE(first.SealAll().ok());
  }
  // An assignment of the partition during which no record came (it was all committed, or the topic is idle).
  PartitionWriter idle(ctx_, 2);
  idle.ClaimAhead();
  ASSERT_TRUE(memory_.Head(PartitionStateKey("ads", 2, 2)).ok());
  idle.DropUnusedClaim();
  EXPECT_FALSE(memory_.Head(PartitionStateKey("ads", 2, 2)).ok());
  EXPECT_TRUE(memory_.Head(PartitionStateKey("ads", 2, 1)).ok());  // the last owner's list, for the next claim

  // The next owner reads that list as if the idle assignment had never been.
  PartitionWriter next(ctx_, 2);
  next.ClaimAhead();
  for (int64_t o = 0; o < 5; ++o) ASSERT_TRUE(Write(next, o, kNoon).ok());
  next.DropUnusedClaim();  // it got records: nothing to drop
  ASSERT_TRUE(next.SealAll().ok());
  EXPECT_EQ(next.stats().epoch, 2u);
  EXPECT_EQ(next.stats().replayed_skipped, 3u);
  EXPECT_TRUE(memory_.Head(PartitionStateKey("ads", 2, 2)).ok());
  ExpectExactlyOnce(VisibleOffsets(), 0, 5);
}

// A format whose memory is full once `max_open` files are open (as a Parquet budget full of writers' fixed
// parts and dictionaries): opening one more is refused with the retryable kMemoryPressure.
class MemoryBoundFormat final : public FileFormat {
 public:
  std::string_view extension() const override { return "jsonl"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override {
    if (*open_ >= max_open) return Error(parquet::ParquetError::kMemoryPressure, "memory budget full");
    FLOE_ASSIGN_OR_RETURN(auto inner, lines_.Open(std::move(sink), first));
    return std::unique_ptr<FileFormatWriter>(new Writer(std::move(inner), open_));
  }
  size_t max_open = 2;

 private:
  class Writer final : public FileFormatWriter {
   public:
    Writer(std::unique_ptr<FileFormatWriter> inner, std::shared_ptr<size_t> open)
        : inner_(std::move(inner)), open_(std::move(open)) {
      ++*open_;
    }
    ~Writer() override { --*open_; }
    Status Append(const RecordContext& c, DecodedRecord& r) override { return inner_->Append(c, r); }
    uint64_t records() const override { return inner_->records(); }
    uint64_t bytes() const override { return inner_->bytes(); }
    Result<WrittenFile> Finish() override { return inner_->Finish(); }

   private:
    std::unique_ptr<FileFormatWriter> inner_;
    std::shared_ptr<size_t> open_;
  };
  JsonLinesFormat lines_;
  std::shared_ptr<size_t> open_ = std::make_shared<size_t>(0);
};

TEST_F(PartitionWriterTest, AFormatOutOfMemorySealsTheLeastRecentlyWrittenFileAndTakesTheRecord) {
  MemoryBoundFormat format;
  ctx_.format = &format;
  ctx_.rotation.flush_size = 1000;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon - 2 * kHour).ok());  // 10:00
  ASSERT_TRUE(Write(w, 1, kNoon - kHour).ok());      // 11:00
  ASSERT_TRUE(Write(w, 2, kNoon - 2 * kHour).ok());  // 10:00 again: 11:00 is now the least recent
  ASSERT_TRUE(Write(w, 3, kNoon).ok()) << "the refusal is answered by sealing a file";
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(events_.events[0].key, "default/ads/dt=2024-05-01/hour=11/ads+2+1.jsonl");
  EXPECT_EQ(events_.events[0].records, 1u);
  EXPECT_EQ(w.open_files(), 2u);
  ASSERT_TRUE(w.SealAll().ok());
  ExpectExactlyOnce(VisibleOffsets(), 0, 4);
}

TEST_F(PartitionWriterTest, AFormatStillOutOfMemoryAfterSealingRefusesTheRecordAsRetryable) {
  MemoryBoundFormat format;
  format.max_open = 1;
  ctx_.format = &format;
  ctx_.rotation.flush_size = 1000;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  format.max_open = 0;  // the budget is held elsewhere: sealing this partition's file is not enough
  const Status st = Write(w, 1, kNoon + kHour);
  EXPECT_TRUE(st.Is(parquet::ParquetError::kMemoryPressure)) << st.ToString();
  EXPECT_TRUE(st.retryable());
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  ASSERT_EQ(events_.events.size(), 1u) << "the least recently written file was sealed";
  EXPECT_EQ(w.committable_offset(), 1) << "offset 1 was not taken";
  format.max_open = 1;  // the budget cleared: the record is delivered again
  ASSERT_TRUE(Write(w, 1, kNoon + kHour).ok());
  ASSERT_TRUE(w.SealAll().ok());
  ExpectExactlyOnce(VisibleOffsets(), 0, 2);
}

// A format whose files cannot be finished (a spool write that failed in the background, a disk gone bad).
class UnfinishableFormat final : public FileFormat {
 public:
  std::string_view extension() const override { return "jsonl"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override {
    FLOE_ASSIGN_OR_RETURN(auto inner, lines_.Open(std::move(sink), first));
    return std::unique_ptr<FileFormatWriter>(new Writer(std::move(inner)));
  }

 private:
  class Writer final : public FileFormatWriter {
   public:
    explicit Writer(std::unique_ptr<FileFormatWriter> inner) : inner_(std::move(inner)) {}
    Status Append(const RecordContext& c, DecodedRecord& r) override { return inner_->Append(c, r); }
    uint64_t records() const override { return inner_->records(); }
    uint64_t bytes() const override { return inner_->bytes(); }
    Result<WrittenFile> Finish() override { return Error(parquet::ParquetError::kIo, "write spool: EIO"); }

   private:
    std::unique_ptr<FileFormatWriter> inner_;
  };
  JsonLinesFormat lines_;
};

TEST_F(PartitionWriterTest, AFileThatCannotBeFinishedHoldsTheCommitBeforeItsRecords) {
  // Its records are in no file: committing past them would lose them, however many later files land.
  UnfinishableFormat broken;
  ctx_.format = &broken;
  ctx_.rotation.flush_size = 1000;
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 5, kNoon).ok());
  ASSERT_TRUE(Write(w, 6, kNoon).ok());
  const Status st = w.SealAll();
  EXPECT_TRUE(st.Is(ArchiveError::kSpool)) << st.ToString();
  EXPECT_EQ(w.open_files(), 0u);
  ctx_.format = &format_;  // later files are fine
  ASSERT_TRUE(Write(w, 7, kNoon + kHour).ok());
  ASSERT_TRUE(w.SealAll().ok());
  ASSERT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(w.committable_offset(), 5) << "offsets 5 and 6 must be consumed again";
}

}  // namespace
}  // namespace floe::archive

namespace floe::archive {
namespace {

// The archiver publishes different partitions' sealed files from several threads at once (PartitionWriter's
// thread contract): each partition's files all become visible, once, with one event each.
TEST_F(PartitionWriterTest, DifferentPartitionsPublishConcurrently) {
  class Locked final : public FileEventListener {
   public:
    void OnFileCommitted(const FileCommittedEvent& e) override {
      std::lock_guard<std::mutex> lock(mu);
      keys.push_back(e.key);
    }
    std::mutex mu;
    std::vector<std::string> keys;
  } locked;
  ctx_.listener = &locked;
  constexpr int kPartitions = 8, kRecords = 30;
  std::vector<std::unique_ptr<PartitionWriter>> writers;
  for (int p = 0; p < kPartitions; ++p) {
    writers.push_back(std::make_unique<PartitionWriter>(ctx_, p));
    for (int64_t o = 0; o < kRecords; ++o) ASSERT_TRUE(Write(*writers.back(), o, kNoon + o * kSec, p).ok());
    ASSERT_TRUE(writers.back()->SealAll(/*publish=*/false).ok());
    EXPECT_TRUE(writers.back()->has_pending_uploads());
  }
  EXPECT_TRUE(locked.keys.empty());
  std::vector<Status> results(kPartitions);
  {
    std::vector<std::jthread> threads;
    for (int p = 0; p < kPartitions; ++p)
      threads.emplace_back([&, p] { results[p] = writers[p]->RetryPendingUploads(); });
  }
  for (int p = 0; p < kPartitions; ++p) {
    EXPECT_TRUE(results[p].ok()) << results[p].ToString();
    EXPECT_FALSE(writers[p]->has_pending_uploads());
    EXPECT_EQ(writers[p]->committable_offset(), kRecords);
  }
  const std::set<std::string> distinct(locked.keys.begin(), locked.keys.end());
  EXPECT_EQ(locked.keys.size(), static_cast<size_t>(kPartitions * kRecords / 3));
  EXPECT_EQ(distinct.size(), locked.keys.size());
  for (const auto& key : distinct) EXPECT_TRUE(memory_.Get(key).ok()) << key;
  EXPECT_EQ(spool_files(), 0u);
}

}  // namespace
}  // namespace floe::archive
