// Delivering catalog notifications (CatalogNotification, catalog.h) outside the process.
//
// WebhookSink POSTs one JSON document per flush to a URL:
//   {"notifications":[{"type":"partition_complete","database":"default","table":"ads",
//                      "partition":"v=2/dt=2024-05-01/hour=12","version":"","details":[]}, ...]}
// retrying transport errors, 429 and 5xx with exponential backoff (`max_retries` retries); other statuses
// and exhausted retries are logged and the batch is dropped: notifications are advisory, the catalog
// itself is the record.
//
// KafkaNotificationSink produces each notification as its own message (the object above) to a topic,
// keyed by "database.table" so one table's notifications stay in order on one partition; acks=all and
// idempotent. A batch whose delivery fails is produced again with backoff (`max_retries` times), so a
// consumer may see a notification twice (at least once); then it is logged and dropped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "config/config.h"
#include "kafka/producer.h"
#include "storage/http_client.h"

namespace floe::catalog {

std::string NotificationToJson(const CatalogNotification& notification);
std::string NotificationsToJson(const std::vector<CatalogNotification>& notifications);

class WebhookSink final : public NotificationSink {
 public:
  WebhookSink(std::string url, int max_retries = 5, int backoff_ms = 200);
  void Notify(const std::vector<CatalogNotification>& notifications) override;
  // Deliveries that succeeded / were given up.
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }

 private:
  std::string url_;
  int max_retries_;
  int backoff_ms_;
  storage::HttpClient http_;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
};

class KafkaNotificationSink final : public NotificationSink {
 public:
  // `kafka_properties`: the worker's `kafka:` section (connection and security settings are used).
  static Result<std::unique_ptr<KafkaNotificationSink>> Create(
      const std::map<std::string, std::string>& kafka_properties, std::string topic, int max_retries = 5,
      int backoff_ms = 200);
  void Notify(const std::vector<CatalogNotification>& notifications) override;
  // Notifications acknowledged by Kafka / given up.
  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }

 private:
  KafkaNotificationSink(std::unique_ptr<kafka::KafkaProducer> producer, std::string topic, int max_retries,
                        int backoff_ms)
      : producer_(std::move(producer)), topic_(std::move(topic)), max_retries_(max_retries), backoff_ms_(backoff_ms) {}
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::string topic_;
  int max_retries_;
  int backoff_ms_;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
};

// The sinks the configuration asks for (catalog.notify.webhook.url, catalog.notify.topic), each given every
// batch in that order; nullptr when none is set.
Result<std::unique_ptr<NotificationSink>> OpenNotificationSinks(const config::Config& config);

}  // namespace floe::catalog
