// The library side of `floe store ls|cat|put`: the CLI parses arguments, opens the store and calls these.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "storage/object_store.h"

namespace floe::storage {

// Lists keys under prefix, one per line: "<size> <last-modified RFC 3339> <key>"; with recursive=false,
// prefixes one level down print as "PRE <prefix>" (like `aws s3 ls`).
Status RunStoreLs(ObjectStore& store, std::string_view prefix, bool recursive, std::ostream& out);
// Streams the object to out in ranged reads, so large objects do not need to fit in memory.
Status RunStoreCat(ObjectStore& store, std::string_view key, std::ostream& out);
// Uploads a local file ("-" reads standard input) under key and prints "put <key> <bytes> bytes".
Status RunStorePut(ObjectStore& store, std::string_view key, const std::string& local_path, std::ostream& out);

}  // namespace floe::storage
