#include "catalog/completeness.h"

#include <gtest/gtest.h>

namespace floe::catalog {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kMinute = 60'000'000;
const int64_t kH10 = *HourStartOf({{"dt", "2024-05-01"}, {"hour", "10"}});

TEST(HourStartOf, ReadsDtAndHour) {
  EXPECT_EQ(kH10, 1714557600LL * 1'000'000);
  EXPECT_EQ(*HourStartOf({{"v", "1"}, {"dt", "2024-05-01"}, {"hour", "11"}}), kH10 + kHour);
  EXPECT_FALSE(HourStartOf({{"dt", "2024-05-01"}}).has_value());
  EXPECT_FALSE(HourStartOf({{"dt", "2024-5-1"}, {"hour", "1"}}).has_value());
  EXPECT_FALSE(HourStartOf({{"dt", "2024-05-01"}, {"hour", "24"}}).has_value());
}

TEST(CompletenessTracker, SkewedPartitionsHoldBackTheSlowestHour) {
  CompletenessTracker t(5 * kMinute, 10 * kMinute);
  EXPECT_FALSE(t.Frontier("db/t", 0).has_value());
  t.OnFile("db/t", "ads", 0, kH10 + 3 * kHour, 0);   // fast partition: past 12:00
  t.OnFile("db/t", "ads", 1, kH10 + 50 * kMinute, 0);  // slow partition: still in hour 10
  // Hour 10 is not complete: partition 1 has not moved past 11:00 + grace.
  EXPECT_LE(*t.Frontier("db/t", 0), kH10);
  t.OnFile("db/t", "ads", 1, kH10 + kHour + 4 * kMinute, 1);  // 11:04: inside the grace
  EXPECT_LE(*t.Frontier("db/t", 1), kH10);
  t.OnFile("db/t", "ads", 1, kH10 + kHour + 5 * kMinute, 2);  // 11:05: hour 10 done, hour 11 not
  EXPECT_GT(*t.Frontier("db/t", 2), kH10);
  EXPECT_LE(*t.Frontier("db/t", 2), kH10 + kHour);
  // Another table's partitions do not count.
  t.OnFile("db/other", "x", 0, 0, 2);
  EXPECT_GT(*t.Frontier("db/t", 2), kH10);
}

TEST(CompletenessTracker, IdlePartitionsHoldNothingBack) {
  CompletenessTracker t(5 * kMinute, 10 * kMinute);
  t.OnFile("db/t", "ads", 0, kH10 + 3 * kHour, 0);
  t.OnFile("db/t", "ads", 1, kH10 + 10 * kMinute, 0);
  EXPECT_LE(*t.Frontier("db/t", 0), kH10);
  // Declared caught up by the archiver.
  t.MarkIdle("db/t", "ads", 1);
  EXPECT_GT(*t.Frontier("db/t", 0), kH10 + kHour);
  // A new file makes it active again.
  t.OnFile("db/t", "ads", 1, kH10 + 20 * kMinute, 1);
  EXPECT_LE(*t.Frontier("db/t", 1), kH10);
  // Quiet for the idle time: idle.
  EXPECT_GT(*t.Frontier("db/t", 1 + 10 * kMinute), kH10 + kHour);
  // Everything idle: every hour is complete.
  EXPECT_EQ(*t.Frontier("db/t", 1 + 20 * kMinute), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace floe::catalog
