// FileCommittedEvent: what the archiver announces each time a file becomes durable and visible in the lake.
// The catalog consumes these (in-process, or from a Kafka topic) instead of listing the store.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace floe::archive {

struct FileCommittedEvent {
  std::string topic;
  int32_t partition = 0;
  std::string database;        // the table's directory under the lake root is "<database>/<table>"
  std::string table;
  std::string schema_version;  // "" when the input has no schema versions
  std::vector<std::pair<std::string, std::string>> partition_values;  // e.g. {{"dt","2024-05-01"},{"hour","12"}}
  std::string key;             // object key under the store's root
  std::string format;          // "jsonl", "parquet", ...
  uint64_t records = 0;
  uint64_t bytes = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t min_business_time_micros = 0;
  int64_t max_business_time_micros = 0;
};

class FileEventListener {
 public:
  virtual ~FileEventListener() = default;
  // Called on the archiver's thread after the file is visible and before its offsets are committed.
  virtual void OnFileCommitted(const FileCommittedEvent& event) = 0;
};

}  // namespace floe::archive
