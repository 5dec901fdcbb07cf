#include "kafka/consumer.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <cstring>

#include "kafka/kafka_error.h"

namespace floe::kafka {

std::string ToString(const TopicPartition& tp) { return tp.topic + "[" + std::to_string(tp.partition) + "]"; }

Message::~Message() {
  if (m_) rd_kafka_message_destroy(m_);
}
Message& Message::operator=(Message&& o) noexcept {
  if (this != &o) {
    if (m_) rd_kafka_message_destroy(m_);
    m_ = o.m_;
    o.m_ = nullptr;
  }
  return *this;
}
std::string_view Message::topic() const { return rd_kafka_topic_name(m_->rkt); }
int32_t Message::partition() const { return m_->partition; }
int64_t Message::offset() const { return m_->offset; }
int64_t Message::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  return rd_kafka_message_timestamp(m_, &type);
}
std::optional<std::string_view> Message::key() const {
  if (!m_->key) return std::nullopt;
  return std::string_view(static_cast<const char*>(m_->key), m_->key_len);
}
std::optional<std::string_view> Message::value() const {
  if (!m_->payload) return std::nullopt;
  return std::string_view(static_cast<const char*>(m_->payload), m_->len);
}
std::vector<std::pair<std::string_view, std::optional<std::string_view>>> Message::headers() const {
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> out;
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name;
  const void* value;
  size_t size;
  for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    if (value)
      out.emplace_back(name, std::string_view(static_cast<const char*>(value), size));
    else
      out.emplace_back(name, std::nullopt);
  }
  return out;
}

struct KafkaConsumer::Impl {
  rd_kafka_t* rk = nullptr;
  RebalanceListener* listener = nullptr;
  KafkaConsumer* owner = nullptr;
  bool closed = false;
  ~Impl() {
    if (rk) rd_kafka_destroy(rk);
  }
};

namespace {

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i) out.push_back({list->elems[i].topic, list->elems[i].partition});
  return out;
}

// "events[0], events[2]": the log names the partitions so an operator (and the static-membership test) can
// tell whether a restarted worker got its own partitions back.
std::string Names(const std::vector<TopicPartition>& tps) {
  std::string out;
  for (const auto& tp : tps) out += (out.empty() ? "" : ", ") + ToString(tp);
  return out;
}

rd_kafka_topic_partition_list_t* ToList(const std::vector<TopicPartition>& tps) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(tps.size()));
  for (const auto& tp : tps) rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition);
  return list;
}

}  // namespace

struct ConsumerCallbacks {
  static void Rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                        void* opaque) {
    static_cast<KafkaConsumer::Impl*>(opaque)->owner->HandleRebalance(err, partitions);
  }
  static void Log(const rd_kafka_t*, int level, const char* fac, const char* buf) {
    if (level <= 3)
      spdlog::error("librdkafka {}: {}", fac, buf);
    else if (level <= 4)
      spdlog::warn("librdkafka {}: {}", fac, buf);
    else
      spdlog::debug("librdkafka {}: {}", fac, buf);
  }
};

void KafkaConsumer::HandleRebalance(int err, void* raw) {
  auto* partitions = static_cast<rd_kafka_topic_partition_list_t*>(raw);
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(impl_->rk), "COOPERATIVE") == 0;
  const auto tps = ToVector(partitions);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (const auto& tp : tps) {
      assignment_.insert(tp);
      at_end_.erase(tp);
    }
    has_been_assigned_ = true;
    if (impl_->listener) impl_->listener->OnAssigned(tps);
    rd_kafka_error_t* e = nullptr;
    if (cooperative) {
      e = rd_kafka_incremental_assign(impl_->rk, partitions);
    } else {
      rd_kafka_assign(impl_->rk, partitions);
    }
    if (e) {
      spdlog::error("incremental assign failed: {}", rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    spdlog::info("assigned {} partition(s), {} in total: [{}]", tps.size(), assignment_.size(), Names(tps));
  } else {
    const bool lost = rd_kafka_assignment_lost(impl_->rk);
    if (impl_->listener) {
      if (lost)
        impl_->listener->OnLost(tps);
      else
        impl_->listener->OnRevoked(tps);
    }
    for (const auto& tp : tps) {
      assignment_.erase(tp);
      at_end_.erase(tp);
    }
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_unassign(impl_->rk, partitions);
      if (e) {
        spdlog::error("incremental unassign failed: {}", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(impl_->rk, nullptr);
      assignment_.clear();
      at_end_.clear();
    }
    spdlog::info("{} {} partition(s), {} left: [{}]", lost ? "lost" : "revoked", tps.size(), assignment_.size(),
                 Names(tps));
  }
}

KafkaConsumer::KafkaConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->owner = this; }

KafkaConsumer::~KafkaConsumer() {
  if (impl_ && impl_->rk && !impl_->closed) (void)Close();
}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(std::map<std::string, std::string> properties,
                                                             RebalanceListener* listener) {
  properties.try_emplace("partition.assignment.strategy", "cooperative-sticky");
  properties.try_emplace("auto.offset.reset", "earliest");
  properties.try_emplace("group.id", "floe");
  // librdkafka stops fetching once 100,000 messages wait in the consumer queue (its default): with small
  // records that is ~15 MB, drained by a decoder slower than the fetcher in a fraction of a fetch round trip,
  // so the poll thread waited on an empty queue about half the time. The byte cap
  // (queued.max.messages.kbytes, 64 MiB) bounds the prefetch instead.
  properties.try_emplace("queued.min.messages", "1000000");
  properties["enable.auto.commit"] = "false";
  properties["enable.auto.offset.store"] = "false";
  properties["enable.partition.eof"] = "true";
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [k, v] : properties) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error(KafkaError::kConfig, "kafka." + k + ": " + err);
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->listener = listener;
  rd_kafka_conf_set_rebalance_cb(conf, &ConsumerCallbacks::Rebalance);
  rd_kafka_conf_set_log_cb(conf, &ConsumerCallbacks::Log);
  rd_kafka_conf_set_opaque(conf, impl.get());
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return Error(KafkaError::kConfig, std::string("cannot create consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(impl->rk);
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(impl)));
}

Status KafkaConsumer::Subscribe(const std::vector<std::string>& topics) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(impl_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) return Error(KafkaError::kConfig, std::string("subscribe: ") + rd_kafka_err2str(e));
  return Status::Ok();
}

Result<std::optional<Message>> KafkaConsumer::Poll(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, timeout_ms);
  if (!m) return std::optional<Message>();
  Message msg(m);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (!at_end_.empty())
      if (auto it = at_end_.find(AtEndOrder::Key{msg.topic(), m->partition}); it != at_end_.end()) at_end_.erase(it);
    return std::optional<Message>(std::move(msg));
  }
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    at_end_.insert(TopicPartition{std::string(msg.topic()), m->partition});
    return std::optional<Message>();
  }
  const std::string what = rd_kafka_message_errstr(m);
  if (m->err == RD_KAFKA_RESP_ERR__TRANSPORT || m->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
      m->err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    return Status(KafkaError::kTransport, what);
  }
  if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
      m->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
    // A subscribed topic that does not exist (yet): librdkafka keeps watching for it.
    spdlog::warn("consumer: {}", what);
    return std::optional<Message>();
  }
  return Status(KafkaError::kInternal, what);
}

Status KafkaConsumer::Commit(const std::vector<OffsetToCommit>& offsets) {
  if (offsets.empty()) return Status::Ok();
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (const auto& o : offsets)
    rd_kafka_topic_partition_list_add(list, o.tp.topic.c_str(), o.tp.partition)->offset = o.next_offset;
  rd_kafka_resp_err_t e = rd_kafka_commit(impl_->rk, list, 0 /* synchronous */);
  std::string partition_errors;
  for (int i = 0; i < list->cnt; ++i)
    if (list->elems[i].err)
      partition_errors += " " + std::string(list->elems[i].topic) + "[" + std::to_string(list->elems[i].partition) +
                          "]: " + rd_kafka_err2str(list->elems[i].err);
  rd_kafka_topic_partition_list_destroy(list);
  if (e == RD_KAFKA_RESP_ERR__NO_OFFSET) return Status::Ok();
  if (e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
      e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS || e == RD_KAFKA_RESP_ERR__FENCED)
    return Error(KafkaError::kFenced, std::string("commit refused, partitions moved: ") + rd_kafka_err2str(e));
  if (e) return Error(KafkaError::kCommit, std::string("commit: ") + rd_kafka_err2str(e) + partition_errors);
  if (!partition_errors.empty()) return Error(KafkaError::kCommit, "commit:" + partition_errors);
  return Status::Ok();
}

Result<std::map<TopicPartition, int64_t>> KafkaConsumer::Committed(const std::vector<TopicPartition>& partitions,
                                                                   int timeout_ms) {
  rd_kafka_topic_partition_list_t* list = ToList(partitions);
  rd_kafka_resp_err_t e = rd_kafka_committed(impl_->rk, list, timeout_ms);
  std::map<TopicPartition, int64_t> out;
  if (!e)
    for (int i = 0; i < list->cnt; ++i) out[{list->elems[i].topic, list->elems[i].partition}] = list->elems[i].offset;
  rd_kafka_topic_partition_list_destroy(list);
  if (e) return Error(KafkaError::kTransport, std::string("fetch committed offsets: ") + rd_kafka_err2str(e));
  return out;
}

Status KafkaConsumer::Pause(const std::vector<TopicPartition>& partitions) {
  rd_kafka_topic_partition_list_t* list = ToList(partitions);
  rd_kafka_resp_err_t e = rd_kafka_pause_partitions(impl_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) return Error(KafkaError::kInternal, std::string("pause: ") + rd_kafka_err2str(e));
  return Status::Ok();
}

Status KafkaConsumer::Seek(const TopicPartition& tp, int64_t offset) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, tp.topic.c_str(), tp.partition)->offset = offset;
  rd_kafka_error_t* error = rd_kafka_seek_partitions(impl_->rk, list, 5000);
  rd_kafka_resp_err_t e = error ? rd_kafka_error_code(error) : list->elems[0].err;
  if (error) rd_kafka_error_destroy(error);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) return Error(KafkaError::kInternal, "seek " + ToString(tp) + " to " + std::to_string(offset) + ": " +
                                                 rd_kafka_err2str(e));
  at_end_.erase(tp);
  return Status::Ok();
}

Status KafkaConsumer::Resume(const std::vector<TopicPartition>& partitions) {
  rd_kafka_topic_partition_list_t* list = ToList(partitions);
  rd_kafka_resp_err_t e = rd_kafka_resume_partitions(impl_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (e) return Error(KafkaError::kInternal, std::string("resume: ") + rd_kafka_err2str(e));
  return Status::Ok();
}

bool KafkaConsumer::AllAssignedAtEnd() const {
  if (!has_been_assigned_ || assignment_.empty()) return false;
  for (const auto& tp : assignment_)
    if (!at_end_.count(tp)) return false;
  return true;
}

Status KafkaConsumer::Close() {
  if (impl_->closed) return Status::Ok();
  impl_->closed = true;
  rd_kafka_resp_err_t e = rd_kafka_consumer_close(impl_->rk);
  if (e) return Error(KafkaError::kInternal, std::string("close: ") + rd_kafka_err2str(e));
  return Status::Ok();
}

}  // namespace floe::kafka
