// Archiver: `floe run`. One consumer-group member that routes every record of its connectors' topics through
// decode → business time → partition writer → durable file → offset commit.
//
// Topics are isolated: a record a connector cannot handle (e.g. a value that is not JSON) stops that topic's
// pipeline only — its partitions are paused and nothing at or past the bad record is committed — while the
// connector's other topics and the other connectors keep running. The failure names topic, partition and
// offset; the topic restarts itself with backoff.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "archive/dead_letter.h"
#include "archive/file_events.h"
#include "json/schema_history.h"
#include "archive/json_format.h"
#include "archive/field_transforms.h"
#include "archive/layout.h"
#include "archive/partition_writer.h"
#include "common/clock.h"
#include "common/status.h"
#include "common/worker_threads.h"
#include "config/config.h"
#include "kafka/consumer.h"
#include "parquet/memory_budget.h"
#include "registry/registry_client.h"

namespace floe::archive {

// Counters of one topic (a connector's are the sum of its topics'); lateness is how far behind the newest
// business time seen on the same Kafka partition a record arrived (0 for in-order records), bucketed by upper
// bound.
struct ArchiveStats {
  static constexpr int64_t kLatenessBucketsSeconds[] = {60, 600, 3600, 6 * 3600, 24 * 3600, 7 * 24 * 3600};
  uint64_t records_written = 0;
  uint64_t tombstones_skipped = 0;
  uint64_t tombstones_written = 0;
  uint64_t time_fallbacks = 0;  // records placed by Kafka time because no candidate field was usable
  uint64_t dead_lettered = 0;   // sent to the dead-letter topic
  uint64_t errors_skipped = 0;  // tolerated under errors.tolerance: all without a dead-letter topic
  uint64_t retries = 0;         // transient failures retried
  uint64_t restarts = 0;        // automatic restarts after a failure
  uint64_t files_committed = 0;
  uint64_t bytes_committed = 0;
  uint64_t lateness[std::size(kLatenessBucketsSeconds) + 1] = {};  // last bucket: later than the largest bound

  ArchiveStats& operator+=(const ArchiveStats& other);
};

// running: taking records. paused: some of its partitions wait for room (the Parquet memory budget or
// spool.max.bytes), nothing is wrong. retrying: a transient failure (registry or store down, ...) holds some
// of its partitions. failed: stopped on a record it cannot archive, restarting with backoff.
enum class ConnectorState { kRunning, kPaused, kRetrying, kFailed };
std::string_view ToString(ConnectorState state);

// What `floe run` reports about one topic of a connector.
struct TopicStatus {
  std::string topic;
  ConnectorState state = ConnectorState::kRunning;
  std::string reason;  // why it is failed, retrying or paused
  int64_t restart_in_ms = 0;
  ArchiveStats stats;
};

// What `floe run` reports about one connector (status file, logs): the worst state of its topics (failed
// outranks retrying outranks paused), the reason naming the topic, and the sum of their counters. Topics
// appear once they have been assigned to this worker.
struct ConnectorStatus {
  std::string name;
  ConnectorState state = ConnectorState::kRunning;
  std::string reason;
  int64_t restart_in_ms = 0;  // the soonest restart of its failed topics
  ArchiveStats stats;
  std::vector<TopicStatus> topics;
};

struct ArchiverOptions {
  bool exit_when_idle = false;
  const Clock* clock = &SystemClock::Instance();
  FileEventListener* listener = nullptr;       // in addition to the archiver's own bookkeeping; may be null
  DeadLetterQueue* dead_letters = nullptr;     // tests inject one; by default a Kafka producer is made on need
  std::string status_file;                     // when set, the connectors' status JSON is rewritten there
  const std::atomic<bool>* stop = nullptr;     // set by a signal handler to request a clean shutdown
};

class Archiver final : public kafka::RebalanceListener, public FileEventListener {
 public:
  static Result<std::unique_ptr<Archiver>> Create(const config::Config& config, ArchiverOptions options);
  ~Archiver() override;

  // Runs until stopped (or idle, with exit_when_idle). Seals, uploads and commits everything before returning.
  // Returns non-OK when a topic failed (its failure) or the shutdown could not commit.
  Status Run();

  // Counters per connector.
  std::map<std::string, ArchiveStats> stats() const;
  std::vector<ConnectorStatus> connector_statuses() const;

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnLost(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnFileCommitted(const FileCommittedEvent& event) override;

 private:
  struct Connector;
  struct TopicPipeline;
  struct Retry;
  Archiver(const config::Config& config, ArchiverOptions options);
  Status Init();
  Status InitConnector(const config::ConnectorConfig& cc, std::vector<std::string>& subscription);
  Status EnsureRegistry();
  // The pipeline of a topic, made on first sight; null when no connector archives the topic.
  TopicPipeline* PipelineFor(std::string_view topic);
  PartitionWriter* WriterFor(Connector& connector, const kafka::TopicPartition& tp);
  Status Handle(kafka::Message& message);
  // Decodes, places and writes one record. Errors are the record's own; Handle applies the policies.
  Status Process(TopicPipeline& pipeline, PartitionWriter& writer, const kafka::Message& message);
  // errors.tolerance / dead-letter handling of a record that failed for good.
  void Reject(TopicPipeline& pipeline, PartitionWriter& writer, const kafka::Message& message, const Status& why,
              bool force_dead_letter);
  void StartRetry(TopicPipeline& pipeline, const kafka::TopicPartition& tp, int64_t offset, const Status& why);
  void ServiceRetries(int64_t now);
  void RelieveMemory(int64_t now);
  // Tells the listener about partitions that reached their end with every record in a visible file, once
  // per catch-up, so the catalog's completeness need not wait for its idle timeout.
  void AnnounceCaughtUp();
  void FailTopic(TopicPipeline& pipeline, const Status& why, const kafka::Message* at = nullptr);
  void ServiceRestarts(int64_t now);
  std::vector<kafka::TopicPartition> PartitionsOf(const TopicPipeline& pipeline) const;
  TopicStatus StatusOf(const TopicPipeline& pipeline, int64_t now) const;
  Status FlushDeadLetters();
  void WriteStatusFile(int64_t now);
  Status CommitProgress(const std::vector<kafka::TopicPartition>& only = {});
  // Runs work(index, writer) for each writer, up to store.publish.concurrency of them at a time, and returns
  // when all are done. Only for what PartitionWriter allows off its thread (RetryPendingUploads, ClaimAhead).
  void ForEachConcurrently(const std::vector<PartitionWriter*>& writers,
                           const std::function<void(size_t, PartitionWriter&)>& work);
  // DropUnusedClaim of the partitions' writers, concurrently: they are about to be dropped.
  void DropUnusedClaims(const std::vector<kafka::TopicPartition>& partitions);
  // RetryPendingUploads of each writer, concurrently; returns the first failure.
  Status PublishConcurrently(const std::vector<PartitionWriter*>& writers);
  Status SealAndCommit(const std::vector<kafka::TopicPartition>& partitions);
  bool Idle() const;

  const config::Config& config_;
  ArchiverOptions options_;
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<registry::SchemaRegistryClient> registry_;  // when a connector reads Avro
  std::unique_ptr<parquet::MemoryBudget> parquet_budget_;       // shared by every open Parquet file
  std::unique_ptr<WorkerThreads> parquet_encoders_;             // parquet.encode.threads; outlive the writers
  std::string spool_dir_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  std::map<std::string, std::unique_ptr<TopicPipeline>, std::less<>> pipelines_;  // by topic; null: not ours
  std::map<kafka::TopicPartition, std::unique_ptr<PartitionWriter>> writers_;
  std::map<kafka::TopicPartition, int64_t> committed_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::unique_ptr<DeadLetterQueue> own_dead_letters_;
  std::unique_ptr<json::SchemaHistory> json_history_;  // inferred JSON table schemas, kept in the lake
  DeadLetterQueue* dead_letters_ = nullptr;
  std::map<kafka::TopicPartition, Retry> retries_;
  std::map<kafka::TopicPartition, int64_t> newest_time_;  // newest business time per partition (lateness)
  // The partition of the previous record, and its entries in the maps above: records come in runs of one
  // partition (a fetched batch), so most records need no map lookup. Reset wherever writers are erased.
  struct RecentPartition {
    kafka::TopicPartition tp;  // no topic: none yet
    PartitionWriter* writer = nullptr;
    int64_t* newest_time = nullptr;
  };
  RecentPartition recent_;
  // The pipeline of the previous record's topic (pipelines are never erased).
  std::string_view recent_pipeline_topic_;
  TopicPipeline* recent_pipeline_ = nullptr;
  int64_t last_status_micros_ = 0;
  uint64_t spool_max_bytes_ = 0;  // spool.max.bytes; 0 = no limit
  uint64_t spool_bytes_ = 0;      // as of the last housekeeping round
  bool spool_full_ = false;
  int64_t last_commit_micros_ = 0;
  int64_t last_memory_relief_micros_ = 0;
  int publish_concurrency_ = 1;  // store.publish.concurrency
  // OnFileCommitted runs on the publishing threads: it and the listener it calls are serialised by this.
  std::mutex file_events_mu_;
  std::string path_buffer_;  // the current record's partition path when the layout has {field:...} values
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> headers_;  // of the current record
};

}  // namespace floe::archive
