#include "archive/partition_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "archive/json_format.h"
#include "common/time_util.h"
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

  Status Write(PartitionWriter& w, int64_t offset, int64_t business_micros) {
    json_ = R"({"n":)" + std::to_string(offset) + "}";
    RecordContext ctx{"ads", 2, offset, 1000, std::nullopt};
    DecodedRecord rec;
    rec.time = BusinessTime{business_micros, TimeSource::kField, 0};
    rec.raw_json = json_;
    const CivilTime t = CivilFromMicros(business_micros);
    char path[40];
    std::snprintf(path, sizeof path, "dt=%04d-%02d-%02d/hour=%02d", t.year, t.month, t.day, t.hour);
    return w.Write(ctx, rec, path);
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

TEST_F(PartitionWriterTest, LateEventsOpenTheirOwnHourAndHoldBackTheCommit) {
  PartitionWriter w(ctx_, 2);
  ASSERT_TRUE(Write(w, 0, kNoon).ok());
  ASSERT_TRUE(Write(w, 1, kNoon - 5 * kHour).ok());  // late: 07:00
  ASSERT_TRUE(Write(w, 2, kNoon + kSec).ok());
  EXPECT_EQ(w.open_files(), 2u);
  EXPECT_EQ(w.committable_offset(), 0);  // nothing durable yet
  ASSERT_TRUE(Write(w, 3, kNoon + 2 * kSec).ok());  // noon file reaches flush.size
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
  Status st = Write(w, 2, kNoon);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.retryable());
  EXPECT_TRUE(w.has_pending_uploads());
  EXPECT_EQ(w.committable_offset(), 0);
  EXPECT_TRUE(events_.events.empty());
  ASSERT_TRUE(w.RetryPendingUploads().ok());
  EXPECT_FALSE(w.has_pending_uploads());
  EXPECT_EQ(events_.events.size(), 1u);
  EXPECT_EQ(w.committable_offset(), 3);
}

}  // namespace
}  // namespace floe::archive
