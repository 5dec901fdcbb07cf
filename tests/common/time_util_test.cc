#include "common/time_util.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

constexpr int64_t kSec = 1'000'000;

TEST(TimeUtilTest, CivilRoundTripAcrossEras) {
  for (int64_t micros : {int64_t{0}, int64_t{-1}, 951'782'400 * kSec, int64_t{1'700'000'000} * kSec + 123456,
                         int64_t{-2'208'988'800} * kSec, int64_t{4'102'444'800} * kSec}) {
    EXPECT_EQ(MicrosFromCivil(CivilFromMicros(micros)), micros);
  }
  EXPECT_EQ(UtcDate(951'782'400 * kSec), "2000-02-29");
  EXPECT_EQ(UtcHour(0), "00");
  EXPECT_EQ(UtcDate(-1), "1969-12-31");
  EXPECT_EQ(UtcHour(-1), "23");
  EXPECT_EQ(FormatRfc3339Micros(1'700'000'000 * kSec + 5), "2023-11-14T22:13:20.000005Z");
}

TEST(TimeUtilTest, ParsesRfc3339AndIso8601) {
  const int64_t base = 1'714'564'800 * kSec;  // 2024-05-01T12:00:00Z
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T12:00:00Z"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01t12:00:00z"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01 12:00:00"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T14:00:00+02:00"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T07:30:00-0430"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T12:00:00.5Z"), base + 500'000);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T12:00:00.123456789Z"), base + 123'456);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01T12:00Z"), base);
  EXPECT_EQ(ParseIso8601Micros("20240501T120000Z"), base);
  EXPECT_EQ(ParseIso8601Micros("2024-05-01"), base - 12 * 3600 * kSec);
}

TEST(TimeUtilTest, RejectsWhatIsNotADateTime) {
  for (const char* bad : {"", "hello", "2024-13-01", "2023-02-29", "2024-05-01T25:00:00Z", "2024-05-01T12:00:00Q",
                          "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+2", "1714564800", "2024-05-01T"}) {
    EXPECT_FALSE(ParseIso8601Micros(bad).has_value()) << bad;
  }
}

TEST(TimeUtilTest, EpochUnitsByMagnitude) {
  const int64_t s = 1'714'564'800;
  EXPECT_EQ(EpochToMicros(s, EpochUnit::kAuto), s * kSec);
  EXPECT_EQ(EpochToMicros(s * 1000, EpochUnit::kAuto), s * kSec);
  EXPECT_EQ(EpochToMicros(s * kSec, EpochUnit::kAuto), s * kSec);
  EXPECT_EQ(EpochToMicros(s * kSec * 1000, EpochUnit::kAuto), s * kSec);
  EXPECT_EQ(EpochToMicros(1714564800.25, EpochUnit::kAuto), s * kSec + 250'000);
  EXPECT_EQ(EpochToMicros(int64_t{5}, EpochUnit::kMillis), 5000);
  EXPECT_FALSE(EpochToMicros(INT64_MAX, EpochUnit::kSeconds).has_value());
  EXPECT_FALSE(EpochToMicros(1e300, EpochUnit::kAuto).has_value());
}

}  // namespace
}  // namespace floe
