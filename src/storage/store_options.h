// StoreOptions and OpenObjectStore: how the rest of floe gets an ObjectStore from configuration.
// The central config table maps the keys named below onto these fields.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/object_store.h"

namespace floe::storage {

struct S3Options {
  std::string endpoint;              // s3.endpoint: "http://127.0.0.1:9000"; empty = AWS for the region
  std::string region;                // s3.region: empty = AWS_REGION / profile region / us-east-1
  bool path_style = false;           // s3.path.style: http://host/bucket/key instead of bucket.host/key
  uint64_t part_size = 16ull << 20;  // s3.part.size: PutFile uses one PUT up to this, multipart above
  std::string access_key_id;         // s3.access.key.id: empty = environment / shared credentials file
  std::string secret_access_key;     // s3.secret.access.key
  std::string session_token;         // s3.session.token
  std::string profile;               // s3.profile: empty = AWS_PROFILE or "default"
  int max_retries = 8;               // s3.max.retries: retries after the first attempt
  int retry_backoff_ms = 100;        // s3.retry.backoff.ms: base of exponential backoff with full jitter
  int request_timeout_ms = 60000;    // s3.request.timeout.ms: whole-request timeout, a stalled transfer included
  int upload_parallelism = 4;        // s3.upload.parallelism: parts in flight per PutFile
};

struct StoreOptions {
  std::string url;  // store.url: file:///abs/path or s3://bucket[/prefix]
  S3Options s3;
};

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const StoreOptions& options);

}  // namespace floe::storage
