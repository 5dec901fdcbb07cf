// Maps the worker's store.* and s3.* settings onto the storage module's options and opens the store.
#pragma once

#include <memory>

#include "config/config.h"
#include "storage/store_options.h"

namespace floe::archive {

storage::StoreOptions StoreOptionsFromSettings(const config::SettingValues& worker);
Result<std::unique_ptr<storage::ObjectStore>> OpenStoreFromSettings(const config::SettingValues& worker);

// The local directory a file:// store URL names, or "" for other stores.
std::string LocalRootOf(const std::string& store_url);

}  // namespace floe::archive
