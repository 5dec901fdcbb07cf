// Archiver: `floe run`. One consumer-group member that routes every record of its connectors' topics through
// decode → business time → partition writer → durable file → offset commit.
//
// Connectors are isolated: a record a connector cannot handle (e.g. a value that is not JSON) stops that
// connector only — its partitions are paused and nothing at or past the bad record is committed — while the
// other connectors keep running. The failure names topic, partition and offset.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "archive/file_events.h"
#include "archive/json_format.h"
#include "archive/layout.h"
#include "archive/partition_writer.h"
#include "common/clock.h"
#include "common/status.h"
#include "config/config.h"
#include "kafka/consumer.h"
#include "parquet/memory_budget.h"
#include "registry/registry_client.h"

namespace floe::archive {

struct ConnectorStats {
  uint64_t records_written = 0;
  uint64_t tombstones_skipped = 0;
  uint64_t time_fallbacks = 0;  // records placed by Kafka time because no candidate field was usable
  uint64_t files_committed = 0;
  uint64_t bytes_committed = 0;
};

struct ArchiverOptions {
  bool exit_when_idle = false;
  const Clock* clock = &SystemClock::Instance();
  FileEventListener* listener = nullptr;       // in addition to the archiver's own bookkeeping; may be null
  const std::atomic<bool>* stop = nullptr;     // set by a signal handler to request a clean shutdown
};

class Archiver final : public kafka::RebalanceListener, public FileEventListener {
 public:
  static Result<std::unique_ptr<Archiver>> Create(const config::Config& config, ArchiverOptions options);
  ~Archiver() override;

  // Runs until stopped (or idle, with exit_when_idle). Seals, uploads and commits everything before returning.
  // Returns non-OK when a connector failed or the shutdown could not commit.
  Status Run();

  const std::map<std::string, ConnectorStats>& stats() const { return stats_; }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnLost(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnFileCommitted(const FileCommittedEvent& event) override;

 private:
  struct Connector;
  Archiver(const config::Config& config, ArchiverOptions options);
  Status Init();
  Status EnsureRegistry();
  Connector* ConnectorFor(std::string_view topic);
  PartitionWriter* WriterFor(Connector& connector, const kafka::TopicPartition& tp);
  Status Handle(const kafka::Message& message);
  void FailConnector(Connector& connector, const Status& why);
  Status CommitProgress(const std::vector<kafka::TopicPartition>& only = {});
  Status SealAndCommit(const std::vector<kafka::TopicPartition>& partitions);
  bool Idle() const;

  const config::Config& config_;
  ArchiverOptions options_;
  std::unique_ptr<storage::ObjectStore> store_;
  std::unique_ptr<registry::SchemaRegistryClient> registry_;  // when a connector reads Avro
  std::unique_ptr<parquet::MemoryBudget> parquet_budget_;       // shared by every open Parquet file
  std::string spool_dir_;
  std::vector<std::unique_ptr<Connector>> connectors_;
  std::map<std::string, Connector*, std::less<>> topic_to_connector_;
  std::map<kafka::TopicPartition, std::unique_ptr<PartitionWriter>> writers_;
  std::map<kafka::TopicPartition, int64_t> committed_;
  std::map<std::string, ConnectorStats> stats_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  int64_t last_commit_micros_ = 0;
  std::string path_buffer_;
};

}  // namespace floe::archive
