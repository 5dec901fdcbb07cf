// KafkaConsumer: the archiver's view of a consumer group member.
//
// Contract:
// - Offsets are never committed automatically: the archiver commits an offset only once every record
//   before it is in a durable file (enable.auto.commit and enable.auto.offset.store are forced off).
// - Rebalances are delivered to a RebalanceListener from inside Poll(), on the polling thread, before the
//   assignment changes: OnRevoked gives the listener the chance to seal and commit what it holds for those
//   partitions. Both the eager and the cooperative (incremental) protocols are handled.
// - End-of-partition events are tracked so callers can tell when every assigned partition is caught up.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

struct rd_kafka_message_s;

namespace floe::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

std::string ToString(const TopicPartition& tp);

// One consumed record; owns the librdkafka message and exposes views into it.
class Message {
 public:
  explicit Message(rd_kafka_message_s* m) : m_(m) {}
  ~Message();
  Message(Message&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
  Message& operator=(Message&& o) noexcept;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  std::string_view topic() const;
  int32_t partition() const;
  int64_t offset() const;
  // Kafka timestamp (create or log-append time) in milliseconds, or -1 when absent.
  int64_t timestamp_ms() const;
  std::optional<std::string_view> key() const;
  // nullopt for a tombstone (null value).
  std::optional<std::string_view> value() const;
  // Headers in order; names may repeat.
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> headers() const;

 private:
  rd_kafka_message_s* m_;
};

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // Called before the partitions are taken away; commits made inside still count for this member.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions) = 0;
  // The partitions were lost without a chance to commit (session timeout): drop their state.
  virtual void OnLost(const std::vector<TopicPartition>& partitions) { OnRevoked(partitions); }
};

struct OffsetToCommit {
  TopicPartition tp;
  int64_t next_offset;  // the offset of the next record to consume, as Kafka's committed offsets mean
};

class KafkaConsumer {
 public:
  // `properties`: librdkafka consumer properties; floe's defaults (cooperative-sticky assignment, earliest
  // reset) apply unless set.
  static Result<std::unique_ptr<KafkaConsumer>> Create(std::map<std::string, std::string> properties,
                                                       RebalanceListener* listener);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  // Topic names; an entry starting with '^' is a regular expression (librdkafka's convention), matched
  // again as topics appear.
  Status Subscribe(const std::vector<std::string>& topics);

  // Returns the next record, nullopt when none arrived within the timeout, or a non-OK status for a
  // consumer-level error (a partition-level fetch error is logged and retried by librdkafka).
  Result<std::optional<Message>> Poll(int timeout_ms);

  Status Commit(const std::vector<OffsetToCommit>& offsets);
  // The committed offsets of these partitions (-1 when none), as the group coordinator has them.
  Result<std::map<TopicPartition, int64_t>> Committed(const std::vector<TopicPartition>& partitions, int timeout_ms);

  Status Pause(const std::vector<TopicPartition>& partitions);
  Status Resume(const std::vector<TopicPartition>& partitions);
  // Moves an assigned partition's fetch position: the next record polled from it is at `offset` (records
  // already prefetched past it are discarded). Used to re-deliver a record whose handling is retried.
  Status Seek(const TopicPartition& tp, int64_t offset);

  const std::set<TopicPartition>& assignment() const { return assignment_; }
  // True when every assigned partition has reached its end (no record polled since its end-of-partition
  // event) and at least one rebalance has assigned partitions.
  bool AllAssignedAtEnd() const;
  // True when this assigned partition has reached its end (no record polled since its end-of-partition event).
  bool AtEnd(const TopicPartition& tp) const { return at_end_.count(tp) > 0; }
  bool has_been_assigned() const { return has_been_assigned_; }

  // Leaves the group (revoking assignments through the listener).
  Status Close();

 private:
  struct Impl;
  explicit KafkaConsumer(std::unique_ptr<Impl> impl);
  void HandleRebalance(int err, void* partitions);
  std::unique_ptr<Impl> impl_;
  std::set<TopicPartition> assignment_;
  // Ordered as TopicPartition, and searchable by a (topic view, partition) pair: each polled record looks its
  // partition up here without building a string.
  struct AtEndOrder {
    using is_transparent = void;
    using Key = std::pair<std::string_view, int32_t>;
    static Key Of(const TopicPartition& tp) { return {tp.topic, tp.partition}; }
    static Key Of(const Key& k) { return k; }
    bool operator()(const auto& a, const auto& b) const { return Of(a) < Of(b); }
  };
  std::set<TopicPartition, AtEndOrder> at_end_;
  bool has_been_assigned_ = false;
  friend struct ConsumerCallbacks;
};

}  // namespace floe::kafka
