// S3ObjectStore against s3rver (a real S3 protocol implementation in node), directly and through the fault
// proxy. The server is started once for the binary on a free loopback port and stopped at exit.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "storage/child_process.h"
#include "storage/digest.h"
#include "storage/http_client.h"
#include "storage/s3_object_store.h"
#include "storage/store_conformance.h"

namespace floe::storage::testing {
namespace {

constexpr char kBucket[] = "floe-test";

struct Server {
  TempDir dir;
  S3rver s3rver{dir.path(), kBucket};
};

Server& SharedServer() {
  static Server* server = new Server();  // lives until exit; ChildProcess stops with the process
  return *server;
}

S3Options Options(const std::string& endpoint) {
  S3Options o;
  o.endpoint = endpoint;
  o.region = "us-east-1";
  o.path_style = true;
  o.access_key_id = "S3RVER";
  o.secret_access_key = "S3RVER";
  o.part_size = kMinPartSize;
  o.retry_backoff_ms = 10;
  o.request_timeout_ms = 30000;
  return o;
}

std::unique_ptr<S3ObjectStore> OpenStore(const std::string& prefix, const S3Options& options) {
  auto store = S3ObjectStore::Open(std::string("s3://") + kBucket + "/" + prefix, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::string UniquePrefix() {
  static std::atomic<int> n{0};
  return "run" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

INSTANTIATE_TEST_SUITE_P(
    S3rver, StoreConformanceTest,
    ::testing::Values(StoreFactory{"s3rver",
                                   [](const std::string&) -> std::unique_ptr<ObjectStore> {
                                     EXPECT_GT(SharedServer().s3rver.port(), 0) << "s3rver did not start";
                                     return OpenStore(UniquePrefix(),
                                                      Options(SharedServer().s3rver.endpoint()));
                                   },
                                   false, false, false}),
    PrintStoreFactory);

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(SharedServer().s3rver.port(), 0) << "s3rver did not start";
    store_ = OpenStore(UniquePrefix(), Options(SharedServer().s3rver.endpoint()));
    ASSERT_NE(store_, nullptr);
  }
  TempDir scratch_;
  std::unique_ptr<S3ObjectStore> store_;
};

TEST_F(S3StoreTest, MultipartUploadOf200MiB) {
  const std::string path = scratch_.path() + "/big.bin";
  Md5Stream md5;
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 200; ++i) {
      const std::string chunk = RandomBytes(1 << 20, static_cast<uint64_t>(i));
      md5.Update(chunk);
      f.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
  }
  const std::string expected = HexLower(md5.Finish());
  S3Options o = Options(SharedServer().s3rver.endpoint());
  o.part_size = 16ull << 20;
  o.upload_parallelism = 4;
  auto store = OpenStore(UniquePrefix(), o);
  const auto t0 = std::chrono::steady_clock::now();
  Status st = store->PutFile("big/object.bin", path);
  ASSERT_TRUE(st.ok()) << st.ToString();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  RecordProperty("upload_mib_per_s", std::to_string(200 / secs));
  auto head = store->Head("big/object.bin");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, 200ull << 20);
  auto body = store->Get("big/object.bin");
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(HexLower(Md5(*body)), expected);
  auto tail = store->GetRange("big/object.bin", (200ull << 20) - 10, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, body->substr(body->size() - 10));
}

TEST_F(S3StoreTest, ListsAndDeletes5000Keys) {
  constexpr int kKeys = 5000;
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 16; ++t) {
    writers.emplace_back([&] {
      for (int i = next++; i < kKeys; i = next++) {
        char key[64];
        std::snprintf(key, sizeof key, "d=%02d/k%05d", i % 50, i);
        if (!store_->Put(key, std::to_string(i)).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  auto all = ListAll(*store_, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<size_t>(kKeys));
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end(), [](auto& a, auto& b) { return a.key < b.key; }));
  EXPECT_EQ((*all)[0].key, "d=00/k00000");

  ListRequest req;  // one page: s3rver cannot paginate a page holding only common prefixes
  req.delimiter = "/";
  auto page = store_->List(req);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->objects.empty());
  const std::vector<std::string>& prefixes = page->common_prefixes;
  ASSERT_EQ(prefixes.size(), 50u);
  EXPECT_EQ(prefixes.front(), "d=00/");
  EXPECT_EQ(prefixes.back(), "d=49/");

  std::vector<std::string> keys;
  for (const auto& m : *all) keys.push_back(m.key);
  ASSERT_TRUE(store_->DeleteMany(keys).ok());
  auto left = ListAll(*store_, "");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_F(S3StoreTest, ClientErrorsAreNotRetriedAndNameTheStore) {
  S3Options bad = Options(SharedServer().s3rver.endpoint());
  bad.access_key_id = "NOSUCHKEY";
  bad.secret_access_key = "wrong-secret";
  auto store = OpenStore("x", bad);
  Status st = store->Put("k", "v");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.Is(StoreError::kAccessDenied)) << st.ToString();
  EXPECT_FALSE(st.retryable());
  EXPECT_EQ(store->retries(), 0);
  EXPECT_NE(st.message().find("s3://floe-test/x/k"), std::string::npos) << st.ToString();
  // s3rver checks the key id but not SigV4 signatures (the signer is checked against AWS's suite and botocore).
  EXPECT_NE(st.message().find("InvalidAccessKeyId"), std::string::npos) << st.ToString();
  EXPECT_EQ(st.message().find("wrong-secret"), std::string::npos) << "secrets never in messages";

  auto got = store_->Get("absent");
  EXPECT_TRUE(got.status().Is(StoreError::kNotFound)) << got.status().ToString();
  EXPECT_NE(got.status().message().find("NoSuchKey"), std::string::npos) << got.status().ToString();

  auto nobucket = S3ObjectStore::Open("s3://no-such-bucket", Options(SharedServer().s3rver.endpoint()));
  ASSERT_TRUE(nobucket.ok());
  auto r = (*nobucket)->Get("k");
  EXPECT_TRUE(r.status().Is(StoreError::kNotFound)) << r.status().ToString();
  EXPECT_NE(r.status().message().find("NoSuchBucket"), std::string::npos) << r.status().ToString();
}

TEST_F(S3StoreTest, PresignedGet) {
  ASSERT_TRUE(store_->Put("p/obj.txt", "presigned content").ok());
  auto url = store_->PresignGet("p/obj.txt", 300);
  ASSERT_TRUE(url.ok());
  HttpClient http(HttpClientOptions{});
  auto r = http.Send(HttpRequest{"GET", *url, {}, {}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->body, "presigned content");
}

TEST_F(S3StoreTest, ConnectionRefusedIsRetryableNetworkError) {
  S3Options o = Options("http://127.0.0.1:1");
  o.max_retries = 2;
  auto store = OpenStore("x", o);
  Status st = store->Put("k", "v");
  EXPECT_TRUE(st.Is(StoreError::kNetwork)) << st.ToString();
  EXPECT_TRUE(st.retryable());
  EXPECT_EQ(store->retries(), 2);
  EXPECT_NE(st.message().find("after 3 attempts"), std::string::npos) << st.ToString();
}

// Every write through a proxy failing 20 % of requests either completes intact or reports failure, and
// no partial object is ever visible under a final key.
TEST_F(S3StoreTest, WritesThroughFaultProxyAreAllOrNothing) {
  const std::string stats = scratch_.path() + "/proxy.stderr";
  ChildProcess proxy({FLOE_FAULT_PROXY, "--upstream-port", std::to_string(SharedServer().s3rver.port()),
                      "--fault-rate", "0.2", "--seed", "7", "--delay-ms", "1100"},
                     stats);
  const std::string line = proxy.ReadLine(10000);
  ASSERT_EQ(line.rfind("listening ", 0), 0u) << line;
  const std::string proxy_endpoint = "http://127.0.0.1:" + line.substr(10);
  const std::string prefix = UniquePrefix();
  auto direct = OpenStore(prefix, Options(SharedServer().s3rver.endpoint()));

  struct Write {
    std::string key, data;
    bool reported_ok;
  };
  std::vector<Write> writes;
  std::mutex mu;
  for (int round = 0; round < 2; ++round) {
    S3Options o = Options(proxy_endpoint);
    o.request_timeout_ms = 1000;
    o.max_retries = round == 0 ? 6 : 0;  // round 1 lets failures through to the caller
    auto via_proxy = OpenStore(prefix, o);
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 6; ++i) {
          const int n = round * 1000 + t * 100 + i;
          const std::string key = "w/" + std::to_string(n);
          std::string data = RandomBytes(1000 + static_cast<size_t>(n % 7) * 40000, static_cast<uint64_t>(n));
          Status st;
          if (i % 6 == 5) {  // a multipart upload of three parts
            data = RandomBytes(2 * kMinPartSize + 1234, static_cast<uint64_t>(n));
            const std::string path = scratch_.path() + "/f" + std::to_string(n);
            WriteLocalFile(path, data);
            st = via_proxy->PutFile(key, path);
          } else {
            st = via_proxy->Put(key, data);
          }
          std::lock_guard<std::mutex> lock(mu);
          writes.push_back({key, std::move(data), st.ok()});
        }
      });
    }
    for (auto& th : threads) th.join();
    std::cout << "round " << round << ": " << via_proxy->retries() << " retries, "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n";
  }
  int ok = 0, failed = 0, failed_but_visible = 0;
  for (const auto& w : writes) {
    auto got = direct->Get(w.key);
    if (w.reported_ok) {
      ++ok;
      ASSERT_TRUE(got.ok()) << w.key << ": " << got.status().ToString();
      EXPECT_EQ(HexLower(Md5(*got)), HexLower(Md5(w.data))) << w.key;
    } else {
      ++failed;
      if (got.ok()) {  // the server acted but the reply was lost: the object must still be whole
        ++failed_but_visible;
        EXPECT_EQ(HexLower(Md5(*got)), HexLower(Md5(w.data))) << w.key;
      } else {
        EXPECT_TRUE(got.status().Is(StoreError::kNotFound)) << got.status().ToString();
      }
    }
  }
  auto listed = ListAll(*direct, "");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(static_cast<int>(listed->size()), ok + failed_but_visible) << "only whole objects are listed";
  RecordProperty("writes_ok", ok);
  RecordProperty("writes_failed", failed);
  EXPECT_GE(ok, 40) << "with 6 retries nearly every write of round 0 completes";
  proxy.Stop();
  std::ifstream f(stats);
  std::string counts((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  RecordProperty("proxy", counts);
  std::cout << counts;
  EXPECT_NE(counts.find("fault_proxy: requests="), std::string::npos) << counts;
  EXPECT_EQ(counts.find(" faults=0\n"), std::string::npos) << counts;
}

}  // namespace
}  // namespace floe::storage::testing
