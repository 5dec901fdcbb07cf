// RegistryServer: an embedded Schema Registry speaking the subset of Confluent's REST API that floe and
// Confluent's clients use (schemas by id, subjects, versions, register, lookup, compatibility, config,
// soft and permanent deletes). State lives in SQLite (SchemaRegistryService); compatibility rules come from
// the injected SchemaCompatibility.
//
// Errors answer {"error_code": <Confluent code>, "message": ...}. Request bodies may be sent as
// application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json or
// application/octet-stream (or without a content type); anything else gets 415.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "registry/registry_error.h"
#include "registry/schema_compatibility.h"

namespace httplib {
class Server;
}

namespace floe::registry {

class SchemaRegistryService;

struct RegistryServerOptions {
  std::string host = "127.0.0.1";
  // 0 picks a free port; RegistryServer::port() tells which.
  int port = 8081;
  // SQLite database file; empty keeps the registry in memory (gone when the server stops).
  std::string data_file;
  // Global compatibility level until PUT /config sets one.
  std::string default_compatibility = "BACKWARD";
  // When set, every request must carry these basic credentials ("user:password") ...
  std::string basic_auth_user_info;
  // ... or this bearer token. Either is accepted when both are set.
  std::string bearer_token;
  // Worker threads; each keep-alive connection holds one while it is open.
  int threads = 8;
  // How long an idle keep-alive connection may hold a worker; Stop() waits up to this long for idle
  // connections of clients that are still alive.
  int keep_alive_seconds = 1;
};

class RegistryServer {
 public:
  // Binds, starts serving on background threads and returns; requests are accepted once this returns.
  static Result<std::unique_ptr<RegistryServer>> Start(RegistryServerOptions options,
                                                       std::shared_ptr<SchemaCompatibility> compatibility);
  ~RegistryServer();
  RegistryServer(const RegistryServer&) = delete;
  RegistryServer& operator=(const RegistryServer&) = delete;

  int port() const { return port_; }
  // "http://host:port"
  std::string url() const;
  // Requests received, including rejected ones. For tests and metrics.
  uint64_t requests_served() const { return requests_.load(std::memory_order_relaxed); }
  // Stops accepting, finishes in-flight requests, joins the threads. Idempotent.
  void Stop();

 private:
  RegistryServer(RegistryServerOptions options, std::unique_ptr<SchemaRegistryService> service);
  void InstallRoutes();

  RegistryServerOptions options_;
  std::unique_ptr<SchemaRegistryService> service_;
  std::unique_ptr<httplib::Server> http_;
  std::thread listener_;
  int port_ = 0;
  std::atomic<uint64_t> requests_{0};
  std::string expected_basic_;   // "Basic <base64>", empty when not required
  std::string expected_bearer_;  // "Bearer <token>", empty when not required
};

// Runs a registry until the process receives SIGINT or SIGTERM (blocked in the calling thread while it runs,
// so call it before starting other threads that should not see those signals), then stops it cleanly.
// `on_listening` is called with the bound port once requests are accepted. This is `floe registry serve`.
Status RunRegistryServer(const RegistryServerOptions& options, std::shared_ptr<SchemaCompatibility> compatibility,
                         const std::function<void(int port)>& on_listening = nullptr);

}  // namespace floe::registry
