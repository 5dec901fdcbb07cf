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
  // e.g. {{"dt","2024-05-01"},{"hour","12"}}; values as the data had them (the key has them Hive-escaped)
  std::vector<std::pair<std::string, std::string>> partition_values;
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
  // Called after the file is visible and before its offsets are committed. The archiver publishes several
  // partitions at once (store.publish.concurrency), so this may run on any of its publishing threads — one
  // call at a time, under the archiver's lock: an implementation needs no lock of its own, but must not
  // depend on the calling thread, and a slow one (e.g. waiting for a Kafka acknowledgement) holds back every
  // partition's publication.
  virtual void OnFileCommitted(const FileCommittedEvent& event) = 0;
  // The archiver read (topic, partition) to its end and every record of it so far is in a visible file:
  // the partition holds back no hour of (database, table) until its next file (the catalog's completeness).
  // Called once per catch-up, from the archiver's poll thread under the same lock as OnFileCommitted, after
  // the partition's last file's OnFileCommitted. Default: ignored.
  virtual void OnPartitionCaughtUp(const std::string& topic, int32_t partition, const std::string& database,
                                   const std::string& table) {
    (void)topic, (void)partition, (void)database, (void)table;
  }
};

}  // namespace floe::archive
