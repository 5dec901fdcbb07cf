// Wiring the catalog into a worker process (`floe run`, `floe demo`, `floe catalog ...`) from configuration.
//
//   auto wc = catalog::OpenWorkerCatalog(config);          // nullptr when the worker keeps no catalog
//   catalog::FanOutListener fan({&my_listener, wc ? wc->catalog.get() : nullptr});
//   options.listener = &fan;  ... archiver runs ...;  wc->catalog->Stop();   // final flush
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/file_events.h"
#include "catalog/catalog.h"
#include "catalog/key_pattern.h"
#include "catalog/notifications.h"
#include "config/config.h"
#include "storage/object_store.h"

namespace floe::catalog {

// catalog.url, or `sqlite://<lake>/_floe/catalog.db` for a local lake, or "" (no catalog) for a remote store.
std::string ResolveCatalogUrl(const config::SettingValues& worker);

// The key patterns of the configuration: catalog.key.pattern when set, else one per distinct path.format of
// the connectors (the default path.format when there are none).
Result<std::vector<KeyPattern>> KeyPatternsOf(const config::Config& config);

struct WorkerCatalog {
  std::unique_ptr<storage::ObjectStore> store;  // the lake, for footers (and rebuild listings)
  std::unique_ptr<NotificationSink> notifications;  // catalog.notify.webhook.url, catalog.notify.topic
  std::unique_ptr<CatalogPublisher> publisher;      // catalog.glue.enabled
  std::unique_ptr<Catalog> catalog;
  std::vector<KeyPattern> patterns;
};

// Opens the lake and the catalog store; `start` starts background flushing. nullptr (not an error) when
// ResolveCatalogUrl gives "" — unless catalog.glue.enabled, which needs a catalog to publish.
Result<std::unique_ptr<WorkerCatalog>> OpenWorkerCatalog(const config::Config& config, bool start = true);

// Sends each event to every non-null listener, in order.
class FanOutListener final : public archive::FileEventListener {
 public:
  explicit FanOutListener(std::vector<archive::FileEventListener*> listeners);
  void OnFileCommitted(const archive::FileCommittedEvent& event) override;
  void OnPartitionCaughtUp(const std::string& topic, int32_t partition, const std::string& database,
                           const std::string& table) override;

 private:
  std::vector<archive::FileEventListener*> listeners_;
};

}  // namespace floe::catalog
