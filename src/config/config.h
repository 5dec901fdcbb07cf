// Loading and validating floe's YAML configuration against the settings table (settings.h).
//
// File shape:
//   kafka: { bootstrap.servers: "...", group.id: floe }   # passed through to librdkafka
//   store.url: file:///var/lib/floe/lake                    # worker settings
//   topics: [ads, payments]                                 # connector settings at top level = an implicit
//   timestamp.fields: [occurred_at]                         #   connector named "default"
//   defaults: { flush.size: 50000 }                         # connector defaults
//   connectors:                                             # explicit connectors, each overriding defaults
//     - { name: clicks, topics.regex: "clicks\\..*", flush.size: 1000000 }
// Nested maps are flattened with dots (`store: {url: x}` is `store.url: x`), except under `kafka:` whose
// keys are librdkafka's own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/settings.h"

namespace floe::config {

enum class ConfigError { kParse, kUnknownKey, kBadValue, kMissing, kConflict };

// Validated values of one scope. Getters return the value set, or the table's default; the key must be in
// the table with the matching type (a programming error otherwise).
class SettingValues {
 public:
  std::string GetString(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  std::vector<std::string> GetList(std::string_view key) const;
  bool IsSet(std::string_view key) const { return values_.count(std::string(key)) > 0; }

  // Sets a raw value after validating it against the table. Lists are stored comma-joined.
  Status Set(std::string_view key, const std::string& raw, SettingScope expected_scope);
  const std::map<std::string, std::string>& raw() const { return values_; }

 private:
  std::string RawOrDefault(std::string_view key, SettingType type) const;
  std::map<std::string, std::string> values_;
};

struct ConnectorConfig {
  std::string name;
  SettingValues values;
};

struct Config {
  std::map<std::string, std::string> kafka;  // librdkafka properties
  SettingValues worker;
  std::vector<ConnectorConfig> connectors;
};

Result<Config> LoadConfigFile(const std::string& path);
Result<Config> ParseConfig(const std::string& yaml_text);

// The effective configuration (every setting with its value or default) as YAML, for `floe config check`.
std::string RenderEffectiveConfig(const Config& config);

}  // namespace floe::config

template <>
struct floe::ErrorTraits<floe::config::ConfigError> {
  static std::string_view Domain() { return "config"; }
  static std::string_view Name(floe::config::ConfigError e);
  static bool DefaultRetryable(floe::config::ConfigError) { return false; }
};
