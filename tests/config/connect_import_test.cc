#include "config/connect_import.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config/config.h"

namespace floe::config {
namespace {

std::string Fixture(const std::string& name) {
  const char* root = std::getenv("FLOE_SOURCE_DIR");
  const std::string path = std::string(root ? root : ".") + "/tests/config/fixtures/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Converts, then loads the result with floe's own parser, as `floe config check` would.
struct Converted {
  ConnectImport import;
  Config config;
  const SettingValues& connector() const { return config.connectors.at(0).values; }
  bool Noted(const std::string& key, ConnectImportNote::Level level, const std::string& mentions) const {
    for (const auto& n : import.notes)
      if (n.key == key && n.level == level && n.message.find(mentions) != std::string::npos) return true;
    return false;
  }
  bool Warned(const std::string& key, const std::string& mentions = "") const {
    return Noted(key, ConnectImportNote::Level::kWarning, mentions);
  }
  bool Mentioned(const std::string& key) const {
    for (const auto& n : import.notes)
      if (n.key == key) return true;
    return false;
  }
};

Converted Convert(const std::string& json, const ConnectImportOptions& options = {}) {
  auto imported = ImportConnectConfig(json, options);
  EXPECT_TRUE(imported.ok()) << imported.status().ToString();
  if (!imported.ok()) return {};
  auto config = ParseConfig(imported->yaml);
  EXPECT_TRUE(config.ok()) << config.status().ToString() << "\n" << imported->yaml;
  if (!config.ok()) return {};
  EXPECT_EQ(config->connectors.size(), 1u);
  return {*imported, *config};
}

TEST(ConnectImportTest, HourlyParquetWithRecordFieldExtractor) {
  const auto c = Convert(Fixture("connect_hourly_parquet.json"));
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  EXPECT_EQ(c.config.connectors[0].name, "s3-sink-orders");
  const auto& w = c.config.worker;
  EXPECT_EQ(w.GetString("store.url"), "s3://acme-lake/raw");
  EXPECT_EQ(w.GetString("s3.region"), "eu-west-1");
  EXPECT_EQ(w.GetInt("s3.part.size"), 26214400);
  EXPECT_EQ(w.GetString("schema.registry.url"), "http://registry.internal:8081");
  EXPECT_EQ(w.GetString("basic.auth.user.info"), "sink:s3cret");
  EXPECT_FALSE(w.IsSet("s3.endpoint"));

  const auto& v = c.connector();
  EXPECT_EQ(v.GetList("topics"), (std::vector<std::string>{"orders", "payments"}));
  EXPECT_EQ(v.GetString("input.format"), "avro");
  EXPECT_EQ(v.GetString("format"), "parquet");
  EXPECT_EQ(v.GetString("parquet.codec"), "snappy");
  EXPECT_EQ(v.GetInt("flush.size"), 50000);
  EXPECT_EQ(v.GetInt("rotate.interval.ms"), 3600000);
  EXPECT_EQ(v.GetInt("rotate.schedule.interval.ms"), 0);  // Connect's -1
  EXPECT_EQ(v.GetString("path.format"), "v={schema_version}/dt={date}/hour={hour}");
  EXPECT_EQ(v.GetList("timestamp.fields"), (std::vector<std::string>{"order.created_at"}));
  EXPECT_EQ(v.GetString("timestamp.unit"), "ms");
  EXPECT_EQ(v.GetString("behavior.on.null.values"), "ignore");
  EXPECT_EQ(v.GetString("errors.tolerance"), "all");
  EXPECT_EQ(v.GetString("errors.deadletterqueue.topic.name"), "dlq.s3-sink-orders");
  EXPECT_EQ(v.GetInt("errors.retry.timeout"), 600000);
  EXPECT_TRUE(c.Noted("errors.retry.timeout", ConnectImportNote::Level::kNote, "outages"));

  // consumer.override.*: librdkafka names, SCRAM credentials out of the JAAS line, Java-only ones dropped.
  EXPECT_EQ(c.config.kafka.at("bootstrap.servers"), "localhost:9092");
  EXPECT_EQ(c.config.kafka.at("group.id"), "connect-s3-sink-orders");
  EXPECT_EQ(c.config.kafka.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(c.config.kafka.at("sasl.mechanisms"), "SCRAM-SHA-512");
  EXPECT_EQ(c.config.kafka.at("sasl.username"), "s3sink");
  EXPECT_EQ(c.config.kafka.at("sasl.password"), "pw");
  EXPECT_EQ(c.config.kafka.at("auto.offset.reset"), "earliest");
  EXPECT_EQ(c.config.kafka.count("max.poll.records"), 0u);
  EXPECT_EQ(c.config.kafka.count("sasl.jaas.config"), 0u);
  EXPECT_EQ(c.config.kafka.count("sasl.mechanism"), 0u);

  EXPECT_TRUE(c.Warned("consumer.override.max.poll.records", "Java-client"));
  EXPECT_TRUE(c.Warned("bootstrap.servers", "localhost:9092"));
  EXPECT_TRUE(c.Warned("timestamp.extractor", "timestamp.fallback"));
  EXPECT_TRUE(c.Noted("tasks.max", ConnectImportNote::Level::kNote, "workers"));
  EXPECT_TRUE(c.Noted("storage.class", ConnectImportNote::Level::kNote, "implied"));
  EXPECT_TRUE(c.Noted("errors.deadletterqueue.context.headers.enable", ConnectImportNote::Level::kNote, "__floe"));
  EXPECT_FALSE(c.Mentioned("timezone"));               // UTC: nothing to say
  EXPECT_FALSE(c.Mentioned("partition.duration.ms"));  // matches the hourly path
  EXPECT_FALSE(c.Warned("path.format"));
}

TEST(ConnectImportTest, JsonWithDefaultPartitionerOnMinio) {
  const auto c = Convert(Fixture("connect_json_default.json"), {.bootstrap_servers = "broker:9092"});
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  EXPECT_EQ(c.config.connectors[0].name, "s3-sink");  // no name in the bare map
  EXPECT_TRUE(c.Warned("name"));
  EXPECT_EQ(c.config.kafka.at("bootstrap.servers"), "broker:9092");
  EXPECT_FALSE(c.Mentioned("bootstrap.servers"));
  const auto& w = c.config.worker;
  EXPECT_EQ(w.GetString("store.url"), "s3://clicks-archive/topics");  // Connect's default topics.dir
  EXPECT_EQ(w.GetString("s3.endpoint"), "http://minio:9000");
  EXPECT_TRUE(w.GetBool("s3.path.style"));
  EXPECT_EQ(w.GetString("s3.region"), "us-west-2");  // Connect's default, written out
  EXPECT_EQ(w.GetString("s3.access.key.id"), "minio");
  EXPECT_FALSE(w.IsSet("s3.secret.access.key"));  // a config provider reference cannot be resolved
  EXPECT_TRUE(c.Warned("aws.secret.access.key", "config provider"));
  EXPECT_EQ(w.GetInt("s3.part.size"), 5242880);

  const auto& v = c.connector();
  EXPECT_EQ(v.GetString("topics.regex"), "clicks\\..*");
  EXPECT_TRUE(v.GetList("topics").empty());
  EXPECT_EQ(v.GetString("input.format"), "json");
  EXPECT_EQ(v.GetString("format"), "json");
  EXPECT_EQ(v.GetInt("flush.size"), 1000);
  EXPECT_EQ(v.GetInt("rotate.schedule.interval.ms"), 60000);
  EXPECT_FALSE(v.IsSet("path.format"));       // floe's business-time default
  EXPECT_FALSE(v.IsSet("timestamp.fields"));  // floe's default candidates
  EXPECT_TRUE(v.GetBool("store.kafka.keys"));
  EXPECT_TRUE(v.GetBool("store.kafka.headers"));
  EXPECT_EQ(v.GetList("fields.exclude"), (std::vector<std::string>{"ip", "user_agent"}));
  EXPECT_EQ(v.GetList("fields.rename"), (std::vector<std::string>{"ts:occurred_at"}));

  EXPECT_TRUE(c.Warned("timezone", "Europe/Berlin"));
  EXPECT_TRUE(c.Warned("s3.compression.type"));
  EXPECT_TRUE(c.Warned("s3.ssea.name", "no floe equivalent"));
  EXPECT_TRUE(c.Noted("partitioner.class", ConnectImportNote::Level::kNote, "business time"));
  EXPECT_TRUE(c.Noted("behavior.on.null.values", ConnectImportNote::Level::kNote, "tombstones"));
  EXPECT_FALSE(c.Mentioned("value.converter.schemas.enable"));  // false: plain JSON objects
}

TEST(ConnectImportTest, AvroWithFieldPartitioner) {
  const auto c = Convert(Fixture("connect_avro_field.json"));
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  EXPECT_EQ(c.config.connectors[0].name, "ads-by-country");
  const auto& w = c.config.worker;
  EXPECT_EQ(w.GetString("value.subject.name.strategy"), "topic_record_name");
  EXPECT_EQ(w.GetInt("s3.max.retries"), 5);
  EXPECT_EQ(w.GetInt("s3.retry.backoff.ms"), 500);
  const auto& v = c.connector();
  EXPECT_EQ(v.GetString("input.format"), "avro");
  EXPECT_EQ(v.GetString("format"), "parquet");  // AvroFormat: floe writes Parquet instead
  EXPECT_FALSE(v.IsSet("parquet.codec"));
  EXPECT_EQ(v.GetString("path.format"), "v={schema_version}/country={field:country}/device_type={field:device.type}");
  EXPECT_TRUE(c.Noted("partition.field.name", ConnectImportNote::Level::kNote, "device_type="));
  EXPECT_FALSE(v.IsSet("timestamp.fields"));
  EXPECT_EQ(v.GetInt("rotate.interval.ms"), 0);
  EXPECT_EQ(v.GetString("behavior.on.null.values"), "fail");
  EXPECT_TRUE(c.Warned("format.class", "Parquet"));
  EXPECT_TRUE(c.Warned("avro.codec"));
  EXPECT_TRUE(c.Warned("s3.proxy.url", "HTTPS_PROXY=http://proxy.corp:3128"));
  EXPECT_TRUE(c.Noted("parquet.codec", ConnectImportNote::Level::kNote, "snappy"));
}

TEST(ConnectImportTest, RestShapeWithDailyPartitionerAndRecordTimestamps) {
  const auto c = Convert(Fixture("connect_rest_daily.json"));
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  EXPECT_EQ(c.config.connectors[0].name, "s3-sink-events");
  EXPECT_EQ(c.config.kafka.at("bootstrap.servers"), "kafka-1:9093,kafka-2:9093");
  EXPECT_EQ(c.config.kafka.at("group.id"), "events-archiver");
  EXPECT_FALSE(c.Mentioned("bootstrap.servers"));
  EXPECT_EQ(c.config.worker.GetString("s3.region"), "ap-southeast-2");
  const auto& v = c.connector();
  EXPECT_EQ(v.GetList("topics"), (std::vector<std::string>{"events"}));
  EXPECT_EQ(v.GetString("input.format"), "bytes");
  EXPECT_EQ(v.GetString("format"), "json");
  EXPECT_EQ(v.GetString("path.format"), "v={schema_version}/year={year}/month={month}/day={day}");
  EXPECT_TRUE(v.IsSet("timestamp.fields"));
  EXPECT_TRUE(v.GetList("timestamp.fields").empty());  // Record: the Kafka timestamp
  EXPECT_EQ(v.GetString("errors.tolerance"), "none");
  EXPECT_FALSE(c.Mentioned("timezone"));  // Etc/UTC is UTC
  EXPECT_TRUE(c.Noted("rotate.schedule.interval.ms", ConnectImportNote::Level::kNote, "10 minutes"));
}

TEST(ConnectImportTest, ParquetFromJsonValuesFallsBackToJsonLines) {
  const auto c = Convert(R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector", "name": "p",
    "topics": "t", "s3.bucket.name": "b", "format.class": "io.confluent.connect.s3.format.parquet.ParquetFormat",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter", "parquet.codec": "brotli",
    "partitioner.class": "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
    "path.format": "YYYY/MM/dd/HH/mm", "partition.duration.ms": "600000"})");
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  const auto& v = c.connector();
  EXPECT_EQ(v.GetString("format"), "json");
  EXPECT_EQ(v.GetString("path.format"),
            "v={schema_version}/year={year}/month={month}/day={day}/hour={hour}/minute={minute}");
  EXPECT_EQ(v.GetList("timestamp.fields"), std::vector<std::string>{});  // Wallclock (the default)
  EXPECT_TRUE(c.Warned("format.class", "Avro input only"));
  EXPECT_TRUE(c.Warned("parquet.codec", "brotli"));
  EXPECT_TRUE(c.Warned("value.converter.schemas.enable", "envelope"));
  EXPECT_TRUE(c.Warned("partition.duration.ms", "minute"));
  EXPECT_TRUE(c.Warned("timestamp.extractor", "Wallclock"));
  EXPECT_TRUE(c.Warned("path.format", "year={year}"));
}

TEST(ConnectImportTest, PathFormatTranslation) {
  struct Case {
    const char* joda;
    const char* floe;
    size_t notes;
  };
  const Case cases[] = {
      {"'dt'=YYYY-MM-dd/'hour'=HH", "dt={date}/hour={hour}", 0},
      {"'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH/", "year={year}/month={month}/day={day}/hour={hour}", 0},
      {"'date'=yyyyMMdd", "date={year}{month}{day}", 0},
      {"'d'=YYYY-MM-dd'T'HH", "d={date}T{hour}", 0},
      {"'h'=H", "h={hour}", 1},
      {"YYYY-MM-dd", "dt={date}", 1},
      {"'it''s'=HH", "it's={hour}", 0},
  };
  for (const auto& tc : cases) {
    std::vector<std::string> notes;
    auto r = TranslateConnectPathFormat(tc.joda, notes);
    ASSERT_TRUE(r.ok()) << tc.joda << ": " << r.status().ToString();
    EXPECT_EQ(*r, tc.floe) << tc.joda;
    EXPECT_EQ(notes.size(), tc.notes) << tc.joda;
  }
  for (const char* bad : {"'dt'=YYYY-MMM-dd", "'t'=HH:mm:ss", "'x'=YYYY/'literal'=abc", "'open=YYYY", "YYYY-MM"}) {
    std::vector<std::string> notes;
    auto r = TranslateConnectPathFormat(bad, notes);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_TRUE(r.status().Is(ConnectImportError::kBadValue)) << bad;
  }
}

TEST(ConnectImportTest, RejectsWhatItCannotConvert) {
  struct BadCase {
    const char* json;
    ConnectImportError code;
    const char* mentions;
  };
  const BadCase cases[] = {
      {"{not json", ConnectImportError::kBadJson, "not valid JSON"},
      {"[1, 2]", ConnectImportError::kBadJson, "object"},
      {R"({"connector.class": "io.confluent.connect.s3.S3SinkConnector", "topics": {"a": 1}})",
       ConnectImportError::kBadJson, "topics"},
      {R"({"topics": "a"})", ConnectImportError::kUnsupportedConnector, "not set"},
      {R"({"connector.class": "io.confluent.connect.gcs.GcsSinkConnector", "topics": "a"})",
       ConnectImportError::kUnsupportedConnector, "GcsSinkConnector"},
      {R"({"connector.class": "S3SinkConnector", "topics": "a", "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})",
       ConnectImportError::kBadValue, "s3.bucket.name"},
      {R"({"connector.class": "S3SinkConnector", "topics": "a", "s3.bucket.name": "b", "flush.size": "lots",
           "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})",
       ConnectImportError::kBadValue, "flush.size"},
      {R"({"connector.class": "S3SinkConnector", "topics": "a", "s3.bucket.name": "b",
           "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
           "partitioner.class": "io.confluent.connect.storage.partitioner.FieldPartitioner"})",
       ConnectImportError::kBadValue, "partition.field.name"},
      {R"({"connector.class": "S3SinkConnector", "topics": "a", "s3.bucket.name": "b",
           "format.class": "io.confluent.connect.s3.format.json.JsonFormat", "timestamp.extractor": "RecordField"})",
       ConnectImportError::kBadValue, "timestamp.field"},
      // Translated faithfully, but outside floe's range: the conversion checks its own output.
      {R"({"connector.class": "S3SinkConnector", "topics": "a", "s3.bucket.name": "b", "s3.part.size": 1024,
           "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})",
       ConnectImportError::kInvalidResult, "s3.part.size"},
      {R"({"connector.class": "S3SinkConnector", "s3.bucket.name": "b",
           "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})",
       ConnectImportError::kInvalidResult, "topics"},
  };
  for (const auto& tc : cases) {
    auto r = ImportConnectConfig(tc.json);
    ASSERT_FALSE(r.ok()) << tc.json;
    EXPECT_TRUE(r.status().Is(tc.code)) << tc.json << " -> " << r.status().ToString();
    EXPECT_NE(r.status().message().find(tc.mentions), std::string::npos) << r.status().ToString();
  }
}

TEST(ConnectImportTest, UnknownKeysAreWarnedAndEveryInputKeyIsAccountedFor) {
  const auto c = Convert(R"({"connector.class": "S3SinkConnector", "name": "x", "topics": "a",
    "s3.bucket.name": "b", "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
    "s3.object.tagging": "true", "my.custom.key": "1", "value.converter": "io.confluent.connect.protobuf.ProtobufConverter",
    "transforms": "route", "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter"})");
  ASSERT_EQ(c.config.connectors.size(), 1u) << c.import.yaml;
  EXPECT_EQ(c.connector().GetString("input.format"), "bytes");
  EXPECT_TRUE(c.Warned("value.converter", "ProtobufConverter"));
  EXPECT_TRUE(c.Warned("s3.object.tagging", "no floe equivalent"));
  EXPECT_TRUE(c.Warned("my.custom.key", "no floe equivalent"));
  EXPECT_TRUE(c.Warned("transforms.route", "RegexRouter"));
  EXPECT_FALSE(c.Mentioned("transforms.route.type"));  // reported once, under the transform's alias
}

}  // namespace
}  // namespace floe::config
