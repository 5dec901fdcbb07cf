// The catalog store, ingest, DDL and rebuild, run against SQLite and a real PostgreSQL.
#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "archive/avro_format.h"
#include "catalog/catalog_error.h"
#include "catalog/completeness.h"
#include "common/clock.h"
#include "catalog/ddl.h"
#include "catalog/key_pattern.h"
#include "catalog/rebuild.h"
#include "catalog/test_util.h"
#include "storage/fault_injecting_object_store.h"
#include "storage/memory_object_store.h"

namespace floe::catalog {
namespace {

using columnar::LogicalKind;
using columnar::Node;
using columnar::PhysicalType;
using storage::StoreOp;
using testing::AvroFileBytes;
using testing::MakeEvent;
using testing::ParquetBytes;

columnar::Schema SchemaV1() {
  return columnar::Schema(Node::Record(
      "e",
      {Node::Primitive("id", PhysicalType::kInt32, false),
       Node::Primitive("name", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("_kafka_offset", PhysicalType::kInt64, false)},
      false));
}
columnar::Schema SchemaV2() {  // id widened to bigint, country added
  return columnar::Schema(Node::Record(
      "e",
      {Node::Primitive("id", PhysicalType::kInt64, false),
       Node::Primitive("name", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("country", PhysicalType::kByteArray, false, LogicalKind::kString),
       Node::Primitive("_kafka_offset", PhysicalType::kInt64, false)},
      false));
}
columnar::Schema SchemaV3() {  // name becomes a number: a conflict
  return columnar::Schema(Node::Record(
      "e",
      {Node::Primitive("id", PhysicalType::kInt64, false), Node::Primitive("name", PhysicalType::kDouble, false),
       Node::Primitive("_kafka_offset", PhysicalType::kInt64, false)},
      false));
}

// Avro files as the archiver writes them: the writer schema with the Kafka metadata fields appended.
std::string AvroFileSchema(const std::string& writer_schema) {
  auto s = archive::AvroFormat::FileSchemaFor(writer_schema, {});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : "";
}
// The schema text a container file's header holds for it (OcfWriter writes Schema::ToJson).
std::string HeaderSchema(const std::string& schema) {
  auto parsed = avro::Schema::Parse(schema);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? parsed->ToJson() : "";
}
const std::string kAdV1 = R"({"type":"record","name":"Ad","namespace":"com.example","fields":[
  {"name":"id","type":"long"},{"name":"event_id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"note","type":"string","doc":"it's a \\ note"}]})";
// channel added; a doc longer than the catalog's first 64 KiB read, so the header takes a second GET.
const std::string kAdV2 = R"({"type":"record","name":"Ad","namespace":"com.example","doc":")" +
                          std::string(100'000, 'd') + R"(","fields":[
  {"name":"id","type":"long"},{"name":"event_id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"note","type":"string"},{"name":"channel","type":["null","string"],"default":null}]})";

class CatalogTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      std::string why;
      url_ = testing::FreshPostgresUrl(&why);
      if (url_.empty() && !testing::PostgresInstalled()) GTEST_SKIP() << "PostgreSQL test skipped: " << why;
      ASSERT_FALSE(url_.empty()) << "PostgreSQL is installed but unusable: " << why;
    } else {
      url_ = testing::FreshSqliteUrl();
    }
  }

  std::unique_ptr<Catalog> OpenCatalog(storage::ObjectStore* lake, const std::string& url = "") {
    auto store = CatalogStore::Open(url.empty() ? url_ : url);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    CatalogOptions options;
    options.lake_url = "s3://lake/prefix";
    options.store = lake;
    auto c = Catalog::Open(std::move(*store), options);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // A second, empty catalog on the same kind of store, to compare a rebuild with the incremental one.
  std::unique_ptr<Catalog> OpenSecondCatalog(storage::ObjectStore* lake) {
    std::string why;
    const std::string url = GetParam() == "postgresql" ? testing::FreshPostgresUrl(&why) : testing::FreshSqliteUrl();
    EXPECT_FALSE(url.empty()) << "a second catalog for the rebuild: " << why;
    EXPECT_NE(url, url_);
    if (url.empty() || url == url_) return nullptr;
    return OpenCatalog(lake, url);
  }

  // Everything a catalog holds about its tables, one line per table, schema version, partition and file: two
  // catalogs built from the same lake (incrementally, or rebuilt from a listing) must dump the same text.
  static std::string Dump(Catalog& c) {
    return c.WithStore([](CatalogStore& s) {
      std::string out;
      auto tables = s.ListTables();
      for (const auto& t : *tables) {
        out += "table " + t.database + "." + t.name + " " + t.location + " " + t.format + " " +
               ColumnsToJson(t.columns) + " " + t.avro_schema + "\n";
        auto versions = s.ListSchemaVersions(t.database, t.name);
        auto partitions = s.ListPartitions(t.database, t.name);
        auto files = s.ListFiles(t.database, t.name);
        for (const auto& v : *versions) {
          out += " version " + v.version + " " + v.source + " " + ColumnsToJson(v.columns) + "\n";
        }
        for (const auto& p : *partitions) {
          out += " partition " + p.spec + " " + std::to_string(p.files) + " " + std::to_string(p.records) + " " +
                 std::to_string(p.bytes) + "\n";
        }
        for (const auto& f : *files) {
          out += " file " + f.key + " " + f.topic + " " + std::to_string(f.kafka_partition) + " " +
                 std::to_string(f.first_offset) + ".." + std::to_string(f.last_offset) + " " +
                 std::to_string(f.records) + " " + std::to_string(f.bytes) + " " + f.format + "\n";
        }
      }
      return out;
    });
  }

  // Writes a Parquet file for the event into the lake and returns the event with its real size.
  archive::FileCommittedEvent PutFile(archive::FileCommittedEvent e, const columnar::Schema& schema) {
    std::string bytes = ParquetBytes(schema, static_cast<int>(e.records), e.first_offset);
    EXPECT_FALSE(bytes.empty());
    e.bytes = bytes.size();
    EXPECT_TRUE(lake_.Put(e.key, bytes).ok());
    return e;
  }

  // Writes an Avro file for the event (datums at the given offsets of its partition) and returns the event
  // as the archiver reports it.
  archive::FileCommittedEvent PutAvroFile(archive::FileCommittedEvent e, const std::string& file_schema,
                                          const std::vector<int64_t>& offsets) {
    std::vector<nlohmann::json> datums;
    for (int64_t o : offsets) {
      nlohmann::json d = {{"id", o}, {"event_id", "6f1c7e2a-0000-4000-8000-00000000000" + std::to_string(o % 10)},
                          {"note", "it's \\ here"}, {"_kafka_partition", e.partition}, {"_kafka_offset", o},
                          {"_kafka_timestamp", nullptr}};
      if (file_schema.find("channel") != std::string::npos) d["channel"] = nullptr;
      datums.push_back(std::move(d));
    }
    std::string bytes = AvroFileBytes(file_schema, datums);
    EXPECT_FALSE(bytes.empty());
    e.bytes = bytes.size();
    e.records = offsets.size();
    e.first_offset = offsets.front();
    e.last_offset = offsets.back();
    EXPECT_TRUE(lake_.Put(e.key, bytes).ok());
    return e;
  }

  std::string url_;
  storage::MemoryObjectStore lake_;
};

TEST_P(CatalogTest, IngestBuildsTablesVersionsPartitionsAndFiles) {
  std::vector<archive::FileCommittedEvent> events = {
      PutFile(MakeEvent("ads", "1", "2024-05-01", "10", 0, 0, 10, 0), SchemaV1()),
      PutFile(MakeEvent("ads", "1", "2024-05-01", "10", 1, 0, 5, 0), SchemaV1()),
      PutFile(MakeEvent("ads", "1", "2024-05-01", "11", 0, 10, 7, 0), SchemaV1()),
      PutFile(MakeEvent("ads", "2", "2024-05-01", "11", 0, 17, 3, 0), SchemaV2()),
  };
  events[0].min_business_time_micros = 100;
  events[1].max_business_time_micros = 900;
  storage::FaultInjectingObjectStore counting(lake_);
  auto catalog = OpenCatalog(&counting);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest(events).ok());

  catalog->WithStore([&](CatalogStore& s) {
    auto tables = s.ListTables();
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    ASSERT_EQ(tables->size(), 1u);
    const TableInfo& t = (*tables)[0];
    EXPECT_EQ(t.database, "default");
    EXPECT_EQ(t.name, "ads");
    EXPECT_EQ(t.location, "s3://lake/prefix/default/ads/");
    EXPECT_EQ(t.format, "parquet");
    EXPECT_EQ(t.partition_keys, (std::vector<std::string>{"v", "dt", "hour"}));
    EXPECT_EQ(ColumnsToJson(t.columns),
              R"([{"name":"id","type":"bigint"},{"name":"name","type":"string"},)"
              R"({"name":"_kafka_offset","type":"bigint"},{"name":"country","type":"string"}])");
    EXPECT_TRUE(t.conflicts.empty());

    auto versions = s.ListSchemaVersions("default", "ads");
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 2u);
    EXPECT_EQ((*versions)[1].version, "2");
    EXPECT_EQ((*versions)[1].added, std::vector<std::string>{"country"});
    EXPECT_EQ((*versions)[1].widened, std::vector<std::string>{"id: int -> bigint"});

    auto parts = s.ListPartitions("default", "ads");
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[0].spec, "v=1/dt=2024-05-01/hour=10");
    EXPECT_EQ((*parts)[0].files, 2u);
    EXPECT_EQ((*parts)[0].records, 15u);
    EXPECT_EQ((*parts)[0].bytes, events[0].bytes + events[1].bytes);
    EXPECT_EQ((*parts)[0].min_time, 0);
    EXPECT_EQ((*parts)[0].max_time, 900);
    EXPECT_EQ((*parts)[2].spec, "v=2/dt=2024-05-01/hour=11");
    EXPECT_EQ((*parts)[2].schema_version, "2");
  });
  // Only the first file of each schema version was read.
  EXPECT_EQ(counting.calls(StoreOp::kHead), 2);
  EXPECT_EQ(counting.calls(StoreOp::kList), 0);

  // Re-delivered events change nothing and read nothing.
  ASSERT_TRUE(catalog->Ingest(events).ok());
  EXPECT_EQ(counting.calls(StoreOp::kHead), 2);
  catalog->WithStore([&](CatalogStore& s) {
    auto files = s.ListFiles("default", "ads");
    ASSERT_TRUE(files.ok());
    EXPECT_EQ(files->size(), 4u);
  });
}

TEST_P(CatalogTest, ConflictingVersionIsKeptApartAndLeftOutOfDdl) {
  auto catalog = OpenCatalog(&lake_);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest({PutFile(MakeEvent("t", "1", "2024-05-01", "10", 0, 0, 4, 0), SchemaV1()),
                               PutFile(MakeEvent("t", "3", "2024-05-01", "10", 0, 4, 4, 0), SchemaV3())})
                  .ok());
  catalog->WithStore([&](CatalogStore& s) {
    auto tables = s.ListTables();
    ASSERT_TRUE(tables.ok());
    EXPECT_EQ((*tables)[0].conflicts, std::vector<std::string>{"version 3: name: string vs double"});
    EXPECT_EQ((*tables)[0].columns[1].type.ToString(), "string");
    auto ddl = GenerateDdl(s, Dialect::kAthena);
    ASSERT_TRUE(ddl.ok());
    EXPECT_NE(ddl->find("-- schema version 3 conflicts"), std::string::npos) << *ddl;
    EXPECT_EQ(ddl->find("`v`='3'"), std::string::npos) << *ddl;
    EXPECT_NE(ddl->find("`v`='1'"), std::string::npos) << *ddl;
  });
}

TEST_P(CatalogTest, SteadyStateCostsNoObjectStoreRequestsAndFewStatements) {
  storage::FaultInjectingObjectStore counting(lake_);
  auto catalog = OpenCatalog(&counting);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest({PutFile(MakeEvent("t", "1", "2024-05-01", "00", 0, 0, 1, 0), SchemaV1())}).ok());
  const int64_t reads = counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange);
  const uint64_t statements = catalog->stats().sql_statements;
  // 2 000 new files over 40 new partitions of a known table and version.
  std::vector<archive::FileCommittedEvent> events;
  for (int i = 0; i < 2000; ++i) {
    const int hour = i % 40;
    events.push_back(MakeEvent("t", "1", hour < 24 ? "2024-05-02" : "2024-05-03",
                               (hour % 24 < 10 ? "0" : "") + std::to_string(hour % 24), i % 8, 1000 + i, 1, 100));
  }
  ASSERT_TRUE(catalog->Ingest(events).ok());
  EXPECT_EQ(counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange), reads);
  EXPECT_EQ(counting.calls(StoreOp::kList), 0);
  // BEGIN, one partition INSERT, 10 file INSERTs of 200 rows, COMMIT.
  EXPECT_EQ(catalog->stats().sql_statements - statements, 13u);

  // A reopened catalog knows the table, version and partitions from the store: still no reads.
  catalog.reset();
  auto again = OpenCatalog(&counting);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->Ingest({MakeEvent("t", "1", "2024-05-02", "00", 0, 99999, 1, 100)}).ok());
  EXPECT_EQ(counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange), reads);
}

// The cost figure of docs/PERFORMANCE.md: new files of 24 known tables (2 days x 24 hours of partitions,
// 8 Kafka partitions) in the catalog's default batches: no list or read of the lake, one SQL statement per
// 200 files plus the new partitions. 5 000 files in `make test`; FLOE_CATALOG_COST_FILES=100000 for the figure.
TEST_P(CatalogTest, NewFilesCostNoListsAndFewStatements) {
  storage::FaultInjectingObjectStore counting(lake_);
  auto catalog = OpenCatalog(&counting);
  ASSERT_TRUE(catalog);
  std::vector<archive::FileCommittedEvent> warm;
  for (int t = 0; t < 24; ++t) {
    warm.push_back(PutFile(MakeEvent("t" + std::to_string(t), "1", "2024-05-01", "00", 0, 0, 1, 0), SchemaV1()));
  }
  ASSERT_TRUE(catalog->Ingest(warm).ok());
  const int64_t reads_before = counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange);
  const uint64_t statements_before = catalog->stats().sql_statements;
  const char* env = std::getenv("FLOE_CATALOG_COST_FILES");
  const int kFiles = env ? std::atoi(env) : 5'000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kFiles; ++i) {
    const int hour = (i / 24) % 48;
    catalog->OnFileCommitted(MakeEvent("t" + std::to_string(i % 24), "1", hour < 24 ? "2024-05-02" : "2024-05-03",
                                       (hour % 24 < 10 ? "0" : "") + std::to_string(hour % 24), i % 8, 1 + i, 100,
                                       50'000));
  }
  ASSERT_TRUE(catalog->Flush().ok());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t statements = catalog->stats().sql_statements - statements_before;
  std::printf("[ figure   ] %s: %d files registered in %.2f s, %llu SQL statements, %lld object-store requests\n",
              GetParam().c_str(), kFiles, seconds, static_cast<unsigned long long>(statements),
              static_cast<long long>(counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange) - reads_before +
                                     counting.calls(StoreOp::kList)));
  EXPECT_EQ(counting.calls(StoreOp::kList), 0);
  EXPECT_EQ(counting.calls(StoreOp::kHead) + counting.calls(StoreOp::kGetRange), reads_before);
  // Flushes of 10 000 events: BEGIN, partitions, 50 file INSERTs, COMMIT each.
  const uint64_t flushes = (kFiles + 9'999) / 10'000;
  EXPECT_LE(statements, flushes * (2 + 1 + 50) + 10);
  EXPECT_EQ(catalog->stats().files_registered, static_cast<uint64_t>(kFiles + 24));
}

TEST_P(CatalogTest, HoursCompleteThenLateDataMarksThemDirty) {
  constexpr int64_t kMinute = 60'000'000;
  const int64_t h10 = *HourStartOf({{"dt", "2024-05-01"}, {"hour", "10"}});
  ManualClock clock(h10);
  auto store = CatalogStore::Open(url_);
  ASSERT_TRUE(store.ok());
  CatalogOptions options;
  options.lake_url = "s3://lake";
  options.store = &lake_;
  options.clock = &clock;
  options.success_marker = true;
  struct Sink : NotificationSink {
    void Notify(const std::vector<CatalogNotification>& n) override {
      for (const auto& x : n) got.push_back(x.type + " " + x.partition);
    }
    std::vector<std::string> got;
  } sink;
  options.notifications = &sink;
  auto catalog = Catalog::Open(std::move(*store), options);
  ASSERT_TRUE(catalog.ok());
  auto event = [&](const std::string& hour, int32_t partition, int64_t offset, int64_t max_time) {
    auto e = MakeEvent("t", "1", "2024-05-01", hour, partition, offset, 1, 10);
    e.max_business_time_micros = max_time;
    return e;
  };
  // Partition 0 is at 12:30, partition 1 (skewed) at 10:40: nothing is complete.
  ASSERT_TRUE((*catalog)->Ingest({PutFile(event("10", 0, 0, h10 + 30 * kMinute), SchemaV1()),
                                  event("12", 0, 1, h10 + 150 * kMinute), event("10", 1, 0, h10 + 40 * kMinute)})
                  .ok());
  auto states = [&] {
    return (*catalog)->WithStore([](CatalogStore& s) {
      std::string out;
      auto parts = s.ListPartitions("default", "t");
      for (const auto& p : *parts) {
        out += p.spec.substr(18) + (p.complete ? " complete" : " open") + (p.dirty ? " dirty" : "") + "; ";
      }
      return out;
    });
  };
  EXPECT_EQ(states(), "hour=10 open; hour=12 open; ");
  // Partition 1 reaches 11:06 (past 11:00 + 5 min grace): hour 10 completes, with a _SUCCESS marker.
  clock.Advance(kMinute);
  ASSERT_TRUE((*catalog)->Ingest({event("11", 1, 1, h10 + 66 * kMinute)}).ok());
  EXPECT_EQ(states(), "hour=10 complete; hour=11 open; hour=12 open; ");
  EXPECT_TRUE(lake_.Head("default/t/v=1/dt=2024-05-01/hour=10/_SUCCESS").ok());
  // A re-delivered event of hour 10 is not late data; a new file is.
  ASSERT_TRUE((*catalog)->Ingest({event("10", 1, 0, h10 + 40 * kMinute)}).ok());
  EXPECT_EQ(states(), "hour=10 complete; hour=11 open; hour=12 open; ");
  ASSERT_TRUE((*catalog)->Ingest({event("10", 1, 2, h10 + 66 * kMinute)}).ok());
  EXPECT_EQ(states(), "hour=10 complete dirty; hour=11 open; hour=12 open; ");
  // Partition 1 goes quiet (idle): nothing holds hours 11 and 12 back any more; partition 0's own progress
  // (12:30) completes hour 11 only, until it is idle too.
  (*catalog)->OnPartitionCaughtUp("t", 1, "default", "t");
  ASSERT_TRUE((*catalog)->Flush().ok());
  EXPECT_EQ(states(), "hour=10 complete dirty; hour=11 complete; hour=12 open; ");
  clock.Advance(11 * kMinute);
  ASSERT_TRUE((*catalog)->Flush().ok());
  EXPECT_EQ(states(), "hour=10 complete dirty; hour=11 complete; hour=12 complete; ");
  EXPECT_EQ(sink.got, (std::vector<std::string>{
                          "table_created ", "schema_changed ", "partition_complete v=1/dt=2024-05-01/hour=10",
                          "late_data v=1/dt=2024-05-01/hour=10", "partition_complete v=1/dt=2024-05-01/hour=11",
                          "partition_complete v=1/dt=2024-05-01/hour=12"}));
}

TEST_P(CatalogTest, FailedFlushKeepsEventsQueued) {
  auto catalog = OpenCatalog(&lake_);
  ASSERT_TRUE(catalog);
  // The file is missing: inference fails, nothing is written, the event stays queued.
  auto e = MakeEvent("t", "1", "2024-05-01", "00", 0, 0, 1, 10);
  Status st = catalog->Ingest({e});
  EXPECT_FALSE(st.ok());
  catalog->WithStore([&](CatalogStore& s) { EXPECT_TRUE(s.ListTables()->empty()); });
  PutFile(e, SchemaV1());
  ASSERT_TRUE(catalog->Flush().ok());
  catalog->WithStore([&](CatalogStore& s) { EXPECT_EQ(s.ListTables()->size(), 1u); });
  EXPECT_EQ(catalog->stats().failed_flushes, 1u);
}

TEST_P(CatalogTest, BackgroundFlushing) {
  auto store = CatalogStore::Open(url_);
  ASSERT_TRUE(store.ok());
  CatalogOptions options;
  options.lake_url = "s3://lake";
  options.store = &lake_;
  options.flush_interval_ms = 20;
  auto catalog = Catalog::Open(std::move(*store), options);
  ASSERT_TRUE(catalog.ok());
  (*catalog)->Start();
  (*catalog)->OnFileCommitted(PutFile(MakeEvent("t", "1", "2024-05-01", "00", 0, 0, 2, 0), SchemaV1()));
  for (int i = 0; i < 200 && (*catalog)->stats().files_registered == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ((*catalog)->stats().files_registered, 1u);
  (*catalog)->OnFileCommitted(MakeEvent("t", "1", "2024-05-01", "00", 0, 2, 2, 0));
  ASSERT_TRUE((*catalog)->Stop().ok());
  EXPECT_EQ((*catalog)->stats().files_registered, 2u);
}

TEST_P(CatalogTest, DdlForEveryDialect) {
  auto catalog = OpenCatalog(&lake_);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest({PutFile(MakeEvent("ads", "1", "2024-05-01", "10", 0, 0, 3, 0), SchemaV1()),
                               PutFile(MakeEvent("ads", "2", "2024-05-01", "11", 0, 3, 3, 0), SchemaV2())})
                  .ok());
  catalog->WithStore([&](CatalogStore& s) {
    auto athena = GenerateDdl(s, Dialect::kAthena);
    ASSERT_TRUE(athena.ok());
    EXPECT_EQ(*athena,
              "CREATE DATABASE IF NOT EXISTS `default`;\n"
              "CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`ads` (\n"
              "  `id` bigint,\n  `name` string,\n  `_kafka_offset` bigint,\n  `country` string\n)\n"
              "PARTITIONED BY (`v` string, `dt` string, `hour` string)\n"
              "STORED AS PARQUET\n"
              "LOCATION 's3://lake/prefix/default/ads/';\n"
              "ALTER TABLE `default`.`ads` ADD IF NOT EXISTS\n"
              "  PARTITION (`v`='1', `dt`='2024-05-01', `hour`='10') "
              "LOCATION 's3://lake/prefix/default/ads/v=1/dt=2024-05-01/hour=10/'\n"
              "  PARTITION (`v`='2', `dt`='2024-05-01', `hour`='11') "
              "LOCATION 's3://lake/prefix/default/ads/v=2/dt=2024-05-01/hour=11/';\n");
    auto spark = GenerateDdl(s, Dialect::kSpark, "ads");
    ASSERT_TRUE(spark.ok());
    EXPECT_NE(spark->find("USING PARQUET\nPARTITIONED BY (`v`, `dt`, `hour`)"), std::string::npos) << *spark;
    EXPECT_NE(spark->find("  `hour` string\n)"), std::string::npos) << *spark;
    auto trino = GenerateDdl(s, Dialect::kTrino, "default.ads");
    ASSERT_TRUE(trino.ok());
    EXPECT_NE(trino->find("CREATE TABLE IF NOT EXISTS hive.\"default\".\"ads\" (\n  \"id\" bigint,"),
              std::string::npos) << *trino;
    EXPECT_NE(trino->find("partitioned_by = ARRAY['v', 'dt', 'hour']"), std::string::npos) << *trino;
    EXPECT_NE(trino->find("CALL hive.system.register_partition('default', 'ads', ARRAY['v', 'dt', 'hour'], "
                          "ARRAY['2', '2024-05-01', '11'], 's3://lake/prefix/default/ads/v=2/dt=2024-05-01/hour=11/');"),
              std::string::npos) << *trino;
    auto hive = GenerateDdl(s, Dialect::kHive);
    ASSERT_TRUE(hive.ok());
    EXPECT_EQ(*hive, *athena);  // Parquet tables read the same in both
    auto duck = GenerateDdl(s, Dialect::kDuckDb);
    ASSERT_TRUE(duck.ok());
    EXPECT_EQ(*duck,
              "CREATE SCHEMA IF NOT EXISTS \"default\";\n"
              "CREATE OR REPLACE VIEW \"default\".\"ads\" AS SELECT * FROM read_parquet([\n"
              "  's3://lake/prefix/default/ads/v=1/dt=2024-05-01/hour=10/ads+0+0.parquet',\n"
              "  's3://lake/prefix/default/ads/v=2/dt=2024-05-01/hour=11/ads+0+3.parquet'\n"
              "], hive_partitioning = true, union_by_name = true);\n");
    auto missing = GenerateDdl(s, Dialect::kDuckDb, "nope");
    EXPECT_TRUE(missing.status().Is(CatalogError::kNotFound));
  });
  EXPECT_FALSE(ParseDialect("oracle").ok());
}

TEST_P(CatalogTest, AvroTablesTakeTheirColumnsAndReaderSchemaFromTheContainerHeader) {
  const std::string v1 = AvroFileSchema(kAdV1), v2 = AvroFileSchema(kAdV2);
  storage::FaultInjectingObjectStore counted(lake_);
  auto catalog = OpenCatalog(&counted);
  ASSERT_TRUE(catalog);
  // The newer version's file arrives first (another Kafka partition was ahead): the reader schema is still
  // the newest version's, whatever the order.
  ASSERT_TRUE(catalog->Ingest({PutAvroFile(MakeEvent("ads", "2", "2024-05-01", "11", 1, 0, 0, 0, "avro"), v2, {0, 2}),
                               PutAvroFile(MakeEvent("ads", "1", "2024-05-01", "10", 0, 0, 0, 0, "avro"), v1, {0, 1})})
                  .ok());
  // v2's header is larger than the first ranged GET: HEAD, GET 64 KiB, GET 256 KiB; v1's: HEAD, GET.
  EXPECT_EQ(catalog->stats().store_requests, 5u);
  EXPECT_EQ(counted.calls(StoreOp::kGetRange), 3);  // ranged reads only
  EXPECT_EQ(counted.calls(StoreOp::kGet), 0);
  catalog->WithStore([&](CatalogStore& s) {
    auto tables = s.ListTables();
    ASSERT_TRUE(tables.ok());
    ASSERT_EQ(tables->size(), 1u);
    const TableInfo& t = (*tables)[0];
    EXPECT_EQ(t.format, "avro");
    EXPECT_EQ(ColumnsToJson(t.columns),
              R"([{"name":"id","type":"bigint"},{"name":"event_id","type":"string"},{"name":"note","type":"string"},)"
              R"({"name":"channel","type":"string"},{"name":"_kafka_partition","type":"int"},)"
              R"({"name":"_kafka_offset","type":"bigint"},{"name":"_kafka_timestamp","type":"timestamp"}])");
    EXPECT_EQ(t.avro_schema, HeaderSchema(v2));
    auto versions = s.ListSchemaVersions("default", "ads");
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 2u);
    for (const auto& v : *versions) {
      auto parsed = avro::Schema::Parse(v.version == "1" ? v1 : v2);
      ASSERT_TRUE(parsed.ok());
      char hex[17];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(parsed->Fingerprint64()));
      EXPECT_EQ(v.source, std::string("avro:") + hex) << v.version;
    }
  });

  // A file that is not an Avro container fails its flush with a parse error naming the key.
  auto bad = MakeEvent("ads", "3", "2024-05-01", "12", 0, 9, 1, 0, "avro");
  ASSERT_TRUE(lake_.Put(bad.key, "Obj\x01 and then nothing like a header").ok());
  Status st = catalog->Ingest({bad});
  EXPECT_TRUE(st.Is(CatalogError::kParse)) << st.ToString();
  EXPECT_NE(st.message().find(bad.key), std::string::npos) << st.ToString();
}

TEST_P(CatalogTest, PartitionValuesAreTheDirectorysSegmentsAsTheArchiverReportsThem) {
  // The archiver names the schema version apart from the values. The values are read from the key, so an event
  // that carries them Hive-escaped (as floe's file events did before they were unescaped) names the same
  // partition.
  auto e = MakeEvent("ads", "2", "2024-05-01", "10", 0, 0, 3, 0);
  e.key = "default/ads/v=2/dt=2024-05-01/hour=10/city=a%2Fb/ads+0+0.parquet";
  e.partition_values = {{"dt", "2024-05-01"}, {"hour", "10"}, {"city", "a%2Fb"}};
  e = PutFile(e, SchemaV1());
  auto catalog = OpenCatalog(&lake_);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest({e}).ok());
  catalog->WithStore([&](CatalogStore& s) {
    auto tables = s.ListTables();
    ASSERT_TRUE(tables.ok());
    ASSERT_EQ(tables->size(), 1u);
    EXPECT_EQ((*tables)[0].partition_keys, (std::vector<std::string>{"v", "dt", "hour", "city"}));
    auto parts = s.ListPartitions("default", "ads");
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ((*parts)[0].spec, "v=2/dt=2024-05-01/hour=10/city=a%2Fb");
    using Values = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ((*parts)[0].values, (Values{{"v", "2"}, {"dt", "2024-05-01"}, {"hour", "10"}, {"city", "a/b"}}));
  });
}

TEST_P(CatalogTest, CatalogsFromBeforeAvroTablesGainTheSchemaColumn) {
  {
    auto db = OpenSqlDb(url_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("CREATE TABLE floe_tables (db_name TEXT NOT NULL, table_name TEXT NOT NULL, "
                            "location TEXT NOT NULL, format TEXT NOT NULL, partition_keys TEXT NOT NULL, "
                            "columns_json TEXT NOT NULL, conflicts TEXT NOT NULL, created_at BIGINT NOT NULL, "
                            "updated_at BIGINT NOT NULL, PRIMARY KEY (db_name, table_name))")
                    .ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO floe_tables VALUES ('default', 'old', 's3://l/default/old/', 'parquet', "
                            "'[]', '[]', '[]', 1, 1)")
                    .ok());
  }
  for (int open = 0; open < 2; ++open) {  // the second open finds the column in place
    auto store = CatalogStore::Open(url_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    TableInfo t{.database = "default", .name = "ads", .location = "s3://l/default/ads/", .format = "avro"};
    t.avro_schema = R"({"type":"record","name":"Ad","fields":[]})";
    ASSERT_TRUE((*store)->UpsertTable(t).ok());
    auto tables = (*store)->ListTables();
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    ASSERT_EQ(tables->size(), 2u);
    EXPECT_EQ((*tables)[0].avro_schema, t.avro_schema);
    EXPECT_EQ((*tables)[1].name, "old");
    EXPECT_EQ((*tables)[1].avro_schema, "");
  }
}

TEST_P(CatalogTest, AvroDdlForEveryDialect) {
  const std::string v1 = AvroFileSchema(kAdV1);
  auto catalog = OpenCatalog(&lake_);
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Ingest({PutAvroFile(MakeEvent("ads", "1", "2024-05-01", "10", 0, 0, 0, 0, "avro"), v1, {0})}).ok());
  auto literal = [](const std::string& json, char quote_escape) {
    std::string out;
    for (char c : json) {
      if (c == '\'' || (quote_escape == '\\' && c == '\\')) out += quote_escape;
      out += c;
    }
    return out;
  };
  const std::string columns =
      "  `id` bigint,\n  `event_id` string,\n  `note` string,\n  `_kafka_partition` int,\n"
      "  `_kafka_offset` bigint,\n  `_kafka_timestamp` timestamp\n)\n"
      "PARTITIONED BY (`v` string, `dt` string, `hour` string)\n";
  const std::string partitions =
      "ALTER TABLE `default`.`ads` ADD IF NOT EXISTS\n"
      "  PARTITION (`v`='1', `dt`='2024-05-01', `hour`='10') "
      "LOCATION 's3://lake/prefix/default/ads/v=1/dt=2024-05-01/hour=10/';\n";
  catalog->WithStore([&](CatalogStore& s) {
    auto hive = GenerateDdl(s, Dialect::kHive);
    ASSERT_TRUE(hive.ok());
    EXPECT_EQ(*hive, "CREATE DATABASE IF NOT EXISTS `default`;\n"
                     "CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`ads` (\n" + columns +
                     "STORED AS AVRO\n"
                     "LOCATION 's3://lake/prefix/default/ads/'\n"
                     "TBLPROPERTIES ('avro.schema.literal'='" + literal(HeaderSchema(v1), '\\') + "');\n" + partitions);
    auto athena = GenerateDdl(s, Dialect::kAthena);
    ASSERT_TRUE(athena.ok());
    EXPECT_EQ(*athena, "CREATE DATABASE IF NOT EXISTS `default`;\n"
                       "CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`ads` (\n" + columns +
                       "ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.avro.AvroSerDe'\n"
                       "WITH SERDEPROPERTIES ('avro.schema.literal'='" + literal(HeaderSchema(v1), '\\') + "')\n"
                       "STORED AS AVRO\n"
                       "LOCATION 's3://lake/prefix/default/ads/';\n" + partitions);
    auto spark = GenerateDdl(s, Dialect::kSpark);
    ASSERT_TRUE(spark.ok());
    EXPECT_NE(spark->find(")\nUSING AVRO\nPARTITIONED BY (`v`, `dt`, `hour`)\nLOCATION 's3://lake/prefix/default/ads/';"),
              std::string::npos) << *spark;
    auto trino = GenerateDdl(s, Dialect::kTrino);
    ASSERT_TRUE(trino.ok());
    EXPECT_NE(trino->find("  \"event_id\" varchar,\n"), std::string::npos) << *trino;
    EXPECT_NE(trino->find("  format = 'AVRO',\n"), std::string::npos) << *trino;
    auto duck = GenerateDdl(s, Dialect::kDuckDb);
    ASSERT_TRUE(duck.ok());
    EXPECT_EQ(*duck, "CREATE SCHEMA IF NOT EXISTS \"default\";\n"
                     "-- default.ads is stored as Avro; DuckDB reads Avro only through its avro extension (not "
                     "built in), so no view is created\n");
  });
}

TEST_P(CatalogTest, RebuildOfAvroFilesEqualsIncremental) {
  const std::string v1 = AvroFileSchema(kAdV1), v2 = AvroFileSchema(kAdV2);
  // Offsets with gaps (late records went to other hours' files): the last offset is read, not computed.
  std::vector<archive::FileCommittedEvent> events = {
      PutAvroFile(MakeEvent("ads", "1", "2024-05-01", "10", 0, 0, 0, 0, "avro"), v1, {0, 1, 5}),
      PutAvroFile(MakeEvent("ads", "1", "2024-05-01", "11", 0, 2, 0, 0, "avro"), v1, {2, 3, 4, 9}),
      PutAvroFile(MakeEvent("ads", "2", "2024-05-01", "11", 1, 0, 0, 0, "avro"), v2, {0, 7}),
  };
  auto incremental = OpenCatalog(&lake_);
  ASSERT_TRUE(incremental);
  ASSERT_TRUE(incremental->Ingest(events).ok());
  auto rebuilt = OpenSecondCatalog(&lake_);
  ASSERT_TRUE(rebuilt);
  auto pattern = KeyPattern::Create(PatternForPathFormat("v={schema_version}/dt={date}/hour={hour}"));
  ASSERT_TRUE(pattern.ok());
  auto stats = RebuildFromListing(lake_, {*pattern}, *rebuilt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files_registered, 3u);
  const std::string a = Dump(*incremental);
  EXPECT_NE(a.find("ads+0+2.avro ads 0 2..9 4 "), std::string::npos) << a;
  EXPECT_EQ(a, Dump(*rebuilt));
}

TEST_P(CatalogTest, RebuildFromListingEqualsIncremental) {
  std::vector<archive::FileCommittedEvent> events;
  for (int i = 0; i < 12; ++i) {
    const std::string version = i < 8 ? "1" : "2";
    auto e = MakeEvent(i % 3 ? "ads" : "payments", version, "2024-05-0" + std::to_string(1 + i % 2),
                       "1" + std::to_string(i % 4), i % 2, 100 * i, 5 + i, 0);
    events.push_back(PutFile(e, version == "1" ? SchemaV1() : SchemaV2()));
  }
  ASSERT_TRUE(lake_.Put("_floe/catalog.db", "not a lake file").ok());
  ASSERT_TRUE(lake_.Put("default/ads/v=1/dt=2024-05-01/hour=10/_SUCCESS", "").ok());

  auto incremental = OpenCatalog(&lake_);
  ASSERT_TRUE(incremental);
  ASSERT_TRUE(incremental->Ingest(events).ok());

  auto rebuilt = OpenSecondCatalog(&lake_);
  ASSERT_TRUE(rebuilt);
  auto pattern = KeyPattern::Create(PatternForPathFormat("v={schema_version}/dt={date}/hour={hour}"));
  ASSERT_TRUE(pattern.ok());
  auto stats = RebuildFromListing(lake_, {*pattern}, *rebuilt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->files_registered, 12u);
  EXPECT_EQ(stats->skipped, 2u);

  const std::string a = Dump(*incremental), b = Dump(*rebuilt);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

// Worker processes pointed at one new SQLite catalog start at the same instant; none may fail to open it.
// (Processes, not threads: SQLite settles lock conflicts between connections of one process differently.)
TEST(SqliteCatalogTest, WorkersOpeningOneNewCatalogTogetherAllGetIt) {
  char dir_template[] = "/tmp/floe-sqlite-race-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  constexpr int kRounds = 20, kWorkers = 4;
  for (int round = 0; round < kRounds; ++round) {
    const std::string url = "sqlite://" + dir + "/catalog-" + std::to_string(round) + ".db";
    int gate[2];
    ASSERT_EQ(pipe(gate), 0);
    std::vector<pid_t> workers;
    for (int w = 0; w < kWorkers; ++w) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        close(gate[1]);
        char c;
        (void)!read(gate[0], &c, 1);  // returns at EOF, when the parent opens the gate for all at once
        auto store = CatalogStore::Open(url);
        if (!store.ok()) fprintf(stderr, "worker %d: %s\n", w, store.status().ToString().c_str());
        _exit(store.ok() ? 0 : 1);
      }
      workers.push_back(pid);
    }
    close(gate[0]);
    close(gate[1]);
    for (pid_t pid : workers) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "round " << round << ": a worker failed";
    }
  }
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Stores, CatalogTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace floe::catalog
