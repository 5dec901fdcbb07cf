#include "catalog/completeness.h"

#include <charconv>

#include "common/time_util.h"

namespace floe::catalog {
namespace {
constexpr int64_t kHour = 3'600'000'000;

bool Digits(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

static std::string Member(const std::string& topic, int32_t partition) {
  return topic + "+" + std::to_string(partition);
}

void CompletenessTracker::OnFile(const std::string& table, const std::string& topic, int32_t partition,
                                 int64_t max_business_time, int64_t now) {
  Progress& p = progress_[{table, Member(topic, partition)}];
  p.watermark = std::max(p.watermark, max_business_time);
  p.last_file = now;
  p.idle = false;
}

void CompletenessTracker::MarkIdle(const std::string& table, const std::string& topic, int32_t partition) {
  auto it = progress_.find({table, Member(topic, partition)});
  if (it != progress_.end()) it->second.idle = true;
}

std::optional<int64_t> CompletenessTracker::Frontier(const std::string& table, int64_t now) const {
  std::optional<int64_t> frontier;
  for (auto it = progress_.lower_bound({table, ""}); it != progress_.end() && it->first.first == table; ++it) {
    const Progress& p = it->second;
    int64_t f = std::numeric_limits<int64_t>::max();
    if (!p.idle && now - p.last_file < idle_) {
      // Hours ending at or before watermark - grace are done: their start is before watermark - grace - 1h.
      f = p.watermark - grace_ - kHour + 1;
    }
    frontier = frontier ? std::min(*frontier, f) : f;
  }
  return frontier;
}

std::optional<int64_t> HourStartOf(const std::vector<std::pair<std::string, std::string>>& values) {
  std::string dt, hour;
  for (const auto& [k, v] : values) {
    if (k == "dt") dt = v;
    if (k == "hour") hour = v;
  }
  int y, m, d, h;
  if (dt.size() != 10 || dt[4] != '-' || dt[7] != '-' || !Digits(dt.substr(0, 4), y) ||
      !Digits(dt.substr(5, 2), m) || !Digits(dt.substr(8, 2), d) || !Digits(hour, h) || h < 0 || h > 23) {
    return std::nullopt;
  }
  return (DaysFromCivil(y, m, d) * 24 + h) * kHour;
}

}  // namespace floe::catalog
