#include "storage/memory_object_store.h"

#include <algorithm>

#include "storage/digest.h"

namespace floe::storage {
namespace {

std::string QuotedMd5(std::string_view data) { return "\"" + HexLower(Md5(data)) + "\""; }

}  // namespace

MemoryObjectStore::MemoryObjectStore(const Clock& clock) : clock_(clock) {}

Result<const MemoryObjectStore::Object*> MemoryObjectStore::Find(std::string_view key) const {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  auto it = objects_.find(key);
  if (it == objects_.end()) return Error(StoreError::kNotFound, url_ + " has no object " + std::string(key));
  return &it->second;
}

Status MemoryObjectStore::Put(std::string_view key, std::string_view data) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Object obj{std::make_shared<const std::string>(data), clock_.NowMicros(), QuotedMd5(data)};
  std::lock_guard<std::mutex> lock(mu_);
  objects_.insert_or_assign(std::string(key), std::move(obj));
  return Status::Ok();
}

Result<std::string> MemoryObjectStore::Get(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(const Object* obj, Find(key));
  return *obj->data;
}

Result<std::string> MemoryObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(const Object* obj, Find(key));
  if (length == 0) return std::string();
  if (offset >= obj->data->size()) {
    return Error(StoreError::kInvalidArgument, url_ + " key " + std::string(key) + ": range offset " +
                                                   std::to_string(offset) + " at or past size " +
                                                   std::to_string(obj->data->size()));
  }
  return obj->data->substr(offset, length);
}

Result<ObjectMeta> MemoryObjectStore::Head(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(const Object* obj, Find(key));
  return ObjectMeta{std::string(key), obj->data->size(), obj->mtime_micros, obj->etag};
}

Result<ListPage> MemoryObjectStore::List(const ListRequest& request) {
  if (request.max_keys <= 0) return Error(StoreError::kInvalidArgument, "list max_keys must be positive");
  std::lock_guard<std::mutex> lock(mu_);
  ListPage page;
  const std::string& prefix = request.prefix;
  auto it = objects_.lower_bound(std::max(prefix, request.continuation_token));
  std::string last;
  int taken = 0;
  for (; it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const std::string& key = it->first;
    if (!request.continuation_token.empty() && key <= request.continuation_token) continue;
    std::string common;
    if (!request.delimiter.empty()) {
      const size_t at = key.find(request.delimiter, prefix.size());
      if (at != std::string::npos) common = key.substr(0, at + request.delimiter.size());
    }
    if (!common.empty() && !page.common_prefixes.empty() && page.common_prefixes.back() == common) continue;
    // A token equal to a common prefix means that prefix was already returned.
    if (!common.empty() && common == request.continuation_token) continue;
    if (taken == request.max_keys) {
      page.next_continuation_token = last;
      break;
    }
    ++taken;
    if (common.empty()) {
      last = key;
      page.objects.push_back(ObjectMeta{key, it->second.data->size(), it->second.mtime_micros, it->second.etag});
    } else {
      last = common;
      page.common_prefixes.push_back(std::move(common));
    }
  }
  return page;
}

Status MemoryObjectStore::Delete(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return Status::Ok();
}

Result<MemoryObjectStore::Upload*> MemoryObjectStore::FindUpload(std::string_view key, std::string_view upload_id) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) {
    return Error(StoreError::kNoSuchUpload,
                 url_ + " has no multipart upload " + std::string(upload_id) + " for key " + std::string(key));
  }
  return &it->second;
}

Result<std::string> MemoryObjectStore::CreateMultipartUpload(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  std::lock_guard<std::mutex> lock(mu_);
  char id[32];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(next_upload_++));
  uploads_[id] = Upload{std::string(key), clock_.NowMicros(), {}};
  return std::string(id);
}

Result<UploadedPart> MemoryObjectStore::UploadPart(std::string_view key, std::string_view upload_id,
                                                   int part_number, std::string_view data) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Error(StoreError::kInvalidArgument, "part number " + std::to_string(part_number) + " outside 1..10000");
  }
  std::string etag = QuotedMd5(data);
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Upload * upload, FindUpload(key, upload_id));
  upload->parts[part_number] = {etag, std::string(data)};
  return UploadedPart{part_number, std::move(etag), data.size()};
}

Status MemoryObjectStore::CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                                  const std::vector<UploadedPart>& parts) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Upload * upload, FindUpload(key, upload_id));
  if (parts.empty()) return Error(StoreError::kInvalidArgument, "complete of upload with no parts");
  std::string data;
  std::string md5s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0 && parts[i].part_number <= parts[i - 1].part_number) {
      return Error(StoreError::kInvalidArgument, "parts are not in ascending order");
    }
    auto it = upload->parts.find(parts[i].part_number);
    if (it == upload->parts.end() || it->second.first != parts[i].etag) {
      return Error(StoreError::kInvalidArgument, url_ + " key " + std::string(key) + ": part " +
                                                     std::to_string(parts[i].part_number) +
                                                     " missing or etag mismatch");
    }
    data += it->second.second;
    const Md5Digest d = Md5(it->second.second);
    md5s.append(reinterpret_cast<const char*>(d.data()), d.size());
  }
  // S3's multipart ETag: MD5 of the concatenated part MD5s, dash, part count.
  std::string etag = "\"" + HexLower(Md5(md5s)) + "-" + std::to_string(parts.size()) + "\"";
  objects_.insert_or_assign(std::string(key),
                            Object{std::make_shared<const std::string>(std::move(data)), clock_.NowMicros(),
                                   std::move(etag)});
  uploads_.erase(uploads_.find(upload_id));
  return Status::Ok();
}

Status MemoryObjectStore::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_RETURN_IF_ERROR(FindUpload(key, upload_id).status());
  uploads_.erase(uploads_.find(upload_id));
  return Status::Ok();
}

Result<std::vector<UploadedPart>> MemoryObjectStore::ListParts(std::string_view key, std::string_view upload_id) {
  std::lock_guard<std::mutex> lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Upload * upload, FindUpload(key, upload_id));
  std::vector<UploadedPart> out;
  for (const auto& [number, part] : upload->parts) out.push_back({number, part.first, part.second.size()});
  return out;
}

Result<std::vector<MultipartUpload>> MemoryObjectStore::ListMultipartUploads(std::string_view prefix) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MultipartUpload> out;
  for (const auto& [id, upload] : uploads_) {
    if (upload.key.compare(0, prefix.size(), prefix) == 0) out.push_back({upload.key, id, upload.initiated_micros});
  }
  std::sort(out.begin(), out.end(), [](const MultipartUpload& a, const MultipartUpload& b) {
    return a.key != b.key ? a.key < b.key : a.initiated_micros < b.initiated_micros;
  });
  return out;
}

size_t MemoryObjectStore::object_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return objects_.size();
}

uint64_t MemoryObjectStore::total_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (const auto& [key, obj] : objects_) total += obj.data->size();
  return total;
}

}  // namespace floe::storage
