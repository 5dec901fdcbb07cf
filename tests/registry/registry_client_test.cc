// SchemaRegistryClient: caching, retries, auth and error classification, against the embedded registry and
// against small scripted cpp-httplib servers where the test needs a misbehaving registry.
#include "registry/registry_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
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

// A cpp-httplib server on a free loopback port running `handler` for every request.
class ScriptedServer {
 public:
  explicit ScriptedServer(httplib::Server::Handler handler) {
    server_.new_task_queue = [] { return new httplib::ThreadPool(2); };
    server_.set_keep_alive_timeout(1);
    server_.set_socket_options([](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    });
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

class RegistryClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = testing::StartRegistry();
    ASSERT_NE(server_, nullptr);
    admin_ = testing::MakeClient(testing::FastClientOptions(server_->url()));
    ASSERT_NE(admin_, nullptr);
  }

  std::unique_ptr<RegistryServer> server_;
  std::unique_ptr<SchemaRegistryClient> admin_;  // registers schemas; the client under test starts cold
};

TEST_F(RegistryClientTest, SteadyStateLookupsMakeNoRequests) {
  const int id1 = *admin_->Register("orders-value", SchemaText{kUserV1});
  const int id2 = *admin_->Register("orders-value", SchemaText{kUserV2});
  auto client = testing::MakeClient(testing::FastClientOptions(server_->url()));

  Result<std::shared_ptr<const SchemaText>> schema = client->GetSchemaById(id2);
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ((*schema)->schema, kUserV2);
  EXPECT_EQ(*client->ResolveTopicVersion(id1, "orders"), 1);
  EXPECT_EQ(*client->ResolveTopicVersion(id2, "orders"), 2);
  const uint64_t served = server_->requests_served();
  const uint64_t sent = client->requests_sent();
  EXPECT_EQ(sent, 3u);  // one schema fetch, one /schemas/ids/{id}/versions per id

  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ((*client->GetSchemaById(id2))->schema, kUserV2);
    EXPECT_EQ(*client->ResolveTopicVersion(id1, "orders"), 1);
    EXPECT_EQ(*client->ResolveTopicVersion(id2, "orders"), 2);
    EXPECT_EQ(*client->ResolveVersion(id2, "orders-value"), 2);
  }
  EXPECT_EQ(server_->requests_served(), served);
  EXPECT_EQ(client->requests_sent(), sent);
}

TEST_F(RegistryClientTest, RecordNameStrategiesDeriveSubjectFromTheSchema) {
  const int id = *admin_->Register("com.acme.User", SchemaText{kUserV1});
  ASSERT_TRUE(admin_->Register("orders-com.acme.User", SchemaText{kUserV1}).ok());
  ASSERT_TRUE(admin_->Register("orders-com.acme.User", SchemaText{kUserV2}).ok());
  const int id2 = *admin_->Register("orders-com.acme.User", SchemaText{kUserV2});

  RegistryClientOptions record = testing::FastClientOptions(server_->url());
  record.subject_name_strategy = SubjectNameStrategy::kRecordName;
  auto by_record = testing::MakeClient(record);
  EXPECT_EQ(*by_record->SubjectForTopic(id, "orders"), "com.acme.User");
  EXPECT_EQ(*by_record->ResolveTopicVersion(id, "orders"), 1);

  record.subject_name_strategy = SubjectNameStrategy::kTopicRecordName;
  auto by_topic_record = testing::MakeClient(record);
  EXPECT_EQ(*by_topic_record->ResolveTopicVersion(id2, "orders"), 2);
  EXPECT_EQ(*by_topic_record->SubjectForTopic(id2, "orders", /*is_key=*/true), "orders-com.acme.User");

  // Registered under another subject only: a clear, non-retryable error naming where it is registered.
  auto by_topic = testing::MakeClient(testing::FastClientOptions(server_->url()));
  Result<int> missing = by_topic->ResolveTopicVersion(id, "orders");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().Is(RegistryError::kSchemaNotFound));
  EXPECT_NE(missing.status().message().find("orders-value"), std::string::npos);
  EXPECT_NE(missing.status().message().find("com.acme.User"), std::string::npos);
}

TEST_F(RegistryClientTest, ResolvesVersionOnRegistriesWithoutIdVersionsEndpoint) {
  const int id = *admin_->Register("orders-value", SchemaText{kUserV1});
  ASSERT_TRUE(admin_->Register("orders-value", SchemaText{kUserV2}).ok());
  // An older registry: forwards everything to the embedded one except /schemas/ids/{id}/versions, which it
  // does not know (a plain Jetty 404).
  httplib::Client upstream("127.0.0.1", server_->port());
  std::atomic<int> lookups{0};
  ScriptedServer old_registry([&](const httplib::Request& req, httplib::Response& res) {
    if (req.path.ends_with("/versions") && req.path.starts_with("/schemas/ids/")) {
      res.status = 404;
      res.set_content("<html>Not Found</html>", "text/html");
      return;
    }
    if (req.method == "POST") ++lookups;
    httplib::Result r = req.method == "GET" ? upstream.Get(req.target)
                                            : upstream.Post(req.target, req.body, "application/json");
    res.status = r->status;
    res.set_content(r->body, "application/vnd.schemaregistry.v1+json");
  });
  auto client = testing::MakeClient(testing::FastClientOptions(old_registry.url()));
  EXPECT_EQ(*client->ResolveTopicVersion(id, "orders"), 1);
  EXPECT_EQ(lookups.load(), 1);
  const uint64_t sent = client->requests_sent();
  EXPECT_EQ(*client->ResolveTopicVersion(id, "orders"), 1);
  EXPECT_EQ(client->requests_sent(), sent);
}

TEST_F(RegistryClientTest, UnknownIdAndSubjectAreDistinctAndNotRetried) {
  auto client = testing::MakeClient(testing::FastClientOptions(server_->url()));
  Result<std::shared_ptr<const SchemaText>> unknown = client->GetSchemaById(424242);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(unknown.status().Is(RegistryError::kSchemaNotFound)) << unknown.status().ToString();
  EXPECT_FALSE(unknown.status().retryable());
  EXPECT_NE(unknown.status().message().find("40403"), std::string::npos);
  EXPECT_EQ(client->requests_sent(), 1u);

  Result<std::vector<int>> subject = client->GetVersions("nobody-value");
  EXPECT_TRUE(subject.status().Is(RegistryError::kSubjectNotFound)) << subject.status().ToString();
  EXPECT_FALSE(subject.status().retryable());
  EXPECT_TRUE(client->ResolveTopicVersion(31337, "orders").status().Is(RegistryError::kSchemaNotFound));
  EXPECT_EQ(client->requests_sent(), 3u);
}

TEST(RegistryClientDownTest, RegistryDownIsRetryableAfterRetries) {
  RegistryClientOptions options = testing::FastClientOptions("http://127.0.0.1:" + std::to_string(testing::DeadPort()));
  auto client = testing::MakeClient(options);
  Result<std::shared_ptr<const SchemaText>> r = client->GetSchemaById(1);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().Is(RegistryError::kUnavailable)) << r.status().ToString();
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("gave up after 3 attempts"), std::string::npos);
  EXPECT_EQ(client->requests_sent(), 3u);
}

TEST_F(RegistryClientTest, FailsOverToTheNextUrl) {
  const int id = *admin_->Register("orders-value", SchemaText{kUserV1});
  RegistryClientOptions options = testing::FastClientOptions(
      "http://127.0.0.1:" + std::to_string(testing::DeadPort()) + ", " + server_->url() + "/");
  auto client = testing::MakeClient(options);
  EXPECT_EQ((*client->GetSchemaById(id))->schema, kUserV1);
  EXPECT_EQ(client->requests_sent(), 2u);
  // The live URL stays current.
  EXPECT_EQ(*client->ResolveTopicVersion(id, "orders"), 1);
  EXPECT_EQ(client->requests_sent(), 3u);
}

TEST(RegistryClientRetryTest, RetriesServerErrorsButNotClientErrors) {
  std::atomic<int> calls{0};
  ScriptedServer flaky([&](const httplib::Request& req, httplib::Response& res) {
    const int n = ++calls;
    if (req.path == "/schemas/ids/7" && n <= 2) {
      res.status = 503;
      res.set_content(R"({"error_code":50003,"message":"try later"})", "application/json");
    } else if (req.path == "/schemas/ids/7") {
      res.set_content(R"({"schema":"\"string\""})", "application/vnd.schemaregistry.v1+json");
    } else {
      res.status = 404;
      res.set_content(R"({"error_code":40403,"message":"Schema not found"})", "application/json");
    }
  });
  RegistryClientOptions options = testing::FastClientOptions(flaky.url());
  options.max_retries = 3;
  auto client = testing::MakeClient(options);
  Result<std::shared_ptr<const SchemaText>> r = client->GetSchemaById(7);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->schema, "\"string\"");
  EXPECT_EQ(calls.load(), 3);

  EXPECT_TRUE(client->GetSchemaById(8).status().Is(RegistryError::kSchemaNotFound));
  EXPECT_EQ(calls.load(), 4);

  options.max_retries = 1;
  calls = 0;
  auto impatient = testing::MakeClient(options);
  Result<std::shared_ptr<const SchemaText>> down = impatient->GetSchemaById(7);
  EXPECT_TRUE(down.status().Is(RegistryError::kUnavailable));
  EXPECT_TRUE(down.status().retryable());
  EXPECT_NE(down.status().message().find("try later"), std::string::npos);
  EXPECT_EQ(calls.load(), 2);
}

TEST(RegistryClientAuthTest, SendsBasicAndBearerCredentials) {
  RegistryServerOptions server_options;
  server_options.basic_auth_user_info = "floe:s3cret";
  server_options.bearer_token = "tok-123";
  auto server = testing::StartRegistry(server_options);
  ASSERT_NE(server, nullptr);

  auto anonymous = testing::MakeClient(testing::FastClientOptions(server->url()));
  Result<std::vector<std::string>> denied = anonymous->GetSubjects();
  EXPECT_TRUE(denied.status().Is(RegistryError::kUnauthorized)) << denied.status().ToString();
  EXPECT_FALSE(denied.status().retryable());

  RegistryClientOptions wrong = testing::FastClientOptions(server->url());
  wrong.basic_auth_user_info = "floe:guess";
  EXPECT_TRUE(testing::MakeClient(wrong)->GetSubjects().status().Is(RegistryError::kUnauthorized));

  RegistryClientOptions basic = testing::FastClientOptions(server->url());
  basic.basic_auth_user_info = "floe:s3cret";
  auto basic_client = testing::MakeClient(basic);
  ASSERT_TRUE(basic_client->Register("orders-value", SchemaText{kUserV1}).ok());

  RegistryClientOptions bearer = testing::FastClientOptions(server->url());
  bearer.bearer_token = "tok-123";
  EXPECT_EQ(*testing::MakeClient(bearer)->GetSubjects(), std::vector<std::string>{"orders-value"});

  // Credentials in the URL work too (libcurl sends them as basic auth).
  std::string url = server->url();
  url.insert(std::string("http://").size(), "floe:s3cret@");
  auto url_client = testing::MakeClient(testing::FastClientOptions(url));
  EXPECT_EQ(*url_client->GetVersions("orders-value"), std::vector<int>{1});
  // Errors name the URL but never the password.
  Status missing = url_client->GetVersions("nobody").status();
  EXPECT_TRUE(missing.Is(RegistryError::kSubjectNotFound));
  EXPECT_EQ(missing.message().find("s3cret"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("/subjects/nobody/versions"), std::string::npos) << missing.message();
}

TEST(RegistryClientOptionsTest, RejectsBadOptions) {
  EXPECT_TRUE(SchemaRegistryClient::Create({}).status().Is(RegistryError::kInvalidArgument));
  RegistryClientOptions options;
  options.url = "ftp://registry";
  EXPECT_TRUE(SchemaRegistryClient::Create(options).status().Is(RegistryError::kInvalidArgument));
  options.url = "http://registry:8081";
  options.basic_auth_user_info = "no-colon";
  EXPECT_TRUE(SchemaRegistryClient::Create(options).status().Is(RegistryError::kInvalidArgument));
  options.basic_auth_user_info = "a:b";
  options.bearer_token = "t";
  EXPECT_TRUE(SchemaRegistryClient::Create(options).status().Is(RegistryError::kInvalidArgument));
}

TEST_F(RegistryClientTest, ConcurrentLookupsFetchEachIdOnce) {
  std::vector<int> ids;
  std::string schemas[5];
  for (int i = 0; i < 5; ++i) {
    schemas[i] = R"({"type":"record","name":"R)" + std::to_string(i) + R"(","fields":[]})";
    ids.push_back(*admin_->Register("t" + std::to_string(i) + "-value", SchemaText{schemas[i]}));
  }
  auto client = testing::MakeClient(testing::FastClientOptions(server_->url()));
  const uint64_t before = server_->requests_served();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        const int i = (n + t) % 5;
        Result<std::shared_ptr<const SchemaText>> s = client->GetSchemaById(ids[i]);
        Result<int> v = client->ResolveTopicVersion(ids[i], "t" + std::to_string(i));
        if (!s.ok() || (*s)->schema != schemas[i] || !v.ok() || *v != 1) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  // One schema fetch and one version resolution per id, however many threads asked at once.
  EXPECT_EQ(server_->requests_served() - before, 10u);
  EXPECT_EQ(client->requests_sent(), 10u);
}

}  // namespace
}  // namespace floe::registry
