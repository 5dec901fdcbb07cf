// SchemaRegistryClient: floe's client for the Confluent Schema Registry REST API.
//
// Contract:
// - Schemas are immutable per global id, so GetSchemaById caches forever; the (id, subject) -> version
//   resolution behind the `v=<version>` partition is cached too. In steady state decoding does no requests.
// - Every method is thread-safe. Cache hits take a shared lock only. Cache misses are fetched one at a time
//   (a miss re-checks the cache after taking the fetch lock), so N decoder threads meeting a new id at once
//   cause one request, not N.
// - Connection errors, timeouts, HTTP 5xx, 408 and 429 are retried with exponential backoff and jitter,
//   moving to the next URL of a comma-separated list; other 4xx are not retried. The final error is
//   RegistryError::kUnavailable (retryable) for the former, a specific non-retryable code for the latter
//   (kSchemaNotFound for an unknown id, kSubjectNotFound for an unknown subject, ...).
// - Methods that do not read the cache (subjects, versions, register, compatibility, config) always go to
//   the registry.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "registry/registry_error.h"
#include "registry/schema_compatibility.h"
#include "registry/subject_name.h"

namespace floe::registry {

struct RegistryClientOptions {
  // schema.registry.url: one or more base URLs, comma-separated ("http://sr1:8081,http://sr2:8081"). May
  // carry user info ("http://user:pass@sr:8081").
  std::string url;
  // basic.auth.user.info: "user:password" for HTTP basic auth.
  std::string basic_auth_user_info;
  // bearer.auth.token: sent as "Authorization: Bearer <token>". Exclusive with basic auth.
  std::string bearer_token;
  // ssl.ca.location / ssl.certificate.location / ssl.key.location for https registries.
  std::string ssl_ca_location;
  std::string ssl_certificate_location;
  std::string ssl_key_location;
  std::chrono::milliseconds connect_timeout{5000};
  // Whole-request limit per attempt.
  std::chrono::milliseconds request_timeout{10000};
  // Attempts after the first one for retryable failures.
  int max_retries = 3;
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{2000};
  SubjectNameStrategy subject_name_strategy = SubjectNameStrategy::kTopicName;
};

struct SchemaReference {
  std::string name;
  std::string subject;
  int version = 0;
  bool operator==(const SchemaReference&) const = default;
};

// A schema as the registry stores it: text, type and references to other subjects' schemas.
struct SchemaText {
  SchemaText() = default;
  explicit SchemaText(std::string text, std::string type = "AVRO", std::vector<SchemaReference> refs = {})
      : schema(std::move(text)), schema_type(std::move(type)), references(std::move(refs)) {}

  std::string schema;
  std::string schema_type = "AVRO";
  std::vector<SchemaReference> references;
};

// A schema at one version of one subject.
struct RegisteredSchema {
  int id = 0;
  std::string subject;
  int version = 0;
  SchemaText schema;
};

class SchemaRegistryClient {
 public:
  static Result<std::unique_ptr<SchemaRegistryClient>> Create(RegistryClientOptions options);
  ~SchemaRegistryClient();
  SchemaRegistryClient(const SchemaRegistryClient&) = delete;
  SchemaRegistryClient& operator=(const SchemaRegistryClient&) = delete;

  // GET /schemas/ids/{id}, cached.
  Result<std::shared_ptr<const SchemaText>> GetSchemaById(int id);

  // The version of schema `id` under `subject`, cached. Uses GET /schemas/ids/{id}/versions, or, on
  // registries without that endpoint, POST /subjects/{subject} with the schema text. kSchemaNotFound when
  // the id is unknown or not registered under the subject.
  Result<int> ResolveVersion(int id, std::string_view subject);

  // The version of schema `id` under the subject `topic` maps to (per the configured strategy), cached:
  // what the archiver needs for the `v=<version>` partition of a record whose Confluent frame carries `id`.
  // A cache hit neither allocates nor takes an exclusive lock.
  Result<int> ResolveTopicVersion(int id, std::string_view topic, bool is_key = false);

  // The subject name for schema `id` on `topic` under the configured strategy (fetches the schema for the
  // record strategies).
  Result<std::string> SubjectForTopic(int id, std::string_view topic, bool is_key = false);

  // GET /subjects
  Result<std::vector<std::string>> GetSubjects();
  // GET /subjects/{subject}/versions
  Result<std::vector<int>> GetVersions(std::string_view subject);
  // GET /subjects/{subject}/versions/{version}
  Result<RegisteredSchema> GetVersion(std::string_view subject, int version);
  // GET /subjects/{subject}/versions/latest
  Result<RegisteredSchema> GetLatestVersion(std::string_view subject);
  // POST /subjects/{subject}/versions: registers (or finds) the schema; returns its global id.
  Result<int> Register(std::string_view subject, const SchemaText& schema);
  // POST /subjects/{subject}: the id and version of an already registered schema.
  Result<RegisteredSchema> LookupSchema(std::string_view subject, const SchemaText& schema);
  // POST /compatibility/subjects/{subject}/versions/{version|latest}?verbose=true
  Result<CompatVerdict> TestCompatibility(std::string_view subject, const SchemaText& schema,
                                          std::optional<int> version = std::nullopt);
  // GET /config or GET /config/{subject}?defaultToGlobal=true (subject empty = global).
  Result<std::string> GetCompatibility(std::string_view subject = {});
  // PUT /config or PUT /config/{subject}; returns the level the registry stored.
  Result<std::string> SetCompatibility(std::string_view level, std::string_view subject = {});

  // HTTP attempts made so far (retries count), for metrics and tests.
  uint64_t requests_sent() const { return requests_sent_.load(std::memory_order_relaxed); }

 private:
  struct Transport;
  struct TopicKey {
    int id;
    bool is_key;
    std::string topic;
  };
  struct TopicKeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tie(a.id, a.is_key, a.topic) < std::tie(b.id, b.is_key, b.topic);
    }
  };
  struct TopicKeyView {
    int id;
    bool is_key;
    std::string_view topic;
  };

  explicit SchemaRegistryClient(std::unique_ptr<Transport> transport, SubjectNameStrategy strategy);

  std::shared_ptr<const SchemaText> CachedSchema(int id) const;
  Result<std::shared_ptr<const SchemaText>> FetchSchemaLocked(int id);
  Result<int> ResolveVersionLocked(int id, const std::string& subject);
  Result<std::string> SubjectForTopicLocked(int id, std::string_view topic, bool is_key);

  std::unique_ptr<Transport> transport_;
  const SubjectNameStrategy strategy_;
  std::atomic<uint64_t> requests_sent_{0};
  // Set when the registry answered 404 (without 40403) to /schemas/ids/{id}/versions: older registries.
  std::atomic<bool> id_versions_unsupported_{false};

  mutable std::shared_mutex cache_mu_;
  std::unordered_map<int, std::shared_ptr<const SchemaText>> schemas_;
  std::map<std::pair<int, std::string>, int> versions_;
  std::map<TopicKey, int, TopicKeyLess> topic_versions_;
  // Serialises cache misses (see the contract above).
  std::mutex fetch_mu_;
};

}  // namespace floe::registry
