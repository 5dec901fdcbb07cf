// Delivering catalog notifications (CatalogNotification, catalog.h) outside the process.
//
// WebhookSink POSTs one JSON document per flush to a URL:
//   {"notifications":[{"type":"partition_complete","database":"default","table":"ads",
//                      "partition":"v=2/dt=2024-05-01/hour=12","version":"","details":[]}, ...]}
// retrying transport errors, 429 and 5xx with exponential backoff (`max_retries` retries); other statuses
// and exhausted retries are logged and the batch is dropped: notifications are advisory, the catalog
// itself is the record.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "storage/http_client.h"

namespace floe::catalog {

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

}  // namespace floe::catalog
