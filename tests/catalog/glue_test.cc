// The Glue client and publisher against a fake Glue endpoint in the test process (cpp-httplib on a loopback
// port): request bodies compared with the JSON of the Glue API reference, every request's SigV4 signature
// compared with botocore's for the request as it arrived, batching, pagination, retries, and the publisher
// driven by real catalog flushes.
//
// FakeGlue keeps databases, tables and partitions in memory and answers as Glue does: {} or the operation's
// result on success, HTTP 400 with {"__type": "<Code>", "Message": ...} on errors (AlreadyExistsException,
// EntityNotFoundException, ThrottlingException, ...), per-entry Errors in BatchCreatePartition, pages of
// `page_size` partitions with NextToken in GetPartitions. Faults are scripted per operation.
#include <gtest/gtest.h>
#include <httplib.h>

#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/catalog_error.h"
#include "catalog/glue_client.h"
#include "catalog/glue_publisher.h"
#include "catalog/test_util.h"
#include "common/clock.h"
#include "common/time_util.h"
#include "storage/botocore_signer.h"
#include "storage/memory_object_store.h"

namespace floe::catalog {
namespace {

using json = nlohmann::json;
using columnar::LogicalKind;
using columnar::Node;
using columnar::PhysicalType;
using Values = std::vector<std::string>;

constexpr char kKeyId[] = "AKIAFLOEGLUETEST";
constexpr char kSecret[] = "glue/Secret+Key";
constexpr char kToken[] = "FwoGZXIvYXdzE//glue+token==";
constexpr char kRegion[] = "eu-west-1";

int64_t SigningTime() { return *ParseIso8601Micros("2024-03-05T06:07:08Z"); }

struct SeenRequest {
  std::string operation;  // X-Amz-Target without "AWSGlue."
  std::string target;
  std::string content_type;
  std::string amz_date;
  std::string security_token;
  std::string authorization;
  std::string body;
  json Body() const { return json::parse(body); }
};

class FakeGlue {
 public:
  FakeGlue() {
    server_.set_keep_alive_max_count(1);  // close after each reply, so stop() does not wait on idle connections
    server_.Post("/", [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeGlue() {
    server_.stop();
    thread_.join();
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The next `times` calls of `operation` are answered with HTTP `status` and Glue error `code`.
  void Fail(const std::string& operation, int status, const std::string& code, int times = 1) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < times; ++i) faults_[operation].push_back({status, code});
  }
  // BatchCreatePartition refuses the entry with these values with `code`.
  void RefusePartition(Values values, std::string code) {
    std::lock_guard lock(mu_);
    refused_[std::move(values)] = std::move(code);
  }
  void set_page_size(size_t n) { page_size_ = n; }

  std::vector<SeenRequest> requests(const std::string& operation = "") {
    std::lock_guard lock(mu_);
    std::vector<SeenRequest> out;
    for (const auto& r : requests_) {
      if (operation.empty() || r.operation == operation) out.push_back(r);
    }
    return out;
  }
  void ClearRequests() {
    std::lock_guard lock(mu_);
    requests_.clear();
  }
  std::set<std::string> databases() {
    std::lock_guard lock(mu_);
    return databases_;
  }
  std::optional<json> table(const std::string& db, const std::string& name) {
    std::lock_guard lock(mu_);
    auto it = tables_.find(db + "." + name);
    return it == tables_.end() ? std::nullopt : std::optional<json>(it->second);
  }
  std::map<Values, json> partitions(const std::string& db, const std::string& name) {
    std::lock_guard lock(mu_);
    return partitions_[db + "." + name];
  }
  void AddTable(const std::string& db, const std::string& name) {
    std::lock_guard lock(mu_);
    databases_.insert(db);
    tables_[db + "." + name] = json{{"Name", name}};
  }
  void AddPartition(const std::string& db, const std::string& name, Values values) {
    std::lock_guard lock(mu_);
    partitions_[db + "." + name][std::move(values)] = json::object();
  }
  void DropTable(const std::string& db, const std::string& name) {
    std::lock_guard lock(mu_);
    tables_.erase(db + "." + name);
    partitions_.erase(db + "." + name);
  }
  void DropPartition(const std::string& db, const std::string& name, const Values& values) {
    std::lock_guard lock(mu_);
    partitions_[db + "." + name].erase(values);
  }

 private:
  struct Fault {
    int status;
    std::string code;
  };

  static void Answer(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_header("x-amzn-RequestId", "fake-request-id");
    res.set_content(body.dump(), "application/x-amz-json-1.1");
  }
  static void Refuse(httplib::Response& res, const std::string& code, const std::string& message, int status = 400) {
    Answer(res, status, {{"__type", "com.amazonaws.glue#" + code}, {"Message", message}});
  }

  void Serve(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    SeenRequest seen;
    seen.target = req.get_header_value("X-Amz-Target");
    seen.operation = seen.target.rfind("AWSGlue.", 0) == 0 ? seen.target.substr(8) : "?";
    seen.content_type = req.get_header_value("Content-Type");
    seen.amz_date = req.get_header_value("X-Amz-Date");
    seen.security_token = req.get_header_value("X-Amz-Security-Token");
    seen.authorization = req.get_header_value("Authorization");
    seen.body = req.body;
    requests_.push_back(seen);
    const std::string op = seen.operation;
    if (auto& f = faults_[op]; !f.empty()) {
      const Fault fault = f.front();
      f.pop_front();
      return Refuse(res, fault.code, "scripted " + fault.code, fault.status);
    }
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return Refuse(res, "SerializationException", "body is not JSON");
    if (op == "CreateDatabase") {
      const std::string name = body["DatabaseInput"]["Name"];
      if (!databases_.insert(name).second) return Refuse(res, "AlreadyExistsException", "Database already exists.");
      return Answer(res, 200, json::object());
    }
    const std::string db = body.value("DatabaseName", "");
    if (!databases_.count(db)) return Refuse(res, "EntityNotFoundException", "Database " + db + " not found.");
    if (op == "CreateTable" || op == "UpdateTable") {
      const std::string key = db + "." + body["TableInput"]["Name"].get<std::string>();
      const bool exists = tables_.count(key) > 0;
      if (op == "CreateTable" && exists) return Refuse(res, "AlreadyExistsException", "Table already exists.");
      if (op == "UpdateTable" && !exists) return Refuse(res, "EntityNotFoundException", "Table not found.");
      tables_[key] = body["TableInput"];
      return Answer(res, 200, json::object());
    }
    const std::string key = db + "." + body.value("TableName", "");
    if (!tables_.count(key)) return Refuse(res, "EntityNotFoundException", "Table " + key + " not found.");
    auto& parts = partitions_[key];
    if (op == "BatchCreatePartition") {
      const auto& list = body["PartitionInputList"];
      if (list.size() > 100) return Refuse(res, "ValidationException", "PartitionInputList: at most 100");
      json errors = json::array();
      for (const auto& p : list) {
        const Values values = p["Values"];
        std::string code;
        if (auto r = refused_.find(values); r != refused_.end()) code = r->second;
        if (code.empty() && parts.count(values)) code = "AlreadyExistsException";
        if (!code.empty()) {
          errors.push_back(
              {{"PartitionValues", values}, {"ErrorDetail", {{"ErrorCode", code}, {"ErrorMessage", "no"}}}});
          continue;
        }
        parts[values] = p;
      }
      return Answer(res, 200, errors.empty() ? json::object() : json{{"Errors", errors}});
    }
    if (op == "GetPartitions") {
      const size_t start = body.contains("NextToken") ? std::stoul(body["NextToken"].get<std::string>()) : 0;
      const size_t page = std::min<size_t>(page_size_, body.value("MaxResults", 1000));
      json out = {{"Partitions", json::array()}};
      size_t i = 0;
      for (const auto& [values, p] : parts) {
        if (i >= start && i < start + page) out["Partitions"].push_back({{"Values", values}, {"DatabaseName", db}});
        ++i;
      }
      if (start + page < parts.size()) out["NextToken"] = std::to_string(start + page);
      return Answer(res, 200, out);
    }
    Refuse(res, "InvalidInputException", "unknown operation " + op);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> requests_;
  std::map<std::string, std::deque<Fault>> faults_;
  std::map<Values, std::string> refused_;
  std::set<std::string> databases_;
  std::map<std::string, json> tables_;                        // "db.table" → TableInput
  std::map<std::string, std::map<Values, json>> partitions_;  // "db.table" → values → PartitionInput
  std::atomic<size_t> page_size_{1000};
};

class GlueTest : public ::testing::Test {
 protected:
  std::unique_ptr<GlueClient> Client(int max_retries = 3, const std::string& catalog_id = "") {
    GlueOptions o;
    o.endpoint = glue_.endpoint();
    o.region = kRegion;
    o.catalog_id = catalog_id;
    o.credentials = {kKeyId, kSecret, kToken};
    o.max_retries = max_retries;
    o.retry_backoff_ms = 1;
    o.clock = &clock_;
    return std::make_unique<GlueClient>(o);
  }

  static TableInfo Ads() {
    TableInfo t;
    t.database = "default";
    t.name = "ads";
    t.location = "s3://lake/prefix/default/ads/";
    t.format = "parquet";
    t.partition_keys = {"v", "dt", "hour"};
    t.columns = {{"id", HiveType::Primitive(HiveType::Kind::kBigint)},
                 {"tags", HiveType::Array(HiveType::Primitive(HiveType::Kind::kString))},
                 {"DT", HiveType::Primitive(HiveType::Kind::kString)}};  // a partition key's name: left out
    return t;
  }
  static PartitionInfo Partition(const TableInfo& t, const std::string& v, const std::string& dt,
                                 const std::string& hour) {
    PartitionInfo p;
    p.database = t.database;
    p.table = t.name;
    p.spec = "v=" + v + "/dt=" + dt + "/hour=" + hour;
    p.values = {{"v", v}, {"dt", dt}, {"hour", hour}};
    p.schema_version = v;
    return p;
  }

  ManualClock clock_{SigningTime()};
  FakeGlue glue_;
};

// The Parquet storage descriptor floe gives tables and partitions, with the table's columns.
json ParquetDescriptor(const std::string& location) {
  return json::parse(R"({"Columns":[{"Name":"id","Type":"bigint"},{"Name":"tags","Type":"array<string>"}],
    "Location":")" + location + R"(",
    "InputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat":"org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo":{"SerializationLibrary":"org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                 "Parameters":{"serialization.format":"1"}}})");
}

TEST_F(GlueTest, RequestBodiesFollowTheGlueApi) {
  auto client = Client(3, "123456789012");
  const TableInfo t = Ads();
  ASSERT_TRUE(client->CreateDatabase("default").ok());
  auto created = client->CreateTable("default", GlueTableInput(t));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(*created);
  ASSERT_TRUE(client->UpdateTable("default", GlueTableInput(t)).ok());
  ASSERT_TRUE(
      client->BatchCreatePartition("default", "ads", {*GluePartitionInput(t, Partition(t, "1", "2024-05-01", "12"))})
          .ok());
  auto listed = client->GetPartitions("default", "ads");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, std::vector<Values>{Values({"1", "2024-05-01", "12"})});

  const json table_input = {{"Name", "ads"},
                            {"TableType", "EXTERNAL_TABLE"},
                            {"Parameters", {{"classification", "parquet"}, {"EXTERNAL", "TRUE"}}},
                            {"PartitionKeys", json::parse(R"([{"Name":"v","Type":"string"},
                                {"Name":"dt","Type":"string"},{"Name":"hour","Type":"string"}])")},
                            {"StorageDescriptor", ParquetDescriptor("s3://lake/prefix/default/ads/")}};
  const std::vector<std::pair<std::string, json>> expected = {
      {"CreateDatabase", json::parse(R"({"CatalogId":"123456789012","DatabaseInput":{"Name":"default"}})")},
      {"CreateTable", {{"CatalogId", "123456789012"}, {"DatabaseName", "default"}, {"TableInput", table_input}}},
      {"UpdateTable", {{"CatalogId", "123456789012"}, {"DatabaseName", "default"}, {"TableInput", table_input}}},
      {"BatchCreatePartition",
       {{"CatalogId", "123456789012"},
        {"DatabaseName", "default"},
        {"TableName", "ads"},
        {"PartitionInputList",
         {{{"Values", {"1", "2024-05-01", "12"}},
           {"StorageDescriptor", ParquetDescriptor("s3://lake/prefix/default/ads/v=1/dt=2024-05-01/hour=12/")}}}}}},
      {"GetPartitions", json::parse(R"({"CatalogId":"123456789012","DatabaseName":"default","TableName":"ads",
                                        "ExcludeColumnSchema":true,"MaxResults":1000})")},
  };
  const auto seen = glue_.requests();
  ASSERT_EQ(seen.size(), expected.size());
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].operation, expected[i].first);
    EXPECT_EQ(seen[i].content_type, "application/x-amz-json-1.1");
    EXPECT_EQ(seen[i].Body(), expected[i].second) << seen[i].operation << ": " << seen[i].body;
  }
}

TEST_F(GlueTest, JsonLinesTablesUseTheJsonSerde) {
  TableInfo t = Ads();
  t.format = "jsonl";
  const json in = GlueTableInput(t);
  EXPECT_EQ(in["Parameters"]["classification"], "json");
  EXPECT_EQ(in["StorageDescriptor"]["InputFormat"], "org.apache.hadoop.mapred.TextInputFormat");
  EXPECT_EQ(in["StorageDescriptor"]["OutputFormat"], "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
  EXPECT_EQ(in["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"], "org.openx.data.jsonserde.JsonSerDe");
  // A partition without a value for one of the table's keys cannot be a Glue partition.
  PartitionInfo p = Partition(t, "1", "2024-05-01", "12");
  p.values.pop_back();
  EXPECT_FALSE(GluePartitionInput(t, p).has_value());
}

TEST_F(GlueTest, AvroTablesUseTheAvroSerdeAndCarryTheirSchema) {
  TableInfo t = Ads();
  t.format = "avro";
  t.avro_schema = R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"long"}]})";
  const json in = GlueTableInput(t);
  EXPECT_EQ(in["Parameters"],
            json({{"classification", "avro"}, {"EXTERNAL", "TRUE"}, {"avro.schema.literal", t.avro_schema}}));
  const json& sd = in["StorageDescriptor"];
  EXPECT_EQ(sd["InputFormat"], "org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat");
  EXPECT_EQ(sd["OutputFormat"], "org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat");
  EXPECT_EQ(sd["SerdeInfo"],
            json({{"SerializationLibrary", "org.apache.hadoop.hive.serde2.avro.AvroSerDe"},
                  {"Parameters", {{"serialization.format", "1"}, {"avro.schema.literal", t.avro_schema}}}}));
  // Partitions read through the table's schema: their descriptors name the SerDe but carry no copy of it.
  auto p = GluePartitionInput(t, Partition(t, "1", "2024-05-01", "12"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ((*p)["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"], sd["SerdeInfo"]["SerializationLibrary"]);
  EXPECT_EQ((*p)["StorageDescriptor"]["SerdeInfo"]["Parameters"], json({{"serialization.format", "1"}}));
  EXPECT_EQ((*p)["StorageDescriptor"]["InputFormat"], sd["InputFormat"]);
}

// Each request's Authorization, as received, equals what botocore computes for the same request.
TEST_F(GlueTest, SignaturesMatchBotocore) {
  auto client = Client();
  const TableInfo t = Ads();
  ASSERT_TRUE(client->CreateDatabase("default").ok());
  ASSERT_TRUE(client->CreateTable("default", GlueTableInput(t)).ok());
  ASSERT_TRUE(
      client->BatchCreatePartition("default", "ads", {*GluePartitionInput(t, Partition(t, "1", "2024-05-01", "12"))})
          .ok());
  ASSERT_TRUE(client->GetPartitions("default", "ads").ok());
  const auto seen = glue_.requests();
  ASSERT_EQ(seen.size(), 4u);

  json cases = json::array();
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].amz_date, "20240305T060708Z");
    EXPECT_EQ(seen[i].security_token, kToken);
    cases.push_back({{"name", "r" + std::to_string(i)}, {"kind", "header"}, {"service", "glue"},
                     {"region", kRegion}, {"method", "POST"}, {"url", glue_.endpoint() + "/"},
                     {"headers", {{"Content-Type", seen[i].content_type}, {"X-Amz-Target", seen[i].target}}},
                     {"body", seen[i].body}, {"unsigned", false}, {"access_key", kKeyId}, {"secret_key", kSecret},
                     {"session_token", kToken}, {"expires", 0}, {"time", SigningTime() / 1000000}});
  }
  std::map<std::string, std::string> expected;
  ASSERT_TRUE(storage::testing::SignWithBotocore(cases, expected));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].authorization, expected["r" + std::to_string(i)]) << seen[i].operation;
  }
}

TEST_F(GlueTest, AThousandPartitionsAreTenBatches) {
  auto client = Client();
  glue_.AddTable("default", "ads");
  const TableInfo t = Ads();
  std::vector<nlohmann::ordered_json> inputs;
  const int64_t start = MicrosFromCivil(CivilTime{2024, 1, 1, 0, 0, 0, 0});
  for (int64_t hour = 0; hour < 1000; ++hour) {  // 41 days and 16 hours of hourly partitions
    const int64_t at = start + hour * 3'600'000'000;
    inputs.push_back(*GluePartitionInput(t, Partition(t, "1", UtcDate(at), UtcHour(at))));
  }
  ASSERT_EQ(inputs.size(), 1000u);
  ASSERT_TRUE(client->BatchCreatePartition("default", "ads", inputs).ok());
  const auto calls = glue_.requests("BatchCreatePartition");
  ASSERT_EQ(calls.size(), 10u);
  for (const auto& c : calls) EXPECT_EQ(c.Body()["PartitionInputList"].size(), 100u);
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 1000u);
}

TEST_F(GlueTest, ExistingPartitionsAreFineOtherRefusalsAreReported) {
  auto client = Client();
  glue_.AddTable("default", "ads");
  glue_.AddPartition("default", "ads", {"1", "2024-05-01", "10"});
  glue_.RefusePartition({"1", "2024-05-01", "12"}, "InvalidInputException");
  const TableInfo t = Ads();
  std::vector<nlohmann::ordered_json> inputs;
  for (const char* hour : {"10", "11", "12"}) {
    inputs.push_back(*GluePartitionInput(t, Partition(t, "1", "2024-05-01", hour)));
  }
  Status st = client->BatchCreatePartition("default", "ads", inputs);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.Is(CatalogError::kPublish));
  EXPECT_NE(st.message().find("refused 1 of 3"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(R"(["1","2024-05-01","12"]: InvalidInputException)"), std::string::npos) << st.ToString();
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 2u);  // 10 (already there) and 11

  glue_.RefusePartition({"1", "2024-05-01", "12"}, "AlreadyExistsException");
  EXPECT_TRUE(client->BatchCreatePartition("default", "ads", inputs).ok());
}

TEST_F(GlueTest, ThrottlingAndServerErrorsAreRetried) {
  auto client = Client(/*max_retries=*/3);
  glue_.Fail("CreateDatabase", 400, "ThrottlingException", 2);
  glue_.Fail("CreateDatabase", 500, "InternalServiceException", 1);
  ASSERT_TRUE(client->CreateDatabase("default").ok());
  EXPECT_EQ(glue_.requests("CreateDatabase").size(), 4u);
  EXPECT_EQ(client->retries(), 3u);
  EXPECT_EQ(glue_.databases(), std::set<std::string>{"default"});
  // A second CreateDatabase meets AlreadyExistsException: success, no retry.
  ASSERT_TRUE(client->CreateDatabase("default").ok());
  EXPECT_EQ(glue_.requests("CreateDatabase").size(), 5u);

  // Throttled past the retries: a retryable error naming the call.
  glue_.Fail("CreateTable", 400, "ThrottlingException", 4);
  auto r = client->CreateTable("default", GlueTableInput(Ads()));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retryable());
  EXPECT_NE(r.status().message().find("ThrottlingException"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("after 4 attempts"), std::string::npos) << r.status().ToString();
  EXPECT_EQ(glue_.requests("CreateTable").size(), 4u);
}

TEST_F(GlueTest, AccessDeniedIsNotRetried) {
  auto client = Client(/*max_retries=*/5);
  glue_.AddTable("default", "other");  // the database exists
  glue_.Fail("CreateTable", 400, "AccessDeniedException");
  auto r = client->CreateTable("default", GlueTableInput(Ads()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(glue_.requests("CreateTable").size(), 1u);
  EXPECT_EQ(client->retries(), 0u);
  EXPECT_FALSE(r.status().retryable());
  EXPECT_TRUE(r.status().Is(CatalogError::kPublish));
  EXPECT_EQ(r.status().message(),
            "Glue CreateTable (database default, table ads) failed: HTTP 400 AccessDeniedException: scripted "
            "AccessDeniedException (request id fake-request-id)");
}

TEST_F(GlueTest, NobodyListeningIsATransportErrorAfterRetries) {
  GlueOptions o;
  {
    FakeGlue gone;
    o.endpoint = gone.endpoint();
  }
  o.region = kRegion;
  o.credentials = {kKeyId, kSecret, ""};
  o.max_retries = 2;
  o.retry_backoff_ms = 1;
  GlueClient client(o);
  Status st = client.CreateDatabase("default");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.retryable());
  EXPECT_EQ(client.requests(), 3u);
  EXPECT_NE(st.message().find("Glue CreateDatabase (database default)"), std::string::npos) << st.ToString();
}

TEST_F(GlueTest, GetPartitionsFollowsNextToken) {
  auto client = Client();
  glue_.AddTable("default", "ads");
  glue_.set_page_size(3);
  std::set<Values> added;
  for (int h = 0; h < 7; ++h) {
    Values v{"1", "2024-05-01", "0" + std::to_string(h)};
    glue_.AddPartition("default", "ads", v);
    added.insert(v);
  }
  auto listed = client->GetPartitions("default", "ads");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(std::set<Values>(listed->begin(), listed->end()), added);
  const auto calls = glue_.requests("GetPartitions");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_FALSE(calls[0].Body().contains("NextToken"));
  EXPECT_EQ(calls[1].Body()["NextToken"], "3");
  EXPECT_EQ(calls[2].Body()["NextToken"], "6");

  auto missing = client->GetPartitions("default", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().Is(CatalogError::kNotFound));
  EXPECT_NE(missing.status().message().find("EntityNotFoundException"), std::string::npos);
}

// The publisher fed by real catalog flushes (SQLite store, Parquet files in a memory lake).
class GluePublisherTest : public GlueTest {
 protected:
  static columnar::Schema V1() {
    return columnar::Schema(Node::Record(
        "e", {Node::Primitive("id", PhysicalType::kInt32, false),
              Node::Primitive("name", PhysicalType::kByteArray, false, LogicalKind::kString)},
        false));
  }
  static columnar::Schema V2() {  // id widened, country added
    return columnar::Schema(Node::Record(
        "e", {Node::Primitive("id", PhysicalType::kInt64, false),
              Node::Primitive("name", PhysicalType::kByteArray, false, LogicalKind::kString),
              Node::Primitive("country", PhysicalType::kByteArray, false, LogicalKind::kString)},
        false));
  }
  static columnar::Schema V3() {  // name becomes a number: a conflict
    return columnar::Schema(Node::Record(
        "e",
        {Node::Primitive("id", PhysicalType::kInt64, false), Node::Primitive("name", PhysicalType::kDouble, false)},
        false));
  }

  archive::FileCommittedEvent File(const std::string& version, const std::string& hour, int64_t offset,
                                   const columnar::Schema& schema) {
    auto e = testing::MakeEvent("ads", version, "2024-05-01", hour, 0, offset, 4, 0);
    std::string bytes = testing::ParquetBytes(schema, 4, offset);
    e.bytes = bytes.size();
    EXPECT_TRUE(lake_.Put(e.key, bytes).ok());
    return e;
  }

  std::unique_ptr<Catalog> Open(GluePublisher* publisher) {
    auto store = CatalogStore::Open(url_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    CatalogOptions options;
    options.lake_url = "s3://lake/prefix";
    options.store = &lake_;
    options.publisher = publisher;
    auto c = Catalog::Open(std::move(*store), options);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(*c);
  }

  std::string url_ = testing::FreshSqliteUrl();
  storage::MemoryObjectStore lake_;
};

TEST_F(GluePublisherTest, FlushesReachGlue) {
  GluePublisher publisher(Client());
  auto catalog = Open(&publisher);
  ASSERT_TRUE(catalog->Ingest({File("1", "10", 0, V1()), File("1", "11", 4, V1())}).ok());
  EXPECT_EQ(glue_.databases(), std::set<std::string>{"default"});
  auto table = glue_.table("default", "ads");
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ((*table)["StorageDescriptor"]["Location"], "s3://lake/prefix/default/ads/");
  EXPECT_EQ((*table)["StorageDescriptor"]["Columns"],
            json::parse(R"([{"Name":"id","Type":"int"},{"Name":"name","Type":"string"}])"));
  auto parts = glue_.partitions("default", "ads");
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts.begin()->first, Values({"1", "2024-05-01", "10"}));
  EXPECT_EQ(parts.begin()->second["StorageDescriptor"]["Location"],
            "s3://lake/prefix/default/ads/v=1/dt=2024-05-01/hour=10/");
  EXPECT_EQ(catalog->stats().publishes, 1u);

  // More files of known partitions publish nothing; a new version widens and adds columns (UpdateTable)
  // and brings its partition.
  glue_.ClearRequests();
  ASSERT_TRUE(catalog->Ingest({File("1", "11", 8, V1())}).ok());
  EXPECT_TRUE(glue_.requests().empty());
  ASSERT_TRUE(catalog->Ingest({File("2", "11", 12, V2())}).ok());
  ASSERT_EQ(glue_.requests("UpdateTable").size(), 1u);
  EXPECT_EQ((*glue_.table("default", "ads"))["StorageDescriptor"]["Columns"],
            json::parse(R"([{"Name":"id","Type":"bigint"},{"Name":"name","Type":"string"},
                            {"Name":"country","Type":"string"}])"));
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 3u);

  // A version that conflicts with the table keeps its partitions out of Glue, as out of the DDL.
  ASSERT_TRUE(catalog->Ingest({File("3", "12", 16, V3())}).ok());
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 3u);
  EXPECT_EQ(glue_.partitions("default", "ads").count(Values({"3", "2024-05-01", "12"})), 0u);
}

TEST_F(GluePublisherTest, AFailedPublicationIsOfferedAgainAfterTheNextFlush) {
  GluePublisher publisher(Client());
  auto catalog = Open(&publisher);
  glue_.Fail("BatchCreatePartition", 400, "AccessDeniedException");
  ASSERT_TRUE(catalog->Ingest({File("1", "10", 0, V1())}).ok());  // the catalog itself is fine
  EXPECT_EQ(catalog->stats().failed_publishes, 1u);
  EXPECT_TRUE(glue_.partitions("default", "ads").empty());

  ASSERT_TRUE(catalog->Ingest({File("1", "11", 4, V1())}).ok());
  EXPECT_EQ(catalog->stats().publishes, 1u);
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 2u);

  // A flush with nothing new still offers what failed.
  glue_.Fail("BatchCreatePartition", 503, "ServiceUnavailableException", 4);  // outlasts the 3 retries
  ASSERT_TRUE(catalog->Ingest({File("1", "12", 8, V1())}).ok());
  EXPECT_EQ(catalog->stats().failed_publishes, 2u);
  ASSERT_TRUE(catalog->Flush().ok());
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 3u);
}

TEST_F(GluePublisherTest, ReopeningReconcilesWithWhatGlueHas) {
  {
    GluePublisher publisher(Client());
    auto catalog = Open(&publisher);
    ASSERT_TRUE(catalog->Ingest({File("1", "10", 0, V1()), File("1", "11", 4, V1()), File("1", "12", 8, V1())}).ok());
    ASSERT_TRUE(catalog->Stop().ok());
  }
  ASSERT_EQ(glue_.partitions("default", "ads").size(), 3u);
  // Glue lost one partition (or a crash came between the catalog's commit and the publication).
  glue_.DropPartition("default", "ads", {"1", "2024-05-01", "11"});
  glue_.ClearRequests();

  GluePublisher publisher(Client());
  auto catalog = Open(&publisher);
  ASSERT_TRUE(catalog->Flush().ok());
  EXPECT_EQ(glue_.requests("GetPartitions").size(), 1u);
  const auto batches = glue_.requests("BatchCreatePartition");
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].Body()["PartitionInputList"].size(), 1u);  // only the missing one
  EXPECT_EQ(batches[0].Body()["PartitionInputList"][0]["Values"], json({"1", "2024-05-01", "11"}));
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 3u);

  // A table deleted in Glue by hand is created again when its next partition comes.
  glue_.DropTable("default", "ads");
  ASSERT_TRUE(catalog->Ingest({File("1", "13", 12, V1())}).ok());
  EXPECT_TRUE(glue_.table("default", "ads").has_value());
  EXPECT_EQ(glue_.partitions("default", "ads").size(), 1u);
}

TEST(GlueSettingsTest, OptionsComeFromSettingsAndTheS3CredentialChain) {
  config::SettingValues worker;
  ASSERT_TRUE(worker.Set("catalog.glue.catalog.id", "123456789012", config::SettingScope::kWorker).ok());
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_ACCESS_KEY_ID") return "AKIAENV";
    if (name == "AWS_SECRET_ACCESS_KEY") return "envsecret";
    if (name == "AWS_REGION") return "ap-south-1";
    return std::nullopt;
  };
  auto o = GlueOptionsFromSettings(worker, env);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->region, "ap-south-1");
  EXPECT_EQ(o->credentials.access_key_id, "AKIAENV");
  EXPECT_EQ(o->catalog_id, "123456789012");
  EXPECT_EQ(GlueClient(*o).endpoint(), "https://glue.ap-south-1.amazonaws.com/");

  ASSERT_TRUE(worker.Set("catalog.glue.region", "eu-central-1", config::SettingScope::kWorker).ok());
  ASSERT_TRUE(worker.Set("catalog.glue.endpoint", "http://127.0.0.1:4566/", config::SettingScope::kWorker).ok());
  o = GlueOptionsFromSettings(worker, env);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->region, "eu-central-1");
  EXPECT_EQ(GlueClient(*o).endpoint(), "http://127.0.0.1:4566/");

  auto none = GlueOptionsFromSettings(worker, [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return "/nonexistent";
    return std::nullopt;
  });
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("catalog.glue.enabled"), std::string::npos);
}

}  // namespace
}  // namespace floe::catalog
