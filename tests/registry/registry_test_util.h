// Helpers shared by the registry tests: an in-memory embedded registry with the fake checker, and clients
// tuned for fast retries.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "registry/fake_compatibility.h"
#include "registry/registry_client.h"
#include "registry/registry_server.h"

namespace floe::registry::testing {

inline const std::string kUserV1 =
    R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"id","type":"long"}]})";
// Adds a field with a default: backward compatible under the fake.
inline const std::string kUserV2 =
    R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"id","type":"long"},)"
    R"({"name":"email","type":"string","default":""}]})";
// Adds a field without a default: not backward compatible under the fake.
inline const std::string kUserV3 =
    R"({"type":"record","name":"User","namespace":"com.acme","fields":[{"name":"id","type":"long"},)"
    R"({"name":"email","type":"string","default":""},{"name":"age","type":"int"}]})";

inline std::unique_ptr<RegistryServer> StartRegistry(RegistryServerOptions options = {},
                                                     std::shared_ptr<SchemaCompatibility> compat = nullptr) {
  options.port = 0;
  options.threads = 4;
  if (!compat) compat = std::make_shared<FieldSetCompatibility>();
  Result<std::unique_ptr<RegistryServer>> server = RegistryServer::Start(options, std::move(compat));
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

inline RegistryClientOptions FastClientOptions(const std::string& url) {
  RegistryClientOptions options;
  options.url = url;
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.request_timeout = std::chrono::milliseconds(5000);
  options.max_retries = 2;
  options.retry_backoff_initial = std::chrono::milliseconds(1);
  options.retry_backoff_max = std::chrono::milliseconds(4);
  return options;
}

inline std::unique_ptr<SchemaRegistryClient> MakeClient(const RegistryClientOptions& options) {
  Result<std::unique_ptr<SchemaRegistryClient>> client = SchemaRegistryClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(client).value() : nullptr;
}

// A loopback port nobody listens on (bound once by the kernel's choice, then released).
inline int DeadPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace floe::registry::testing
