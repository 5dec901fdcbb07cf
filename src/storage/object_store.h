// ObjectStore: where finished files go (Parquet parts, manifests, catalog metadata).
//
// One interface over a local directory (file:///path), S3-compatible stores (s3://bucket/prefix) and an
// in-memory fake for tests. Keys are '/'-separated and relative to the store's root or prefix.
//
// Contract every implementation keeps:
//  - Atomic visibility: a write either makes the complete object visible under its key or leaves the key as
//    it was. A partially written object is never visible under a final key, not after a crash either.
//  - Thread safety: all methods may be called concurrently from several threads.
//  - Errors are StoreError statuses that name the store, key and (for S3) the store's own error code.
//    Retryable errors (throttling, 5xx, timeouts, broken connections) have already been retried by the
//    implementation up to its retry budget; a retryable status means "try again later", not "try now".
//  - Delete of a missing key succeeds (S3 semantics), so cleanup is idempotent.
//  - Multipart: parts are numbered 1..10000. Every part but the last must be at least kMinPartSize on S3;
//    the local store and the fake do not enforce that, callers must. An upload survives process restarts:
//    ListMultipartUploads + ListParts let a new process finish or abort it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::storage {

enum class StoreError {
  kNotFound,            // no object under the key (or no such bucket)
  kNoSuchUpload,        // multipart upload id unknown: completed, aborted or never created
  kInvalidKey,          // key empty, absolute, with empty/./.. components or a reserved ".floe-" component
  kInvalidArgument,     // bad range, bad part list, bad option or URL
  kAccessDenied,        // credentials missing, rejected or not allowed
  kPreconditionFailed,  // a conditional request's condition did not hold
  kChecksumMismatch,    // the store rejected the payload digest, or returned data that fails its digest
  kThrottled,           // 429, 503 SlowDown: back off
  kServerError,         // 5xx
  kNetwork,             // connection refused or reset, truncated response
  kTimeout,             // request exceeded s3.request.timeout.ms
  kIo,                  // local filesystem error
  kProtocol,            // a response floe could not understand
  kUnsupported,         // the store does not implement this operation
};

// Smallest part S3 accepts for all but the last part of a multipart upload.
inline constexpr uint64_t kMinPartSize = 5ull << 20;
inline constexpr int kMaxPartNumber = 10000;

struct ObjectMeta {
  std::string key;
  uint64_t size = 0;
  int64_t last_modified_micros = 0;  // since the epoch, UTC
  std::string etag;                  // opaque; changes when the content changes
};

struct ListRequest {
  std::string prefix;
  // When set (normally "/"), keys with the delimiter after the prefix are rolled up into common_prefixes.
  std::string delimiter;
  // Empty for the first page; then ListPage::next_continuation_token of the previous page.
  std::string continuation_token;
  int max_keys = 1000;  // upper bound on objects + common prefixes per page (S3 caps it at 1000)
};

struct ListPage {
  std::vector<ObjectMeta> objects;          // in ascending byte order of key
  std::vector<std::string> common_prefixes;  // full prefixes including the delimiter, ascending
  std::string next_continuation_token;       // empty when this is the last page
};

struct UploadedPart {
  int part_number = 0;
  std::string etag;  // what Complete needs back; for S3 the quoted MD5 of the part
  uint64_t size = 0;
};

struct MultipartUpload {
  std::string key;
  std::string upload_id;
  int64_t initiated_micros = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // "file:///data/lake" or "s3://bucket/prefix": used in messages and logs.
  virtual const std::string& url() const = 0;

  // Writes the whole object from memory, replacing any object under the key.
  virtual Status Put(std::string_view key, std::string_view data) = 0;
  // Writes the whole object from a local file. S3 uses one PUT up to the part size and a parallel
  // multipart upload above it; the local store links the file (or, on another filesystem, copies it) under
  // a temp name and renames that into place. The file must not be modified afterwards (the object may be
  // the same inode); deleting or replacing it is fine.
  virtual Status PutFile(std::string_view key, const std::string& local_path);

  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset + length) clipped at the object's end. An offset at or past the end is
  // kInvalidArgument (S3's InvalidRange), except that length 0 always returns "".
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) = 0;
  virtual Result<ObjectMeta> Head(std::string_view key) = 0;
  virtual Result<ListPage> List(const ListRequest& request) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Deletes all keys (missing ones count as deleted). On failure the message names the keys not deleted.
  virtual Status DeleteMany(const std::vector<std::string>& keys);

  virtual Result<std::string> CreateMultipartUpload(std::string_view key) = 0;
  // Uploading the same part number again replaces the part.
  virtual Result<UploadedPart> UploadPart(std::string_view key, std::string_view upload_id, int part_number,
                                          std::string_view data) = 0;
  // parts must be in ascending part_number order with the etags UploadPart returned.
  virtual Status CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                         const std::vector<UploadedPart>& parts) = 0;
  virtual Status AbortMultipartUpload(std::string_view key, std::string_view upload_id) = 0;
  virtual Result<std::vector<UploadedPart>> ListParts(std::string_view key, std::string_view upload_id) = 0;
  // In-progress uploads whose key starts with prefix, ascending by key then initiation.
  virtual Result<std::vector<MultipartUpload>> ListMultipartUploads(std::string_view prefix) = 0;
};

// Checks the key rules above; returns kInvalidKey naming the problem.
Status ValidateKey(std::string_view key);

// Follows continuation tokens until the listing is exhausted.
Result<std::vector<ObjectMeta>> ListAll(ObjectStore& store, std::string_view prefix);

// How a local file is uploaded in parts.
struct MultipartFileUpload {
  uint64_t part_size = 16ull << 20;
  int parallelism = 4;  // parts in flight; memory in flight is at most parallelism * part_size
  // Non-empty: continue this upload (after a restart), re-using parts already stored with the right size.
  std::string resume_upload_id;
};

// Uploads local_path to key through CreateMultipartUpload/UploadPart/Complete with parallel parts. On
// failure the upload is aborted (best effort) unless it was a resumed upload, which is left for a later try.
Status UploadFileMultipart(ObjectStore& store, std::string_view key, const std::string& local_path,
                           const MultipartFileUpload& how);

}  // namespace floe::storage

template <>
struct floe::ErrorTraits<floe::storage::StoreError> {
  static std::string_view Domain() { return "store"; }
  static std::string_view Name(floe::storage::StoreError e);
  static bool DefaultRetryable(floe::storage::StoreError e) {
    using E = floe::storage::StoreError;
    return e == E::kThrottled || e == E::kServerError || e == E::kNetwork || e == E::kTimeout || e == E::kIo;
  }
};
