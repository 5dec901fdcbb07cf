// Partition completeness: when an hour of a topic's table can be considered final.
//
// Hour H is complete when every Kafka partition of the topic seen so far has moved past H+1 plus `grace`
// (its highest business time committed is at least H + 1h + grace), or is idle (no file for `idle` of wall
// time, or declared caught up with MarkIdle). A file arriving later for a complete hour makes it dirty (late
// data). Only partitions that have produced a file are known: a Kafka partition that never produced one does
// not hold hours back.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace floe::catalog {

class CompletenessTracker {
 public:
  CompletenessTracker(int64_t grace_micros, int64_t idle_micros) : grace_(grace_micros), idle_(idle_micros) {}

  // A file of (topic, partition) for `table` whose records reach max_business_time; now is monotonic micros.
  // Tracking is per table (a table may be fed by several topics: all their partitions count).
  void OnFile(const std::string& table, const std::string& topic, int32_t partition, int64_t max_business_time,
              int64_t now);
  // The partition is caught up (at its high watermark): it holds no hour back until its next file.
  void MarkIdle(const std::string& table, const std::string& topic, int32_t partition);

  // Hours that start before this are complete for the table (max int64 when every partition is idle,
  // nullopt when no file of the table was seen).
  std::optional<int64_t> Frontier(const std::string& table, int64_t now) const;

 private:
  struct Progress {
    int64_t watermark = std::numeric_limits<int64_t>::min();
    int64_t last_file = 0;
    bool idle = false;
  };
  int64_t grace_;
  int64_t idle_;
  std::map<std::pair<std::string, std::string>, Progress> progress_;  // (table, topic+partition)
};

// Start (epoch micros) of the hour a partition's values name (`dt=YYYY-MM-DD` and `hour=HH`), or nullopt.
std::optional<int64_t> HourStartOf(const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace floe::catalog
