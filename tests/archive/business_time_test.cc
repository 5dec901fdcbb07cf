#include "archive/business_time.h"

#include <gtest/gtest.h>

namespace floe::archive {
namespace {

constexpr int64_t kSec = 1'000'000;
constexpr int64_t kNow = 1'714'564'800 * kSec;  // 2024-05-01T12:00:00Z

class BusinessTimeTest : public ::testing::Test {
 protected:
  BusinessTime Extract(const std::string& json, BusinessTimeOptions options, int64_t kafka_ms = 1'000) {
    BusinessTimeExtractor extractor(std::move(options), clock_);
    simdjson::dom::element doc = parser_.parse(json);
    return extractor.FromJson(doc, kafka_ms);
  }
  BusinessTimeOptions Candidates(std::vector<std::string> fields) {
    BusinessTimeOptions o;
    o.candidate_fields = std::move(fields);
    o.plausible_past_ms = 10LL * 365 * 86'400'000;
    o.plausible_future_ms = 86'400'000;
    return o;
  }
  ManualClock clock_{kNow};
  simdjson::dom::parser parser_;
};

TEST_F(BusinessTimeTest, FirstPresentCandidateWins) {
  auto t = Extract(R"({"created_at": "2024-05-01T10:00:00Z", "occurred_at": "2024-05-01T09:00:00Z"})",
                   Candidates({"occurred_at", "created_at"}));
  EXPECT_EQ(t.source, TimeSource::kField);
  EXPECT_EQ(t.candidate, 0);
  EXPECT_EQ(t.micros, kNow - 3 * 3600 * kSec);
}

TEST_F(BusinessTimeTest, DottedPathsReachIntoNestedObjects) {
  auto t = Extract(R"({"meta": {"event": {"time": 1714564800123}}})", Candidates({"time", "meta.event.time"}));
  EXPECT_EQ(t.candidate, 1);
  EXPECT_EQ(t.micros, kNow + 123'000);
}

TEST_F(BusinessTimeTest, EpochUnitsAndOffsetsAreReadAsUtc) {
  for (const char* json : {R"({"t": 1714564800})", R"({"t": 1714564800000})", R"({"t": 1714564800000000})",
                           R"({"t": 1714564800000000000})", R"({"t": 1714564800.0})", R"({"t": "1714564800000"})",
                           R"({"t": "2024-05-01T14:00:00+02:00"})", R"({"t": "2024-05-01 12:00:00"})"}) {
    auto t = Extract(json, Candidates({"t"}));
    EXPECT_EQ(t.source, TimeSource::kField) << json;
    EXPECT_EQ(t.micros, kNow) << json;
  }
}

TEST_F(BusinessTimeTest, DeclaredUnitOverridesMagnitude) {
  auto o = Candidates({"t"});
  o.unit = EpochUnit::kMillis;
  auto t = Extract(R"({"t": 1714564800000})", o);
  EXPECT_EQ(t.micros, kNow);
}

TEST_F(BusinessTimeTest, MissingWrongTypedOrImplausibleFallsBackToKafkaTime) {
  const int64_t kafka_ms = 1'714'000'000'000;
  for (const char* json : {R"({})", R"({"t": null})", R"({"t": true})", R"({"t": "yesterday"})", R"({"t": {}})",
                           R"({"t": 0})", R"({"t": "2999-01-01T00:00:00Z"})", R"({"t": 18446744073709551615})",
                           R"({"t": -5})"}) {
    auto t = Extract(json, Candidates({"t"}), kafka_ms);
    EXPECT_EQ(t.source, TimeSource::kKafkaTimestamp) << json;
    EXPECT_EQ(t.micros, kafka_ms * 1000) << json;
  }
}

TEST_F(BusinessTimeTest, AnImplausibleCandidateGivesWayToTheNextOne) {
  auto t = Extract(R"({"a": 12, "b": "2024-05-01T11:00:00Z"})", Candidates({"a", "b"}));
  EXPECT_EQ(t.candidate, 1);
  EXPECT_EQ(t.micros, kNow - 3600 * kSec);
}

}  // namespace
}  // namespace floe::archive
