#include "avro/compatibility.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "avro/resolution.h"

namespace floe::avro {

namespace {
constexpr std::array<std::pair<std::string_view, CompatibilityLevel>, 7> kLevels = {{
    {"NONE", CompatibilityLevel::kNone},
    {"BACKWARD", CompatibilityLevel::kBackward},
    {"FORWARD", CompatibilityLevel::kForward},
    {"FULL", CompatibilityLevel::kFull},
    {"BACKWARD_TRANSITIVE", CompatibilityLevel::kBackwardTransitive},
    {"FORWARD_TRANSITIVE", CompatibilityLevel::kForwardTransitive},
    {"FULL_TRANSITIVE", CompatibilityLevel::kFullTransitive},
}};
}  // namespace

std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const auto& [name, level] : kLevels)
    if (name == upper) return level;
  return std::nullopt;
}

std::string_view CompatibilityLevelName(CompatibilityLevel level) {
  for (const auto& [name, l] : kLevels)
    if (l == level) return name;
  return "NONE";
}

CompatibilityResult CheckCompatibility(const Schema& candidate, const std::vector<Schema>& existing_oldest_first,
                                       CompatibilityLevel level) {
  CompatibilityResult result;
  if (level == CompatibilityLevel::kNone || existing_oldest_first.empty()) return result;
  const bool transitive = level == CompatibilityLevel::kBackwardTransitive ||
                          level == CompatibilityLevel::kForwardTransitive ||
                          level == CompatibilityLevel::kFullTransitive;
  const bool backward = level != CompatibilityLevel::kForward && level != CompatibilityLevel::kForwardTransitive;
  const bool forward = level != CompatibilityLevel::kBackward && level != CompatibilityLevel::kBackwardTransitive;
  const size_t first = transitive ? 0 : existing_oldest_first.size() - 1;
  for (size_t i = first; i < existing_oldest_first.size(); ++i) {
    const Schema& old = existing_oldest_first[i];
    const std::string version = "version " + std::to_string(i + 1);
    if (backward) {
      for (auto& m : ReadabilityProblems(old.root(), candidate.root()))
        result.messages.push_back(version + ", new schema reading old data: " + m);
    }
    if (forward) {
      for (auto& m : ReadabilityProblems(candidate.root(), old.root()))
        result.messages.push_back(version + ", old schema reading new data: " + m);
    }
  }
  result.compatible = result.messages.empty();
  return result;
}

}  // namespace floe::avro
