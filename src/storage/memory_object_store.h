// MemoryObjectStore: an in-memory ObjectStore with S3 semantics, for unit tests of the archiver, catalog
// and maintenance code. Wrap it in FaultInjectingObjectStore to make it fail on purpose.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "storage/object_store.h"

namespace floe::storage {

class MemoryObjectStore final : public ObjectStore {
 public:
  explicit MemoryObjectStore(const Clock& clock = SystemClock::Instance());

  const std::string& url() const override { return url_; }

  Status Put(std::string_view key, std::string_view data) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListRequest& request) override;
  Status Delete(std::string_view key) override;

  Result<std::string> CreateMultipartUpload(std::string_view key) override;
  Result<UploadedPart> UploadPart(std::string_view key, std::string_view upload_id, int part_number,
                                  std::string_view data) override;
  Status CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                 const std::vector<UploadedPart>& parts) override;
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<UploadedPart>> ListParts(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<MultipartUpload>> ListMultipartUploads(std::string_view prefix) override;

  // Test helpers.
  size_t object_count() const;
  uint64_t total_bytes() const;

 private:
  struct Object {
    std::shared_ptr<const std::string> data;
    int64_t mtime_micros;
    std::string etag;
  };
  struct Upload {
    std::string key;
    int64_t initiated_micros;
    std::map<int, std::pair<std::string, std::string>> parts;  // number -> (etag, data)
  };
  Result<const Object*> Find(std::string_view key) const;  // needs mu_
  Result<Upload*> FindUpload(std::string_view key, std::string_view upload_id);  // needs mu_

  const Clock& clock_;
  const std::string url_ = "mem://";
  mutable std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;
  std::map<std::string, Upload, std::less<>> uploads_;
  uint64_t next_upload_ = 1;
};

}  // namespace floe::storage
