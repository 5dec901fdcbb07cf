#include "storage/store_commands.h"

#include <sys/stat.h>

#include <iostream>
#include <iterator>

#include "common/time_util.h"

namespace floe::storage {

Status RunStoreLs(ObjectStore& store, std::string_view prefix, bool recursive, std::ostream& out) {
  ListRequest req;
  req.prefix = std::string(prefix);
  if (!recursive) req.delimiter = "/";
  while (true) {
    FLOE_ASSIGN_OR_RETURN(ListPage page, store.List(req));
    // Within a page, objects and prefixes are each sorted; print them merged so output is in key order.
    size_t o = 0, p = 0;
    while (o < page.objects.size() || p < page.common_prefixes.size()) {
      if (p == page.common_prefixes.size() ||
          (o < page.objects.size() && page.objects[o].key < page.common_prefixes[p])) {
        const ObjectMeta& m = page.objects[o++];
        out << m.size << ' ' << FormatRfc3339Micros(m.last_modified_micros) << ' ' << m.key << '\n';
      } else {
        out << "PRE " << page.common_prefixes[p++] << '\n';
      }
    }
    if (page.next_continuation_token.empty()) break;
    req.continuation_token = std::move(page.next_continuation_token);
  }
  out.flush();
  return out ? Status::Ok() : Error(StoreError::kIo, "write to output failed");
}

Status RunStoreCat(ObjectStore& store, std::string_view key, std::ostream& out) {
  constexpr uint64_t kChunk = 8ull << 20;
  FLOE_ASSIGN_OR_RETURN(ObjectMeta meta, store.Head(key));
  for (uint64_t offset = 0; offset < meta.size; offset += kChunk) {
    FLOE_ASSIGN_OR_RETURN(std::string chunk, store.GetRange(key, offset, kChunk));
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!out) return Error(StoreError::kIo, "write to output failed");
  }
  out.flush();
  return Status::Ok();
}

Status RunStorePut(ObjectStore& store, std::string_view key, const std::string& local_path, std::ostream& out) {
  uint64_t bytes = 0;
  if (local_path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    bytes = data.size();
    FLOE_RETURN_IF_ERROR(store.Put(key, data));
  } else {
    struct stat st{};
    if (::stat(local_path.c_str(), &st) != 0) return ErrnoStatus("stat", local_path, errno);
    bytes = static_cast<uint64_t>(st.st_size);
    FLOE_RETURN_IF_ERROR(store.PutFile(key, local_path));
  }
  out << "put " << key << ' ' << bytes << " bytes\n";
  return Status::Ok();
}

}  // namespace floe::storage
