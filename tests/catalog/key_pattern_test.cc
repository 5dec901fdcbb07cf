#include "catalog/key_pattern.h"

#include <gtest/gtest.h>

#include "archive/layout.h"
#include "catalog/file_event_json.h"

namespace floe::catalog {
namespace {

TEST(KeyPattern, ParsesTheDefaultLayout) {
  auto p = KeyPattern::Create(PatternForPathFormat("v={schema_version}/dt={date}/hour={hour}"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->partition_keys(), (std::vector<std::string>{"v", "dt", "hour"}));
  auto e = p->Parse("default/ads/v=3/dt=2024-05-01/hour=07/ads.eu+12+4711.parquet");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->database, "default");
  EXPECT_EQ(e->table, "ads");
  EXPECT_EQ(e->schema_version, "3");
  EXPECT_EQ(e->topic, "ads.eu");
  EXPECT_EQ(e->partition, 12);
  EXPECT_EQ(e->first_offset, 4711);
  EXPECT_EQ(e->format, "parquet");
  EXPECT_EQ(e->partition_values, (std::vector<std::pair<std::string, std::string>>{
                                     {"v", "3"}, {"dt", "2024-05-01"}, {"hour", "07"}}));
  // Inputs without schema versions leave the v= segment out.
  auto nov = p->Parse("default/clicks/dt=2024-05-01/hour=07/clicks+0+0.jsonl");
  ASSERT_TRUE(nov.ok()) << nov.status().ToString();
  EXPECT_EQ(nov->schema_version, "");
  EXPECT_EQ(nov->partition_values.size(), 2u);
}

TEST(KeyPattern, UnescapesHiveValuesAndRejectsForeignKeys) {
  auto p = KeyPattern::Create("{database}/{table}/country={field:country}/{file}");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::string value = "a/b:c=d";
  auto e = p->Parse("db/t/country=" + archive::HiveEscape(value) + "/t+0+5.jsonl");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->partition_values[0].second, value);
  EXPECT_FALSE(p->Parse("db/t/country=x/_SUCCESS").ok());
  EXPECT_FALSE(p->Parse("db/t/region=x/t+0+5.jsonl").ok());
  EXPECT_FALSE(p->Parse("_floe/catalog.db").ok());
  EXPECT_FALSE(p->Parse("db/t/country=x/t+x+5.jsonl").ok());
  EXPECT_FALSE(KeyPattern::Create("{table}/{file}").ok());
  EXPECT_FALSE(KeyPattern::Create("{database}/{table}/{file}/x").ok());
  EXPECT_FALSE(KeyPattern::Create("{database}/{table}/{oops}/{file}").ok());
}

TEST(FileEventJson, RoundTripsEveryField) {
  archive::FileCommittedEvent e;
  e.topic = "ads";
  e.partition = 3;
  e.database = "default";
  e.table = "ads";
  e.schema_version = "2";
  e.partition_values = {{"v", "2"}, {"dt", "2024-05-01"}, {"hour", "12"}};
  e.key = "default/ads/v=2/dt=2024-05-01/hour=12/ads+3+1200.parquet";
  e.format = "parquet";
  e.records = 1000;
  e.bytes = 48211;
  e.first_offset = 1200;
  e.last_offset = 2199;
  e.min_business_time_micros = 1714564800000000;
  e.max_business_time_micros = 1714568399000000;
  const std::string json = FileEventToJson(e);
  auto back = FileEventFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(FileEventToJson(*back), json);
  EXPECT_EQ(back->partition_values, e.partition_values);
  EXPECT_EQ(back->max_business_time_micros, e.max_business_time_micros);
}

TEST(FileEventJson, RejectsMalformedEvents) {
  EXPECT_FALSE(FileEventFromJson("[]").ok());
  EXPECT_FALSE(FileEventFromJson(R"({"database":"d","table":"t","key":"k"})").ok());  // no topic
  EXPECT_FALSE(FileEventFromJson(R"({"topic":"a","database":"d","table":"t","key":"k","records":"x"})").ok());
  EXPECT_FALSE(
      FileEventFromJson(R"({"topic":"a","database":"d","table":"t","key":"k","partition_values":[["v"]]})").ok());
  auto ok = FileEventFromJson(R"({"topic":"a","database":"d","table":"t","key":"k","future_field":1})");
  EXPECT_TRUE(ok.ok());
}

}  // namespace
}  // namespace floe::catalog
