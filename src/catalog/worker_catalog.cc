#include "catalog/worker_catalog.h"

#include <algorithm>
#include <set>

#include "archive/store_settings.h"
#include "catalog/catalog_error.h"
#include "catalog/glue_publisher.h"

namespace floe::catalog {

std::string ResolveCatalogUrl(const config::SettingValues& worker) {
  std::string url = worker.GetString("catalog.url");
  if (!url.empty()) return url;
  std::string root = archive::LocalRootOf(worker.GetString("store.url"));
  if (root.empty()) return "";
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return "sqlite://" + root + "/_floe/catalog.db";
}

Result<std::vector<KeyPattern>> KeyPatternsOf(const config::Config& config) {
  std::vector<std::string> texts;
  if (std::string p = config.worker.GetString("catalog.key.pattern"); !p.empty()) {
    texts.push_back(p);
  } else {
    for (const auto& c : config.connectors) {
      std::string p = PatternForPathFormat(c.values.GetString("path.format"));
      if (std::find(texts.begin(), texts.end(), p) == texts.end()) texts.push_back(p);
    }
    if (texts.empty()) texts.push_back(PatternForPathFormat(config::SettingValues().GetString("path.format")));
  }
  std::vector<KeyPattern> out;
  for (const auto& t : texts) {
    FLOE_ASSIGN_OR_RETURN(auto p, KeyPattern::Create(t));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::unique_ptr<WorkerCatalog>> OpenWorkerCatalog(const config::Config& config, bool start) {
  const std::string url = ResolveCatalogUrl(config.worker);
  if (url.empty() && config.worker.GetBool("catalog.glue.enabled")) {
    return Error(CatalogError::kInvalidArgument,
                 "catalog.glue.enabled needs a catalog to publish: set catalog.url for a remote store.url");
  }
  if (url.empty()) return std::unique_ptr<WorkerCatalog>();
  auto wc = std::make_unique<WorkerCatalog>();
  FLOE_ASSIGN_OR_RETURN(wc->patterns, KeyPatternsOf(config));
  FLOE_ASSIGN_OR_RETURN(wc->store, archive::OpenStoreFromSettings(config.worker));
  FLOE_ASSIGN_OR_RETURN(auto store, CatalogStore::Open(url));
  CatalogOptions options;
  options.lake_url = config.worker.GetString("store.url");
  options.store = wc->store.get();
  options.flush_interval_ms = config.worker.GetInt("catalog.flush.interval.ms");
  options.completeness_grace_ms = config.worker.GetInt("catalog.completeness.grace.ms");
  options.completeness_idle_ms = config.worker.GetInt("catalog.completeness.idle.ms");
  options.success_marker = config.worker.GetBool("catalog.success.marker");
  FLOE_ASSIGN_OR_RETURN(wc->notifications, OpenNotificationSinks(config));
  options.notifications = wc->notifications.get();
  FLOE_ASSIGN_OR_RETURN(wc->publisher, OpenGluePublisher(config.worker));
  options.publisher = wc->publisher.get();
  FLOE_ASSIGN_OR_RETURN(wc->catalog, Catalog::Open(std::move(store), options));
  if (start) wc->catalog->Start();
  return wc;
}

FanOutListener::FanOutListener(std::vector<archive::FileEventListener*> listeners) {
  for (auto* l : listeners) {
    if (l) listeners_.push_back(l);
  }
}

void FanOutListener::OnFileCommitted(const archive::FileCommittedEvent& event) {
  for (auto* l : listeners_) l->OnFileCommitted(event);
}

void FanOutListener::OnPartitionCaughtUp(const std::string& topic, int32_t partition, const std::string& database,
                                         const std::string& table) {
  for (auto* l : listeners_) l->OnPartitionCaughtUp(topic, partition, database, table);
}

}  // namespace floe::catalog
