// DeadLetterQueue: where records that a connector cannot archive go under `errors.tolerance: all`
// (and records without a business time under `timestamp.fallback: dlq`).
//
// A dead letter keeps the original key, value, timestamp and headers, and adds headers saying why and
// where it came from (Connect's DLQ does the same with `__connect.errors.*`):
//   __floe.errors.class      stable error code, e.g. "avro.unknown_schema_id"
//   __floe.errors.message    the human-readable reason
//   __floe.errors.topic / .partition / .offset   the original record
//   __floe.errors.connector  the connector that rejected it
//
// Contract: Send() may queue; a record's offset may only be committed after Flush() returned OK, so a dead
// letter is never lost between the two.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"

namespace floe::archive {

class DeadLetterQueue {
 public:
  virtual ~DeadLetterQueue() = default;
  virtual Status Send(std::string_view dlq_topic, std::string_view connector, const kafka::Message& original,
                      const Status& why) = 0;
  virtual Status Flush() = 0;
};

// The headers a dead letter carries, original headers first.
std::vector<kafka::Header> DeadLetterHeaders(std::string_view connector, const kafka::Message& original,
                                             const Status& why);

class KafkaDeadLetterQueue final : public DeadLetterQueue {
 public:
  // `kafka_properties`: the worker's `kafka:` section; only connection and security properties are used.
  static Result<std::unique_ptr<KafkaDeadLetterQueue>> Create(const std::map<std::string, std::string>& kafka_properties);
  Status Send(std::string_view dlq_topic, std::string_view connector, const kafka::Message& original,
              const Status& why) override;
  Status Flush() override;

 private:
  explicit KafkaDeadLetterQueue(std::unique_ptr<kafka::KafkaProducer> producer) : producer_(std::move(producer)) {}
  std::unique_ptr<kafka::KafkaProducer> producer_;
  bool unflushed_ = false;
};

// librdkafka producer properties derived from consumer ones: connection and security settings only (the
// consumer's group and offset properties would make a producer warn), idempotent and acks=all.
std::map<std::string, std::string> ProducerPropertiesFrom(const std::map<std::string, std::string>& consumer_properties);

}  // namespace floe::archive
