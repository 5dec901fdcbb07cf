// The embedded registry's API semantics, driven through floe's client and, where the wire format itself is the
// point (error bodies, content types), through a raw HTTP client.
#include "registry/registry_server.h"

#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "registry/registry_test_util.h"

namespace floe::registry {
namespace {

using nlohmann::json;
using testing::kUserV1;
using testing::kUserV2;
using testing::kUserV3;

class RegistryServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartRegistry();
    ASSERT_NE(server_, nullptr);
    client_ = testing::MakeClient(testing::FastClientOptions(server_->url()));
    ASSERT_NE(client_, nullptr);
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  int Register(const std::string& subject, const std::string& schema) {
    Result<int> id = client_->Register(subject, SchemaText{schema});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }

  // Returns {status, parsed body}.
  std::pair<int, json> Raw(const std::string& method, const std::string& path, const std::string& body = "",
                           const std::string& content_type = "application/vnd.schemaregistry.v1+json") {
    httplib::Result res = method == "GET"      ? http_->Get(path)
                          : method == "DELETE" ? http_->Delete(path)
                          : method == "PUT"    ? http_->Put(path, body, content_type)
                                               : http_->Post(path, body, content_type);
    EXPECT_TRUE(res) << method << " " << path;
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<SchemaRegistryClient> client_;
  std::unique_ptr<httplib::Client> http_;
};

TEST_F(RegistryServerTest, SameSchemaGetsSameGlobalIdAcrossSubjects) {
  const int id1 = Register("users-value", kUserV1);
  EXPECT_EQ(Register("users-value", kUserV1), id1);
  // Whitespace and key order do not make a new schema: ids follow the normalised form.
  EXPECT_EQ(Register("users-value", json::parse(kUserV1).dump(2)), id1);
  EXPECT_EQ(Register("audit-value", kUserV1), id1);
  const int id2 = Register("users-value", kUserV2);
  EXPECT_NE(id2, id1);

  EXPECT_EQ(*client_->GetVersions("users-value"), (std::vector<int>{1, 2}));
  EXPECT_EQ(*client_->GetVersions("audit-value"), (std::vector<int>{1}));
  EXPECT_EQ(*client_->GetSubjects(), (std::vector<std::string>{"audit-value", "users-value"}));

  Result<RegisteredSchema> latest = client_->GetLatestVersion("users-value");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->id, id2);
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->subject, "users-value");
  EXPECT_EQ(latest->schema.schema, kUserV2);
  EXPECT_EQ(latest->schema.schema_type, "AVRO");

  Result<RegisteredSchema> first = client_->GetVersion("users-value", 1);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->id, id1);
  EXPECT_EQ((*client_->GetSchemaById(id2))->schema, kUserV2);

  auto [status, versions] = Raw("GET", "/schemas/ids/" + std::to_string(id1) + "/versions");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(versions, json::parse(R"([{"subject":"audit-value","version":1},{"subject":"users-value","version":1}])"));
  auto [subjects_status, subjects] = Raw("GET", "/schemas/ids/" + std::to_string(id1) + "/subjects");
  EXPECT_EQ(subjects, json::parse(R"(["audit-value","users-value"])"));
}

TEST_F(RegistryServerTest, IncompatibleSchemaIsRejectedAtTheSubjectsLevel) {
  Register("users-value", kUserV1);
  Register("users-value", kUserV2);

  Result<int> rejected = client_->Register("users-value", SchemaText{kUserV3});
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(rejected.status().Is(RegistryError::kIncompatibleSchema)) << rejected.status().ToString();
  EXPECT_FALSE(rejected.status().retryable());
  EXPECT_NE(rejected.status().message().find("field 'age' added without a default"), std::string::npos);

  Result<CompatVerdict> verdict = client_->TestCompatibility("users-value", SchemaText{kUserV3});
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->compatible);
  EXPECT_EQ(verdict->messages, std::vector<std::string>{"field 'age' added without a default"});
  EXPECT_TRUE(client_->TestCompatibility("users-value", SchemaText{kUserV2}, 1)->compatible);

  // A subject-level NONE overrides the global BACKWARD.
  EXPECT_EQ(*client_->SetCompatibility("none", "users-value"), "NONE");
  EXPECT_EQ(*client_->GetCompatibility("users-value"), "NONE");
  EXPECT_EQ(*client_->GetCompatibility(), "BACKWARD");
  EXPECT_EQ(Register("users-value", kUserV3) > 0, true);
  EXPECT_EQ(*client_->GetVersions("users-value"), (std::vector<int>{1, 2, 3}));

  Result<std::string> bad_level = client_->SetCompatibility("SIDEWAYS");
  EXPECT_TRUE(bad_level.status().Is(RegistryError::kInvalidCompatibilityLevel));
  EXPECT_EQ(*client_->SetCompatibility("FULL_TRANSITIVE"), "FULL_TRANSITIVE");
  EXPECT_EQ(*client_->GetCompatibility("audit-value"), "FULL_TRANSITIVE");  // falls back to global
}

TEST_F(RegistryServerTest, LookupFindsRegisteredSchemaOnly) {
  const int id1 = Register("users-value", kUserV1);
  Result<RegisteredSchema> found = client_->LookupSchema("users-value", SchemaText{kUserV1});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, id1);
  EXPECT_EQ(found->version, 1);
  EXPECT_TRUE(client_->LookupSchema("users-value", SchemaText{kUserV2}).status().Is(RegistryError::kSchemaNotFound));
  EXPECT_TRUE(client_->LookupSchema("nobody", SchemaText{kUserV1}).status().Is(RegistryError::kSubjectNotFound));
}

TEST_F(RegistryServerTest, ErrorsUseConfluentCodesAndBodies) {
  Register("users-value", kUserV1);
  auto expect_error = [&](const std::string& method, const std::string& path, int status, int code,
                          const std::string& body = "") {
    auto [got_status, got] = Raw(method, path, body);
    EXPECT_EQ(got_status, status) << method << " " << path;
    EXPECT_EQ(got.value("error_code", 0), code) << method << " " << path << " " << got.dump();
    EXPECT_TRUE(got.contains("message") && got["message"].is_string()) << got.dump();
  };
  expect_error("GET", "/subjects/nobody/versions", 404, 40401);
  expect_error("GET", "/subjects/users-value/versions/7", 404, 40402);
  expect_error("GET", "/schemas/ids/999", 404, 40403);
  expect_error("GET", "/subjects/users-value/versions/seven", 422, 42202);
  expect_error("GET", "/config/users-value", 404, 40408);
  expect_error("POST", "/subjects/users-value/versions", 422, 42201, R"({"schema":"{not json"})");
  expect_error("POST", "/subjects/users-value/versions", 422, 42201, R"({"schemaa":"x"})");
  expect_error("POST", "/subjects/users-value/versions", 400, 400, "not json at all");
  expect_error("POST", "/subjects/users-value/versions", 409, 409, json{{"schema", kUserV3}}.dump());
  expect_error("PUT", "/config", 422, 42203, R"({"compatibility":"SOMETIMES"})");
  expect_error("GET", "/no/such/route", 404, 404);
  expect_error("PUT", "/subjects", 405, 405, "{}");

  httplib::Result wrong_type = http_->Post("/subjects/users-value/versions", json{{"schema", kUserV1}}.dump(),
                                           "text/plain");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 415);

  auto [plain_status, plain] = Raw("POST", "/subjects/users-value", json{{"schema", kUserV1}}.dump(), "application/json");
  EXPECT_EQ(plain_status, 200);
  EXPECT_EQ(plain.value("version", 0), 1);
  httplib::Result ok = http_->Get("/subjects");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->get_header_value("Content-Type"), "application/vnd.schemaregistry.v1+json");

  auto [config_status, config] = Raw("GET", "/config/users-value?defaultToGlobal=true");
  EXPECT_EQ(config_status, 200);
  EXPECT_EQ(config, json::parse(R"({"compatibilityLevel":"BACKWARD"})"));
  httplib::Result raw_schema = http_->Get("/subjects/users-value/versions/latest/schema");
  ASSERT_TRUE(raw_schema);
  EXPECT_EQ(raw_schema->body, kUserV1);
}

TEST_F(RegistryServerTest, SoftThenPermanentDelete) {
  const int id1 = Register("users-value", kUserV1);
  Register("users-value", kUserV2);

  auto [st1, deleted_version] = Raw("DELETE", "/subjects/users-value/versions/1");
  EXPECT_EQ(st1, 200);
  EXPECT_EQ(deleted_version, json(1));
  EXPECT_EQ(*client_->GetVersions("users-value"), std::vector<int>{2});
  EXPECT_TRUE(client_->GetVersion("users-value", 1).status().Is(RegistryError::kVersionNotFound));
  EXPECT_EQ(Raw("GET", "/subjects/users-value/versions/1?deleted=true").second.value("id", 0), id1);
  EXPECT_EQ(Raw("DELETE", "/subjects/users-value/versions/2?permanent=true").second.value("error_code", 0), 40407);

  auto [st2, deleted_versions] = Raw("DELETE", "/subjects/users-value");
  EXPECT_EQ(st2, 200);
  EXPECT_EQ(deleted_versions, json::parse("[2]"));
  EXPECT_TRUE(client_->GetSubjects()->empty());
  EXPECT_EQ(Raw("GET", "/subjects?deleted=true").second, json::parse(R"(["users-value"])"));
  // Ids stay resolvable: archived records still carry them.
  EXPECT_EQ((*client_->GetSchemaById(id1))->schema, kUserV1);

  EXPECT_EQ(Raw("DELETE", "/subjects/users-value?permanent=true").first, 200);
  EXPECT_EQ(Raw("GET", "/subjects?deleted=true").second, json::array());
  // Registering again reuses the global id.
  EXPECT_EQ(Register("users-value", kUserV1), id1);
}

TEST_F(RegistryServerTest, SubjectNamesAreUrlDecodedPerSegment) {
  const std::string subject = "team a/users value";
  const int id = Register(subject, kUserV1);
  EXPECT_EQ(*client_->GetVersions(subject), std::vector<int>{1});
  EXPECT_EQ(*client_->GetSubjects(), std::vector<std::string>{subject});
  EXPECT_EQ(*client_->ResolveVersion(id, subject), 1);
}

TEST(RegistryServerPersistenceTest, StateSurvivesRestart) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("floe-registry-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  RegistryServerOptions options;
  options.data_file = (dir / "registry.db").string();
  int id1 = 0;
  {
    auto server = testing::StartRegistry(options);
    ASSERT_NE(server, nullptr);
    auto client = testing::MakeClient(testing::FastClientOptions(server->url()));
    id1 = *client->Register("users-value", SchemaText{kUserV1});
    EXPECT_EQ(*client->SetCompatibility("NONE", "users-value"), "NONE");
  }
  {
    auto server = testing::StartRegistry(options);
    ASSERT_NE(server, nullptr);
    auto client = testing::MakeClient(testing::FastClientOptions(server->url()));
    EXPECT_EQ((*client->GetSchemaById(id1))->schema, kUserV1);
    EXPECT_EQ(*client->GetCompatibility("users-value"), "NONE");
    const int id3 = *client->Register("users-value", SchemaText{kUserV3});
    EXPECT_GT(id3, id1);
    EXPECT_EQ(*client->GetVersions("users-value"), (std::vector<int>{1, 2}));
  }
  std::filesystem::remove_all(dir);
}

TEST(RegistryServerStartTest, RejectsBadOptionsAndBusyPorts) {
  RegistryServerOptions options;
  options.default_compatibility = "MAYBE";
  options.port = 0;
  auto bad_level = RegistryServer::Start(options, std::make_shared<testing::FieldSetCompatibility>());
  EXPECT_TRUE(bad_level.status().Is(RegistryError::kInvalidCompatibilityLevel));

  auto first = testing::StartRegistry();
  ASSERT_NE(first, nullptr);
  RegistryServerOptions same_port;
  same_port.port = first->port();
  auto second = RegistryServer::Start(same_port, std::make_shared<testing::FieldSetCompatibility>());
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().Is(RegistryError::kUnavailable));
}

TEST(RunRegistryServerTest, ServesUntilSigterm) {
  RegistryServerOptions options;
  options.port = 0;
  std::promise<int> listening;
  Status result = Error(RegistryError::kStore, "not finished");
  std::thread runner([&] {
    result = RunRegistryServer(options, std::make_shared<testing::FieldSetCompatibility>(),
                               [&](int port) { listening.set_value(port); });
  });
  const std::string url = "http://127.0.0.1:" + std::to_string(listening.get_future().get());
  // Scoped: an idle keep-alive connection would hold up the stop for keep_alive_seconds.
  EXPECT_TRUE(testing::MakeClient(testing::FastClientOptions(url))->Register("orders-value", SchemaText{kUserV1}).ok());
  // Directed at the runner thread, which has SIGTERM blocked and waits for it; the rest of the process
  // never sees the signal.
  pthread_kill(runner.native_handle(), SIGTERM);
  runner.join();
  EXPECT_TRUE(result.ok()) << result.ToString();
  EXPECT_TRUE(testing::MakeClient(testing::FastClientOptions(url))->GetSubjects().status().Is(RegistryError::kUnavailable));
}

}  // namespace
}  // namespace floe::registry
