// HttpClient: blocking HTTP/1.1 requests over libcurl for the S3 store (and other AWS clients).
// Thread-safe. Easy handles are pooled and share one connection cache, DNS cache and TLS sessions, so
// connections are reused across requests and threads. Transport failures come back as StoreError
// kNetwork / kTimeout (retryable); HTTP error statuses are returned as responses for the caller to read.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/sigv4.h"

namespace floe::storage {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;
  HttpHeaders headers;
  std::string_view body;  // not owned; must outlive Send()
};

struct HttpResponse {
  long status = 0;
  HttpHeaders headers;  // names lower-cased
  std::string body;
  const std::string* Header(std::string_view lower_name) const;
};

struct HttpClientOptions {
  int request_timeout_ms = 60000;
  int connect_timeout_ms = 10000;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);

 private:
  struct Shared;
  void* Acquire();
  void Release(void* handle);

  HttpClientOptions options_;
  std::unique_ptr<Shared> shared_;
  std::mutex pool_mu_;
  std::vector<void*> pool_;
};

}  // namespace floe::storage
