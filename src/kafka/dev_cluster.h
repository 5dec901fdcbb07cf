// DevKafkaCluster: librdkafka's mock cluster (rdkafka_mock.h) as floe's embedded and test broker.
//
// The mock cluster speaks the real Kafka protocol on loopback sockets, so any client — floe, kcat,
// confluent-kafka — can use it. It keeps only the newest ~5 MiB of each partition, so producers should
// compress and spread load over partitions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace floe::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

// Parses "NAME:PARTITIONS" (partitions default to 1 when omitted).
Result<TopicSpec> ParseTopicSpec(const std::string& text);

class DevKafkaCluster {
 public:
  static Result<std::unique_ptr<DevKafkaCluster>> Start(int brokers, const std::vector<TopicSpec>& topics);
  ~DevKafkaCluster();
  DevKafkaCluster(const DevKafkaCluster&) = delete;
  DevKafkaCluster& operator=(const DevKafkaCluster&) = delete;

  // "127.0.0.1:port,..." for bootstrap.servers.
  const std::string& bootstrap_servers() const { return bootstrap_; }
  Status CreateTopic(const TopicSpec& topic);

 private:
  struct Impl;
  explicit DevKafkaCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string bootstrap_;
};

}  // namespace floe::kafka
