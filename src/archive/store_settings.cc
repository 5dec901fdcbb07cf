#include "archive/store_settings.h"

namespace floe::archive {

storage::StoreOptions StoreOptionsFromSettings(const config::SettingValues& w) {
  storage::StoreOptions o;
  o.url = w.GetString("store.url");
  o.s3.endpoint = w.GetString("s3.endpoint");
  o.s3.region = w.GetString("s3.region");
  o.s3.path_style = w.GetBool("s3.path.style");
  o.s3.part_size = static_cast<uint64_t>(w.GetInt("s3.part.size"));
  o.s3.access_key_id = w.GetString("s3.access.key.id");
  o.s3.secret_access_key = w.GetString("s3.secret.access.key");
  o.s3.session_token = w.GetString("s3.session.token");
  o.s3.profile = w.GetString("s3.profile");
  o.s3.max_retries = static_cast<int>(w.GetInt("s3.max.retries"));
  o.s3.retry_backoff_ms = static_cast<int>(w.GetInt("s3.retry.backoff.ms"));
  o.s3.request_timeout_ms = static_cast<int>(w.GetInt("s3.request.timeout.ms"));
  o.s3.upload_parallelism = static_cast<int>(w.GetInt("s3.upload.parallelism"));
  return o;
}

Result<std::unique_ptr<storage::ObjectStore>> OpenStoreFromSettings(const config::SettingValues& worker) {
  return storage::OpenObjectStore(StoreOptionsFromSettings(worker));
}

std::string LocalRootOf(const std::string& url) {
  const std::string scheme = "file://";
  return url.rfind(scheme, 0) == 0 ? url.substr(scheme.size()) : "";
}

}  // namespace floe::archive
