#include "catalog/file_event_publisher.h"

#include <spdlog/spdlog.h>

#include "archive/dead_letter.h"
#include "catalog/file_event_json.h"

namespace floe::catalog {

Result<std::unique_ptr<KafkaFileEventPublisher>> KafkaFileEventPublisher::Create(
    const std::map<std::string, std::string>& kafka_properties, std::string topic) {
  FLOE_ASSIGN_OR_RETURN(auto producer,
                        kafka::KafkaProducer::Create(archive::ProducerPropertiesFrom(kafka_properties)));
  return std::unique_ptr<KafkaFileEventPublisher>(new KafkaFileEventPublisher(std::move(producer), std::move(topic)));
}

void KafkaFileEventPublisher::OnFileCommitted(const archive::FileCommittedEvent& event) {
  Status st = producer_->Produce(topic_, -1, event.key, FileEventToJson(event));
  if (st.ok()) st = producer_->Flush(30'000);
  if (st.ok()) {
    ++published_;
  } else {
    ++failed_;
    spdlog::warn("publishing the file event of {} to {}: {}", event.key, topic_, st.ToString());
  }
}

}  // namespace floe::catalog
