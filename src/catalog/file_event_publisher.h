// KafkaFileEventPublisher: publishes every committed file's event (file_event_json.h) to the worker's
// `file.events.topic`, keyed by object key, so a catalog running elsewhere (`floe catalog serve`, a data
// team's own consumer) learns about files without listing the store.
//
// Contract: OnFileCommitted returns only once the event is acknowledged by Kafka (acks=all, idempotent),
// and the archiver calls it before the file's offsets are committed — so a committed offset implies a
// published event. A failure is logged and retried on the next event; after a crash between PUT and publish
// the file is re-published by the replay (deterministic key), so consumers must treat events idempotently.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "archive/file_events.h"
#include "common/status.h"
#include "kafka/producer.h"

namespace floe::catalog {

class KafkaFileEventPublisher final : public archive::FileEventListener {
 public:
  // `kafka_properties`: the worker's `kafka:` section (connection and security settings are used).
  static Result<std::unique_ptr<KafkaFileEventPublisher>> Create(
      const std::map<std::string, std::string>& kafka_properties, std::string topic);
  void OnFileCommitted(const archive::FileCommittedEvent& event) override;
  uint64_t published() const { return published_; }
  uint64_t failed() const { return failed_; }

 private:
  KafkaFileEventPublisher(std::unique_ptr<kafka::KafkaProducer> producer, std::string topic)
      : producer_(std::move(producer)), topic_(std::move(topic)) {}
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::string topic_;
  uint64_t published_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace floe::catalog
