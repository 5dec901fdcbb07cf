#include "catalog/catalog.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <utility>

#include "archive/layout.h"
#include "avro/container.h"
#include "avro/schema.h"
#include "catalog/catalog_error.h"
#include "catalog/key_pattern.h"
#include "parquet/file_reader.h"

namespace floe::catalog {
namespace {

// ParquetReader's byte source over an object store: one HEAD for the size, ranged GETs for the footer.
class StoreSource final : public parquet::RandomAccessSource {
 public:
  StoreSource(storage::ObjectStore& store, std::string key, uint64_t size, uint64_t* requests)
      : store_(store), key_(std::move(key)), size_(size), requests_(requests) {}
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    ++*requests_;
    FLOE_ASSIGN_OR_RETURN(*out, store_.GetRange(key_, offset, n));
    if (out->size() != n) return Error(CatalogError::kParse, "short read of " + key_);
    return Status::Ok();
  }

 private:
  storage::ObjectStore& store_;
  std::string key_;
  uint64_t size_;
  uint64_t* requests_;
};

HiveType JsonValueType(const nlohmann::ordered_json& v);

Columns JsonObjectColumns(const nlohmann::ordered_json& obj) {
  Columns cols;
  for (const auto& [k, v] : obj.items()) {
    if (!v.is_null()) cols.push_back({k, JsonValueType(v)});
  }
  return cols;
}

// JSON has no declared types: numbers are bigint or double, objects structs, arrays of their merged element.
HiveType JsonValueType(const nlohmann::ordered_json& v) {
  using K = HiveType::Kind;
  if (v.is_boolean()) return HiveType::Primitive(K::kBoolean);
  if (v.is_number_integer()) return HiveType::Primitive(K::kBigint);
  if (v.is_number()) return HiveType::Primitive(K::kDouble);
  if (v.is_object()) return HiveType::Struct(JsonObjectColumns(v));
  if (v.is_array()) {
    Columns element;
    for (const auto& e : v) {
      if (e.is_null()) continue;
      element = MergeColumns(element, {{"element", JsonValueType(e)}}).columns;
    }
    return HiveType::Array(element.empty() ? HiveType::Primitive(K::kString) : element[0].type);
  }
  return HiveType::Primitive(K::kString);
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string TableKey(const std::string& db, const std::string& table) { return db + "/" + table; }

// Schema versions in the order they were registered: by number when both are numbers (registry subject
// versions), else as text.
bool VersionBefore(std::string_view a, std::string_view b) {
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (digits(a) && digits(b)) {
    a.remove_prefix(std::min(a.find_first_not_of('0'), a.size() - 1));
    b.remove_prefix(std::min(b.find_first_not_of('0'), b.size() - 1));
    if (a.size() != b.size()) return a.size() < b.size();
  }
  return a < b;
}

// A partition's values are the key=value segments of its directory, unescaped — what a listing of the lake
// (rebuild, S3 notifications) reads back and what engines see — even where the archiver's event names the
// schema version apart from its values (v=<version> is a partition key all the same) or keeps them escaped.
// A spec that is not all key=value segments keeps the event's values.
std::vector<std::pair<std::string, std::string>> PartitionValuesOf(
    std::string_view spec, const std::vector<std::pair<std::string, std::string>>& reported) {
  auto values = archive::ParsePartitionPath(spec);
  return values ? std::move(*values) : reported;
}

constexpr uint64_t kFirstHeaderRead = 64 << 10;
constexpr uint64_t kMaxHeaderRead = 16 << 20;  // no sane writer schema is larger

// An Avro container file's header, through ranged GETs from the start that grow until it parses: it is the
// writer schema plus a few bytes, so the first GET of 64 KiB nearly always holds it. Returns the writer
// schema's JSON text as the file has it.
Result<std::string> ReadOcfSchema(storage::ObjectStore& store, const std::string& key, uint64_t size,
                                  uint64_t* requests) {
  uint64_t want = std::min(size, kFirstHeaderRead);
  for (;;) {
    ++*requests;
    FLOE_ASSIGN_OR_RETURN(std::string head, store.GetRange(key, 0, want));
    auto reader = avro::OcfReader::Open(head);
    if (reader.ok()) return reader->metadata().at("avro.schema");
    if (want >= size || want >= kMaxHeaderRead) {
      return Error(CatalogError::kParse, key + ": " + reader.status().ToString());
    }
    want = std::min({size, want * 4, kMaxHeaderRead});
  }
}

}  // namespace

std::string PartitionSpecOf(const archive::FileCommittedEvent& e) {
  const std::string prefix = e.database + "/" + e.table + "/";
  std::string_view key = e.key;
  if (key.substr(0, prefix.size()) == prefix) key.remove_prefix(prefix.size());
  const size_t slash = key.rfind('/');
  if (slash != std::string_view::npos) return std::string(key.substr(0, slash));
  std::string spec;
  for (const auto& [k, v] : e.partition_values) spec += (spec.empty() ? "" : "/") + k + "=" + v;
  return spec;
}

Result<std::unique_ptr<Catalog>> Catalog::Open(std::unique_ptr<CatalogStore> store, CatalogOptions options) {
  std::unique_ptr<Catalog> c(new Catalog(std::move(store), std::move(options)));
  FLOE_RETURN_IF_ERROR(c->LoadCache());
  c->last_flush_micros_ = c->options_.clock->MonotonicMicros();
  return c;
}

Catalog::~Catalog() {
  if (flusher_.joinable()) {
    Status st = Stop();
    if (!st.ok()) spdlog::error("catalog: final flush failed: {}", st.ToString());
  }
}

Status Catalog::LoadCache() {
  std::lock_guard lock(store_mu_);
  FLOE_ASSIGN_OR_RETURN(auto tables, store_->ListTables());
  for (auto& t : tables) {
    const std::string tk = TableKey(t.database, t.name);
    FLOE_ASSIGN_OR_RETURN(auto versions, store_->ListSchemaVersions(t.database, t.name));
    for (const auto& v : versions) {
      versions_.insert(tk + "/" + v.version);
      if (!v.conflicts.empty()) conflicting_versions_.insert(tk + "/" + v.version);
    }
    FLOE_ASSIGN_OR_RETURN(auto parts, store_->ListPartitions(t.database, t.name));
    if (options_.publisher) {
      // The first offer to the publisher is everything, so what a crash kept from it is published now.
      unpublished_.snapshot = true;
      TableChange& change = unpublished_.tables.emplace_back(TableChange{t, true, {}});
      for (const auto& p : parts) {
        if (!conflicting_versions_.count(tk + "/" + p.schema_version)) change.partitions.push_back(p);
      }
    }
    for (const auto& p : parts) {
      partitions_.insert(tk + "/" + p.spec);
      if (auto hour = HourStartOf(p.values)) {
        hours_[tk + "/" + p.spec] = {t.database, t.name, p.spec, *hour, p.complete, p.dirty};
        if (!p.complete) open_hours_.insert(tk + "/" + p.spec);
      }
    }
    tables_.emplace(tk, std::move(t));
  }
  return Status::Ok();
}

void Catalog::OnFileCommitted(const archive::FileCommittedEvent& event) {
  bool flush_now;
  {
    std::lock_guard lock(queue_mu_);
    queue_.push_back(event);
    flush_now = queue_.size() >= options_.max_batch;
  }
  if (flush_now) {
    if (Status st = Flush(); !st.ok()) spdlog::warn("catalog: flush failed (will retry): {}", st.ToString());
  }
}

Status Catalog::Ingest(const std::vector<archive::FileCommittedEvent>& events) {
  {
    std::lock_guard lock(queue_mu_);
    queue_.insert(queue_.end(), events.begin(), events.end());
  }
  return Flush();
}

Status Catalog::Flush() {
  {
    std::lock_guard store_lock(store_mu_);
    std::vector<archive::FileCommittedEvent> batch;
    {
      std::lock_guard lock(queue_mu_);
      batch.swap(queue_);
      last_flush_micros_ = options_.clock->MonotonicMicros();
    }
    if (!batch.empty() || !open_hours_.empty()) {
      Status st = FlushLocked(batch);
      if (!st.ok()) {
        ++stats_.failed_flushes;
        std::lock_guard lock(queue_mu_);
        queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                      std::make_move_iterator(batch.end()));
        return st;
      }
    }
  }
  Publish();
  return Status::Ok();
}

void Catalog::Publish() {
  if (!options_.publisher) return;
  std::unique_lock publishing(publish_mu_, std::try_to_lock);
  if (!publishing.owns_lock()) return;  // another thread is publishing; the next flush offers what is left
  CatalogChanges changes;
  {
    std::lock_guard lock(store_mu_);
    if (unpublished_.empty()) return;
    changes = std::exchange(unpublished_, CatalogChanges{});
  }
  Status st = options_.publisher->Publish(changes);
  std::lock_guard lock(store_mu_);
  if (st.ok()) {
    ++stats_.publishes;
    return;
  }
  ++stats_.failed_publishes;
  spdlog::warn("catalog: publishing {} table(s) and {} partition(s) to {} failed (offered again after the next "
               "flush): {}",
               changes.tables.size(), changes.partition_count(), options_.publisher->name(), st.ToString());
  MergeChanges(changes, std::move(unpublished_));
  unpublished_ = std::move(changes);
}

Result<Columns> Catalog::InferColumns(const archive::FileCommittedEvent& e, std::string* source,
                                      std::string* avro_schema) {
  if (!options_.store) {
    *source = "none";
    return Columns{};
  }
  ++stats_.schema_inferences;
  if (e.format == "parquet") {
    ++stats_.store_requests;
    FLOE_ASSIGN_OR_RETURN(auto meta, options_.store->Head(e.key));
    auto reader = parquet::ParquetReader::Open(
        std::make_unique<StoreSource>(*options_.store, e.key, meta.size, &stats_.store_requests));
    if (!reader.ok()) return Error(CatalogError::kParse, e.key + ": " + reader.status().ToString());
    Columns columns = ColumnsOf((*reader)->schema());
    *source = "parquet";
    for (const auto& kv : (*reader)->metadata().key_value_metadata) {
      if (kv.key != "avro.schema" || !kv.value) continue;
      // The Avro writer schema names the event's own fields and their logical types; the footer adds the
      // Kafka metadata columns the archiver appends after them.
      auto avro_columns = ColumnsOfAvroSchema(*kv.value);
      auto parsed = avro::Schema::Parse(*kv.value);
      if (!avro_columns.ok() || !parsed.ok()) break;
      *source = "avro:" + Hex64(parsed->Fingerprint64());
      columns = MergeColumns(*avro_columns, columns).columns;
      break;
    }
    return columns;
  }
  if (e.format == "avro") {
    ++stats_.store_requests;
    FLOE_ASSIGN_OR_RETURN(auto meta, options_.store->Head(e.key));
    FLOE_ASSIGN_OR_RETURN(*avro_schema, ReadOcfSchema(*options_.store, e.key, meta.size, &stats_.store_requests));
    auto parsed = avro::Schema::Parse(*avro_schema);
    if (!parsed.ok()) return Error(CatalogError::kParse, e.key + ": " + parsed.status().ToString());
    FLOE_ASSIGN_OR_RETURN(Columns columns, ColumnsOfAvroSchema(*avro_schema, AvroStorage::kAvroFile));
    *source = "avro:" + Hex64(parsed->Fingerprint64());
    return columns;
  }
  if (e.format == "jsonl" || e.format == "json") {
    // The first lines of the file (at most 1 MiB), as the columns DuckDB's and Hive's JSON readers see.
    ++stats_.store_requests;
    FLOE_ASSIGN_OR_RETURN(auto meta, options_.store->Head(e.key));
    ++stats_.store_requests;
    FLOE_ASSIGN_OR_RETURN(std::string text,
                          options_.store->GetRange(e.key, 0, std::min<uint64_t>(meta.size, 1 << 20)));
    Columns columns;
    size_t start = 0, lines = 0;
    while (start < text.size() && lines < 1000) {
      size_t nl = text.find('\n', start);
      if (nl == std::string::npos) break;  // a cut line at the end of the range
      auto j = nlohmann::ordered_json::parse(std::string_view(text).substr(start, nl - start), nullptr, false);
      if (j.is_object()) {
        MergeResult m = MergeColumns(columns, JsonObjectColumns(j));
        columns = std::move(m.columns);
      }
      start = nl + 1;
      ++lines;
    }
    *source = "jsonl";
    return columns;
  }
  *source = e.format;
  return Columns{};
}

Status Catalog::FlushLocked(std::vector<archive::FileCommittedEvent> batch) {
  const int64_t now = options_.clock->NowMicros();
  std::map<std::string, TableInfo> changed_tables;
  std::map<std::string, SchemaVersionInfo> new_versions;
  std::map<std::string, PartitionInfo> new_partitions;
  std::vector<FileInfo> files;
  std::vector<CatalogNotification> notes;
  std::map<std::string, HourState> hour_updates;  // new hourly partitions and changed flags
  files.reserve(batch.size());
  const int64_t mono = options_.clock->MonotonicMicros();

  auto table_for = [&](const std::string& tk) -> TableInfo* {
    if (auto it = changed_tables.find(tk); it != changed_tables.end()) return &it->second;
    if (auto it = tables_.find(tk); it != tables_.end()) return &it->second;
    return nullptr;
  };

  for (const auto& e : batch) {
    if (e.database.empty() || e.table.empty() || e.key.empty()) {
      spdlog::warn("catalog: skipping a file event without database/table/key ({})", e.key);
      continue;
    }
    const std::string tk = TableKey(e.database, e.table);
    const std::string spec = PartitionSpecOf(e);
    const auto values = PartitionValuesOf(spec, e.partition_values);
    TableInfo* table = table_for(tk);
    if (!table) {
      TableInfo t;
      t.database = e.database;
      t.name = e.table;
      std::string lake = options_.lake_url;
      while (!lake.empty() && lake.back() == '/') lake.pop_back();
      t.location = lake + "/" + e.database + "/" + e.table + "/";
      t.format = e.format;
      for (const auto& kv : values) t.partition_keys.push_back(kv.first);
      t.created_at = now;
      t.updated_at = now;
      table = &changed_tables.emplace(tk, std::move(t)).first->second;
      notes.push_back({"table_created", e.database, e.table, "", "", {}});
    }
    const std::string vk = tk + "/" + e.schema_version;
    if (!versions_.count(vk) && !new_versions.count(vk)) {
      SchemaVersionInfo v;
      v.database = e.database;
      v.table = e.table;
      v.version = e.schema_version;
      v.created_at = now;
      std::string avro_schema;
      FLOE_ASSIGN_OR_RETURN(v.columns, InferColumns(e, &v.source, &avro_schema));
      MergeResult m = MergeColumns(table->columns, v.columns);
      v.added = m.added;
      v.widened = m.widened;
      v.conflicts = m.conflicts;
      if (!changed_tables.count(tk)) table = &changed_tables.emplace(tk, *table).first->second;
      table->columns = std::move(m.columns);
      if (!avro_schema.empty() && NewestVersion(tk, v.version, new_versions)) table->avro_schema = avro_schema;
      for (const auto& c : v.conflicts) table->conflicts.push_back("version " + v.version + ": " + c);
      table->updated_at = now;
      if (!v.added.empty() || !v.widened.empty() || !v.conflicts.empty()) {
        std::vector<std::string> details;
        for (const auto& a : v.added) details.push_back("added " + a);
        for (const auto& w : v.widened) details.push_back("widened " + w);
        for (const auto& c : v.conflicts) details.push_back("conflict " + c);
        notes.push_back({"schema_changed", e.database, e.table, "", v.version, std::move(details)});
      }
      new_versions.emplace(vk, std::move(v));
    }
    const std::string pk = tk + "/" + spec;
    tracker_.OnFile(tk, e.topic, e.partition, e.max_business_time_micros, mono);
    if (auto it = hours_.find(pk); it != hours_.end() && it->second.complete) {
      // Late data, unless this is a re-delivered event of a file the catalog already has (rare: one lookup).
      FLOE_ASSIGN_OR_RETURN(bool known, store_->HasFile(e.key));
      if (!known) {
        hour_updates.emplace(pk, it->second).first->second.dirty = true;
        notes.push_back({"late_data", e.database, e.table, spec, e.schema_version, {e.key}});
      }
    }
    if (!partitions_.count(pk) && !new_partitions.count(pk)) {
      if (auto hour = HourStartOf(values)) hour_updates[pk] = {e.database, e.table, spec, *hour};
      PartitionInfo p;
      p.database = e.database;
      p.table = e.table;
      p.spec = spec;
      p.values = values;
      p.schema_version = e.schema_version;
      p.created_at = now;
      new_partitions.emplace(pk, std::move(p));
    }
    FileInfo f;
    f.key = e.key;
    f.database = e.database;
    f.table = e.table;
    f.partition_spec = spec;
    f.schema_version = e.schema_version;
    f.format = e.format;
    f.topic = e.topic;
    f.kafka_partition = e.partition;
    f.first_offset = e.first_offset;
    f.last_offset = e.last_offset;
    f.records = e.records;
    f.bytes = e.bytes;
    f.min_time = e.min_business_time_micros;
    f.max_time = e.max_business_time_micros;
    f.committed_at = now;
    files.push_back(std::move(f));
  }

  // Hours that every partition of their table has moved past (or that idle partitions no longer hold).
  std::vector<std::string> candidates(open_hours_.begin(), open_hours_.end());
  for (const auto& [pk, h] : hour_updates) {
    if (!h.complete && !open_hours_.count(pk)) candidates.push_back(pk);
  }
  std::vector<std::string> completed;
  for (const auto& pk : candidates) {
    auto upd = hour_updates.find(pk);
    HourState h = upd != hour_updates.end() ? upd->second : hours_.at(pk);
    auto frontier = tracker_.Frontier(TableKey(h.database, h.table), mono);
    if (!frontier || h.hour_start >= *frontier) continue;
    h.complete = true;
    hour_updates[pk] = h;
    completed.push_back(pk);
    notes.push_back({"partition_complete", h.database, h.table, h.spec, "", {}});
  }
  if (files.empty() && completed.empty() && hour_updates.empty()) return Status::Ok();

  const uint64_t before = store_->db().requests();
  Status st = store_->Begin();
  if (st.ok()) {
    for (const auto& [tk, t] : changed_tables) {
      if (st = store_->UpsertTable(t); !st.ok()) break;
    }
  }
  if (st.ok()) {
    for (const auto& [vk, v] : new_versions) {
      if (st = store_->InsertSchemaVersion(v); !st.ok()) break;
    }
  }
  if (st.ok() && !new_partitions.empty()) {
    std::vector<PartitionInfo> parts;
    for (auto& [pk, p] : new_partitions) parts.push_back(p);
    st = store_->InsertPartitions(parts);
  }
  if (st.ok()) st = store_->InsertFiles(files);
  for (const auto& [pk, h] : hour_updates) {
    if (!st.ok()) break;
    if (h.complete || h.dirty) {
      st = store_->SetPartitionState(h.database, h.table, h.spec, h.complete, h.dirty, h.complete ? now : 0);
    }
  }
  if (st.ok()) st = store_->Commit();
  if (!st.ok()) {
    Status rb = store_->Rollback();
    (void)rb;  // the connection may be gone; the original error is what matters
    stats_.sql_statements += store_->db().requests() - before;
    return st;
  }
  stats_.sql_statements += store_->db().requests() - before;
  for (const auto& [vk, v] : new_versions) {
    if (!v.conflicts.empty()) conflicting_versions_.insert(vk);
  }
  if (options_.publisher) {
    CatalogChanges changes;
    std::map<std::string, TableChange> by_table;
    for (const auto& [tk, t] : changed_tables) {
      auto known = tables_.find(tk);
      by_table[tk] = {t,
                      known == tables_.end() || !(known->second.columns == t.columns) ||
                          known->second.avro_schema != t.avro_schema,
                      {}};
    }
    for (const auto& [pk, p] : new_partitions) {
      const std::string tk = TableKey(p.database, p.table);
      if (conflicting_versions_.count(tk + "/" + p.schema_version)) continue;
      auto [it, inserted] = by_table.try_emplace(tk);
      if (inserted) it->second.table = tables_.at(tk);
      it->second.partitions.push_back(p);
    }
    for (auto& [tk, change] : by_table) {
      if (change.definition_changed || !change.partitions.empty()) changes.tables.push_back(std::move(change));
    }
    MergeChanges(unpublished_, std::move(changes));
  }
  for (auto& [tk, t] : changed_tables) tables_[tk] = std::move(t);
  for (auto& [vk, v] : new_versions) versions_.insert(vk);
  for (auto& [pk, p] : new_partitions) partitions_.insert(pk);
  for (auto& [pk, h] : hour_updates) {
    if (h.complete) {
      open_hours_.erase(pk);
    } else {
      open_hours_.insert(pk);
    }
    hours_[pk] = std::move(h);
  }
  if (options_.success_marker && options_.store) {
    for (const auto& pk : completed) {
      const HourState& h = hours_.at(pk);
      const std::string key = h.database + "/" + h.table + "/" + h.spec + "/_SUCCESS";
      if (Status put = options_.store->Put(key, ""); !put.ok()) {
        spdlog::warn("catalog: cannot write {}: {}", key, put.ToString());
      }
    }
  }
  stats_.files_registered += files.size();
  ++stats_.flushes;
  if (options_.notifications && !notes.empty()) options_.notifications->Notify(notes);
  return Status::Ok();
}

bool Catalog::NewestVersion(const std::string& table_key, const std::string& version,
                            const std::map<std::string, SchemaVersionInfo>& batch_versions) const {
  const std::string prefix = table_key + "/";
  const auto later = [&](const std::string& key) {
    return VersionBefore(version, std::string_view(key).substr(prefix.size()));
  };
  for (auto it = versions_.lower_bound(prefix); it != versions_.end() && it->rfind(prefix, 0) == 0; ++it) {
    if (later(*it)) return false;
  }
  for (auto it = batch_versions.lower_bound(prefix); it != batch_versions.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    if (later(it->first)) return false;
  }
  return true;
}

void Catalog::OnPartitionCaughtUp(const std::string& topic, int32_t partition, const std::string& database,
                                  const std::string& table) {
  // The partition's last files may still be queued: they must count before the mark, or taking them would
  // make the partition busy again. (Rare: once per catch-up.)
  bool queued;
  {
    std::lock_guard lock(queue_mu_);
    queued = !queue_.empty();
  }
  if (queued) {
    if (Status st = Flush(); !st.ok())
      spdlog::warn("catalog: flush before a caught-up partition failed (its hours wait for the idle timeout): {}",
                   st.ToString());
  }
  std::lock_guard lock(store_mu_);
  tracker_.MarkIdle(TableKey(database, table), topic, partition);
}

void Catalog::Start() {
  flusher_ = std::thread([this] {
    std::unique_lock lock(run_mu_);
    while (!stopping_) {
      run_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms));
      if (stopping_) break;
      lock.unlock();
      if (Status st = Flush(); !st.ok()) spdlog::warn("catalog: flush failed (will retry): {}", st.ToString());
      lock.lock();
    }
  });
}

Status Catalog::Stop() {
  {
    std::lock_guard lock(run_mu_);
    stopping_ = true;
  }
  run_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  return Flush();
}

CatalogStats Catalog::stats() {
  std::lock_guard lock(store_mu_);
  return stats_;
}

}  // namespace floe::catalog
