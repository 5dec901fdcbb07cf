#include "registry/registry_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/uri.h"

namespace floe::registry {
namespace {

using nlohmann::json;

constexpr char kAccept[] =
    "Accept: application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";
constexpr char kContentType[] = "Content-Type: application/vnd.schemaregistry.v1+json";

// Percent-encodes a path segment (RFC 3986 unreserved characters stay as they are).
std::vector<std::string> SplitUrls(std::string_view urls) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= urls.size()) {
    size_t comma = urls.find(',', start);
    if (comma == std::string_view::npos) comma = urls.size();
    std::string_view one = urls.substr(start, comma - start);
    while (!one.empty() && std::isspace(static_cast<unsigned char>(one.front()))) one.remove_prefix(1);
    while (!one.empty() && (std::isspace(static_cast<unsigned char>(one.back())) || one.back() == '/')) {
      one.remove_suffix(1);
    }
    if (!one.empty()) out.emplace_back(one);
    start = comma + 1;
  }
  return out;
}

// The URL without user info, for error messages: credentials must not reach logs.
std::string Redacted(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t host_start = scheme_end + 3;
  const size_t at = url.find('@', host_start);
  if (at == std::string::npos || at > url.find('/', host_start)) return url;
  return url.substr(0, host_start) + "***@" + url.substr(at + 1);
}

size_t AppendToString(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

Status BadResponse(std::string_view what, const json& body) {
  return Error(RegistryError::kBadResponse, std::string(what) + ": unexpected response " + body.dump());
}

Result<SchemaText> ParseSchemaText(const json& body) {
  if (!body.is_object()) return BadResponse("schema", body);
  auto schema = body.find("schema");
  if (schema == body.end() || !schema->is_string()) return BadResponse("schema", body);
  SchemaText out;
  out.schema = schema->get<std::string>();
  if (auto type = body.find("schemaType"); type != body.end() && type->is_string()) {
    out.schema_type = type->get<std::string>();
  }
  if (auto refs = body.find("references"); refs != body.end() && refs->is_array()) {
    for (const json& ref : *refs) {
      if (!ref.is_object() || !ref.value("name", json()).is_string() ||
          !ref.value("subject", json()).is_string() || !ref.value("version", json()).is_number_integer()) {
        return BadResponse("schema reference", body);
      }
      out.references.push_back(SchemaReference{ref["name"].get<std::string>(), ref["subject"].get<std::string>(),
                                               ref["version"].get<int>()});
    }
  }
  return out;
}

Result<RegisteredSchema> ParseRegisteredSchema(const json& body) {
  FLOE_ASSIGN_OR_RETURN(SchemaText text, ParseSchemaText(body));
  if (!body.value("id", json()).is_number_integer() || !body.value("version", json()).is_number_integer() ||
      !body.value("subject", json()).is_string()) {
    return BadResponse("registered schema", body);
  }
  return RegisteredSchema{body["id"].get<int>(), body["subject"].get<std::string>(), body["version"].get<int>(),
                          std::move(text)};
}

json SchemaRequest(const SchemaText& schema) {
  json request = {{"schema", schema.schema}};
  // Confluent treats a missing schemaType as AVRO; older registries reject the field, so only send it when needed.
  if (schema.schema_type != "AVRO") request["schemaType"] = schema.schema_type;
  if (!schema.references.empty()) {
    json refs = json::array();
    for (const SchemaReference& ref : schema.references) {
      refs.push_back({{"name", ref.name}, {"subject", ref.subject}, {"version", ref.version}});
    }
    request["references"] = std::move(refs);
  }
  return request;
}

std::string VersionSegment(std::optional<int> version) {
  return version ? std::to_string(*version) : std::string("latest");
}

}  // namespace

// The HTTP side: a pool of libcurl easy handles (kept for connection reuse), retries and error mapping.
struct SchemaRegistryClient::Transport {
  RegistryClientOptions options;
  std::vector<std::string> base_urls;
  std::vector<std::string> display_urls;  // base_urls without credentials
  std::atomic<size_t> current_url{0};
  std::atomic<uint64_t>* requests_sent = nullptr;
  std::mutex pool_mu;
  std::vector<CURL*> pool;

  ~Transport() {
    for (CURL* handle : pool) curl_easy_cleanup(handle);
  }

  CURL* Acquire() {
    {
      std::lock_guard lock(pool_mu);
      if (!pool.empty()) {
        CURL* handle = pool.back();
        pool.pop_back();
        return handle;
      }
    }
    return curl_easy_init();
  }

  void Release(CURL* handle) {
    // Reset drops options but keeps the connection cache, so the next request reuses the TCP connection.
    curl_easy_reset(handle);
    std::lock_guard lock(pool_mu);
    pool.push_back(handle);
  }

  struct Attempt {
    CURLcode curl_code = CURLE_OK;
    std::string curl_error;
    long http_status = 0;
    std::string body;
  };

  Attempt Perform(std::string_view method, const std::string& url, const std::string* body) {
    Attempt attempt;
    CURL* handle = Acquire();
    if (handle == nullptr) {
      attempt.curl_code = CURLE_OUT_OF_MEMORY;
      attempt.curl_error = "curl_easy_init failed";
      return attempt;
    }
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = curl_slist_append(nullptr, kAccept);
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &AppendToString);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &attempt.body);
    if (method == "GET") {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
    }
    if (body != nullptr) {
      headers = curl_slist_append(headers, kContentType);
      headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    }
    std::string bearer;
    if (!options.bearer_token.empty()) {
      bearer = "Authorization: Bearer " + options.bearer_token;
      headers = curl_slist_append(headers, bearer.c_str());
    } else if (!options.basic_auth_user_info.empty()) {
      curl_easy_setopt(handle, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(handle, CURLOPT_USERPWD, options.basic_auth_user_info.c_str());
    }
    if (!options.ssl_ca_location.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options.ssl_ca_location.c_str());
    if (!options.ssl_certificate_location.empty()) {
      curl_easy_setopt(handle, CURLOPT_SSLCERT, options.ssl_certificate_location.c_str());
    }
    if (!options.ssl_key_location.empty()) {
      curl_easy_setopt(handle, CURLOPT_SSLKEY, options.ssl_key_location.c_str());
    }
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);

    attempt.curl_code = curl_easy_perform(handle);
    if (attempt.curl_code != CURLE_OK) {
      attempt.curl_error = error_buffer[0] ? error_buffer : curl_easy_strerror(attempt.curl_code);
    } else {
      curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &attempt.http_status);
    }
    curl_slist_free_all(headers);
    Release(handle);
    return attempt;
  }

  std::chrono::milliseconds Jitter(std::chrono::milliseconds backoff) {
    thread_local std::minstd_rand rng(std::random_device{}());
    // Half fixed, half random: spreads retries of many threads without ever waiting less than half the step.
    auto half = backoff.count() / 2;
    std::uniform_int_distribution<long long> dist(0, std::max<long long>(half, 0));
    return std::chrono::milliseconds(half + dist(rng));
  }

  Result<json> Call(std::string_view method, const std::string& path, const json* request) {
    std::string request_text;
    // Replacing invalid UTF-8 (which no valid schema contains) instead of letting nlohmann throw.
    if (request != nullptr) request_text = request->dump(-1, ' ', false, json::error_handler_t::replace);
    const int attempts = 1 + std::max(0, options.max_retries);
    std::chrono::milliseconds backoff = options.retry_backoff_initial;
    Status last;
    for (int i = 0; i < attempts; ++i) {
      if (i > 0) {
        std::this_thread::sleep_for(Jitter(backoff));
        backoff = std::min(backoff * 2, options.retry_backoff_max);
      }
      const size_t url_index = current_url.load(std::memory_order_relaxed);
      const std::string url = base_urls[url_index % base_urls.size()] + path;
      const std::string what = std::string(method) + " " + display_urls[url_index % base_urls.size()] + path;
      requests_sent->fetch_add(1, std::memory_order_relaxed);
      Attempt attempt = Perform(method, url, request != nullptr ? &request_text : nullptr);

      if (attempt.curl_code != CURLE_OK) {
        last = Error(RegistryError::kUnavailable, what + ": " + attempt.curl_error);
      } else {
        json body = json::parse(attempt.body, nullptr, /*allow_exceptions=*/false);
        if (attempt.http_status >= 200 && attempt.http_status < 300) {
          if (body.is_discarded()) {
            return Error(RegistryError::kBadResponse, what + ": HTTP " + std::to_string(attempt.http_status) +
                                                          " with a body that is not JSON");
          }
          return body;
        }
        int error_code = 0;
        std::string message;
        if (body.is_object()) {
          if (auto code = body.find("error_code"); code != body.end() && code->is_number_integer()) {
            error_code = code->get<int>();
          }
          if (auto m = body.find("message"); m != body.end() && m->is_string()) message = m->get<std::string>();
        }
        if (message.empty()) message = attempt.body.substr(0, 200);
        RegistryError kind = ErrorFromConfluent(static_cast<int>(attempt.http_status), error_code);
        last = Error(kind, what + ": HTTP " + std::to_string(attempt.http_status) +
                               (error_code ? " error_code " + std::to_string(error_code) : std::string()) + ": " +
                               message);
        if (!last.retryable()) return last;
      }
      // Retryable: the next attempt goes to the next URL, if there is more than one.
      size_t expected = url_index;
      current_url.compare_exchange_strong(expected, url_index + 1, std::memory_order_relaxed);
    }
    if (attempts > 1) return last.WithContext("gave up after " + std::to_string(attempts) + " attempts");
    return last;
  }
};

Result<std::unique_ptr<SchemaRegistryClient>> SchemaRegistryClient::Create(RegistryClientOptions options) {
  static const CURLcode global_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global_init != CURLE_OK) {
    return Error(RegistryError::kInvalidArgument,
                 std::string("curl_global_init failed: ") + curl_easy_strerror(global_init));
  }
  auto transport = std::make_unique<Transport>();
  transport->base_urls = SplitUrls(options.url);
  if (transport->base_urls.empty()) {
    return Error(RegistryError::kInvalidArgument, "schema.registry.url is empty");
  }
  for (const std::string& url : transport->base_urls) {
    transport->display_urls.push_back(Redacted(url));
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
      return Error(RegistryError::kInvalidArgument,
                   "schema.registry.url '" + transport->display_urls.back() + "' is not http(s)");
    }
  }
  if (!options.bearer_token.empty() && !options.basic_auth_user_info.empty()) {
    return Error(RegistryError::kInvalidArgument, "set either basic.auth.user.info or bearer.auth.token, not both");
  }
  if (!options.basic_auth_user_info.empty() && options.basic_auth_user_info.find(':') == std::string::npos) {
    return Error(RegistryError::kInvalidArgument, "basic.auth.user.info must be 'user:password'");
  }
  if (options.retry_backoff_initial.count() < 0 || options.retry_backoff_max < options.retry_backoff_initial) {
    return Error(RegistryError::kInvalidArgument, "retry backoff must satisfy 0 <= initial <= max");
  }
  const SubjectNameStrategy strategy = options.subject_name_strategy;
  transport->options = std::move(options);
  auto client = std::unique_ptr<SchemaRegistryClient>(new SchemaRegistryClient(std::move(transport), strategy));
  client->transport_->requests_sent = &client->requests_sent_;
  return client;
}

SchemaRegistryClient::SchemaRegistryClient(std::unique_ptr<Transport> transport, SubjectNameStrategy strategy)
    : transport_(std::move(transport)), strategy_(strategy) {}

SchemaRegistryClient::~SchemaRegistryClient() = default;

std::shared_ptr<const SchemaText> SchemaRegistryClient::CachedSchema(int id) const {
  std::shared_lock lock(cache_mu_);
  auto it = schemas_.find(id);
  return it == schemas_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const SchemaText>> SchemaRegistryClient::GetSchemaById(int id) {
  if (auto cached = CachedSchema(id)) return cached;
  std::lock_guard fetch(fetch_mu_);
  if (auto cached = CachedSchema(id)) return cached;
  return FetchSchemaLocked(id);
}

Result<std::shared_ptr<const SchemaText>> SchemaRegistryClient::FetchSchemaLocked(int id) {
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("GET", "/schemas/ids/" + std::to_string(id), nullptr));
  FLOE_ASSIGN_OR_RETURN(SchemaText text, ParseSchemaText(body));
  auto schema = std::make_shared<const SchemaText>(std::move(text));
  std::unique_lock lock(cache_mu_);
  schemas_.emplace(id, schema);
  return schema;
}

Result<int> SchemaRegistryClient::ResolveVersion(int id, std::string_view subject) {
  std::pair<int, std::string> key(id, std::string(subject));
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = versions_.find(key); it != versions_.end()) return it->second;
  }
  std::lock_guard fetch(fetch_mu_);
  return ResolveVersionLocked(id, key.second);
}

Result<int> SchemaRegistryClient::ResolveVersionLocked(int id, const std::string& subject) {
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = versions_.find(std::make_pair(id, subject)); it != versions_.end()) return it->second;
  }
  if (!id_versions_unsupported_.load(std::memory_order_relaxed)) {
    Result<json> listed = transport_->Call("GET", "/schemas/ids/" + std::to_string(id) + "/versions", nullptr);
    if (listed.ok()) {
      if (!listed->is_array()) return BadResponse("schema versions", *listed);
      std::optional<int> found;
      std::string subjects;
      std::unique_lock lock(cache_mu_);
      for (const json& entry : *listed) {
        if (!entry.is_object() || !entry.value("subject", json()).is_string() ||
            !entry.value("version", json()).is_number_integer()) {
          return BadResponse("schema versions", *listed);
        }
        std::string entry_subject = entry["subject"].get<std::string>();
        const int version = entry["version"].get<int>();
        if (entry_subject == subject && (!found || version < *found)) found = version;
        subjects += (subjects.empty() ? "" : ", ") + entry_subject;
        // emplace keeps the first (lowest) version when a schema was registered twice under one subject.
        versions_.emplace(std::make_pair(id, std::move(entry_subject)), version);
      }
      if (found) return *found;
      return Error(RegistryError::kSchemaNotFound, "schema id " + std::to_string(id) +
                                                       " is not registered under subject '" + subject +
                                                       "' (subjects: " + (subjects.empty() ? "none" : subjects) +
                                                       ")");
    }
    // A registry without the endpoint answers a plain 404 (no 40403); anything else is a real answer.
    if (!listed.status().Is(RegistryError::kBadRequest)) return listed.status();
    id_versions_unsupported_.store(true, std::memory_order_relaxed);
  }
  std::shared_ptr<const SchemaText> schema = CachedSchema(id);
  if (!schema) {
    FLOE_ASSIGN_OR_RETURN(schema, FetchSchemaLocked(id));
  }
  json request = SchemaRequest(*schema);
  Result<json> found = transport_->Call("POST", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true), &request);
  if (!found.ok()) return found.status();
  FLOE_ASSIGN_OR_RETURN(RegisteredSchema registered, ParseRegisteredSchema(*found));
  if (registered.id != id) {
    return Error(RegistryError::kSchemaNotFound, "schema id " + std::to_string(id) + " is not registered under '" +
                                                     subject + "' (an equal schema has id " +
                                                     std::to_string(registered.id) + ")");
  }
  std::unique_lock lock(cache_mu_);
  versions_.emplace(std::make_pair(id, subject), registered.version);
  return registered.version;
}

Result<std::string> SchemaRegistryClient::SubjectForTopicLocked(int id, std::string_view topic, bool is_key) {
  if (strategy_ == SubjectNameStrategy::kTopicName) return SubjectFor(strategy_, topic, is_key, {});
  std::shared_ptr<const SchemaText> schema = CachedSchema(id);
  if (!schema) {
    FLOE_ASSIGN_OR_RETURN(schema, FetchSchemaLocked(id));
  }
  Result<std::string> name = AvroFullName(schema->schema);
  if (!name.ok()) return name.status().WithContext("schema id " + std::to_string(id));
  return SubjectFor(strategy_, topic, is_key, *name);
}

Result<std::string> SchemaRegistryClient::SubjectForTopic(int id, std::string_view topic, bool is_key) {
  if (strategy_ == SubjectNameStrategy::kTopicName) return SubjectFor(strategy_, topic, is_key, {});
  std::lock_guard fetch(fetch_mu_);
  return SubjectForTopicLocked(id, topic, is_key);
}

Result<int> SchemaRegistryClient::ResolveTopicVersion(int id, std::string_view topic, bool is_key) {
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = topic_versions_.find(TopicKeyView{id, is_key, topic}); it != topic_versions_.end()) {
      return it->second;
    }
  }
  std::lock_guard fetch(fetch_mu_);
  FLOE_ASSIGN_OR_RETURN(std::string subject, SubjectForTopicLocked(id, topic, is_key));
  FLOE_ASSIGN_OR_RETURN(int version, ResolveVersionLocked(id, subject));
  std::unique_lock lock(cache_mu_);
  topic_versions_.emplace(TopicKey{id, is_key, std::string(topic)}, version);
  return version;
}

Result<std::vector<std::string>> SchemaRegistryClient::GetSubjects() {
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("GET", "/subjects", nullptr));
  if (!body.is_array()) return BadResponse("subjects", body);
  std::vector<std::string> subjects;
  for (const json& s : body) {
    if (!s.is_string()) return BadResponse("subjects", body);
    subjects.push_back(s.get<std::string>());
  }
  return subjects;
}

Result<std::vector<int>> SchemaRegistryClient::GetVersions(std::string_view subject) {
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("GET", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true) + "/versions", nullptr));
  if (!body.is_array()) return BadResponse("versions", body);
  std::vector<int> versions;
  for (const json& v : body) {
    if (!v.is_number_integer()) return BadResponse("versions", body);
    versions.push_back(v.get<int>());
  }
  return versions;
}

Result<RegisteredSchema> SchemaRegistryClient::GetVersion(std::string_view subject, int version) {
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("GET", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true) + "/versions/" +
                                                               std::to_string(version),
                                                    nullptr));
  return ParseRegisteredSchema(body);
}

Result<RegisteredSchema> SchemaRegistryClient::GetLatestVersion(std::string_view subject) {
  FLOE_ASSIGN_OR_RETURN(json body,
                        transport_->Call("GET", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true) + "/versions/latest", nullptr));
  return ParseRegisteredSchema(body);
}

Result<int> SchemaRegistryClient::Register(std::string_view subject, const SchemaText& schema) {
  json request = SchemaRequest(schema);
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("POST", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true) + "/versions", &request));
  if (!body.is_object() || !body.value("id", json()).is_number_integer()) return BadResponse("register", body);
  const int id = body["id"].get<int>();
  std::unique_lock lock(cache_mu_);
  schemas_.emplace(id, std::make_shared<const SchemaText>(schema));
  return id;
}

Result<RegisteredSchema> SchemaRegistryClient::LookupSchema(std::string_view subject, const SchemaText& schema) {
  json request = SchemaRequest(schema);
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("POST", "/subjects/" + PercentEncode(subject, /*encode_slash=*/true), &request));
  FLOE_ASSIGN_OR_RETURN(RegisteredSchema registered, ParseRegisteredSchema(body));
  std::unique_lock lock(cache_mu_);
  versions_.emplace(std::make_pair(registered.id, registered.subject), registered.version);
  return registered;
}

Result<CompatVerdict> SchemaRegistryClient::TestCompatibility(std::string_view subject, const SchemaText& schema,
                                                              std::optional<int> version) {
  json request = SchemaRequest(schema);
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("POST",
                                                    "/compatibility/subjects/" + PercentEncode(subject, /*encode_slash=*/true) +
                                                        "/versions/" + VersionSegment(version) + "?verbose=true",
                                                    &request));
  if (!body.is_object() || !body.value("is_compatible", json()).is_boolean()) {
    return BadResponse("compatibility", body);
  }
  CompatVerdict verdict;
  verdict.compatible = body["is_compatible"].get<bool>();
  if (auto messages = body.find("messages"); messages != body.end() && messages->is_array()) {
    for (const json& m : *messages) verdict.messages.push_back(m.is_string() ? m.get<std::string>() : m.dump());
  }
  return verdict;
}

Result<std::string> SchemaRegistryClient::GetCompatibility(std::string_view subject) {
  const std::string path =
      subject.empty() ? std::string("/config") : "/config/" + PercentEncode(subject, /*encode_slash=*/true) + "?defaultToGlobal=true";
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("GET", path, nullptr));
  if (!body.is_object() || !body.value("compatibilityLevel", json()).is_string()) {
    return BadResponse("config", body);
  }
  return body["compatibilityLevel"].get<std::string>();
}

Result<std::string> SchemaRegistryClient::SetCompatibility(std::string_view level, std::string_view subject) {
  const std::string path = subject.empty() ? std::string("/config") : "/config/" + PercentEncode(subject, /*encode_slash=*/true);
  json request = {{"compatibility", std::string(level)}};
  FLOE_ASSIGN_OR_RETURN(json body, transport_->Call("PUT", path, &request));
  if (!body.is_object() || !body.value("compatibility", json()).is_string()) return BadResponse("config", body);
  return body["compatibility"].get<std::string>();
}

}  // namespace floe::registry
