// PartitionWriter: everything the archiver holds for one Kafka partition — its open files (one per output
// partition path, so late events open a file in their own hour without closing the current one), rotation,
// sealing and upload, and the offset that is safe to commit.
//
// Offset safety: the committable offset is the first offset of the oldest file not yet durable in the
// store; with no file open, one past the last record handled. Records before it are in visible files or
// were deliberately skipped (tombstones), so committing it never loses a record.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/file_events.h"
#include "archive/record.h"
#include "common/clock.h"
#include "storage/object_store.h"

namespace floe::archive {

struct RotationPolicy {
  uint64_t flush_size = 100'000;          // records per file
  int64_t rotate_schedule_interval_ms = 0;  // wall-clock, UTC-aligned; 0 = off
};

// Everything a PartitionWriter needs from its connector; outlives the writers.
struct PartitionWriterContext {
  std::string topic;
  std::string database;  // names the catalog uses; the table's directory is "<database>/<table>"
  std::string table;
  RotationPolicy rotation;
  FileFormat* format = nullptr;
  storage::ObjectStore* store = nullptr;
  std::string spool_dir;
  const Clock* clock = nullptr;
  FileEventListener* listener = nullptr;  // may be null
};

class PartitionWriter {
 public:
  PartitionWriter(const PartitionWriterContext& context, int32_t partition);
  ~PartitionWriter();

  // Writes one decoded record into the file of its output partition path ("v=3/dt=2024-05-01/hour=12",
  // each segment name=value, chosen by the connector's TableLayout), opening and rotating files as needed.
  Status Write(const RecordContext& record, const DecodedRecord& decoded, std::string_view partition_path);
  // Records that the offset was handled without writing (tombstone skipped by policy).
  void MarkSkipped(int64_t offset);

  // Seals files whose wall-clock rotation is due. Returns the first failure; other files still progress.
  Status SealDue();
  // Seals every open file and retries pending uploads (shutdown, revocation, idle exit).
  Status SealAll();
  // Retries uploads that failed earlier.
  Status RetryPendingUploads();

  // Next offset that may be committed, or nullopt when nothing was handled yet.
  std::optional<int64_t> committable_offset() const;
  bool has_pending_uploads() const { return !pending_.empty(); }
  size_t open_files() const { return open_.size(); }

 private:
  struct OpenFile;
  struct SealedFile;

  Result<OpenFile*> FileFor(const RecordContext& record, const DecodedRecord& decoded,
                            std::string_view partition_path);
  Status Seal(const std::string& partition_path);
  Status Upload(SealedFile& file);

  const PartitionWriterContext& ctx_;
  int32_t partition_;
  std::map<std::string, std::unique_ptr<OpenFile>> open_;  // by partition path
  std::vector<std::unique_ptr<SealedFile>> pending_;        // sealed locally, upload failed: retried
  std::optional<int64_t> last_handled_;
  uint64_t spool_seq_ = 0;
};

}  // namespace floe::archive
