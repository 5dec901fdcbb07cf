#include "archive/archiver.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "archive/archive_error.h"
#include "kafka/kafka_error.h"
#include "archive/avro_json_decoder.h"
#include "archive/parquet_format.h"
#include "archive/store_settings.h"
#include "registry/subject_name.h"

namespace floe::archive {

namespace fs = std::filesystem;

struct Archiver::Connector {
  std::string name;
  const config::SettingValues* settings = nullptr;
  std::vector<std::string> topics;
  std::optional<std::regex> topics_regex;
  std::unique_ptr<BusinessTimeExtractor> times;
  std::unique_ptr<RecordDecoder> decoder;
  std::unique_ptr<FileFormat> format;
  std::optional<TableLayout> layout;
  std::map<std::string, std::unique_ptr<PartitionWriterContext>, std::less<>> contexts;  // per topic
  bool failed = false;
  Status failure;
};

namespace {

EpochUnit ParseUnit(const std::string& s) {
  if (s == "s") return EpochUnit::kSeconds;
  if (s == "ms") return EpochUnit::kMillis;
  if (s == "us") return EpochUnit::kMicros;
  if (s == "ns") return EpochUnit::kNanos;
  return EpochUnit::kAuto;
}

// Removes spool directories left by processes that no longer exist (their records were never committed).
void CleanStaleSpool(const std::string& spool_root) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(spool_root, ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long pid = std::strtol(name.c_str(), &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

Archiver::Archiver(const config::Config& config, ArchiverOptions options) : config_(config), options_(options) {}

Archiver::~Archiver() {
  writers_.clear();
  if (consumer_) (void)consumer_->Close();
  std::error_code ec;
  if (!spool_dir_.empty()) fs::remove_all(spool_dir_, ec);
}

Result<std::unique_ptr<Archiver>> Archiver::Create(const config::Config& config, ArchiverOptions options) {
  std::unique_ptr<Archiver> archiver(new Archiver(config, options));
  FLOE_RETURN_IF_ERROR(archiver->Init());
  return archiver;
}

Status Archiver::Init() {
  const std::string url = config_.worker.GetString("store.url");
  FLOE_ASSIGN_OR_RETURN(store_, OpenStoreFromSettings(config_.worker));

  std::string spool_root = config_.worker.GetString("spool.dir");
  if (spool_root.empty()) {
    const std::string root = LocalRootOf(url);
    // Inside a local lake the spool shares its filesystem (cheap moves) and ".floe-" names are never listed.
    spool_root = root.empty() ? (fs::temp_directory_path() / "floe-spool").string() : root + "/.floe-spool";
  }
  std::error_code ec;
  fs::create_directories(spool_root, ec);
  if (ec) return Error(ArchiveError::kSpool, "cannot create spool.dir " + spool_root + ": " + ec.message());
  CleanStaleSpool(spool_root);
  spool_dir_ = spool_root + "/" + std::to_string(::getpid());
  fs::create_directories(spool_dir_, ec);
  if (ec) return Error(ArchiveError::kSpool, "cannot create " + spool_dir_ + ": " + ec.message());

  std::vector<std::string> subscription;
  for (const auto& cc : config_.connectors) {
    auto c = std::make_unique<Connector>();
    c->name = cc.name;
    c->settings = &cc.values;
    c->topics = cc.values.GetList("topics");
    if (const std::string re = cc.values.GetString("topics.regex"); !re.empty()) {
      c->topics_regex.emplace(re);
      subscription.push_back(re.front() == '^' ? re : "^" + re);
    }
    for (const auto& t : c->topics) subscription.push_back(t);
    BusinessTimeOptions bt;
    bt.candidate_fields = cc.values.GetList("timestamp.fields");
    bt.unit = ParseUnit(cc.values.GetString("timestamp.unit"));
    bt.plausible_past_ms = cc.values.GetInt("timestamp.plausible.past.ms");
    bt.plausible_future_ms = cc.values.GetInt("timestamp.plausible.future.ms");
    c->times = std::make_unique<BusinessTimeExtractor>(bt, *options_.clock);
    const bool parquet = cc.values.GetString("format") == "parquet";
    if (cc.values.GetString("input.format") == "avro") {
      FLOE_RETURN_IF_ERROR(EnsureRegistry());
      c->decoder = std::make_unique<ConfluentAvroDecoder>(
          *c->times, *registry_, parquet ? ConfluentAvroDecoder::Output::kColumns : ConfluentAvroDecoder::Output::kJson);
    } else {
      c->decoder = std::make_unique<JsonRecordDecoder>(*c->times);
    }
    if (parquet) {
      if (!parquet_budget_)
        parquet_budget_ = std::make_unique<parquet::MemoryBudget>(
            static_cast<uint64_t>(config_.worker.GetInt("parquet.memory.budget.bytes")));
      parquet::WriterOptions po;
      FLOE_ASSIGN_OR_RETURN(po.codec, parquet::ParseCodec(cc.values.GetString("parquet.codec")));
      po.row_group_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.row.group.bytes"));
      po.page_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.page.bytes"));
      po.dictionary_max_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.dictionary.max.bytes"));
      po.bloom_columns = cc.values.GetList("parquet.bloom.columns");
      c->format = std::make_unique<ParquetFormat>(std::move(po), spool_dir_, parquet_budget_.get());
    } else {
      c->format = std::make_unique<JsonLinesFormat>();
    }
    TableLayoutOptions lo;
    lo.path_format = cc.values.GetString("path.format");
    lo.database_format = cc.values.GetString("database.name.format");
    lo.table_format = cc.values.GetString("table.name.format");
    auto layout = TableLayout::Create(lo);
    if (!layout.ok()) return layout.status().WithContext("connector '" + c->name + "'");
    c->layout.emplace(std::move(layout).value());
    stats_[c->name];
    connectors_.push_back(std::move(c));
  }
  FLOE_ASSIGN_OR_RETURN(consumer_, kafka::KafkaConsumer::Create(config_.kafka, this));
  FLOE_RETURN_IF_ERROR(consumer_->Subscribe(subscription));
  spdlog::info("archiving to {} with {} connector(s); spool {}", url, connectors_.size(), spool_dir_);
  return Status::Ok();
}

Status Archiver::EnsureRegistry() {
  if (registry_) return Status::Ok();
  registry::RegistryClientOptions o;
  o.url = config_.worker.GetString("schema.registry.url");
  if (o.url.empty()) return Error(ArchiveError::kConfig, "input.format avro needs schema.registry.url");
  o.basic_auth_user_info = config_.worker.GetString("basic.auth.user.info");
  o.bearer_token = config_.worker.GetString("bearer.auth.token");
  o.request_timeout = std::chrono::milliseconds(config_.worker.GetInt("schema.registry.request.timeout.ms"));
  FLOE_ASSIGN_OR_RETURN(o.subject_name_strategy,
                        registry::ParseSubjectNameStrategy(config_.worker.GetString("value.subject.name.strategy")));
  FLOE_ASSIGN_OR_RETURN(registry_, registry::SchemaRegistryClient::Create(o));
  return Status::Ok();
}

Archiver::Connector* Archiver::ConnectorFor(std::string_view topic) {
  if (auto it = topic_to_connector_.find(topic); it != topic_to_connector_.end()) return it->second;
  Connector* found = nullptr;
  for (auto& c : connectors_) {
    const bool listed = std::find(c->topics.begin(), c->topics.end(), topic) != c->topics.end();
    if (listed || (c->topics_regex && std::regex_match(std::string(topic), *c->topics_regex))) {
      found = c.get();
      break;
    }
  }
  topic_to_connector_.emplace(std::string(topic), found);
  return found;
}

PartitionWriter* Archiver::WriterFor(Connector& connector, const kafka::TopicPartition& tp) {
  auto it = writers_.find(tp);
  if (it != writers_.end()) return it->second.get();
  auto ctx_it = connector.contexts.find(tp.topic);
  if (ctx_it == connector.contexts.end()) {
    auto ctx = std::make_unique<PartitionWriterContext>();
    ctx->topic = tp.topic;
    ctx->database = connector.layout->DatabaseFor(tp.topic, connector.name);
    ctx->table = connector.layout->TableFor(tp.topic, connector.name);
    ctx->rotation.flush_size = static_cast<uint64_t>(connector.settings->GetInt("flush.size"));
    ctx->rotation.rotate_schedule_interval_ms = connector.settings->GetInt("rotate.schedule.interval.ms");
    ctx->rotation.rotate_interval_ms = connector.settings->GetInt("rotate.interval.ms");
    ctx->rotation.file_max_bytes = static_cast<uint64_t>(connector.settings->GetInt("file.max.bytes"));
    ctx->rotation.max_open_files = static_cast<size_t>(connector.settings->GetInt("max.open.files.per.partition"));
    ctx->format = connector.format.get();
    ctx->store = store_.get();
    ctx->spool_dir = spool_dir_;
    ctx->clock = options_.clock;
    ctx->listener = this;
    ctx_it = connector.contexts.emplace(tp.topic, std::move(ctx)).first;
  }
  auto writer = std::make_unique<PartitionWriter>(*ctx_it->second, tp.partition);
  PartitionWriter* raw = writer.get();
  writers_.emplace(tp, std::move(writer));
  return raw;
}

void Archiver::OnFileCommitted(const FileCommittedEvent& event) {
  if (Connector* c = ConnectorFor(event.topic)) {
    auto& s = stats_[c->name];
    ++s.files_committed;
    s.bytes_committed += event.bytes;
  }
  if (options_.listener) options_.listener->OnFileCommitted(event);
}

void Archiver::FailConnector(Connector& connector, const Status& why) {
  if (connector.failed) return;
  connector.failed = true;
  connector.failure = why;
  spdlog::error("connector '{}' stopped: {}", connector.name, why.ToString());
  std::vector<kafka::TopicPartition> mine;
  for (const auto& tp : consumer_->assignment())
    if (ConnectorFor(tp.topic) == &connector) mine.push_back(tp);
  if (Status st = consumer_->Pause(mine); !st.ok()) spdlog::warn("pausing failed partitions: {}", st.ToString());
}

Status Archiver::Handle(const kafka::Message& message) {
  Connector* connector = ConnectorFor(message.topic());
  if (!connector) return Status::Ok();  // not ours (a regex subscription overlap); never committed by us
  if (connector->failed) return Status::Ok();  // prefetched after the failure: left for the restart
  const kafka::TopicPartition tp{std::string(message.topic()), message.partition()};
  PartitionWriter* writer = WriterFor(*connector, tp);
  RecordContext ctx{message.topic(), message.partition(), message.offset(), message.timestamp_ms(), message.key()};
  auto& stats = stats_[connector->name];
  const auto value = message.value();
  if (!value) {
    ++stats.tombstones_skipped;
    writer->MarkSkipped(message.offset());
    return Status::Ok();
  }
  auto decoded = connector->decoder->Decode(ctx, *value);
  if (!decoded.ok()) {
    FailConnector(*connector, decoded.status().WithContext("topic " + tp.topic + " partition " +
                                                           std::to_string(tp.partition) + " offset " +
                                                           std::to_string(message.offset())));
    return Status::Ok();
  }
  if (decoded->time.source == TimeSource::kKafkaTimestamp) ++stats.time_fallbacks;
  path_buffer_ = connector->layout->PartitionPath(decoded->time.micros, decoded->schema_version, {});
  Status st = writer->Write(ctx, *decoded, path_buffer_);
  if (!st.ok()) {
    FailConnector(*connector, st.WithContext("topic " + tp.topic + " partition " + std::to_string(tp.partition) +
                                             " offset " + std::to_string(message.offset())));
    return Status::Ok();
  }
  ++stats.records_written;
  return Status::Ok();
}

Status Archiver::CommitProgress(const std::vector<kafka::TopicPartition>& only) {
  std::vector<kafka::OffsetToCommit> offsets;
  auto consider = [&](const kafka::TopicPartition& tp, const PartitionWriter& w) {
    const auto next = w.committable_offset();
    if (!next) return;
    auto it = committed_.find(tp);
    if (it != committed_.end() && it->second >= *next) return;
    offsets.push_back({tp, *next});
  };
  if (only.empty()) {
    for (const auto& [tp, w] : writers_) consider(tp, *w);
  } else {
    for (const auto& tp : only)
      if (auto it = writers_.find(tp); it != writers_.end()) consider(tp, *it->second);
  }
  if (offsets.empty()) return Status::Ok();
  FLOE_RETURN_IF_ERROR(consumer_->Commit(offsets));
  for (const auto& o : offsets) {
    committed_[o.tp] = o.next_offset;
    if (auto it = writers_.find(o.tp); it != writers_.end()) it->second->OnCommitted(o.next_offset);
  }
  last_commit_micros_ = options_.clock->MonotonicMicros();
  return Status::Ok();
}

Status Archiver::SealAndCommit(const std::vector<kafka::TopicPartition>& partitions) {
  Status first;
  for (const auto& tp : partitions) {
    auto it = writers_.find(tp);
    if (it == writers_.end()) continue;
    Status st = it->second->SealAll();
    if (!st.ok() && first.ok()) first = st;
  }
  Status st = CommitProgress(partitions);
  return first.ok() ? st : first;
}

void Archiver::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    Connector* c = ConnectorFor(tp.topic);
    if (c && c->failed) (void)consumer_->Pause({tp});
  }
}

void Archiver::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  if (Status st = SealAndCommit(partitions); !st.ok())
    spdlog::warn("sealing revoked partitions: {} (uncommitted records will be consumed again)", st.ToString());
  for (const auto& tp : partitions) {
    writers_.erase(tp);
    committed_.erase(tp);
  }
}

void Archiver::OnLost(const std::vector<kafka::TopicPartition>& partitions) {
  // Another member may already own these: publishing files for them now could duplicate records.
  for (const auto& tp : partitions) {
    writers_.erase(tp);
    committed_.erase(tp);
  }
}

bool Archiver::Idle() const {
  if (!consumer_->has_been_assigned()) return false;
  for (const auto& [tp, w] : writers_)
    if (w->has_pending_uploads()) return false;
  // Partitions of failed connectors are paused and will not reach their end: they count as done.
  for (const auto& tp : consumer_->assignment()) {
    auto it = topic_to_connector_.find(tp.topic);
    const bool failed = it != topic_to_connector_.end() && it->second && it->second->failed;
    if (!failed && !consumer_->AllAssignedAtEnd()) return false;
  }
  return true;
}

Status Archiver::Run() {
  const int poll_ms = static_cast<int>(config_.worker.GetInt("poll.timeout.ms"));
  const int64_t commit_interval = config_.worker.GetInt("offset.commit.interval.ms") * 1000;
  int64_t last_housekeeping = options_.clock->MonotonicMicros();
  while (!(options_.stop && options_.stop->load())) {
    auto polled = consumer_->Poll(poll_ms);
    if (!polled.ok()) {
      spdlog::warn("consumer: {}", polled.status().ToString());
      if (!polled.status().retryable()) return polled.status();
    } else if (polled->has_value()) {
      FLOE_RETURN_IF_ERROR(Handle(**polled));
    }
    const int64_t now = options_.clock->MonotonicMicros();
    if (now - last_housekeeping >= poll_ms * 1000) {
      last_housekeeping = now;
      for (auto& [tp, w] : writers_) {
        if (Status st = w->RetryPendingUploads(); !st.ok()) spdlog::debug("{}", st.ToString());
        if (Status st = w->SealDue(); !st.ok()) spdlog::warn("rotation of {}: {}", kafka::ToString(tp), st.ToString());
        // Another owner claimed it: consume nothing more of it until Kafka takes it away.
        if (w->fenced()) (void)consumer_->Pause({tp});
      }
    }
    if (now - last_commit_micros_ >= commit_interval) {
      if (Status st = CommitProgress(); !st.ok()) spdlog::warn("{}", st.ToString());
    }
    if (options_.exit_when_idle && Idle()) {
      spdlog::info("every assigned partition is caught up: sealing and committing before exit");
      break;
    }
  }
  std::vector<kafka::TopicPartition> all;
  for (const auto& [tp, w] : writers_) all.push_back(tp);
  Status shutdown = SealAndCommit(all);
  for (int attempt = 0; !shutdown.ok() && shutdown.retryable() && attempt < 5; ++attempt) {
    spdlog::warn("shutdown commit failed, retrying: {}", shutdown.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    shutdown = SealAndCommit(all);
  }
  if (Status st = consumer_->Close(); !st.ok() && shutdown.ok()) shutdown = st;
  for (const auto& c : connectors_) {
    const auto& s = stats_[c->name];
    spdlog::info("connector '{}': {} records in {} files ({} bytes), {} tombstones skipped, {} Kafka-time fallbacks{}",
                 c->name, s.records_written, s.files_committed, s.bytes_committed, s.tombstones_skipped,
                 s.time_fallbacks, c->failed ? ", FAILED: " + c->failure.ToString() : "");
  }
  FLOE_RETURN_IF_ERROR(shutdown);
  for (const auto& c : connectors_)
    if (c->failed) return c->failure;
  return Status::Ok();
}

}  // namespace floe::archive
