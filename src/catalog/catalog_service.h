// CatalogService: the catalog as its own process (`floe catalog serve`), fed from Kafka instead of from an
// archiver in the same process:
//   - `file.events.topic`: the JSON file events the workers publish (file_event_json.h);
//   - `catalog.s3.events.topic`: S3 event notifications (s3_event.h); created objects in the lake are
//     read back like `floe catalog rebuild` reads them (the key through the key patterns, rows and offsets
//     from the Parquet footer), removed objects leave the catalog.
//
// Delivery is at least once: the consumer group (`catalog.group.id`) commits a message's offset only after
// the catalog flush that holds what the message said is committed in the catalog store, so a crash or a
// rebalance re-delivers, and ingest is idempotent (files are keyed by object key: a re-delivered event
// changes nothing, it is not counted twice nor taken for late data).
//
// What a message cannot give is counted and logged with its topic, partition and offset, and the message is
// passed over: malformed JSON, S3 keys outside the lake or not data files (`_floe/`, `_SUCCESS`, temporary
// files), keys matching no key pattern, objects that cannot be read (gone, not Parquet). A retryable
// failure (the store unreachable) pauses that partition and re-delivers the message after a backoff.
//
// Batching as in-process: the catalog is flushed every `flush_interval_ms`, when `max_batch` messages are
// waiting, when partitions are revoked, and on exit. Single-threaded: Run() polls, ingests and commits.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "catalog/key_pattern.h"
#include "catalog/s3_event.h"
#include "kafka/consumer.h"
#include "storage/object_store.h"

namespace floe::catalog {

struct CatalogServiceOptions {
  std::string file_events_topic;  // empty: not consumed
  std::string s3_events_topic;    // empty: not consumed
  // librdkafka consumer properties, group.id included (the worker's `kafka:` with catalog.group.id).
  std::map<std::string, std::string> consumer_properties;
  LakeLocation lake;  // where S3 event keys are in the lake
  int64_t flush_interval_ms = 2000;
  size_t max_batch = 10'000;
  int64_t retry_backoff_ms = 1000;  // first pause of a partition after a retryable failure; doubles, 30 s at most
  // Return once every assigned partition is at its end and everything consumed is flushed and committed.
  bool exit_when_idle = false;
  const std::atomic<bool>* stop = nullptr;  // set (SIGTERM) to flush, commit and return
};

struct CatalogServiceStats {
  uint64_t messages = 0;        // consumed (re-deliveries after a retry included)
  uint64_t file_events = 0;     // file events queued for the catalog
  uint64_t s3_created = 0;      // S3 objects registered
  uint64_t s3_removed = 0;      // S3 removals applied
  uint64_t ignored = 0;         // S3 objects outside the lake, not data files, or matching no key pattern
  uint64_t unreadable = 0;      // S3 objects that could not be read (gone, not a file floe can read)
  uint64_t malformed = 0;       // messages that are not a file event / S3 notification
  uint64_t retries = 0;         // messages re-delivered after a retryable failure
  uint64_t commits = 0;         // offset commits (each after a durable catalog flush)
};

class CatalogService final : public kafka::RebalanceListener {
 public:
  // `catalog`, `lake` and `patterns` must outlive the service. The catalog is not Start()ed: the service
  // flushes it itself, so that it knows when what it consumed is durable.
  static Result<std::unique_ptr<CatalogService>> Create(Catalog& catalog, storage::ObjectStore& lake,
                                                        std::vector<KeyPattern> patterns,
                                                        CatalogServiceOptions options);
  ~CatalogService() override;

  // Consumes until `stop` is set (or idle, with exit_when_idle); flushes and commits on the way out.
  // Errors: a consumer-level Kafka error, or the final flush failing (its offsets are then not committed).
  Status Run();

  CatalogServiceStats stats() const { return stats_; }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;

 private:
  // What one message asks of the catalog, applied in order at the next flush.
  struct Op {
    bool remove = false;
    archive::FileCommittedEvent event;  // !remove: the file to register
    std::string key;                    // remove: the object key to drop
  };

  CatalogService(Catalog& catalog, storage::ObjectStore& lake, std::vector<KeyPattern> patterns,
                 CatalogServiceOptions options)
      : catalog_(catalog), lake_(lake), patterns_(std::move(patterns)), options_(std::move(options)) {}

  // The ops of one message; a retryable status when it must be re-delivered later.
  Result<std::vector<Op>> Decode(const kafka::Message& message);
  Result<std::vector<Op>> DecodeS3(const kafka::Message& message, std::string_view value);
  // Seeks back to the message and pauses its partition for a backoff; an error when it cannot.
  Status Retry(const kafka::Message& message, const Status& why);
  void ResumeDuePartitions();
  // Writes the pending ops to the catalog store and, once that is durable, commits their offsets.
  Status FlushAndCommit();

  Catalog& catalog_;
  storage::ObjectStore& lake_;
  std::vector<KeyPattern> patterns_;
  CatalogServiceOptions options_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;

  std::vector<Op> pending_;
  size_t pending_messages_ = 0;
  std::map<kafka::TopicPartition, int64_t> offsets_;  // next offset per partition, once pending_ is durable
  std::map<kafka::TopicPartition, int64_t> paused_until_;  // monotonic micros, partitions waiting to retry
  std::map<kafka::TopicPartition, int> failures_;          // consecutive retryable failures
  int64_t last_flush_micros_ = 0;
  CatalogServiceStats stats_;
};

}  // namespace floe::catalog
