#include "registry/schema_compatibility.h"

#include <algorithm>
#include <cctype>

namespace floe::registry {

std::optional<std::string_view> ParseCompatibilityLevel(std::string_view level) {
  for (std::string_view known : kCompatibilityLevels) {
    if (known.size() == level.size() &&
        std::equal(known.begin(), known.end(), level.begin(), [](char a, char b) {
          return a == std::toupper(static_cast<unsigned char>(b));
        })) {
      return known;
    }
  }
  return std::nullopt;
}

}  // namespace floe::registry
