// JsonColumnarDecoder: schema versions (creation, widening, restarts, several workers, lost races), declared
// schemas, and JSON topics written as Parquet read back by floe's reader and by DuckDB.
#include "archive/json_columnar_decoder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "archive/archive_error.h"
#include "archive/parquet_format.h"
#include "common/byte_sink.h"
#include "json/inferred_schema.h"
#include "json/json_error.h"
#include "parquet/file_reader.h"
#include "parquet/test_util.h"
#include "storage/local_object_store.h"
#include "storage/memory_object_store.h"

namespace floe::archive {
namespace {

constexpr int64_t kNoon = 1'714'564'800'000'000;  // 2024-05-01T12:00:00Z in micros

std::string TableDir(std::string_view topic) { return "default/" + std::string(topic); }

class JsonColumnarDecoderTest : public ::testing::Test {
 protected:
  std::unique_ptr<JsonColumnarDecoder> NewDecoder(json::SchemaHistory& history,
                                                  std::optional<json::DeclaredSchema> declared = std::nullopt) {
    JsonColumnarOptions options;
    options.table_dir = TableDir;
    options.declared = std::move(declared);
    return std::make_unique<JsonColumnarDecoder>(times_, history, std::move(options));
  }
  // Decodes and returns the version, or the error's qualified name.
  std::string Version(RecordDecoder& d, const std::string& value, std::string_view topic = "ads") {
    RecordContext ctx;
    ctx.topic = topic;
    ctx.partition = 1;
    ctx.offset = offset_++;
    ctx.kafka_timestamp_ms = kNoon / 1000;
    auto r = d.Decode(ctx, value);
    if (!r.ok()) return r.status().qualified_name();
    EXPECT_EQ(r->columns->num_records(), 1u);
    last_schema_ = std::string(r->writer_schema);
    return std::string(r->schema_version);
  }

  ManualClock clock_{kNoon};
  BusinessTimeExtractor times_{BusinessTimeOptions{{"occurred_at"}, EpochUnit::kAuto, 0, 0}, clock_};
  int64_t offset_ = 0;
  std::string last_schema_;
};

TEST_F(JsonColumnarDecoderTest, VersionsGrowOnlyWhenARecordDoesNotFit) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  EXPECT_EQ(Version(*d, R"({"a":1,"s":"x"})"), "1");
  EXPECT_EQ(Version(*d, R"({"a":2})"), "1");                    // missing field: null
  EXPECT_EQ(Version(*d, R"({"s":"y","z":null,"e":[]})"), "1");  // untyped unknown members fit
  EXPECT_EQ(Version(*d, R"({"a":3,"b":true})"), "2");           // new field
  EXPECT_EQ(Version(*d, R"({"a":1})"), "2");
  EXPECT_EQ(Version(*d, R"({"a":1.5})"), "3");                  // long → double
  EXPECT_EQ(Version(*d, R"({"a":7})"), "3");
  EXPECT_EQ(Version(*d, R"({"s":{"nested":1}})"), "3");         // a string column takes any value's JSON text
  EXPECT_EQ(Version(*d, R"({"a":{"nested":1}})"), "4");         // object vs double → string
  EXPECT_EQ(Version(*d, R"({"s":123456789012345678901234567890})"), "4");  // beyond 64 bits: its digits
  EXPECT_EQ(Version(*d, "[1]"), "archive.malformed_payload");
  EXPECT_EQ(Version(*d, "{"), "archive.malformed_payload");
  auto latest = history.Latest("default/ads");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 4);
  EXPECT_EQ((*latest)->avsc, last_schema_);
  auto schema = json::FromAvroSchema(last_schema_);
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(columnar::Schema(*schema).ToString().find("nested"), std::string::npos) << "a became a string";
}

// Given the waiting rows of a file of the current version (RecordContext::append_to), a record is appended
// there; a record that needs a new version goes to a batch of its own and leaves the other batch as it was.
TEST_F(JsonColumnarDecoderTest, RecordsOfTheCurrentVersionAreAppendedToTheBatchTheyAreGiven) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  RecordContext ctx;
  ctx.topic = "ads";
  ctx.kafka_timestamp_ms = kNoon / 1000;
  auto first = d->Decode(ctx, R"({"a":1,"s":"x"})");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->in_place, nullptr);
  columnar::ColumnarBatch file_rows(first->columns->schema());  // as a file of version 1 keeps them
  file_rows.AppendRecordsFrom(*first->columns);
  ctx.append_to = &file_rows;
  for (int64_t i = 1; i <= 3; ++i) {
    ctx.offset = i;
    auto r = d->Decode(ctx, R"({"a":2})");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->columns, &file_rows);
    ASSERT_NE(r->in_place, nullptr);
    EXPECT_EQ(r->in_place->records, static_cast<size_t>(i)) << "the record starts behind the batch's earlier ones";
    EXPECT_EQ(r->FieldValue("a"), "2");
    EXPECT_EQ(r->FieldValue("s"), std::nullopt);
    EXPECT_EQ(file_rows.num_records(), static_cast<size_t>(i + 1));
  }
  const size_t entries = file_rows.column(0).num_entries();
  ctx.offset = 4;
  auto wider = d->Decode(ctx, R"({"a":3,"b":true})");  // version 2
  ASSERT_TRUE(wider.ok());
  EXPECT_EQ(wider->schema_version, "2");
  EXPECT_EQ(wider->in_place, nullptr);
  EXPECT_NE(wider->columns, &file_rows);
  EXPECT_EQ(wider->columns->num_records(), 1u);
  EXPECT_EQ(file_rows.num_records(), 4u) << "the failed attempt at version 1 left nothing behind";
  EXPECT_EQ(file_rows.column(0).num_entries(), entries);
}

TEST_F(JsonColumnarDecoderTest, TopicsHaveTheirOwnHistories) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  EXPECT_EQ(Version(*d, R"({"a":1})", "ads"), "1");
  EXPECT_EQ(Version(*d, R"({"b":1})", "clicks"), "1");
  EXPECT_EQ(Version(*d, R"({"a":1})", "ads"), "1");
  EXPECT_EQ(Version(*d, R"({"a":1})", "clicks"), "2");
}

TEST_F(JsonColumnarDecoderTest, RestartResumesFromTheLatestStoredVersion) {
  const std::string root = (std::filesystem::temp_directory_path() /
                            ("floe_json_decoder_" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(root);
  {
    auto store = storage::LocalObjectStore::Open(root);
    ASSERT_TRUE(store.ok());
    json::ObjectStoreSchemaHistory history(**store);
    auto d = NewDecoder(history);
    EXPECT_EQ(Version(*d, R"({"a":1})"), "1");
    EXPECT_EQ(Version(*d, R"({"a":1,"b":"x"})"), "2");
  }
  EXPECT_TRUE(std::filesystem::exists(root + "/default/ads/_schemas/v=2.avsc"));
  auto store = storage::LocalObjectStore::Open(root);
  ASSERT_TRUE(store.ok());
  json::ObjectStoreSchemaHistory history(**store);
  auto d = NewDecoder(history);
  EXPECT_EQ(Version(*d, R"({"a":5})"), "2");  // fits v=2: no new version after the restart
  EXPECT_EQ(Version(*d, R"({"c":5})"), "3");
  std::filesystem::remove_all(root);
}

TEST_F(JsonColumnarDecoderTest, WorkersSharingAHistoryConverge) {
  storage::MemoryObjectStore store;
  json::ObjectStoreSchemaHistory history(store);
  auto a = NewDecoder(history);
  auto b = NewDecoder(history);
  EXPECT_EQ(Version(*a, R"({"id":1})"), "1");
  EXPECT_EQ(Version(*b, R"({"id":2})"), "1");
  EXPECT_EQ(Version(*b, R"({"id":2,"x":1})"), "2");
  EXPECT_EQ(Version(*a, R"({"id":3,"x":7})"), "2");  // b's version fits: a adopts it
  EXPECT_EQ(Version(*a, R"({"id":3,"y":7})"), "3");  // a widens the latest version, keeping x
  auto schema = json::FromAvroSchema(last_schema_);
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*schema)->children.size(), 3u);
  EXPECT_EQ(Version(*b, R"({"x":1,"y":2})"), "3");
}

// A history whose next Create finds another worker's schema already stored under the version.
class RacingHistory final : public json::SchemaHistory {
 public:
  json::MemorySchemaHistory inner;
  std::string theirs;  // stored first by "another worker" when set
  Result<std::optional<json::SchemaVersion>> Latest(std::string_view dir) override { return inner.Latest(dir); }
  Result<json::SchemaVersion> Create(std::string_view dir, int64_t version, std::string_view avsc) override {
    if (!theirs.empty()) {
      (void)inner.Create(dir, version, theirs);
      theirs.clear();
    }
    return inner.Create(dir, version, avsc);
  }
};

TEST_F(JsonColumnarDecoderTest, LosingARaceAdoptsTheWinnerAndWidensPastIt) {
  RacingHistory history;
  auto d = NewDecoder(history);
  EXPECT_EQ(Version(*d, R"({"id":1})"), "1");
  history.theirs = json::ToAvroSchema(*columnar::Node::Record("ads", {json::LongType("w")}, false));
  // The winner's v=2 has only {w}: our record {id, x} does not fit it, so v=3 covers w, id and x.
  EXPECT_EQ(Version(*d, R"({"id":1,"x":"s"})"), "3");
  auto schema = json::FromAvroSchema(last_schema_);
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*schema)->children.size(), 3u) << last_schema_;
}

TEST_F(JsonColumnarDecoderTest, DeclaredSchemaIsAVersionAndMisfitsAreMalformedPayloads) {
  json::MemorySchemaHistory history;
  auto declared = json::ParseJsonSchema(
      R"({"type":"object","properties":{"id":{"type":"integer"},"at":{"type":"string","format":"date-time"}},
          "required":["id"]})",
      "ads");
  ASSERT_TRUE(declared.ok());
  auto d = NewDecoder(history, *declared);
  EXPECT_EQ(Version(*d, R"({"id":1,"at":"2024-05-01T12:00:00Z","other":[1]})"), "1");
  RecordContext ctx;
  ctx.topic = "ads";
  auto bad = d->Decode(ctx, R"({"id":"one"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(ArchiveError::kMalformedPayload));
  EXPECT_NE(bad.status().message().find("id: expected integer, got string"), std::string::npos)
      << bad.status().ToString();
  // The same declaration after a restart keeps v=1; a changed one becomes v=2.
  auto same = NewDecoder(history, *declared);
  EXPECT_EQ(Version(*same, R"({"id":2})"), "1");
  auto changed_schema = json::ParseJsonSchema(R"({"type":"object","properties":{"id":{"type":"number"}}})", "ads");
  ASSERT_TRUE(changed_schema.ok());
  auto changed = NewDecoder(history, *changed_schema);
  EXPECT_EQ(Version(*changed, R"({"id":2.5})"), "2");
}

TEST_F(JsonColumnarDecoderTest, BusinessTimeAndKafkaColumns) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  RecordContext ctx;
  ctx.topic = "ads";
  ctx.partition = 4;
  ctx.offset = 99;
  ctx.kafka_timestamp_ms = 1000;
  auto r = d->Decode(ctx, R"({"occurred_at":"2024-05-01T13:00:00Z","_kafka_offset":"spoofed"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->time.source, TimeSource::kField);
  EXPECT_EQ(r->time.micros, kNoon + 3'600'000'000LL);
  const auto& batch = *r->columns;
  ASSERT_EQ(batch.num_columns(), 4u);
  EXPECT_EQ(batch.schema().leaves()[2].dotted_path(), "_kafka_offset");
  int64_t offset;
  std::memcpy(&offset, batch.column(2).fixed().data(), 8);
  EXPECT_EQ(offset, 99);
}

TEST_F(JsonColumnarDecoderTest, TombstonesBecomeAllNullRowsOfTheCurrentVersion) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  RecordContext ctx;
  ctx.topic = "ads";
  ctx.partition = 0;
  ctx.offset = 7;
  ctx.kafka_timestamp_ms = 1'000;
  // Before any record there is no version to write into.
  auto early = d->DecodeTombstone(ctx);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().qualified_name(), "archive.tombstone");
  ASSERT_EQ(Version(*d, R"({"id":1,"title":"bike"})"), "1");
  ctx.offset = 8;
  auto tomb = d->DecodeTombstone(ctx);
  ASSERT_TRUE(tomb.ok()) << tomb.status().ToString();
  EXPECT_EQ(tomb->schema_version, "1");
  EXPECT_EQ(tomb->time.source, TimeSource::kKafkaTimestamp);
  EXPECT_EQ(tomb->time.micros, 1'000'000);
  const auto& batch = *tomb->columns;
  ASSERT_EQ(batch.num_records(), 1u);
  for (size_t i = 0; i + 3 < batch.num_columns(); ++i)  // event columns: null
    EXPECT_EQ(batch.column(i).num_values(), 0u) << batch.schema().leaves()[i].dotted_path();
  int64_t offset;
  std::memcpy(&offset, batch.column(batch.num_columns() - 2).fixed().data(), 8);
  EXPECT_EQ(offset, 8);
}

// Each record goes through the decoder into the Parquet file of its schema version, as the archiver does.
TEST_F(JsonColumnarDecoderTest, ParquetRoundTripThroughFloeAndDuckDb) {
  json::MemorySchemaHistory history;
  auto d = NewDecoder(history);
  const std::string dir = parquet::testing::TempDir() + "/json_columnar";
  std::filesystem::create_directories(dir);
  parquet::MemoryBudget budget(64 << 20);
  ParquetFormat format(parquet::WriterOptions{}, dir, &budget);
  const std::vector<std::string> values = {
      R"({"id":1,"name":"a","tags":["x","y"],"geo":{"lat":1.5,"lon":2},"ok":true})",
      R"({"id":2,"tags":[],"geo":null,"n":null})",
      R"({"id":3,"name":"c","tags":["z"],"geo":{"lat":-1,"lon":0.25},"items":[{"sku":"k","q":2}]})",
      R"({"id":4,"name":5,"items":[{"sku":"m"},{"q":1}]})",
      R"({"id":5.5})",
  };
  std::map<std::string, std::unique_ptr<FileFormatWriter>> writers;
  std::map<std::string, std::string> paths;
  for (size_t i = 0; i < values.size(); ++i) {
    RecordContext ctx;
    ctx.topic = "ads";
    ctx.partition = 0;
    ctx.offset = static_cast<int64_t>(i);
    ctx.kafka_timestamp_ms = 1'714'564'800'000;
    auto r = d->Decode(ctx, values[i]);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const std::string v(r->schema_version);
    if (!writers.count(v)) {
      paths[v] = dir + "/v" + v + ".parquet";
      auto sink = FileByteSink::Open(paths[v]);
      ASSERT_TRUE(sink.ok());
      auto w = format.Open(std::move(sink).value(), *r);
      ASSERT_TRUE(w.ok()) << w.status().ToString();
      writers[v] = std::move(w).value();
    }
    ASSERT_TRUE(writers[v]->Append(ctx, *r).ok());
  }
  for (auto& [v, w] : writers) ASSERT_TRUE(w->Finish().ok());
  // Versions: 1 (records 0, 1), 2 (+items: records 2, 3), 3 (id widened to double: record 4).
  ASSERT_EQ(paths.size(), 3u);
  const std::string& last = paths["3"];
  auto v2 = parquet::testing::CatRows(paths["2"]);
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2[1]["name"], "5");  // a string column keeps a number's JSON text
  EXPECT_EQ(v2[1]["items"][0]["sku"], "m");
  EXPECT_TRUE(v2[1]["items"][0]["q"].is_null());
  EXPECT_EQ(v2[1]["items"][1]["q"], 1);
  auto v3 = parquet::testing::CatRows(last);
  ASSERT_EQ(v3.size(), 1u);
  EXPECT_EQ(v3[0]["id"], 5.5);
  auto v1 = parquet::testing::CatRows(paths["1"]);
  ASSERT_EQ(v1.size(), 2u);
  EXPECT_EQ(v1[0]["tags"], nlohmann::json::array({"x", "y"}));
  EXPECT_EQ(v1[0]["geo"]["lon"], 2.0);
  EXPECT_TRUE(v1[1]["geo"].is_null());
  EXPECT_EQ(v1[1]["_kafka_offset"], 1);
  for (const auto& [v, path] : paths) {
    const auto duck = parquet::testing::ParseLines(parquet::testing::RunOracle({"duckdb", path}));
    EXPECT_EQ(duck, parquet::testing::CatRows(path)) << "v=" << v;
  }
  // The file carries the version's Avro schema, which reads back to the file's event columns.
  auto reader = parquet::ParquetReader::OpenFile(last);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string avsc;
  for (const auto& kv : (*reader)->metadata().key_value_metadata)
    if (kv.key == "avro.schema") avsc = kv.value.value_or("");
  auto event = json::FromAvroSchema(avsc);
  ASSERT_TRUE(event.ok()) << avsc;
  // id, name, tags[], geo.lat, geo.lon, ok, items[].sku, items[].q
  EXPECT_EQ(columnar::Schema(*event).num_leaves(), 8u) << avsc;
}

}  // namespace
}  // namespace floe::archive
