// AvroFormat: Avro object container files of Avro topics, each datum copied as it came with the Kafka
// metadata after it; read back with floe's container reader and rendered as JSON.
#include "archive/avro_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "archive/archive_error.h"
#include "avro/binary.h"
#include "avro/json_codec.h"

namespace floe::archive {
namespace {

using nlohmann::json;

constexpr const char* kWriter =
    R"({"type":"record","name":"Ad","namespace":"acme","fields":[{"name":"id","type":"long"},)"
    R"({"name":"title","type":["null","string"]}]})";

// A sink whose bytes outlive the writer that owns it.
class SharedSink final : public ByteSink {
 public:
  explicit SharedSink(std::string* out) : out_(out) {}
  Status Write(const void* data, size_t size) override {
    out_->append(static_cast<const char*>(data), size);
    return Status::Ok();
  }
  uint64_t position() const override { return out_->size(); }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  std::string* out_;
};

std::string AdDatum(int64_t id, const char* title) {
  std::string d;
  avro::WriteLong(d, id);
  if (title) {
    avro::WriteLong(d, 1);
    avro::WriteBytes(d, title);
  } else {
    avro::WriteLong(d, 0);
  }
  return d;
}

// Every datum of a container file, rendered as JSON with the file's own schema.
std::vector<json> ReadAll(const std::string& file, std::string* schema_json = nullptr) {
  auto reader = avro::OcfReader::Open(file);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return {};
  if (schema_json) *schema_json = reader->metadata().at("avro.schema");
  std::vector<json> rows;
  std::string_view datum;
  for (;;) {
    auto more = reader->NextDatum(datum);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    std::string text;
    size_t consumed = 0;
    EXPECT_TRUE(avro::DatumToJson(reader->schema().root(), datum, text, &consumed).ok());
    EXPECT_EQ(consumed, datum.size());
    rows.push_back(json::parse(text));
  }
  return rows;
}

struct Input {
  std::string datum;
  RecordContext context;
};

// Writes `inputs` into one file; returns its bytes.
std::string WriteFile(AvroFormat& format, const std::vector<Input>& inputs, std::string_view writer = kWriter) {
  std::string file;
  DecodedRecord first;
  first.writer_schema = writer;
  first.avro_datum = inputs.front().datum;
  auto w = format.Open(std::make_unique<SharedSink>(&file), first);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return file;
  for (const auto& in : inputs) {
    DecodedRecord r;
    r.writer_schema = writer;
    r.avro_datum = in.datum;
    Status st = (*w)->Append(in.context, r);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_EQ((*w)->records(), inputs.size());
  auto done = (*w)->Finish();
  EXPECT_TRUE(done.ok()) << done.status().ToString();
  if (done.ok()) {
    EXPECT_EQ(done->records, inputs.size());
    EXPECT_EQ(done->bytes, file.size());
  }
  return file;
}

TEST(AvroFormatTest, DatumsKeepTheirFieldsAndGainTheKafkaMetadata) {
  for (auto codec : {avro::OcfCodec::kNull, avro::OcfCodec::kDeflate, avro::OcfCodec::kSnappy, avro::OcfCodec::kZstd}) {
    AvroFormat format(codec, KafkaColumnOptions{});
    const std::vector<Input> inputs = {
        {AdDatum(1, "first"), RecordContext{"ads", 3, 100, 1714564800123, std::nullopt, {}}},
        {AdDatum(2, nullptr), RecordContext{"ads", 3, 102, -1, std::nullopt, {}}},
    };
    std::string schema;
    const auto rows = ReadAll(WriteFile(format, inputs), &schema);
    ASSERT_EQ(rows.size(), 2u) << avro::OcfCodecName(codec);
    EXPECT_EQ(rows[0], json::parse(R"({"id":1,"title":"first","_kafka_partition":3,"_kafka_offset":100,
                                       "_kafka_timestamp":1714564800123})"));
    EXPECT_EQ(rows[1], json::parse(R"({"id":2,"title":null,"_kafka_partition":3,"_kafka_offset":102,
                                       "_kafka_timestamp":null})"));
    EXPECT_EQ(json::parse(schema)["name"], "acme.Ad");  // the writer's record, under its full name
  }
}

TEST(AvroFormatTest, KeysAndHeadersWhenConfigured) {
  AvroFormat format(avro::OcfCodec::kNull, KafkaColumnOptions{true, true});
  const std::pair<std::string_view, std::optional<std::string_view>> headers[] = {{"trace", "t1"}, {"empty", std::nullopt}};
  const std::vector<Input> inputs = {
      {AdDatum(1, "a"), RecordContext{"ads", 0, 5, 7, std::string_view("k\xff", 2), headers}},
      {AdDatum(2, "b"), RecordContext{"ads", 0, 6, 8, std::nullopt, {}}},
  };
  const auto rows = ReadAll(WriteFile(format, inputs));
  ASSERT_EQ(rows.size(), 2u);
  // Bytes render as code points U+0000..U+00FF (Avro's JSON form).
  EXPECT_EQ(rows[0]["_kafka_key"], "k\u00ff");
  EXPECT_EQ(rows[0]["_kafka_headers"], json::parse(R"([{"key":"trace","value":"t1"},{"key":"empty","value":null}])"));
  EXPECT_EQ(rows[1]["_kafka_key"], nullptr);
  EXPECT_EQ(rows[1]["_kafka_headers"], json::array());
}

TEST(AvroFormatTest, NonRecordWriterSchemasAreWrappedAndReservedNamesRefused) {
  auto wrapped = AvroFormat::FileSchemaFor(R"("string")", {});
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(json::parse(*wrapped),
            json::parse(R"({"type":"record","name":"Value","namespace":"floe","fields":[
                {"name":"value","type":"string"},{"name":"_kafka_partition","type":"int"},
                {"name":"_kafka_offset","type":"long"},
                {"name":"_kafka_timestamp","type":["null",{"type":"long","logicalType":"timestamp-millis"}]}]})"));
  AvroFormat format(avro::OcfCodec::kNull, {});
  std::string datum;
  avro::WriteBytes(datum, "hello");
  const auto rows = ReadAll(WriteFile(format, {{datum, RecordContext{"t", 1, 9, 0, std::nullopt, {}}}}, R"("string")"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["value"], "hello");
  EXPECT_EQ(rows[0]["_kafka_offset"], 9);

  auto clash = AvroFormat::FileSchemaFor(
      R"({"type":"record","name":"R","fields":[{"name":"_kafka_offset","type":"long"}]})", {});
  EXPECT_TRUE(clash.status().Is(ArchiveError::kConfig));
}

// A file re-created by recovery from the same first record is the same object.
TEST(AvroFormatTest, FilesAreDeterministic) {
  AvroFormat format(avro::OcfCodec::kDeflate, {});
  const std::vector<Input> inputs = {{AdDatum(1, "x"), RecordContext{"ads", 0, 1, 2, std::nullopt, {}}}};
  EXPECT_EQ(WriteFile(format, inputs), WriteFile(format, inputs));
}

TEST(AvroFormatTest, RefusesWhatItCannotWrite) {
  AvroFormat format(avro::OcfCodec::kNull, {});
  std::string file;
  DecodedRecord json_record;  // no Avro datum: JSON input
  json_record.raw_json = "{}";
  EXPECT_TRUE(format.Open(std::make_unique<SharedSink>(&file), json_record).status().Is(ArchiveError::kConfig));

  const std::string datum = AdDatum(1, "x");
  DecodedRecord first;
  first.writer_schema = kWriter;
  first.avro_datum = datum;
  auto w = format.Open(std::make_unique<SharedSink>(&file), first);
  ASSERT_TRUE(w.ok());
  DecodedRecord other = first;
  const std::string other_schema = R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"long"}]})";
  other.writer_schema = other_schema;
  EXPECT_TRUE((*w)->Append(RecordContext{"ads", 0, 1, 2, std::nullopt, {}}, other).Is(ArchiveError::kConfig));
  EXPECT_EQ((*w)->records(), 0u);

  config::SettingValues values;
  ASSERT_TRUE(values.Set("input.format", "json", config::SettingScope::kConnector).ok());
  EXPECT_TRUE(AvroFormat::FromSettings(values, {}, false).status().Is(ArchiveError::kConfig));
  ASSERT_TRUE(values.Set("input.format", "avro", config::SettingScope::kConnector).ok());
  EXPECT_TRUE(AvroFormat::FromSettings(values, {}, true).status().Is(ArchiveError::kConfig));
  ASSERT_TRUE(values.Set("avro.codec", "zstd", config::SettingScope::kConnector).ok());
  EXPECT_TRUE(AvroFormat::FromSettings(values, {}, false).ok());
  EXPECT_FALSE(values.Set("avro.codec", "bzip2", config::SettingScope::kConnector).ok());
}

}  // namespace
}  // namespace floe::archive
