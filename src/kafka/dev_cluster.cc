#include "kafka/dev_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <charconv>

#include "kafka/kafka_error.h"

namespace floe::kafka {

struct DevKafkaCluster::Impl {
  rd_kafka_t* handle = nullptr;  // the mock cluster needs a client instance to live in
  rd_kafka_mock_cluster_t* cluster = nullptr;
  ~Impl() {
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (handle) rd_kafka_destroy(handle);
  }
};

Result<TopicSpec> ParseTopicSpec(const std::string& text) {
  TopicSpec spec;
  const auto colon = text.rfind(':');
  spec.name = text.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string n = text.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(n.data(), n.data() + n.size(), spec.partitions);
    if (ec != std::errc() || ptr != n.data() + n.size() || spec.partitions < 1 || spec.partitions > 10000)
      return Error(KafkaError::kConfig, "topic spec '" + text + "': partitions must be a number from 1 to 10000");
  }
  if (spec.name.empty()) return Error(KafkaError::kConfig, "topic spec '" + text + "': empty topic name");
  return spec;
}

DevKafkaCluster::DevKafkaCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(impl_->cluster);
}

DevKafkaCluster::~DevKafkaCluster() = default;

Result<std::unique_ptr<DevKafkaCluster>> DevKafkaCluster::Start(int brokers, const std::vector<TopicSpec>& topics) {
  if (brokers < 1 || brokers > 32) return Error(KafkaError::kConfig, "brokers must be between 1 and 32");
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  auto impl = std::make_unique<Impl>();
  impl->handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!impl->handle) {
    rd_kafka_conf_destroy(conf);
    return Error(KafkaError::kInternal, std::string("cannot create the mock cluster's client: ") + err);
  }
  impl->cluster = rd_kafka_mock_cluster_new(impl->handle, brokers);
  if (!impl->cluster) return Error(KafkaError::kInternal, "cannot start the librdkafka mock cluster");
  std::unique_ptr<DevKafkaCluster> cluster(new DevKafkaCluster(std::move(impl)));
  for (const auto& t : topics) FLOE_RETURN_IF_ERROR(cluster->CreateTopic(t));
  return cluster;
}

Status DevKafkaCluster::CreateTopic(const TopicSpec& topic) {
  const int replication = 1;
  rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(impl_->cluster, topic.name.c_str(), topic.partitions, replication);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Error(KafkaError::kInternal, "cannot create topic " + topic.name + ": " + rd_kafka_err2str(e));
  return Status::Ok();
}

}  // namespace floe::kafka
