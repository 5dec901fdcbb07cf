#include "archive/archiver.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "archive/archive_error.h"
#include "kafka/kafka_error.h"
#include "parquet/errors.h"
#include "archive/avro_format.h"
#include "archive/avro_json_decoder.h"
#include "archive/json_columnar_decoder.h"
#include "archive/parquet_format.h"
#include "archive/raw_bytes_decoder.h"
#include "json/json_schema.h"
#include "archive/store_settings.h"
#include "registry/subject_name.h"

namespace floe::archive {

namespace fs = std::filesystem;

struct Archiver::Connector {
  enum class NullPolicy { kIgnore, kFail, kWrite };
  enum class TimeFallback { kKafka, kDeadLetter, kFail };

  std::string name;
  const config::SettingValues* settings = nullptr;
  std::vector<std::string> topics;
  std::optional<std::regex> topics_regex;
  std::unique_ptr<BusinessTimeExtractor> times;
  std::unique_ptr<RecordDecoder> decoder;
  std::unique_ptr<FileFormat> format;
  std::optional<TableLayout> layout;
  std::map<std::string, std::unique_ptr<PartitionWriterContext>, std::less<>> contexts;  // per topic
  KafkaColumnOptions kafka_columns;
  bool json_input = false;
  FieldTransforms transforms;
  std::string transformed;  // scratch: a JSON value after transforms
  std::string candidates;  // timestamp.fields, for messages
  std::vector<std::optional<std::string>> field_values;  // scratch: the layout's {field:...} values
  // Partition paths already formatted, by UTC minute (the layout's finest time unit) and schema version:
  // records of a topic spread over few hours, so formatting is paid per (minute, version), not per record.
  // Unused when the layout has {field:...} values. Cleared when it grows past kPathCacheEntries.
  struct CachedPath {
    std::string version;
    std::string path;
  };
  static constexpr size_t kPathCacheEntries = 1 << 14;
  std::unordered_map<int64_t, CachedPath> paths;

  // Record policies.
  bool tolerate_all = false;  // errors.tolerance: all
  std::string dead_letter_topic;
  NullPolicy nulls = NullPolicy::kIgnore;
  TimeFallback time_fallback = TimeFallback::kKafka;
  int64_t retry_timeout_micros = -1;  // -1: retry transient failures forever
  int64_t retry_delay_max_micros = 0;
  int64_t restart_backoff_micros = 0;
  int64_t restart_backoff_max_micros = 0;
};

// One topic of a connector: its failure state and counters. A record the connector cannot archive fails
// this pipeline only, so a regex connector's bad topic does not stop its siblings.
struct Archiver::TopicPipeline {
  std::string topic;
  Connector* connector = nullptr;
  // running, or failed and waiting for its automatic restart (paused and retrying are per partition: retries_).
  ConnectorState state = ConnectorState::kRunning;
  Status failure;
  int failures_in_row = 0;
  int64_t restart_at_micros = 0;
  // The record the last failure happened at: the failure streak (restart backoff) ends once it is passed.
  std::optional<int32_t> failed_partition;
  int64_t failed_offset = 0;
  ArchiveStats stats;
};

// A partition whose current record hit a transient failure: consumption of it is paused and the record is
// re-delivered (by seeking back to it) once the backoff has passed.
struct Archiver::Retry {
  int64_t offset = 0;
  Status why;
  int attempts = 0;
  int64_t first_failure_micros = 0;
  int64_t next_attempt_micros = 0;
  bool redelivering = false;  // sought back and resumed; waiting for the record to come round again
  // The Parquet memory budget refused the record: it is delivered again once the budget is no longer under
  // pressure (other partitions seal files and give memory back), or at the latest by this time.
  bool memory = false;
  int64_t memory_wait_until_micros = 0;
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
  recent_ = {};
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

  spool_max_bytes_ = static_cast<uint64_t>(config_.worker.GetInt("spool.max.bytes"));
  publish_concurrency_ = static_cast<int>(config_.worker.GetInt("store.publish.concurrency"));
  std::vector<std::string> subscription;
  for (const auto& cc : config_.connectors) FLOE_RETURN_IF_ERROR(InitConnector(cc, subscription));
  dead_letters_ = options_.dead_letters;
  FLOE_ASSIGN_OR_RETURN(consumer_, kafka::KafkaConsumer::Create(config_.kafka, this));
  FLOE_RETURN_IF_ERROR(consumer_->Subscribe(subscription));
  spdlog::info("archiving to {} with {} connector(s); spool {}", url, connectors_.size(), spool_dir_);
  return Status::Ok();
}

Status Archiver::InitConnector(const config::ConnectorConfig& cc, std::vector<std::string>& subscription) {
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
  const std::string format = cc.values.GetString("format");
  const bool parquet = format == "parquet";
  {
    auto transforms = FieldTransforms::Create(cc.values.GetList("fields.exclude"), cc.values.GetList("fields.rename"));
    if (!transforms.ok()) return transforms.status().WithContext("connector '" + c->name + "'");
    c->transforms = std::move(transforms).value();
  }
  c->kafka_columns.key = cc.values.GetBool("store.kafka.keys");
  c->kafka_columns.headers = cc.values.GetBool("store.kafka.headers");
  const std::string input = cc.values.GetString("input.format");
  c->json_input = input == "json";
  if (input == "avro") {
    FLOE_RETURN_IF_ERROR(EnsureRegistry());
    c->decoder = std::make_unique<ConfluentAvroDecoder>(
        *c->times, *registry_,
        parquet || format == "avro" ? ConfluentAvroDecoder::Output::kColumns : ConfluentAvroDecoder::Output::kJson,
        c->kafka_columns, &c->transforms);
  } else if (input == "bytes") {
    c->decoder = std::make_unique<RawBytesDecoder>(
        parquet ? RawBytesDecoder::Output::kColumns : RawBytesDecoder::Output::kJson, c->kafka_columns);
  } else if (parquet) {
    if (!json_history_) json_history_ = std::make_unique<json::ObjectStoreSchemaHistory>(*store_);
    JsonColumnarOptions jo;
    Connector* raw = c.get();
    jo.table_dir = [raw](std::string_view topic) {
      return raw->layout->DatabaseFor(topic, raw->name) + "/" + raw->layout->TableFor(topic, raw->name);
    };
    jo.kafka_columns = c->kafka_columns;
    if (const std::string file = cc.values.GetString("json.schema.file"); !file.empty()) {
      auto declared = json::LoadJsonSchemaFile(file, "event");
      if (!declared.ok()) return declared.status().WithContext("connector '" + c->name + "': json.schema.file");
      jo.declared = std::move(declared).value();
    }
    c->decoder = std::make_unique<JsonColumnarDecoder>(*c->times, *json_history_, std::move(jo));
  } else {
    c->decoder = std::make_unique<JsonRecordDecoder>(*c->times);
  }
  if (format == "avro") {
    auto avro = AvroFormat::FromSettings(cc.values, c->kafka_columns, !c->transforms.empty());
    if (!avro.ok()) return avro.status().WithContext("connector '" + c->name + "'");
    c->format = std::move(avro).value();
  } else if (parquet) {
    if (!parquet_budget_)
      parquet_budget_ = std::make_unique<parquet::MemoryBudget>(
          static_cast<uint64_t>(config_.worker.GetInt("parquet.memory.budget.bytes")));
    parquet::WriterOptions po;
    FLOE_ASSIGN_OR_RETURN(po.codec, parquet::ParseCodec(cc.values.GetString("parquet.codec")));
    po.compression_level = static_cast<int>(cc.values.GetInt("parquet.compression.level"));
    po.row_group_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.row.group.bytes"));
    po.page_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.page.bytes"));
    po.dictionary_max_bytes = static_cast<uint64_t>(cc.values.GetInt("parquet.dictionary.max.bytes"));
    po.bloom_columns = cc.values.GetList("parquet.bloom.columns");
    if (const int64_t threads = config_.worker.GetInt("parquet.encode.threads"); !parquet_encoders_ && threads > 0)
      parquet_encoders_ = std::make_unique<WorkerThreads>(static_cast<size_t>(threads));
    c->format =
        std::make_unique<ParquetFormat>(std::move(po), spool_dir_, parquet_budget_.get(), parquet_encoders_.get());
  } else {
    c->format = std::make_unique<JsonLinesFormat>(c->kafka_columns);
  }
  TableLayoutOptions lo;
  lo.path_format = cc.values.GetString("path.format");
  lo.database_format = cc.values.GetString("database.name.format");
  lo.table_format = cc.values.GetString("table.name.format");
  auto layout = TableLayout::Create(lo);
  if (!layout.ok()) return layout.status().WithContext("connector '" + c->name + "'");
  c->layout.emplace(std::move(layout).value());
  for (const auto& f : bt.candidate_fields) c->candidates += (c->candidates.empty() ? "" : ", ") + f;
  if (c->candidates.empty()) c->candidates = "(no timestamp.fields)";
  c->tolerate_all = cc.values.GetString("errors.tolerance") == "all";
  c->dead_letter_topic = cc.values.GetString("errors.deadletterqueue.topic.name");
  const std::string nulls = cc.values.GetString("behavior.on.null.values");
  c->nulls = nulls == "fail" ? Connector::NullPolicy::kFail
             : nulls == "write" ? Connector::NullPolicy::kWrite
                                : Connector::NullPolicy::kIgnore;
  const std::string fallback = cc.values.GetString("timestamp.fallback");
  c->time_fallback = fallback == "dlq" ? Connector::TimeFallback::kDeadLetter
                     : fallback == "fail" ? Connector::TimeFallback::kFail
                                          : Connector::TimeFallback::kKafka;
  if (c->time_fallback == Connector::TimeFallback::kDeadLetter && c->dead_letter_topic.empty())
    return Error(ArchiveError::kConfig, "connector '" + c->name +
                                            "': timestamp.fallback dlq needs errors.deadletterqueue.topic.name");
  if (!c->dead_letter_topic.empty() && (std::find(c->topics.begin(), c->topics.end(), c->dead_letter_topic) !=
                                            c->topics.end() ||
                                        (c->topics_regex && std::regex_match(c->dead_letter_topic, *c->topics_regex))))
    return Error(ArchiveError::kConfig, "connector '" + c->name + "': the dead-letter topic " + c->dead_letter_topic +
                                            " is one of the connector's own topics");
  const int64_t retry_timeout = cc.values.GetInt("errors.retry.timeout");
  c->retry_timeout_micros = retry_timeout < 0 ? -1 : retry_timeout * 1000;
  c->retry_delay_max_micros = cc.values.GetInt("errors.retry.delay.max.ms") * 1000;
  c->restart_backoff_micros = cc.values.GetInt("connector.restart.backoff.ms") * 1000;
  c->restart_backoff_max_micros = cc.values.GetInt("connector.restart.backoff.max.ms") * 1000;
  connectors_.push_back(std::move(c));
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

Archiver::TopicPipeline* Archiver::PipelineFor(std::string_view topic) {
  if (recent_pipeline_ && recent_pipeline_topic_ == topic) return recent_pipeline_;
  if (auto it = pipelines_.find(topic); it != pipelines_.end()) {
    recent_pipeline_topic_ = it->first;
    recent_pipeline_ = it->second.get();
    return it->second.get();
  }
  Connector* found = nullptr;
  for (auto& c : connectors_) {
    const bool listed = std::find(c->topics.begin(), c->topics.end(), topic) != c->topics.end();
    if (listed || (c->topics_regex && std::regex_match(std::string(topic), *c->topics_regex))) {
      found = c.get();
      break;
    }
  }
  std::unique_ptr<TopicPipeline> pipeline;
  if (found) {
    pipeline = std::make_unique<TopicPipeline>();
    pipeline->topic = topic;
    pipeline->connector = found;
  }
  return pipelines_.emplace(std::string(topic), std::move(pipeline)).first->second.get();
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
  std::lock_guard<std::mutex> lock(file_events_mu_);
  if (TopicPipeline* p = PipelineFor(event.topic)) {
    auto& s = p->stats;
    ++s.files_committed;
    s.bytes_committed += event.bytes;
  }
  if (options_.listener) options_.listener->OnFileCommitted(event);
}

namespace {

std::string Where(const kafka::Message& m) {
  return "topic " + std::string(m.topic()) + " partition " + std::to_string(m.partition()) + " offset " +
         std::to_string(m.offset());
}

int64_t Backoff(int64_t base, int attempt, int64_t max) {
  int64_t delay = std::max<int64_t>(base, 1);
  for (int i = 1; i < attempt && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

}  // namespace

std::string_view ToString(ConnectorState state) {
  switch (state) {
    case ConnectorState::kRunning: return "running";
    case ConnectorState::kPaused: return "paused";
    case ConnectorState::kRetrying: return "retrying";
    case ConnectorState::kFailed: return "failed";
  }
  return "?";
}

std::vector<kafka::TopicPartition> Archiver::PartitionsOf(const TopicPipeline& pipeline) const {
  std::vector<kafka::TopicPartition> mine;
  for (const auto& tp : consumer_->assignment())
    if (tp.topic == pipeline.topic) mine.push_back(tp);
  return mine;
}

void Archiver::FailTopic(TopicPipeline& pipeline, const Status& why, const kafka::Message* at) {
  if (pipeline.state == ConnectorState::kFailed) return;
  const Connector& connector = *pipeline.connector;
  if (at) {
    pipeline.failed_partition = at->partition();
    pipeline.failed_offset = at->offset();
  }
  pipeline.state = ConnectorState::kFailed;
  pipeline.failure = why;
  ++pipeline.failures_in_row;
  const int64_t delay =
      Backoff(connector.restart_backoff_micros, pipeline.failures_in_row, connector.restart_backoff_max_micros);
  pipeline.restart_at_micros = options_.clock->MonotonicMicros() + delay;
  spdlog::error("connector '{}' topic {} failed: {} (restart in {} ms; its other topics keep running)",
                connector.name, pipeline.topic, why.ToString(), delay / 1000);
  const auto mine = PartitionsOf(pipeline);
  for (const auto& tp : mine) retries_.erase(tp);
  if (Status st = consumer_->Pause(mine); !st.ok()) spdlog::warn("pausing failed partitions: {}", st.ToString());
}

// A restart starts the topic's partitions afresh from what is committed: what their writers hold is sealed
// and committed when the store lets it, otherwise abandoned (uncommitted, hence consumed again).
void Archiver::ServiceRestarts(int64_t now) {
  for (auto& [topic, p] : pipelines_) {
    if (!p || p->state != ConnectorState::kFailed || now < p->restart_at_micros) continue;
    const std::string& name = p->connector->name;
    const auto mine = PartitionsOf(*p);
    if (Status st = SealAndCommit(mine); !st.ok())
      spdlog::warn("connector '{}' topic {}: sealing before restart: {} (its open records will be consumed again)",
                   name, topic, st.ToString());
    p->state = ConnectorState::kRunning;
    ++p->stats.restarts;
    spdlog::info("connector '{}' topic {} restarting (attempt {})", name, topic, p->failures_in_row + 1);
    DropUnusedClaims(mine);
    recent_ = {};
    for (const auto& tp : mine) {
      writers_.erase(tp);
      int64_t from = -2;  // RD_KAFKA_OFFSET_BEGINNING: nothing committed yet, as auto.offset.reset=earliest does
      if (auto it = committed_.find(tp); it != committed_.end()) {
        from = it->second;
      } else if (auto committed = consumer_->Committed({tp}, 10'000); !committed.ok()) {
        // Not knowing the committed offset is no licence to start over: files committed long ago are no
        // longer listed in the partition's state, so re-reading them would duplicate their records.
        FailTopic(*p, committed.status().WithContext("restarting connector '" + name + "' topic " + topic +
                                                     ": reading the committed offset of " + kafka::ToString(tp)));
        break;
      } else if ((*committed)[tp] >= 0) {
        from = (*committed)[tp];
      }
      if (Status st = consumer_->Seek(tp, from); !st.ok()) {
        FailTopic(*p, st.WithContext("restarting connector '" + name + "' topic " + topic));
        break;
      }
    }
    if (p->state == ConnectorState::kRunning)
      if (Status st = consumer_->Resume(mine); !st.ok()) FailTopic(*p, st);
  }
}

void Archiver::StartRetry(TopicPipeline& pipeline, const kafka::TopicPartition& tp, int64_t offset,
                          const Status& why) {
  const Connector& connector = *pipeline.connector;
  const int64_t now = options_.clock->MonotonicMicros();
  auto [it, fresh] = retries_.try_emplace(tp);
  Retry& r = it->second;
  if (fresh || r.offset != offset) r = Retry{offset, why, 0, now, 0, false};
  r.why = why;
  r.memory = why.Is(parquet::ParquetError::kMemoryPressure);
  ++r.attempts;
  r.redelivering = false;
  ++pipeline.stats.retries;
  if (connector.retry_timeout_micros >= 0 && now - r.first_failure_micros >= connector.retry_timeout_micros) {
    retries_.erase(it);
    pipeline.failed_partition = tp.partition;
    pipeline.failed_offset = offset;
    FailTopic(pipeline, why.WithContext("still failing after errors.retry.timeout"));
    return;
  }
  // Exponential backoff from 100 ms, capped by errors.retry.delay.max.ms.
  const int64_t delay = Backoff(100'000, r.attempts, connector.retry_delay_max_micros);
  r.next_attempt_micros = now + delay;
  r.memory_wait_until_micros = now + std::max(delay, connector.retry_delay_max_micros);
  if (r.attempts == 1 || r.attempts % 10 == 0)
    spdlog::warn("{} {} offset {}: {} (attempt {}, retrying in {} ms; its partition is paused)", connector.name,
                 kafka::ToString(tp), offset, why.ToString(), r.attempts, delay / 1000);
  if (Status st = consumer_->Pause({tp}); !st.ok()) spdlog::warn("pausing {}: {}", kafka::ToString(tp), st.ToString());
  // A full memory budget or spool is relieved by finishing this partition's open files.
  if (auto w = writers_.find(tp); w != writers_.end()) (void)w->second->SealAll();
}

void Archiver::ServiceRetries(int64_t now) {
  bool waiting_for_memory = false;
  for (auto& [tp, r] : retries_) {
    if (r.redelivering) continue;
    if (r.memory && parquet_budget_ && parquet_budget_->under_pressure()) {
      waiting_for_memory = true;
      if (now < r.memory_wait_until_micros) continue;
    }
    if (now < r.next_attempt_micros) continue;
    // Seeking discards whatever was prefetched past the record, so it comes round again first.
    if (Status st = consumer_->Seek(tp, r.offset); !st.ok()) {
      r.next_attempt_micros = now + 1'000'000;
      spdlog::warn("{}", st.ToString());
      continue;
    }
    (void)consumer_->Resume({tp});
    r.redelivering = true;
  }
  // A full spool (spool.max.bytes) is held the same way by open files nobody writes.
  if (waiting_for_memory || (spool_full_ && !retries_.empty())) RelieveMemory(now);
}

// The paused partitions sealed their own files, yet the memory budget (or the spool) is still held: by the
// open files of partitions that are not paused, typically ones at the end of their data, whose files would
// otherwise stay open (and hold memory or spool) until they receive records again. Sealing them lets the paused ones resume; at most
// once a second, so partitions that are writing refill their files in between.
void Archiver::RelieveMemory(int64_t now) {
  if (now - last_memory_relief_micros_ < 1'000'000) return;
  last_memory_relief_micros_ = now;
  size_t sealed = 0;
  for (auto& [tp, w] : writers_) {
    if (retries_.count(tp) || w->open_files() == 0) continue;
    sealed += w->open_files();
    if (Status st = w->SealAll(); !st.ok()) spdlog::warn("sealing {} for memory: {}", kafka::ToString(tp), st.ToString());
  }
  if (sealed > 0)
    spdlog::info("memory budget still full with {} partition(s) paused: sealed {} file(s) of the others",
                 retries_.size(), sealed);
}

void Archiver::AnnounceCaughtUp() {
  if (!options_.listener) return;
  for (auto& [tp, w] : writers_) {
    if (w->caught_up_announced() || w->open_files() > 0 || w->has_pending_uploads() || w->fenced() ||
        retries_.count(tp) || !consumer_->AtEnd(tp))
      continue;
    w->set_caught_up_announced(true);
    std::lock_guard<std::mutex> lock(file_events_mu_);
    options_.listener->OnPartitionCaughtUp(tp.topic, tp.partition, w->context().database, w->context().table);
  }
}

Status Archiver::FlushDeadLetters() { return dead_letters_ ? dead_letters_->Flush() : Status::Ok(); }

void Archiver::Reject(TopicPipeline& pipeline, PartitionWriter& writer, const kafka::Message& message,
                      const Status& why, bool force_dead_letter) {
  const Connector& connector = *pipeline.connector;
  const Status located = why.WithContext(Where(message));
  auto& stats = pipeline.stats;
  if (!connector.tolerate_all && !force_dead_letter) {
    FailTopic(pipeline, located, &message);
    return;
  }
  if (connector.dead_letter_topic.empty()) {
    ++stats.errors_skipped;
    spdlog::warn("connector '{}' skipped a record (errors.tolerance: all): {}", connector.name, located.ToString());
    writer.MarkSkipped(message.offset());
    return;
  }
  if (!dead_letters_) {
    auto dlq = KafkaDeadLetterQueue::Create(config_.kafka);
    if (!dlq.ok()) {
      StartRetry(pipeline, {std::string(message.topic()), message.partition()}, message.offset(), dlq.status());
      return;
    }
    own_dead_letters_ = std::move(dlq).value();
    dead_letters_ = own_dead_letters_.get();
  }
  if (Status st = dead_letters_->Send(connector.dead_letter_topic, connector.name, message, why); !st.ok()) {
    StartRetry(pipeline, {std::string(message.topic()), message.partition()}, message.offset(),
               st.Retryable(true).WithContext("dead-letter topic " + connector.dead_letter_topic));
    return;
  }
  ++stats.dead_lettered;
  spdlog::warn("connector '{}' dead-lettered a record to {}: {}", connector.name, connector.dead_letter_topic,
               located.ToString());
  writer.MarkSkipped(message.offset());
}

Status Archiver::Process(TopicPipeline& pipeline, PartitionWriter& writer, const kafka::Message& message) {
  Connector& connector = *pipeline.connector;
  auto& stats = pipeline.stats;
  RecordContext ctx;
  ctx.topic = message.topic();
  ctx.partition = message.partition();
  ctx.offset = message.offset();
  ctx.kafka_timestamp_ms = message.timestamp_ms();
  ctx.key = message.key();
  if (connector.kafka_columns.headers) {
    headers_ = message.headers();
    ctx.headers = headers_;
  }
  const auto value = message.value();
  // The record is decoded straight into the waiting rows of the file its partition wrote last, where it most
  // likely goes; PartitionWriter::Write moves it if not.
  ctx.append_to = writer.InPlaceBatch();
  DecodedRecord tombstone;
  Result<DecodedRecord> decoded = tombstone;
  if (!value) {
    switch (connector.nulls) {
      case Connector::NullPolicy::kIgnore:
        ++stats.tombstones_skipped;
        writer.MarkSkipped(message.offset());
        return Status::Ok();
      case Connector::NullPolicy::kFail:
        return Error(ArchiveError::kTombstone, "null value (tombstone) under behavior.on.null.values=fail");
      case Connector::NullPolicy::kWrite:
        decoded = connector.decoder->DecodeTombstone(ctx);
        break;
    }
  } else if (connector.json_input && !connector.transforms.empty()) {
    FLOE_RETURN_IF_ERROR(connector.transforms.ApplyToJson(*value, connector.transformed));
    decoded = connector.decoder->Decode(ctx, connector.transformed);
  } else {
    decoded = connector.decoder->Decode(ctx, *value);
  }
  if (!decoded.ok()) return decoded.status();
  // Refused before Write (no business time): the file that offered its batch must not keep the record.
  struct DropUnlessTaken {
    DecodedRecord& record;
    ~DropUnlessTaken() { DropInPlaceRecord(record); }
  } drop_unless_taken{*decoded};
  if (decoded->time.source == TimeSource::kKafkaTimestamp && value) {
    if (connector.time_fallback == Connector::TimeFallback::kDeadLetter)
      return Error(ArchiveError::kMissingTime, "no plausible business time in " + connector.candidates);
    if (connector.time_fallback == Connector::TimeFallback::kFail)
      return Error(ArchiveError::kMissingTime, "no plausible business time in " + connector.candidates)
          .WithContext("timestamp.fallback=fail");
    ++stats.time_fallbacks;
  }
  std::string_view path;
  if (!connector.layout->fields().empty()) {
    connector.field_values.clear();
    for (const auto& field : connector.layout->fields())
      connector.field_values.push_back(decoded->FieldValue(field));
    path_buffer_ =
        connector.layout->PartitionPath(decoded->time.micros, decoded->schema_version, connector.field_values);
    path = path_buffer_;
  } else {
    const int64_t micros = decoded->time.micros;
    const int64_t minute = micros >= 0 ? micros / 60'000'000 : -1 - (-micros - 1) / 60'000'000;
    auto [it, fresh] = connector.paths.try_emplace(minute);
    if (fresh || it->second.version != decoded->schema_version) {
      if (connector.paths.size() > Connector::kPathCacheEntries) {
        connector.paths.clear();
        it = connector.paths.try_emplace(minute).first;
      }
      it->second.version.assign(decoded->schema_version);
      it->second.path = connector.layout->PartitionPath(micros, decoded->schema_version, connector.field_values);
    }
    path = it->second.path;
  }
  FLOE_RETURN_IF_ERROR(writer.Write(ctx, *decoded, path));
  if (value) {
    ++stats.records_written;
  } else {
    ++stats.tombstones_written;
  }
  int64_t& newest = *recent_.newest_time;
  if (decoded->time.micros >= newest) {
    newest = decoded->time.micros;
    ++stats.lateness[0];
  } else {
    const int64_t late_s = (newest - decoded->time.micros) / 1'000'000;
    size_t b = 0;
    while (b < std::size(ArchiveStats::kLatenessBucketsSeconds) && late_s > ArchiveStats::kLatenessBucketsSeconds[b]) ++b;
    ++stats.lateness[b];
  }
  return Status::Ok();
}

Status Archiver::Handle(kafka::Message& message) {
  TopicPipeline* pipeline = PipelineFor(message.topic());
  if (!pipeline) return Status::Ok();  // not ours (a regex subscription overlap); never committed by us
  if (pipeline->state == ConnectorState::kFailed) return Status::Ok();  // prefetched: re-read on restart
  Connector& connector = *pipeline->connector;
  if (recent_.tp.partition != message.partition() || recent_.tp.topic != message.topic()) {
    recent_.tp = kafka::TopicPartition{std::string(message.topic()), message.partition()};
    recent_.writer = nullptr;
  }
  const kafka::TopicPartition& tp = recent_.tp;
  auto retry = retries_.empty() ? retries_.end() : retries_.find(tp);
  if (retry != retries_.end()) {
    // Prefetched before the pause, or past the record being retried: it comes round again after the seek.
    if (!retry->second.redelivering || message.offset() != retry->second.offset) return Status::Ok();
  }
  if (!recent_.writer) {
    recent_.writer = WriterFor(connector, tp);
    recent_.newest_time = &newest_time_[tp];
  }
  PartitionWriter* writer = recent_.writer;
  writer->set_caught_up_announced(false);
  Status st = spool_full_ ? Error(ArchiveError::kSpool, "spool.max.bytes reached (" + std::to_string(spool_bytes_) +
                                                            " bytes held locally); waiting for uploads to drain it")
                          : Process(*pipeline, *writer, message);
  if (st.ok()) {
    if (retry != retries_.end()) {
      spdlog::info("{} {} offset {}: recovered after {} attempt(s)", connector.name, kafka::ToString(tp),
                   message.offset(), retry->second.attempts);
      retries_.erase(retry);
    }
    if (pipeline->failed_partition == tp.partition && message.offset() >= pipeline->failed_offset) {
      pipeline->failures_in_row = 0;  // got past the record that made it fail
      pipeline->failed_partition.reset();
    }
    return Status::Ok();
  }
  if (st.retryable()) {
    StartRetry(*pipeline, tp, message.offset(), st.WithContext(Where(message)));
    return Status::Ok();
  }
  if (retry != retries_.end()) retries_.erase(retry);
  const bool to_dead_letter = st.Is(ArchiveError::kMissingTime) &&
                              connector.time_fallback == Connector::TimeFallback::kDeadLetter;
  if (st.Is(ArchiveError::kMissingTime) && connector.time_fallback == Connector::TimeFallback::kFail) {
    FailTopic(*pipeline, st.WithContext(Where(message)), &message);
    return Status::Ok();
  }
  Reject(*pipeline, *writer, message, st, to_dead_letter);
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
  // Offsets past dead-lettered records are only committed once the dead letters are durable.
  FLOE_RETURN_IF_ERROR(FlushDeadLetters());
  FLOE_RETURN_IF_ERROR(consumer_->Commit(offsets));
  for (const auto& o : offsets) {
    committed_[o.tp] = o.next_offset;
    if (auto it = writers_.find(o.tp); it != writers_.end()) it->second->OnCommitted(o.next_offset);
  }
  last_commit_micros_ = options_.clock->MonotonicMicros();
  return Status::Ok();
}

void Archiver::ForEachConcurrently(const std::vector<PartitionWriter*>& writers,
                                   const std::function<void(size_t, PartitionWriter&)>& work) {
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1)) < writers.size();) work(i, *writers[i]);
  };
  std::vector<std::jthread> helpers;
  const size_t threads = std::min<size_t>(static_cast<size_t>(publish_concurrency_), writers.size());
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(run);
    } catch (const std::system_error& e) {  // no thread to be had: this one does the rest
      spdlog::debug("store requests on {} thread(s): {}", t, e.what());
      break;
    }
  }
  run();
}  // helpers joined

void Archiver::DropUnusedClaims(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<PartitionWriter*> writers;
  for (const auto& tp : partitions)
    if (auto it = writers_.find(tp); it != writers_.end()) writers.push_back(it->second.get());
  ForEachConcurrently(writers, [](size_t, PartitionWriter& w) { w.DropUnusedClaim(); });
}

Status Archiver::PublishConcurrently(const std::vector<PartitionWriter*>& writers) {
  std::vector<Status> results(writers.size());
  ForEachConcurrently(writers, [&](size_t i, PartitionWriter& w) { results[i] = w.RetryPendingUploads(); });
  for (const auto& st : results)
    if (!st.ok()) return st;
  return Status::Ok();
}

Status Archiver::SealAndCommit(const std::vector<kafka::TopicPartition>& partitions) {
  Status first;
  std::vector<PartitionWriter*> publishing;
  for (const auto& tp : partitions)
    if (auto it = writers_.find(tp); it != writers_.end()) it->second->PrepareSealAll();
  for (const auto& tp : partitions) {
    auto it = writers_.find(tp);
    if (it == writers_.end()) continue;
    Status st = it->second->SealAll(/*publish=*/false);
    if (!st.ok() && first.ok()) first = st;
    if (it->second->has_pending_uploads()) publishing.push_back(it->second.get());
  }
  if (Status st = PublishConcurrently(publishing); !st.ok() && first.ok()) first = st;
  Status st = CommitProgress(partitions);
  return first.ok() ? st : first;
}

void Archiver::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<PartitionWriter*> claiming;
  for (const auto& tp : partitions) {
    TopicPipeline* p = PipelineFor(tp.topic);
    if (!p) continue;
    if (p->state == ConnectorState::kFailed) {
      (void)consumer_->Pause({tp});
      continue;
    }
    claiming.push_back(WriterFor(*p->connector, tp));
  }
  // Joined before returning: a claim made for this assignment cannot land after the partition is revoked
  // (it would fence the next owner). After a failure (the store is down) the rest are left to their first
  // record, which retries with backoff while consumption goes on, rather than each waiting out the store's
  // retries here, holding up this worker's poll loop and any rebalance waiting on it.
  std::atomic<bool> store_failing{false};
  ForEachConcurrently(claiming, [&](size_t, PartitionWriter& w) {
    if (!store_failing.load(std::memory_order_relaxed) && !w.ClaimAhead()) store_failing = true;
  });
}

void Archiver::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  if (Status st = SealAndCommit(partitions); !st.ok())
    spdlog::warn("sealing revoked partitions: {} (uncommitted records will be consumed again)", st.ToString());
  DropUnusedClaims(partitions);
  recent_ = {};
  for (const auto& tp : partitions) {
    writers_.erase(tp);
    retries_.erase(tp);
    newest_time_.erase(tp);
    committed_.erase(tp);
  }
}

void Archiver::OnLost(const std::vector<kafka::TopicPartition>& partitions) {
  // Another member may already own these: publishing files for them now could duplicate records.
  DropUnusedClaims(partitions);
  recent_ = {};
  for (const auto& tp : partitions) {
    writers_.erase(tp);
    retries_.erase(tp);
    newest_time_.erase(tp);
    committed_.erase(tp);
  }
}

bool Archiver::Idle() const {
  if (!consumer_->has_been_assigned() || !retries_.empty()) return false;
  for (const auto& [tp, w] : writers_)
    if (w->has_pending_uploads()) return false;
  // Partitions of failed topics are paused and will not reach their end: they count as done.
  for (const auto& tp : consumer_->assignment()) {
    auto it = pipelines_.find(tp.topic);
    const bool failed = it != pipelines_.end() && it->second && it->second->state == ConnectorState::kFailed;
    if (!failed && !consumer_->AtEnd(tp)) return false;
  }
  return true;
}

ArchiveStats& ArchiveStats::operator+=(const ArchiveStats& o) {
  records_written += o.records_written;
  tombstones_skipped += o.tombstones_skipped;
  tombstones_written += o.tombstones_written;
  time_fallbacks += o.time_fallbacks;
  dead_lettered += o.dead_lettered;
  errors_skipped += o.errors_skipped;
  retries += o.retries;
  restarts += o.restarts;
  files_committed += o.files_committed;
  bytes_committed += o.bytes_committed;
  for (size_t b = 0; b < std::size(lateness); ++b) lateness[b] += o.lateness[b];
  return *this;
}

std::map<std::string, ArchiveStats> Archiver::stats() const {
  std::map<std::string, ArchiveStats> out;
  for (const auto& c : connectors_) out[c->name];
  for (const auto& [topic, p] : pipelines_)
    if (p) out[p->connector->name] += p->stats;
  return out;
}

TopicStatus Archiver::StatusOf(const TopicPipeline& pipeline, int64_t now) const {
  TopicStatus st;
  st.topic = pipeline.topic;
  st.state = pipeline.state;
  st.stats = pipeline.stats;
  if (pipeline.state == ConnectorState::kFailed) {
    st.reason = pipeline.failure.ToString();
    st.restart_in_ms = std::max<int64_t>(0, (pipeline.restart_at_micros - now) / 1000);
    return st;
  }
  // A failure outranks waiting for room: retrying if any partition retries one, paused if all only wait.
  for (const auto& [tp, r] : retries_) {
    if (tp.topic != pipeline.topic) continue;
    const bool waits_for_room = r.memory || r.why.Is(ArchiveError::kSpool);
    if (!waits_for_room) {
      st.state = ConnectorState::kRetrying;
      st.reason = r.why.ToString();
      break;
    }
    if (st.state == ConnectorState::kRunning) {
      st.state = ConnectorState::kPaused;
      st.reason = r.why.ToString();
    }
  }
  return st;
}

namespace {

// failed > retrying > paused > running.
int Severity(ConnectorState state) {
  switch (state) {
    case ConnectorState::kRunning: return 0;
    case ConnectorState::kPaused: return 1;
    case ConnectorState::kRetrying: return 2;
    case ConnectorState::kFailed: return 3;
  }
  return 0;
}

}  // namespace

std::vector<ConnectorStatus> Archiver::connector_statuses() const {
  std::vector<ConnectorStatus> out;
  const int64_t now = options_.clock->MonotonicMicros();
  for (const auto& c : connectors_) {
    ConnectorStatus st;
    st.name = c->name;
    for (const auto& [topic, p] : pipelines_) {
      if (!p || p->connector != c.get()) continue;
      TopicStatus ts = StatusOf(*p, now);
      st.stats += ts.stats;
      if (Severity(ts.state) > Severity(st.state)) {
        st.state = ts.state;
        st.reason = "topic " + ts.topic + ": " + ts.reason;
        st.restart_in_ms = ts.restart_in_ms;
      } else if (ts.state == ConnectorState::kFailed) {
        st.restart_in_ms = std::min(st.restart_in_ms, ts.restart_in_ms);
      }
      st.topics.push_back(std::move(ts));
    }
    out.push_back(std::move(st));
  }
  return out;
}

namespace {

nlohmann::json CountersJson(const ArchiveStats& s) {
  nlohmann::json c;
  c["records_written"] = s.records_written;
  c["files_committed"] = s.files_committed;
  c["bytes_committed"] = s.bytes_committed;
  c["tombstones_skipped"] = s.tombstones_skipped;
  c["tombstones_written"] = s.tombstones_written;
  c["time_fallbacks"] = s.time_fallbacks;
  c["dead_lettered"] = s.dead_lettered;
  c["errors_skipped"] = s.errors_skipped;
  c["retries"] = s.retries;
  c["restarts"] = s.restarts;
  nlohmann::json lateness = nlohmann::json::object();
  for (size_t b = 0; b < std::size(s.lateness); ++b) {
    const std::string label = b < std::size(ArchiveStats::kLatenessBucketsSeconds)
                                  ? "le_" + std::to_string(ArchiveStats::kLatenessBucketsSeconds[b]) + "s"
                                  : "more";
    lateness[label] = s.lateness[b];
  }
  c["lateness"] = lateness;
  return c;
}

// name/topic, state, reason, restart_in_ms, then the counters.
template <typename S>
nlohmann::json StatusJson(const char* name_key, const std::string& name, const S& st) {
  nlohmann::json j = CountersJson(st.stats);
  j[name_key] = name;
  j["state"] = ToString(st.state);
  if (!st.reason.empty()) j["reason"] = st.reason;
  if (st.state == ConnectorState::kFailed) j["restart_in_ms"] = st.restart_in_ms;
  return j;
}

}  // namespace

// The status file is rewritten atomically (temp + rename) at most once a second, so `cat` or a monitoring
// agent always reads a whole document.
void Archiver::WriteStatusFile(int64_t now) {
  if (options_.status_file.empty()) return;
  if (last_status_micros_ != 0 && now - last_status_micros_ < 1'000'000) return;
  last_status_micros_ = now;
  nlohmann::json doc;
  doc["pid"] = ::getpid();
  doc["assigned_partitions"] = consumer_ ? consumer_->assignment().size() : 0;
  doc["retrying_partitions"] = retries_.size();
  for (const auto& st : connector_statuses()) {
    nlohmann::json c = StatusJson("name", st.name, st);
    c["topics"] = nlohmann::json::array();
    for (const auto& ts : st.topics) c["topics"].push_back(StatusJson("topic", ts.topic, ts));
    doc["connectors"].push_back(std::move(c));
  }
  const std::string tmp = options_.status_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) {
      spdlog::warn("cannot write status file {}", tmp);
      return;
    }
  }
  std::error_code ec;
  fs::rename(tmp, options_.status_file, ec);
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
    // One clock reading per record serves every timer below.
    const int64_t now = options_.clock->MonotonicMicros();
    ServiceRetries(now);
    ServiceRestarts(now);
    WriteStatusFile(now);
    if (now - last_housekeeping >= poll_ms * 1000) {
      last_housekeeping = now;
      spool_bytes_ = 0;
      for (const auto& [tp, w] : writers_) spool_bytes_ += w->spool_bytes();
      const bool was_full = spool_full_;
      spool_full_ = spool_max_bytes_ > 0 && spool_bytes_ >= spool_max_bytes_;
      if (spool_full_ != was_full)
        spdlog::warn("spool {}: {} of {} bytes", spool_full_ ? "full, pausing intake" : "drained, resuming",
                     spool_bytes_, spool_max_bytes_);
      std::vector<PartitionWriter*> publishing;
      for (auto& [tp, w] : writers_) {
        if (Status st = w->SealDue(/*publish=*/false); !st.ok())
          spdlog::warn("rotation of {}: {}", kafka::ToString(tp), st.ToString());
        if (w->has_pending_uploads()) publishing.push_back(w.get());
      }
      if (Status st = PublishConcurrently(publishing); !st.ok()) spdlog::debug("{}", st.ToString());
      AnnounceCaughtUp();
      for (auto& [tp, w] : writers_)
        if (w->fenced()) (void)consumer_->Pause({tp});  // another owner claimed it: nothing more until revoked
    }
    if (now - last_commit_micros_ >= commit_interval) {
      // Also when nothing is committable yet (files still open): the next look is an interval away, not the
      // next record's.
      last_commit_micros_ = now;
      if (Status st = CommitProgress(); !st.ok()) spdlog::warn("{}", st.ToString());
    }
    // Idle() walks every assignment: only worth asking when a poll came back empty (at the end of the topics).
    if (options_.exit_when_idle && polled.ok() && !polled->has_value() && Idle()) {
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
  if (shutdown.ok()) AnnounceCaughtUp();
  if (shutdown.Is(kafka::KafkaError::kFenced)) {
    // The group is rebalancing (another member left or joined as this one stops), so Kafka refuses this
    // member's commit. Nothing is lost or doubled by it: every file is sealed and published, and listed in
    // its partition's state, so the next owner resumes from the last commit and skips what is listed.
    spdlog::warn("the last offsets were not committed ({}); the partitions' next owner resumes from the previous "
                 "commit and skips the files published since",
                 shutdown.message());
    shutdown = Status::Ok();
  }
  DropUnusedClaims(all);
  if (Status st = consumer_->Close(); !st.ok() && shutdown.ok()) shutdown = st;
  last_status_micros_ = 0;
  WriteStatusFile(options_.clock->MonotonicMicros());
  for (const auto& st : connector_statuses()) {
    const auto& s = st.stats;
    spdlog::info("connector '{}': {} records in {} files ({} bytes), {} tombstones skipped, {} written, {} Kafka-time "
                 "fallbacks, {} dead-lettered, {} skipped as errors, {} retries, {} restarts",
                 st.name, s.records_written, s.files_committed, s.bytes_committed, s.tombstones_skipped,
                 s.tombstones_written, s.time_fallbacks, s.dead_lettered, s.errors_skipped, s.retries, s.restarts);
    for (const auto& ts : st.topics)
      if (ts.state == ConnectorState::kFailed)
        spdlog::error("connector '{}' topic {} is FAILED: {}", st.name, ts.topic, ts.reason);
  }
  FLOE_RETURN_IF_ERROR(shutdown);
  for (const auto& [topic, p] : pipelines_)
    if (p && p->state == ConnectorState::kFailed) return p->failure;
  return Status::Ok();
}

}  // namespace floe::archive
