// S3ObjectStore: ObjectStore over the S3 REST API (AWS S3 and compatible stores: MinIO, Ceph, s3rver...).
//
// Every request is signed with SigV4. Writes carry Content-MD5 (the store rejects a corrupted body) and
// are sent with UNSIGNED-PAYLOAD; small XML bodies are signed with their SHA-256. Reads are checked
// against Content-Length / Content-Range and, for single-part ETags, the body's MD5.
// Retries: 5xx, 429/SlowDown, timeouts and broken connections are retried up to s3.max.retries times
// with exponential backoff and full jitter (base s3.retry.backoff.ms, capped at 20 s); 4xx never are.
// Errors name the bucket, key, HTTP status and S3 error code. Credentials never appear in messages.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/clock.h"
#include "storage/aws_config.h"
#include "storage/http_client.h"
#include "storage/object_store.h"
#include "storage/store_options.h"
#include "storage/xml_reader.h"

namespace floe::storage {

class S3ObjectStore final : public ObjectStore {
 public:
  // url: "s3://bucket" or "s3://bucket/prefix". Resolves credentials and region now (no network calls).
  static Result<std::unique_ptr<S3ObjectStore>> Open(const std::string& url, const S3Options& options,
                                                     const EnvLookup& env = ProcessEnv);

  const std::string& url() const override { return url_; }
  Status Put(std::string_view key, std::string_view data) override;
  // One PUT up to s3.part.size, else a parallel multipart upload (s3.upload.parallelism parts in flight).
  Status PutFile(std::string_view key, const std::string& local_path) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListRequest& request) override;
  Status Delete(std::string_view key) override;
  // DeleteObjects in batches of 1000.
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<std::string> CreateMultipartUpload(std::string_view key) override;
  Result<UploadedPart> UploadPart(std::string_view key, std::string_view upload_id, int part_number,
                                  std::string_view data) override;
  // A Complete retried after its reply was lost finds the upload gone (NoSuchUpload). It then succeeds if
  // the object under the key is the one these parts make: its ETag is S3's multipart ETag of the parts
  // (hex MD5 of the part MD5s, "-<count>") and its size is the parts' total. For stores whose ETags are not
  // of that form (or parts whose ETags are not MD5s), a matching size is accepted, but only when this call
  // was retried, i.e. when an earlier attempt of it may have completed the upload.
  Status CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                 const std::vector<UploadedPart>& parts) override;
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id) override;
  // Both follow IsTruncated pages to the end; a page marker that does not advance is kProtocol.
  Result<std::vector<UploadedPart>> ListParts(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<MultipartUpload>> ListMultipartUploads(std::string_view prefix) override;

  // A URL anyone can GET the object with until it expires.
  Result<std::string> PresignGet(std::string_view key, int64_t expires_seconds) const;

  const std::string& bucket() const { return bucket_; }
  const std::string& region() const { return scope_.region; }
  // Requests retried so far (all operations); for tests and metrics.
  int64_t retries() const { return retries_.load(); }

 private:
  S3ObjectStore(std::string url, std::string bucket, std::string prefix, std::string endpoint_base,
                bool virtual_host, S3Options options, AwsCredentials creds, std::string region);

  struct Call {
    std::string method;
    std::string key;    // full key including the store prefix; empty for bucket-level calls
    std::string query;  // already encoded, without '?'
    HttpHeaders headers;
    std::string_view body;
    bool sign_body = false;             // SHA-256 the body (small XML) instead of UNSIGNED-PAYLOAD
    bool error_in_200 = false;          // CompleteMultipartUpload may report errors with status 200
    std::string_view display_key;       // the caller's key, for messages
  };
  // attempts, when given, receives the number of requests sent (1 + retries).
  Result<HttpResponse> Execute(const Call& call, int* attempts = nullptr);
  Status ErrorFrom(const Call& call, const HttpResponse& response) const;
  std::string FullKey(std::string_view key) const;
  std::string StripPrefix(std::string_view full_key) const;
  std::string UrlFor(const std::string& full_key, const std::string& query) const;
  std::string Describe(const Call& call) const;

  const std::string url_;
  const std::string bucket_;
  const std::string prefix_;  // "" or "some/prefix/" (with trailing slash)
  const std::string endpoint_base_;
  const bool virtual_host_;
  const S3Options options_;
  const AwsCredentials creds_;
  const SigV4Scope scope_;
  HttpClient http_;
  std::atomic<int64_t> retries_{0};
};

}  // namespace floe::storage
