#include "catalog/notifications.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace floe::catalog {

std::string NotificationsToJson(const std::vector<CatalogNotification>& notifications) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& n : notifications) {
    arr.push_back({{"type", n.type},
                   {"database", n.database},
                   {"table", n.table},
                   {"partition", n.partition},
                   {"version", n.version},
                   {"details", n.details}});
  }
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
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(backoff_ms_) << std::min(attempt, 10)));
  }
}

}  // namespace floe::catalog
