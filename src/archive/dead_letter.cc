#include "archive/dead_letter.h"

namespace floe::archive {

std::map<std::string, std::string> ProducerPropertiesFrom(const std::map<std::string, std::string>& consumer) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : consumer) {
    const bool connection = key == "bootstrap.servers" || key == "metadata.broker.list" || key == "client.id" ||
                            key == "client.rack" || key.rfind("security.", 0) == 0 || key.rfind("sasl.", 0) == 0 ||
                            key.rfind("ssl.", 0) == 0 || key.rfind("socket.", 0) == 0 ||
                            key == "broker.address.family";
    if (connection) out[key] = value;
  }
  out["enable.idempotence"] = "true";
  out["acks"] = "all";
  out["linger.ms"] = "5";
  return out;
}

std::vector<kafka::Header> DeadLetterHeaders(std::string_view connector, const kafka::Message& original,
                                             const Status& why) {
  std::vector<kafka::Header> headers;
  for (const auto& [name, value] : original.headers())
    headers.push_back({std::string(name), value ? std::string(*value) : std::string()});
  headers.push_back({"__floe.errors.class", why.qualified_name()});
  headers.push_back({"__floe.errors.message", std::string(why.message())});
  headers.push_back({"__floe.errors.topic", std::string(original.topic())});
  headers.push_back({"__floe.errors.partition", std::to_string(original.partition())});
  headers.push_back({"__floe.errors.offset", std::to_string(original.offset())});
  headers.push_back({"__floe.errors.connector", std::string(connector)});
  return headers;
}

Result<std::unique_ptr<KafkaDeadLetterQueue>> KafkaDeadLetterQueue::Create(
    const std::map<std::string, std::string>& kafka_properties) {
  FLOE_ASSIGN_OR_RETURN(auto producer, kafka::KafkaProducer::Create(ProducerPropertiesFrom(kafka_properties)));
  return std::unique_ptr<KafkaDeadLetterQueue>(new KafkaDeadLetterQueue(std::move(producer)));
}

Status KafkaDeadLetterQueue::Send(std::string_view dlq_topic, std::string_view connector,
                                  const kafka::Message& original, const Status& why) {
  unflushed_ = true;
  const int64_t ts = original.timestamp_ms();
  return producer_->Produce(dlq_topic, -1, original.key(), original.value(), ts > 0 ? ts : 0,
                            DeadLetterHeaders(connector, original, why));
}

Status KafkaDeadLetterQueue::Flush() {
  if (!unflushed_) return Status::Ok();
  FLOE_RETURN_IF_ERROR(producer_->Flush(30'000));
  unflushed_ = false;
  return Status::Ok();
}

}  // namespace floe::archive
