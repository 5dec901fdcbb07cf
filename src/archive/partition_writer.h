// PartitionWriter: everything the archiver holds for one Kafka partition — its open files (one per output
// partition path, so late events open a file in their own hour without closing the current one), rotation,
// sealing, the exactly-once commit protocol of docs/EXACTLY_ONCE.md, and the offset that is safe to commit.
//
// Exactly once: before a file's PUT, the file (path, key, first and last offset) is listed in the partition's
// state object for this writer's epoch (archive/partition_state.h) and the writer checks it has not been
// fenced by a newer owner. The writer claims a new epoch and reads the previous owner's list back (ClaimAhead
// at assignment, else on its first record); on its first record it plans the replay from that list: a record
// of a path whose offset lies in a listed file of the same path is either skipped (the file is visible) or
// written again into a file with exactly the listed boundaries and key (the file is not visible: its PUT
// never happened, or is still in flight from a zombie — both produce the same object). So a
// replay after a crash, a rebalance or a restart never puts a record into a second file.
//
// Offset safety: the committable offset is the first offset of the oldest file not yet visible in the store
// (or of a file that could not be finished, for the writer's lifetime); with no file open, one past the last
// record handled. Records before it are in visible files or were
// deliberately skipped (tombstones, rejections), so committing it never loses a record.
//
// Rotation (RotationPolicy): a file is sealed when it holds flush_size records or file_max_bytes bytes, when a
// record's business time is rotate_interval_ms past the file's first record (that record opens the next
// file), at every UTC-aligned multiple of rotate_schedule_interval_ms of wall-clock time (SealDue, without
// new records), and the least recently written file is sealed when opening one more would exceed
// max_open_files. Files re-created by recovery keep their listed boundaries and are exempt from rotation.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/file_events.h"
#include "archive/partition_state.h"
#include "archive/record.h"
#include "common/clock.h"
#include "storage/object_store.h"

namespace floe::archive {

struct RotationPolicy {
  uint64_t flush_size = 100'000;            // records per file
  uint64_t file_max_bytes = 0;              // encoded bytes per file; 0 = no limit
  int64_t rotate_interval_ms = 0;           // business-time span of a file; 0 = off
  int64_t rotate_schedule_interval_ms = 0;  // wall-clock, UTC-aligned; 0 = off
  size_t max_open_files = 0;                // per Kafka partition; 0 = no limit
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

struct PartitionWriterStats {
  uint64_t replayed_skipped = 0;  // records skipped because a visible file already holds them
  uint64_t replayed_redone = 0;   // records written again into a listed file that was not visible
  uint64_t files_published = 0;
  uint64_t epoch = 0;
};

class PartitionWriter {
 public:
  PartitionWriter(const PartitionWriterContext& context, int32_t partition);
  ~PartitionWriter();

  // Claims the partition now instead of on the first record: the claim's store requests (list, claim PUT,
  // GET of the previous state, orphan multipart uploads) do not depend on where consumption resumes, so an
  // archiver claims every newly assigned partition at once rather than one per first record. It may run on
  // another thread than the writer's, concurrently with other writers' ClaimAhead, and must return before
  // the writer's first Write (the caller joins it within the assignment callback, so a claim never outlives
  // the assignment it was made for). A failed claim is only logged (the first Write claims again); returns
  // whether the partition is claimed.
  bool ClaimAhead();
  // For a writer about to be dropped (revocation, loss, restart, shutdown) that got no record since ClaimAhead:
  // deletes that claim's object, so a partition that stays idle does not gain one per assignment. The object
  // lists nothing and nothing was published under its epoch, so this is as if the claim had never been made
  // (an older owner's state stays, for the next claim to read). Failures are only logged: the object is then
  // what a crash would leave, skipped by the next claim and deleted once a later epoch is complete. Same
  // thread rules as ClaimAhead.
  void DropUnusedClaim();
  // Writes one decoded record into the file of its output partition path ("v=3/dt=2024-05-01/hour=12",
  // each segment name=value, chosen by the connector's TableLayout), opening and rotating files as needed.
  // The first call claims the partition (store requests) unless ClaimAhead did. Returns an error only when the record was NOT
  // taken (claim failed: retryable; spool or format error), so the caller may deliver it again. When the
  // format refuses for memory (ParquetError::kMemoryPressure), the least recently written file is sealed
  // (giving its memory back) and the record tried once more; a second refusal is returned as it is
  // (retryable: the caller pauses the partition and delivers the record again later). Files Write seals
  // are only queued: the next RetryPendingUploads, SealDue or SealAll publishes all of a partition's pending
  // files with one state write and one fence check. A file that cannot be published stays pending; that is
  // never an error of Write. Records of a fenced writer are ignored (see fenced()).
  //
  // A record decoded in place (DecodedRecord::in_place, into InPlaceBatch()) is taken there when it goes to
  // the file that offered the batch and nothing seals that file first; otherwise it is moved to the
  // decoder's own batch and written as any other (or dropped, when a fenced writer ignores it). Either way
  // `decoded` is no longer in place afterwards.
  Status Write(const RecordContext& record, DecodedRecord& decoded, std::string_view partition_path);
  // The batch of the file this partition last wrote to, for the next record to be decoded into
  // (RecordContext::append_to), or null when the format has none or the writer is replaying, recovering or
  // fenced. Valid until the next call on this writer.
  columnar::ColumnarBatch* InPlaceBatch();
  // Records that the offset was handled without writing (tombstone skipped by policy, dead-lettered).
  void MarkSkipped(int64_t offset);

  // Seals files whose wall-clock rotation is due and, with `publish`, publishes everything pending. Returns the
  // first failure.
  Status SealDue(bool publish = true);
  // Seals every open file (except re-created files still missing records) and, with `publish`, publishes
  // everything pending (shutdown, revocation, idle exit). Without it the sealed files wait for the caller's
  // RetryPendingUploads.
  Status SealAll(bool publish = true);
  // Lets the files SealAll would seal start finishing in the background (FileFormatWriter::PrepareFinish),
  // so that a caller sealing many partitions overlaps their work. Call right before SealAll.
  void PrepareSealAll();
  // Publishes every sealed file not yet visible: those Write sealed since the last round and those that
  // failed to publish before. The caller's housekeeping calls it every round (poll.timeout.ms), so one state
  // write and one fence check cover all the files a partition sealed in that time.
  //
  // Threads: a writer is used by one thread at a time, but the RetryPendingUploads of *different* writers may
  // run concurrently — publishing touches only the writer itself, the store (thread-safe by contract) and the
  // context's listener, which must then be thread-safe — so store latency is paid once per round rather than
  // once per partition. Everything else (Write, Seal*, the format's files) stays on one thread.
  Status RetryPendingUploads();
  // The archiver committed `next_offset` to Kafka: listed files wholly before it are dropped from the state.
  void OnCommitted(int64_t next_offset);

  // Next offset that may be committed, or nullopt when nothing was handled yet (or the writer is fenced).
  std::optional<int64_t> committable_offset() const;
  bool has_pending_uploads() const { return !pending_.empty(); }
  size_t open_files() const { return open_.size(); }
  // Local disk the writer holds: open files' encoded bytes so far plus sealed files not yet visible.
  uint64_t spool_bytes() const;
  // Another owner claimed this partition: the writer publishes nothing more and its partition should be
  // paused until Kafka revokes it.
  bool fenced() const { return fenced_; }
  const PartitionWriterStats& stats() const { return stats_; }
  const PartitionWriterContext& context() const { return ctx_; }
  // The archiver's note that it announced this partition caught up (FileEventListener::OnPartitionCaughtUp)
  // and has seen no record of it since.
  bool caught_up_announced() const { return caught_up_announced_; }
  void set_caught_up_announced(bool announced) { caught_up_announced_ = announced; }

 private:
  struct OpenFile;
  struct SealedFile;
  struct Planned {  // a listed file of an earlier epoch still relevant to the replay
    StateFile file;
    bool visible = false;
  };

  // Claim, then the multipart uploads a killed owner of this partition left.
  Result<Claim> ClaimAndAbortOrphans();
  Status Recover(int64_t start_offset);
  Result<OpenFile*> Open(const RecordContext& record, const DecodedRecord& decoded, std::string_view path,
                         const Planned* replay);
  // Finishes the file and queues it for publishing. A format that refuses for memory (retryable
  // ParquetError::kMemoryPressure) keeps the file open and the error is returned.
  Status Seal(std::string_view partition_path);
  // The open file written longest ago, re-created files excepted (they keep their listed boundaries).
  OpenFile* LeastRecentlyWritten() const;
  // rotate.interval.ms: a record at `micros` does not fit in the file's business-time span.
  bool RotationDue(const OpenFile& file, int64_t micros) const;
  Status Publish();
  Status Upload(SealedFile& file);
  Status WriteState();

  const PartitionWriterContext& ctx_;
  bool caught_up_announced_ = false;
  int32_t partition_;
  std::map<std::string, std::unique_ptr<OpenFile>, std::less<>> open_;  // by partition path
  std::vector<std::unique_ptr<SealedFile>> pending_;        // sealed locally, not yet visible
  std::optional<int64_t> last_handled_;
  // First offset of the oldest file that could not be finished (its records are in no file): commits stop
  // there for as long as this writer lives.
  std::optional<int64_t> held_from_;
  uint64_t spool_seq_ = 0;
  uint64_t write_seq_ = 0;
  // The file last written to, whose batch InPlaceBatch offers; cleared when that file is sealed.
  OpenFile* last_file_ = nullptr;

  // Commit protocol.
  bool recovered_ = false;
  bool fenced_ = false;
  std::optional<Claim> claimed_ahead_;  // by ClaimAhead, taken by Recover
  std::optional<int64_t> first_seen_;
  uint64_t epoch_ = 0;
  std::vector<StateFile> listed_;                       // what this epoch's state object lists
  std::map<std::string, std::deque<Planned>, std::less<>> plan_;  // by path, ascending first offset
  std::vector<std::string> stale_state_keys_;           // deleted once this epoch's state is written
  PartitionWriterStats stats_;
};

}  // namespace floe::archive
