// Catalog: keeps the catalog store current from file events — the in-process FileEventListener of
// `floe run`/`floe demo`, and the engine behind `floe catalog serve` and `floe catalog rebuild`.
//
// Events are queued and written in batches (one transaction per flush: every `flush_interval_ms` from a
// background thread once Start()ed, when `max_batch` events are waiting, and on Flush()/Stop()). Tables,
// schema versions and partitions already known are cached, so the steady state costs one multi-row file
// INSERT per 200 files and no object-store requests at all; only the first file of a new schema version is
// read (its Parquet footer or Avro header, a few ranged GETs; the first lines of a JSON-lines file) to infer
// and merge the table's columns. Re-delivered events are harmless (files are keyed by object key).
//
// Thread safety: OnFileCommitted may be called from any thread; everything else is serialised internally.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "archive/file_events.h"
#include "catalog/catalog_store.h"
#include "catalog/completeness.h"
#include "catalog/hive_type.h"
#include "catalog/publisher.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/object_store.h"

namespace floe::catalog {

// What the catalog announces (notifications.h delivers them).
struct CatalogNotification {
  std::string type;  // table_created | schema_changed | partition_complete | late_data
  std::string database;
  std::string table;
  std::string partition;  // spec, for partition events
  std::string version;    // schema version, for schema events
  std::vector<std::string> details;  // added/widened/conflicting columns, or the late file keys
};

class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // Called after the flush that caused them committed, on the flushing thread.
  virtual void Notify(const std::vector<CatalogNotification>& notifications) = 0;
};

struct CatalogOptions {
  std::string lake_url;                       // store.url: table locations are <lake_url>/<db>/<table>/
  storage::ObjectStore* store = nullptr;      // for reading footers of new schema versions; null: no inference
  int64_t flush_interval_ms = 2000;
  size_t max_batch = 10'000;
  const Clock* clock = &SystemClock::Instance();
  NotificationSink* notifications = nullptr;
  // Mirrors tables and partitions into an external metastore after each flush (publisher.h); what it fails
  // to publish is offered again after the next flush.
  CatalogPublisher* publisher = nullptr;
  // Completeness (completeness.h) of hourly partitions (`dt` + `hour` values): grace past the hour's end,
  // and how long a Kafka partition without files counts as idle. A `_SUCCESS` object is written into each
  // partition that completes when success_marker is set.
  int64_t completeness_grace_ms = 300'000;
  int64_t completeness_idle_ms = 600'000;
  bool success_marker = false;
};

struct CatalogStats {
  uint64_t files_registered = 0;   // events written (re-deliveries included)
  uint64_t flushes = 0;
  uint64_t schema_inferences = 0;  // files whose footer/lines were read
  uint64_t store_requests = 0;     // object-store requests made for inference
  uint64_t sql_statements = 0;     // SQL statements sent (round trips)
  uint64_t failed_flushes = 0;
  uint64_t publishes = 0;          // successful CatalogPublisher::Publish calls
  uint64_t failed_publishes = 0;
};

class Catalog final : public archive::FileEventListener {
 public:
  static Result<std::unique_ptr<Catalog>> Open(std::unique_ptr<CatalogStore> store, CatalogOptions options);
  ~Catalog() override;

  void OnFileCommitted(const archive::FileCommittedEvent& event) override;
  // Queues the events and flushes them now.
  Status Ingest(const std::vector<archive::FileCommittedEvent>& events);
  // Writes every queued event. On failure the events stay queued for the next flush.
  Status Flush();

  // The archiver's word that (topic, partition) is caught up: it holds back no hour of the table until its
  // next file. Flushes the queued events first (they come before the word); the mark takes effect at the
  // next flush.
  void OnPartitionCaughtUp(const std::string& topic, int32_t partition, const std::string& database,
                           const std::string& table) override;

  // Background flushing every flush_interval_ms; Stop() flushes what is left and joins.
  void Start();
  Status Stop();

  CatalogStats stats();
  // For readers (CLI, DDL): the store, used under the catalog's lock.
  template <typename F>
  auto WithStore(F&& f) {
    std::lock_guard lock(store_mu_);
    return f(*store_);
  }

 private:
  Catalog(std::unique_ptr<CatalogStore> store, CatalogOptions options)
      : store_(std::move(store)),
        options_(std::move(options)),
        tracker_(options_.completeness_grace_ms * 1000, options_.completeness_idle_ms * 1000) {}
  Status LoadCache();
  Status FlushLocked(std::vector<archive::FileCommittedEvent> batch);
  // The columns of the event's file, where they came from (SchemaVersionInfo::source) and, for Avro files,
  // the file's writer schema.
  Result<Columns> InferColumns(const archive::FileCommittedEvent& event, std::string* source,
                               std::string* avro_schema);
  // Whether `version` is not older than any version of the table known so far or new in this batch.
  bool NewestVersion(const std::string& table_key, const std::string& version,
                     const std::map<std::string, SchemaVersionInfo>& batch_versions) const;
  // Offers the unpublished changes to options_.publisher (without store_mu_ held during the call).
  void Publish();

  std::unique_ptr<CatalogStore> store_;
  CatalogOptions options_;

  std::mutex queue_mu_;
  std::vector<archive::FileCommittedEvent> queue_;
  int64_t last_flush_micros_ = 0;

  std::mutex store_mu_;  // held while flushing or reading the store
  std::map<std::string, TableInfo> tables_;  // "db/table"
  std::set<std::string> versions_;           // "db/table/version"
  std::set<std::string> partitions_;         // "db/table/spec"
  std::set<std::string> conflicting_versions_;  // "db/table/version" of versions whose merge conflicted
  CatalogChanges unpublished_;               // for options_.publisher, under store_mu_
  std::mutex publish_mu_;                    // one Publish at a time
  struct HourState {
    std::string database, table, spec;
    int64_t hour_start = 0;
    bool complete = false;
    bool dirty = false;
  };
  std::map<std::string, HourState> hours_;  // "db/table/spec" of hourly partitions
  std::set<std::string> open_hours_;        // those not complete yet
  CompletenessTracker tracker_;
  CatalogStats stats_;

  std::mutex run_mu_;
  std::condition_variable run_cv_;
  bool stopping_ = false;
  std::thread flusher_;
};

// The partition directory of a file key under its table: "v=2/dt=2024-05-01/hour=12".
std::string PartitionSpecOf(const archive::FileCommittedEvent& event);

}  // namespace floe::catalog
