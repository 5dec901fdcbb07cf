// GlueClient: the AWS Glue Data Catalog operations floe's Glue publisher needs, as JSON over HTTPS.
//
// Every call is a POST to the endpoint's "/" with `X-Amz-Target: AWSGlue.<Operation>` and
// `Content-Type: application/x-amz-json-1.1`, signed with SigV4 for service `glue` (storage/sigv4.h), over
// the same pooled libcurl client as the S3 store (storage/http_client.h). Bodies and answers follow the Glue
// API reference (https://docs.aws.amazon.com/glue/latest/webapi/): TableInput and PartitionInput objects
// are passed through as JSON (glue_publisher.h builds them).
//
// Errors: Glue names its error in the body's `__type` (sometimes "namespace#Code") or the
// `x-amzn-ErrorType` header. ThrottlingException (and HTTP 429), 5xx and transport failures are retried
// with exponential backoff and full jitter (`max_retries` retries); any other 4xx fails at once. A failure
// is CatalogError::kPublish (retryable when retries ran out on a retryable cause; kNotFound for Glue's
// EntityNotFoundException) whose message names the operation, the database and table, the HTTP status and
// Glue's error code and message.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "storage/http_client.h"
#include "storage/sigv4.h"

namespace floe::catalog {

struct GlueOptions {
  std::string endpoint;    // catalog.glue.endpoint: "https://glue.eu-west-1.amazonaws.com"; empty = AWS's for region
  std::string region;      // catalog.glue.region, resolved (signing region)
  std::string catalog_id;  // catalog.glue.catalog.id: the AWS account id owning the catalog; empty = the caller's
  storage::AwsCredentials credentials;
  int max_retries = 8;         // catalog.glue.max.retries: retries after the first attempt
  int retry_backoff_ms = 100;  // catalog.glue.retry.backoff.ms: base of the exponential backoff
  int request_timeout_ms = 30000;
  const Clock* clock = &SystemClock::Instance();  // signing time
};

class GlueClient {
 public:
  explicit GlueClient(GlueOptions options);

  // AlreadyExistsException is success.
  Status CreateDatabase(const std::string& database);
  // false when the table exists already (AlreadyExistsException).
  Result<bool> CreateTable(const std::string& database, const nlohmann::ordered_json& table_input);
  // Replaces the table's definition with table_input (Glue keeps no part of the old one).
  Status UpdateTable(const std::string& database, const nlohmann::ordered_json& table_input);
  // Creates the partitions in calls of at most 100 (Glue's limit). Entries Glue refuses with
  // AlreadyExistsException are fine; any other refused entry makes the result an error naming them (after
  // every batch was sent).
  Status BatchCreatePartition(const std::string& database, const std::string& table,
                              const std::vector<nlohmann::ordered_json>& partition_inputs);
  // The values of every partition of the table, following NextToken through all pages.
  Result<std::vector<std::vector<std::string>>> GetPartitions(const std::string& database, const std::string& table);

  const std::string& endpoint() const { return endpoint_; }
  uint64_t requests() const { return requests_; }
  uint64_t retries() const { return retries_; }

  static constexpr size_t kMaxPartitionsPerBatch = 100;

 private:
  // Glue's answer: 2xx, or an error that is not worth retrying (or no longer: retries ran out).
  struct Reply {
    long status = 0;
    std::string error_code;     // "" on success
    std::string error_message;
    std::string request_id;
    int attempts = 1;
    bool retryable = false;  // throttled or 5xx until the retries ran out
    nlohmann::ordered_json body;
    bool ok() const { return error_code.empty() && status >= 200 && status < 300; }
  };
  // One operation, retried as described above. A transport failure that outlasted the retries is an error;
  // Glue's refusals come back as replies for the operation to judge.
  Result<Reply> Call(const std::string& operation, const nlohmann::ordered_json& body, const std::string& what);
  // The kPublish error of a refused call; `what` names the database and table.
  static Status ErrorOf(const std::string& operation, const std::string& what, const Reply& reply);
  // The body with CatalogId first when one is configured.
  nlohmann::ordered_json Body() const;

  GlueOptions options_;
  std::string endpoint_;
  storage::SigV4Scope scope_;
  storage::HttpClient http_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> retries_{0};
};

}  // namespace floe::catalog
