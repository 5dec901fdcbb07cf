#include "archive/layout.h"

#include <gtest/gtest.h>

namespace floe::archive {
namespace {

constexpr int64_t kHourMicros = 3'600'000'000;
constexpr int64_t kNoon = 1714564800LL * 1'000'000;  // 2024-05-01T12:00:00Z

TableLayout Make(TableLayoutOptions o) {
  auto layout = TableLayout::Create(o);
  EXPECT_TRUE(layout.ok()) << layout.status().ToString();
  return std::move(layout).value();
}

TEST(TableLayoutTest, DefaultPathIsVersionDateHourInUtc) {
  const TableLayout layout = Make({});
  EXPECT_EQ(layout.PartitionPath(kNoon + 59 * 60'000'000LL, "3", {}), "v=3/dt=2024-05-01/hour=12");
  EXPECT_EQ(layout.PartitionPath(0, "1", {}), "v=1/dt=1970-01-01/hour=00");
  EXPECT_EQ(layout.PartitionPath(-1, "1", {}), "v=1/dt=1969-12-31/hour=23");
  // Inputs without schema versions leave the version segment out rather than writing "v=".
  EXPECT_EQ(layout.PartitionPath(kNoon - 5 * kHourMicros, "", {}), "dt=2024-05-01/hour=07");
  EXPECT_EQ(layout.partition_keys(), (std::vector<std::string>{"v", "dt", "hour"}));
}

TEST(TableLayoutTest, FieldPlaceholdersAreHiveEscapedAndDefaulted) {
  const TableLayout layout = Make({.path_format = "country={field:geo.country}/y={year}/m={month}/d={day}/min={minute}"});
  ASSERT_EQ(layout.fields(), (std::vector<std::string>{"geo.country"}));
  std::vector<std::optional<std::string>> values{std::string("a/b=c%")};
  EXPECT_EQ(layout.PartitionPath(kNoon + 7 * 60'000'000LL, "", values), "country=a%2Fb%3Dc%25/y=2024/m=05/d=01/min=07");
  // HiveUnescape is its inverse, for every byte; a stray % stays as it is.
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  EXPECT_EQ(HiveUnescape(HiveEscape(every_byte)), every_byte);
  EXPECT_EQ(HiveUnescape("a%2Fb%3Dc%25"), "a/b=c%");
  EXPECT_EQ(HiveUnescape("50%"), "50%");
  EXPECT_EQ(HiveUnescape("%zz%4"), "%zz%4");
  using Values = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(ParsePartitionPath("v=2/country=a%2Fb%3Dc%25/min=07"),
            (Values{{"v", "2"}, {"country", "a/b=c%"}, {"min", "07"}}));
  EXPECT_EQ(ParsePartitionPath(""), Values{});
  for (const char* bad : {"dt", "=x", "dt=1/hour", "dt=1//hour=2"}) EXPECT_FALSE(ParsePartitionPath(bad)) << bad;
  values[0].reset();
  EXPECT_EQ(layout.PartitionPath(kNoon, "", values), "country=__HIVE_DEFAULT_PARTITION__/y=2024/m=05/d=01/min=00");
  values[0] = "";
  EXPECT_EQ(layout.PartitionPath(kNoon, "", values), "country=__HIVE_DEFAULT_PARTITION__/y=2024/m=05/d=01/min=00");
}

TEST(TableLayoutTest, BadPathFormatsAreRejectedNamingTheProblem) {
  for (const char* bad : {"", "dt", "dt={date}/", "={date}", "dt={nope}", "dt={date", "dt=}x", "dt={date}/dt={hour}",
                          "{date}=x", "dt="}) {
    auto layout = TableLayout::Create({.path_format = bad});
    EXPECT_FALSE(layout.ok()) << bad;
    if (!layout.ok()) EXPECT_NE(layout.status().message().find("path.format"), std::string::npos) << bad;
  }
}

TEST(TableLayoutTest, NamesDeriveDeterministicallyFromTheTopic) {
  const TableLayout plain = Make({});
  EXPECT_EQ(plain.DatabaseFor("prod.Ads-Events.v1", "c"), "default");
  EXPECT_EQ(plain.TableFor("prod.Ads-Events.v1", "c"), "prod_ads_events_v1");

  const TableLayout split = Make({.database_format = "{topic[0]}", .table_format = "{topic[1]}_{topic[-1]}"});
  EXPECT_EQ(split.DatabaseFor("prod.ads.v1", "c"), "prod");
  EXPECT_EQ(split.TableFor("prod.ads.v1", "c"), "ads_v1");
  EXPECT_EQ(split.TableFor("single", "c"), "_single");  // a missing segment expands to nothing

  const TableLayout by_connector = Make({.database_format = "{connector}"});
  EXPECT_EQ(by_connector.DatabaseFor("ads", "Marketing"), "marketing");

  EXPECT_FALSE(TableLayout::Create({.table_format = "{topik}"}).ok());
  EXPECT_FALSE(TableLayout::Create({.table_format = "{topic[x]}"}).ok());
  EXPECT_FALSE(TableLayout::Create({.database_format = ""}).ok());
}

TEST(TableLayoutTest, HiveEscapeMatchesHive) {
  EXPECT_EQ(HiveEscape("plain value-1.2_x"), "plain value-1.2_x");
  EXPECT_EQ(HiveEscape("a:b#c?d*e'f\"g\\h{i[j]k^l\x7f\x01"), "a%3Ab%23c%3Fd%2Ae%27f%22g%5Ch%7Bi%5Bj%5Dk%5El%7F%01");
  EXPECT_EQ(HiveEscape("日本"), "日本");
}

}  // namespace
}  // namespace floe::archive
