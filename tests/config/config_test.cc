#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "config/settings.h"

namespace floe::config {
namespace {

constexpr const char* kMinimal = R"(
kafka: { bootstrap.servers: "127.0.0.1:9092", group.id: floe }
store.url: file:///var/lib/floe/lake
topics: [ads, payments]
timestamp.fields: [occurred_at, created_at, timestamp]
)";

TEST(ConfigTest, TheFoundationShapeLoadsAsOneImplicitConnector) {
  auto c = ParseConfig(kMinimal);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kafka.at("bootstrap.servers"), "127.0.0.1:9092");
  EXPECT_EQ(c->worker.GetString("store.url"), "file:///var/lib/floe/lake");
  ASSERT_EQ(c->connectors.size(), 1u);
  EXPECT_EQ(c->connectors[0].name, "default");
  EXPECT_EQ(c->connectors[0].values.GetList("topics"), (std::vector<std::string>{"ads", "payments"}));
  EXPECT_EQ(c->connectors[0].values.GetList("timestamp.fields").size(), 3u);
  EXPECT_EQ(c->connectors[0].values.GetInt("flush.size"), 100000);  // the table's default
}

TEST(ConfigTest, NestedKeysFlattenAndKafkaPassesThrough) {
  auto c = ParseConfig(R"(
kafka:
  bootstrap.servers: "b:1"
  security: { protocol: SASL_SSL }
store: { url: "s3://bucket/lake" }
s3: { endpoint: "http://127.0.0.1:9000", path.style: true }
topics: ads
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kafka.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c->kafka.at("group.id"), "floe");
  EXPECT_EQ(c->worker.GetString("store.url"), "s3://bucket/lake");
  EXPECT_TRUE(c->worker.GetBool("s3.path.style"));
}

TEST(ConfigTest, ConnectorsOverrideDefaultsWhichOverrideTheTopLevel) {
  auto c = ParseConfig(R"(
kafka: { bootstrap.servers: "b:1" }
flush.size: 10
defaults: { flush.size: 20, rotate.schedule.interval.ms: 0 }
connectors:
  - { name: a, topics: [a] }
  - { name: b, topics.regex: "clicks\\..*", flush.size: 30 }
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->connectors.size(), 2u);
  EXPECT_EQ(c->connectors[0].values.GetInt("flush.size"), 20);
  EXPECT_EQ(c->connectors[0].values.GetInt("rotate.schedule.interval.ms"), 0);
  EXPECT_EQ(c->connectors[1].values.GetInt("flush.size"), 30);
  EXPECT_EQ(c->connectors[1].values.GetString("topics.regex"), "clicks\\..*");
}

struct BadCase {
  const char* yaml;
  ConfigError code;
  const char* mentions;
};

TEST(ConfigTest, BadConfigurationsNameTheSetting) {
  const BadCase cases[] = {
      {"kafka: {bootstrap.servers: b}\ntopics: [a]\nflush.sise: 3\n", ConfigError::kUnknownKey, "did you mean 'flush.size'"},
      {"kafka: {bootstrap.servers: b}\ntopics: [a]\nflush.size: many\n", ConfigError::kBadValue, "flush.size"},
      {"kafka: {bootstrap.servers: b}\ntopics: [a]\nflush.size: 0\n", ConfigError::kBadValue, "out of range"},
      {"kafka: {bootstrap.servers: b}\ntopics: [a]\ntimestamp.unit: weeks\n", ConfigError::kBadValue, "not one of"},
      {"kafka: {bootstrap.servers: b}\n", ConfigError::kMissing, "topics"},
      {"kafka: {bootstrap.servers: b}\ntopics: [a]\ntopics.regex: x\n", ConfigError::kConflict, "either"},
      {"kafka: {bootstrap.servers: b}\ntopics.regex: \"(\"\n", ConfigError::kBadValue, "invalid topics.regex"},
      {"topics: [a]\n", ConfigError::kMissing, "bootstrap.servers"},
      {"kafka: {bootstrap.servers: b}\nconnectors:\n  - {topics: [a]}\n", ConfigError::kMissing, "name"},
      {"kafka: {bootstrap.servers: b}\nconnectors:\n  - {name: x, topics: [a], store.url: \"file:///x\"}\n",
       ConfigError::kBadValue, "worker setting"},
      {"kafka: [1, 2]\n", ConfigError::kBadValue, "kafka"},
      {"topics: [a\n", ConfigError::kParse, "invalid YAML"},
  };
  for (const auto& bad : cases) {
    auto c = ParseConfig(bad.yaml);
    ASSERT_FALSE(c.ok()) << bad.yaml;
    EXPECT_TRUE(c.status().Is(bad.code)) << bad.yaml << " → " << c.status().ToString();
    EXPECT_NE(c.status().message().find(bad.mentions), std::string::npos) << c.status().ToString();
  }
}

TEST(ConfigTest, EffectiveConfigShowsDefaultsAndHidesSecrets) {
  auto c = ParseConfig(std::string(kMinimal) + "s3.secret.access.key: hunter2\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const std::string out = RenderEffectiveConfig(*c);
  EXPECT_NE(out.find("flush.size: 100000  # default"), std::string::npos) << out;
  EXPECT_NE(out.find("topics: [ads, payments]"), std::string::npos) << out;
  EXPECT_EQ(out.find("hunter2"), std::string::npos);
  // The effective config is itself a valid configuration with the same meaning.
  auto again = ParseConfig(out);
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << out;
  EXPECT_EQ(again->connectors[0].values.GetList("topics"), c->connectors[0].values.GetList("topics"));
}

TEST(ConfigTest, EverySettingIsDocumentedAndItsDefaultIsValid) {
  for (const auto& def : AllSettings()) {
    EXPECT_FALSE(def.doc.empty()) << def.key;
    if (def.default_value.empty()) continue;
    SettingValues v;
    EXPECT_TRUE(v.Set(def.key, std::string(def.default_value), def.scope).ok()) << def.key;
  }
}

TEST(ConfigTest, ConfigurationMarkdownIsUpToDate) {
  const char* src = std::getenv("FLOE_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::ifstream in(std::string(src) + "/docs/CONFIGURATION.md");
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), RenderConfigurationMarkdown())
      << "docs/CONFIGURATION.md is stale: run `make docs` (or `floe config docs > docs/CONFIGURATION.md`)";
}

}  // namespace
}  // namespace floe::config
