#include <memory>

#include "storage/local_object_store.h"
#include "storage/s3_object_store.h"
#include "storage/store_options.h"

namespace floe::storage {

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const StoreOptions& options) {
  const std::string& url = options.url;
  if (url.rfind("file://", 0) == 0) {
    FLOE_ASSIGN_OR_RETURN(auto store, LocalObjectStore::Open(url.substr(7)));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  if (url.rfind("s3://", 0) == 0) {
    FLOE_ASSIGN_OR_RETURN(auto store, S3ObjectStore::Open(url, options.s3));
    return std::unique_ptr<ObjectStore>(std::move(store));
  }
  return Error(StoreError::kInvalidArgument,
               "store.url '" + url + "' must be file:///absolute/path or s3://bucket[/prefix]");
}

}  // namespace floe::storage
