#include "catalog/catalog_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/catalog_error.h"
#include "catalog/file_event_json.h"
#include "catalog/rebuild.h"
#include "common/clock.h"

namespace floe::catalog {
namespace {

int64_t Now() { return SystemClock::Instance().MonotonicMicros(); }

std::string Where(const kafka::Message& m) {
  return std::string(m.topic()) + " partition " + std::to_string(m.partition()) + " offset " +
         std::to_string(m.offset());
}

}  // namespace

Result<std::unique_ptr<CatalogService>> CatalogService::Create(Catalog& catalog, storage::ObjectStore& lake,
                                                               std::vector<KeyPattern> patterns,
                                                               CatalogServiceOptions options) {
  if (options.file_events_topic.empty() && options.s3_events_topic.empty()) {
    return Error(CatalogError::kInvalidArgument,
                 "nothing to consume: set file.events.topic and/or catalog.s3.events.topic");
  }
  std::unique_ptr<CatalogService> s(
      new CatalogService(catalog, lake, std::move(patterns), std::move(options)));
  FLOE_ASSIGN_OR_RETURN(s->consumer_, kafka::KafkaConsumer::Create(s->options_.consumer_properties, s.get()));
  return s;
}

CatalogService::~CatalogService() = default;

Status CatalogService::Run() {
  std::vector<std::string> topics;
  for (const auto* t : {&options_.file_events_topic, &options_.s3_events_topic}) {
    if (!t->empty()) topics.push_back(*t);
  }
  FLOE_RETURN_IF_ERROR(consumer_->Subscribe(topics));
  last_flush_micros_ = Now();
  Status result = Status::Ok();
  while (!(options_.stop && options_.stop->load())) {
    ResumeDuePartitions();
    auto polled = consumer_->Poll(200);
    if (!polled.ok()) {
      result = polled.status();
      break;
    }
    if (*polled) {
      const kafka::Message& m = **polled;
      ++stats_.messages;
      auto ops = Decode(m);
      if (!ops.ok()) {
        if (Status st = Retry(m, ops.status()); !st.ok()) {
          result = st;
          break;
        }
      } else {
        const kafka::TopicPartition tp{std::string(m.topic()), m.partition()};
        failures_.erase(tp);
        pending_.insert(pending_.end(), std::make_move_iterator(ops->begin()), std::make_move_iterator(ops->end()));
        ++pending_messages_;
        offsets_[tp] = m.offset() + 1;
      }
    }
    if (pending_messages_ >= options_.max_batch || Now() - last_flush_micros_ >= options_.flush_interval_ms * 1000) {
      // A failed flush keeps everything pending (and uncommitted) for the next interval.
      if (Status st = FlushAndCommit(); !st.ok()) spdlog::warn("catalog serve: flush failed (will retry): {}", st.ToString());
    }
    if (options_.exit_when_idle && consumer_->has_been_assigned() && consumer_->AllAssignedAtEnd() &&
        paused_until_.empty()) {
      if (Status st = FlushAndCommit(); st.ok()) break;
    }
  }
  // On the way out: what was consumed is flushed and committed, or (flush failed) re-delivered next time.
  if (Status st = FlushAndCommit(); !st.ok() && result.ok()) result = st;
  if (Status st = consumer_->Close(); !st.ok()) spdlog::warn("catalog serve: leaving the group: {}", st.ToString());
  return result;
}

Result<std::vector<CatalogService::Op>> CatalogService::Decode(const kafka::Message& m) {
  const auto value = m.value();
  if (!value) {
    ++stats_.malformed;
    spdlog::warn("catalog serve: {}: a null value, skipped", Where(m));
    return std::vector<Op>{};
  }
  if (m.topic() == options_.s3_events_topic) return DecodeS3(m, *value);
  auto event = FileEventFromJson(*value);
  if (!event.ok()) {
    ++stats_.malformed;
    spdlog::warn("catalog serve: {}: not a file event, skipped: {}", Where(m), event.status().ToString());
    return std::vector<Op>{};
  }
  ++stats_.file_events;
  std::vector<Op> ops(1);
  ops[0].event = std::move(*event);
  return ops;
}

Result<std::vector<CatalogService::Op>> CatalogService::DecodeS3(const kafka::Message& m, std::string_view value) {
  std::vector<Op> ops;
  auto events = ParseS3EventMessage(value);
  if (!events.ok()) {
    ++stats_.malformed;
    spdlog::warn("catalog serve: {}: {}, skipped", Where(m), events.status().ToString());
    return ops;
  }
  // Counted only once the whole message is decoded, so that a retried message is not counted twice.
  uint64_t created = 0, removed = 0, ignored = 0, unreadable = 0;
  for (const auto& e : *events) {
    const std::string key = options_.lake.LakeKeyOf(e);
    const KeyPattern* pattern = nullptr;
    if (!key.empty()) {
      for (const auto& p : patterns_) {
        if (p.Parse(key).ok()) {
          pattern = &p;
          break;
        }
      }
    }
    if (!pattern) {
      ++ignored;
      spdlog::debug("catalog serve: {}: {} is not a data file of the lake, ignored", Where(m), e.key);
      continue;
    }
    Op op;
    if (e.kind == S3ObjectEvent::Kind::kRemoved) {
      op.remove = true;
      op.key = key;
      ops.push_back(std::move(op));
      ++removed;
      continue;
    }
    storage::ObjectMeta object{key, e.size, e.event_time_micros, ""};
    if (object.size == 0) {
      auto head = lake_.Head(key);
      if (head.ok()) object.size = head->size;
    }
    auto event = EventFromObject(lake_, *pattern, object);
    if (!event.ok()) {
      if (event.status().retryable()) return event.status();
      ++unreadable;
      spdlog::warn("catalog serve: {}: cannot read {}, skipped: {}", Where(m), key, event.status().ToString());
      continue;
    }
    op.event = std::move(*event);
    ops.push_back(std::move(op));
    ++created;
  }
  stats_.s3_created += created;
  stats_.s3_removed += removed;
  stats_.ignored += ignored;
  stats_.unreadable += unreadable;
  return ops;
}

Status CatalogService::Retry(const kafka::Message& m, const Status& why) {
  const kafka::TopicPartition tp{std::string(m.topic()), m.partition()};
  const int failures = failures_[tp]++;
  const int64_t backoff_ms = std::min<int64_t>(options_.retry_backoff_ms << std::min(failures, 10), 30'000);
  ++stats_.retries;
  spdlog::warn("catalog serve: {}: {} (retrying in {} ms)", Where(m), why.ToString(), backoff_ms);
  Status st = consumer_->Seek(tp, m.offset());
  if (st.ok()) st = consumer_->Pause({tp});
  // Without the seek the message would be passed over: stop rather than lose it (a restart re-reads it).
  if (!st.ok()) return st.WithContext("re-delivering " + Where(m));
  paused_until_[tp] = Now() + backoff_ms * 1000;
  return Status::Ok();
}

void CatalogService::ResumeDuePartitions() {
  const int64_t now = Now();
  std::vector<kafka::TopicPartition> due;
  for (const auto& [tp, until] : paused_until_) {
    if (until <= now) due.push_back(tp);
  }
  if (due.empty()) return;
  if (Status st = consumer_->Resume(due); !st.ok()) {
    spdlog::warn("catalog serve: resuming partitions: {}", st.ToString());
    return;
  }
  for (const auto& tp : due) paused_until_.erase(tp);
}

Status CatalogService::FlushAndCommit() {
  last_flush_micros_ = Now();
  // Apply in message order: the files registered so far go in one flush before each removal.
  std::vector<archive::FileCommittedEvent> batch;
  size_t applied = 0;
  Status st = Status::Ok();
  for (; applied < pending_.size() && st.ok(); ++applied) {
    Op& op = pending_[applied];
    if (!op.remove) {
      batch.push_back(std::move(op.event));
      continue;
    }
    st = catalog_.Ingest(batch);
    batch.clear();  // a failed flush keeps them queued in the catalog itself
    if (!st.ok()) break;
    st = catalog_.WithStore([&](CatalogStore& store) { return store.DeleteFile(op.key); });
    if (!st.ok()) break;
  }
  if (st.ok()) st = catalog_.Ingest(batch);  // also evaluates completeness when nothing is pending
  if (!st.ok()) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(applied));
    return st;
  }
  pending_.clear();
  pending_messages_ = 0;
  if (offsets_.empty()) return Status::Ok();
  std::vector<kafka::OffsetToCommit> commit;
  for (const auto& [tp, next] : offsets_) commit.push_back({tp, next});
  FLOE_RETURN_IF_ERROR(consumer_->Commit(commit));
  offsets_.clear();
  ++stats_.commits;
  return Status::Ok();
}

void CatalogService::OnAssigned(const std::vector<kafka::TopicPartition>&) {}

void CatalogService::OnRevoked(const std::vector<kafka::TopicPartition>& partitions) {
  // Commit what this member consumed while the partitions are still its own. If that fails, the next owner
  // re-reads from the last commit, and the catalog takes the re-delivered events as the same files.
  if (Status st = FlushAndCommit(); !st.ok()) {
    spdlog::warn("catalog serve: flush before revocation failed: {}", st.ToString());
  }
  for (const auto& tp : partitions) {
    offsets_.erase(tp);
    paused_until_.erase(tp);
    failures_.erase(tp);
  }
}

}  // namespace floe::catalog
