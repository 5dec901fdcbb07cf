// The settings table: every floe setting is defined here once (key, type, default, range, meaning), and
// everything else derives from it — YAML validation, `floe config check`, docs/CONFIGURATION.md.
//
// Keys follow Kafka Connect's S3 sink where the meaning is the same (flush.size, rotate.interval.ms,
// rotate.schedule.interval.ms, errors.tolerance, behavior.on.null.values, ...), so its users feel at home.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace floe::config {

enum class SettingType { kString, kInt, kBool, kList, kEnum };

// Where a setting may appear: once per worker process, or per connector (in `defaults:` or a connector).
enum class SettingScope { kWorker, kConnector };

struct SettingDef {
  std::string_view key;
  SettingType type;
  SettingScope scope;
  std::string_view default_value;  // as it would be written in YAML; lists comma-separated; "" = none
  std::string_view doc;
  std::optional<int64_t> min = std::nullopt;  // kInt only
  std::optional<int64_t> max = std::nullopt;
  std::vector<std::string_view> allowed = {};  // kEnum only
  std::string_view importance = "medium";      // high | medium | low, as Connect's docs rank them
};

std::span<const SettingDef> AllSettings();
// The catalog's part of the table (settings_catalog.cc), merged into AllSettings().
const std::vector<SettingDef>& CatalogSettings();
const SettingDef* FindSetting(std::string_view key);

// Markdown for docs/CONFIGURATION.md.
std::string RenderConfigurationMarkdown();

}  // namespace floe::config
