// LocalObjectStore: an ObjectStore over a local directory (file:///path), for single-host deployments,
// development and tests.
//
// Atomicity: every write goes to a ".floe-tmp-*" file in the destination directory, is fsynced, renamed over
// the final name and the directory is fsynced (PutFile hard-links its file under the temp name when it is on
// the same filesystem, e.g. the archiver's spool inside the lake, so a published file costs no copy), so a crash at any point leaves either the old object or the
// complete new one under the key, never a partial file. Multipart uploads keep their parts under
// <root>/.floe-multipart/<upload-id>/ and survive restarts. Names starting with ".floe-" are reserved and
// never listed; temp files left by a crash are invisible, and the first write of a process into a directory
// deletes those of them older than an hour (their writer is long dead: a live PUT keeps its file's mtime fresh).
//
// Limitation of a filesystem: a key cannot be both an object and a prefix of other keys ("a" and "a/b");
// the second write fails with kInvalidKey.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "storage/object_store.h"

namespace floe::storage {

class LocalObjectStore final : public ObjectStore {
 public:
  // Creates root (and parents) when missing.
  static Result<std::unique_ptr<LocalObjectStore>> Open(const std::string& root);

  const std::string& url() const override { return url_; }
  const std::string& root() const { return root_; }

  Status Put(std::string_view key, std::string_view data) override;
  Status PutFile(std::string_view key, const std::string& local_path) override;
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

  // Stale ".floe-tmp-*" files this store has deleted so far.
  uint64_t swept_temp_files() const { return swept_temp_files_.load(std::memory_order_relaxed); }

 private:
  explicit LocalObjectStore(std::string root);
  class AtomicFile;

  std::string PathOf(std::string_view key) const;
  Result<std::string> UploadDir(std::string_view key, std::string_view upload_id) const;
  Status WithContext(const Status& st, std::string_view key) const;
  // Deletes the stale temp files of dead writers in dir, once per directory and process.
  void SweepStaleTempFiles(const std::string& dir);

  std::string root_;
  std::string url_;
  std::string staging_;
  std::mutex swept_mu_;
  std::unordered_set<std::string> swept_dirs_;
  std::atomic<uint64_t> swept_temp_files_{0};
};

}  // namespace floe::storage
