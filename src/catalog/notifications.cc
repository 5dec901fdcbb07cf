#include "catalog/notifications.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "archive/dead_letter.h"

namespace floe::catalog {
namespace {

nlohmann::ordered_json NotificationObject(const CatalogNotification& n) {
  return {{"type", n.type},       {"database", n.database}, {"table", n.table},
          {"partition", n.partition}, {"version", n.version},   {"details", n.details}};
}

void Backoff(int backoff_ms, int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(backoff_ms) << std::min(attempt, 10)));
}

// Hands every batch to each sink in turn.
class FanOutSink final : public NotificationSink {
 public:
  explicit FanOutSink(std::vector<std::unique_ptr<NotificationSink>> sinks) : sinks_(std::move(sinks)) {}
  void Notify(const std::vector<CatalogNotification>& notifications) override {
    for (auto& s : sinks_) s->Notify(notifications);
  }

 private:
  std::vector<std::unique_ptr<NotificationSink>> sinks_;
};

}  // namespace

std::string NotificationToJson(const CatalogNotification& notification) {
  return NotificationObject(notification).dump();
}

std::string NotificationsToJson(const std::vector<CatalogNotification>& notifications) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& n : notifications) arr.push_back(NotificationObject(n));
  return nlohmann::ordered_json{{"notifications", arr}}.dump();
}

WebhookSink::WebhookSink(std::string url, int max_retries, int backoff_ms)
    : url_(std::move(url)), max_retries_(max_retries), backoff_ms_(backoff_ms), http_(storage::HttpClientOptions{}) {}

void WebhookSink::Notify(const std::vector<CatalogNotification>& notifications) {
  const std::string body = NotificationsToJson(notifications);
  storage::HttpRequest req;
  req.method = "POST";
  req.url = url_;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = body;
  for (int attempt = 0;; ++attempt) {
    auto res = http_.Send(req);
    std::string why;
    if (res.ok()) {
      if (res->status >= 200 && res->status < 300) {
        ++delivered_;
        return;
      }
      why = "HTTP " + std::to_string(res->status);
      if (res->status != 429 && res->status < 500) {
        spdlog::error("catalog: webhook {} refused {} notifications: {}", url_, notifications.size(), why);
        ++dropped_;
        return;
      }
    } else {
      why = res.status().ToString();
    }
    if (attempt >= max_retries_) {
      spdlog::error("catalog: webhook {}: giving up on {} notifications after {} attempts: {}", url_,
                    notifications.size(), attempt + 1, why);
      ++dropped_;
      return;
    }
    Backoff(backoff_ms_, attempt);
  }
}

Result<std::unique_ptr<KafkaNotificationSink>> KafkaNotificationSink::Create(
    const std::map<std::string, std::string>& kafka_properties, std::string topic, int max_retries, int backoff_ms) {
  // acks=all and idempotence come with the dead-letter producer's properties.
  FLOE_ASSIGN_OR_RETURN(auto producer,
                        kafka::KafkaProducer::Create(archive::ProducerPropertiesFrom(kafka_properties)));
  return std::unique_ptr<KafkaNotificationSink>(
      new KafkaNotificationSink(std::move(producer), std::move(topic), max_retries, backoff_ms));
}

void KafkaNotificationSink::Notify(const std::vector<CatalogNotification>& notifications) {
  for (int attempt = 0;; ++attempt) {
    Status st = Status::Ok();
    for (const auto& n : notifications) {
      st = producer_->Produce(topic_, -1, n.database + "." + n.table, NotificationToJson(n));
      if (!st.ok()) break;
    }
    // Flush also when a Produce failed: what was queued must be settled before the batch is produced again.
    Status flushed = producer_->Flush(30'000);
    if (st.ok()) st = flushed;
    if (st.ok()) {
      delivered_ += notifications.size();
      return;
    }
    if (attempt >= max_retries_) {
      spdlog::error("catalog: notify topic {}: giving up on {} notifications after {} attempts: {}", topic_,
                    notifications.size(), attempt + 1, st.ToString());
      dropped_ += notifications.size();
      return;
    }
    spdlog::warn("catalog: notify topic {}: delivery failed (attempt {}), retrying: {}", topic_, attempt + 1,
                 st.ToString());
    Backoff(backoff_ms_, attempt);
  }
}

Result<std::unique_ptr<NotificationSink>> OpenNotificationSinks(const config::Config& config) {
  std::vector<std::unique_ptr<NotificationSink>> sinks;
  if (std::string hook = config.worker.GetString("catalog.notify.webhook.url"); !hook.empty()) {
    sinks.push_back(std::make_unique<WebhookSink>(hook));
  }
  if (std::string topic = config.worker.GetString("catalog.notify.topic"); !topic.empty()) {
    FLOE_ASSIGN_OR_RETURN(auto sink, KafkaNotificationSink::Create(config.kafka, topic));
    sinks.push_back(std::move(sink));
  }
  if (sinks.empty()) return std::unique_ptr<NotificationSink>();
  if (sinks.size() == 1) return std::move(sinks[0]);
  return std::unique_ptr<NotificationSink>(std::make_unique<FanOutSink>(std::move(sinks)));
}

}  // namespace floe::catalog
