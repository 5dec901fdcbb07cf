// KafkaProducer: a small, synchronous-at-flush wrapper over librdkafka's producer, used by the load
// generator, the dead-letter queue and file-event publishing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace floe::kafka {

struct Header {
  std::string name;
  std::string value;
};

class KafkaProducer {
 public:
  // `properties` are librdkafka producer properties (bootstrap.servers, compression.type, ...).
  static Result<std::unique_ptr<KafkaProducer>> Create(const std::map<std::string, std::string>& properties);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Queues one message. `partition` < 0 lets the partitioner choose (by key). A null value (tombstone) is
  // produced when `value` is nullopt. `timestamp_ms` 0 means "now". Blocks while the local queue is full.
  Status Produce(std::string_view topic, int32_t partition, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, int64_t timestamp_ms = 0,
                 const std::vector<Header>& headers = {});

  // Waits until every queued message is delivered or failed; returns the first delivery failure.
  Status Flush(int timeout_ms);

  uint64_t delivered() const;
  uint64_t failed() const;

 private:
  struct Impl;
  explicit KafkaProducer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace floe::kafka
