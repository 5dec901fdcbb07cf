#include "catalog/notifications.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "kafka/consumer.h"
#include "kafka/dev_cluster.h"

namespace floe::catalog {
namespace {

TEST(WebhookSink, PostsJsonAndRetriesServerErrors) {
  httplib::Server server;
  server.set_keep_alive_max_count(1);  // close after each reply, so stop() does not wait on idle connections
  std::atomic<int> calls{0};
  std::string body, content_type;
  server.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    if (++calls < 3) {
      res.status = calls == 1 ? 503 : 429;
      return;
    }
    body = req.body;
    content_type = req.get_header_value("Content-Type");
    res.status = 204;
  });
  server.Post("/refuse", [&](const httplib::Request&, httplib::Response& res) { res.status = 400; });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

  WebhookSink sink("http://127.0.0.1:" + std::to_string(port) + "/hook", 5, 1);
  sink.Notify({{"partition_complete", "default", "ads", "v=1/dt=2024-05-01/hour=10", "", {}},
               {"schema_changed", "default", "ads", "", "2", {"added country"}}});
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(sink.delivered(), 1u);
  EXPECT_EQ(content_type, "application/json");
  EXPECT_EQ(body,
            R"({"notifications":[{"type":"partition_complete","database":"default","table":"ads",)"
            R"("partition":"v=1/dt=2024-05-01/hour=10","version":"","details":[]},)"
            R"({"type":"schema_changed","database":"default","table":"ads","partition":"","version":"2",)"
            R"("details":["added country"]}]})");

  // A 4xx is not retried; the batch is dropped and counted.
  WebhookSink refused("http://127.0.0.1:" + std::to_string(port) + "/refuse", 5, 1);
  refused.Notify({{"late_data", "default", "ads", "x", "", {"k"}}});
  EXPECT_EQ(refused.dropped(), 1u);
  server.stop();
  t.join();

  // Nobody listening: retried, then given up.
  WebhookSink gone("http://127.0.0.1:" + std::to_string(port) + "/hook", 2, 1);
  gone.Notify({{"late_data", "default", "ads", "x", "", {"k"}}});
  EXPECT_EQ(gone.dropped(), 1u);
}

class NoRebalance final : public kafka::RebalanceListener {
 public:
  void OnAssigned(const std::vector<kafka::TopicPartition>&) override {}
  void OnRevoked(const std::vector<kafka::TopicPartition>&) override {}
};

TEST(KafkaNotificationSink, ProducesOneJsonMessagePerNotificationKeyedByTable) {
  auto cluster = kafka::DevKafkaCluster::Start(1, {{"notes", 2}});
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  const std::map<std::string, std::string> props{{"bootstrap.servers", (*cluster)->bootstrap_servers()},
                                                 {"group.id", "ignored-by-the-producer"}};
  auto sink = KafkaNotificationSink::Create(props, "notes");
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  (*sink)->Notify({{"table_created", "default", "ads", "", "", {}},
                   {"schema_changed", "default", "ads", "", "2", {"added country"}},
                   {"partition_complete", "default", "clicks", "dt=2024-05-01/hour=10", "", {}}});
  EXPECT_EQ((*sink)->delivered(), 3u);
  EXPECT_EQ((*sink)->dropped(), 0u);

  NoRebalance listener;
  auto consumer = kafka::KafkaConsumer::Create(
      {{"bootstrap.servers", (*cluster)->bootstrap_servers()}, {"group.id", "check"}}, &listener);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->Subscribe({"notes"}).ok());
  std::map<std::string, std::vector<std::string>> by_key;  // in partition order
  std::map<std::string, int32_t> partition_of;
  int received = 0;
  while (received < 3) {
    auto m = (*consumer)->Poll(1000);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    if (!*m) continue;
    const std::string key((*m)->key().value_or(""));
    by_key[key].push_back(std::string((*m)->value().value_or("")));
    // One table's notifications share a partition, so they stay in order.
    EXPECT_EQ(partition_of.emplace(key, (*m)->partition()).first->second, (*m)->partition());
    ++received;
  }
  ASSERT_EQ(by_key["default.ads"].size(), 2u);
  EXPECT_EQ(by_key["default.ads"][0],
            R"({"type":"table_created","database":"default","table":"ads","partition":"","version":"",)"
            R"("details":[]})");
  EXPECT_EQ(nlohmann::json::parse(by_key["default.ads"][1])["details"][0], "added country");
  ASSERT_EQ(by_key["default.clicks"].size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(by_key["default.clicks"][0])["partition"], "dt=2024-05-01/hour=10");
  EXPECT_TRUE((*consumer)->Close().ok());
}

}  // namespace
}  // namespace floe::catalog
