#include "archive/field_transforms.h"

#include <gtest/gtest.h>

#include "archive/kafka_columns.h"
#include "archive/raw_bytes_decoder.h"

namespace floe::archive {
namespace {

TEST(FieldTransformsTest, JsonMembersAreDroppedAndRenamedInOrder) {
  auto t = FieldTransforms::Create({"secret", "ssn"}, {"ts:occurred_at", "u:user"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::string out;
  ASSERT_TRUE(t->ApplyToJson(R"({"id": 1, "secret": "x", "ts": 5, "u": {"n": [1, 2]}, "q\"k": null})", out).ok());
  EXPECT_EQ(out, R"({"id":1,"occurred_at":5,"user":{"n":[1,2]},"q\"k":null})");
  EXPECT_FALSE(t->ApplyToJson("[1]", out).ok());
  EXPECT_FALSE(t->ApplyToJson("not json", out).ok());
}

TEST(FieldTransformsTest, AvroBecomesAReaderSchemaWithAliases) {
  auto t = FieldTransforms::Create({"secret"}, {"ts:occurred_at"});
  ASSERT_TRUE(t.ok());
  auto reader = t->ApplyToAvroSchema(
      R"({"type":"record","name":"E","fields":[{"name":"id","type":"long"},{"name":"secret","type":"string"},)"
      R"({"name":"ts","type":"long"}]})");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(*reader,
            R"({"fields":[{"name":"id","type":"long"},{"aliases":["ts"],"name":"occurred_at","type":"long"}],)"
            R"("name":"E","type":"record"})");
  EXPECT_FALSE(t->ApplyToAvroSchema(R"("string")").ok());
}

TEST(FieldTransformsTest, BadSettingsAreRejectedNamingTheEntry) {
  for (const char* bad : {"nocolon", ":x", "x:", "a:b:c"}) {
    auto t = FieldTransforms::Create({}, {bad});
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find(bad), std::string::npos);
  }
  EXPECT_FALSE(FieldTransforms::Create({"a"}, {"a:b"}).ok());
  EXPECT_FALSE(FieldTransforms::Create({}, {"a:b", "a:c"}).ok());
  EXPECT_TRUE(FieldTransforms::Create({}, {}).value().empty());
}

TEST(RawBytesDecoderTest, ColumnsHoldTheBytesAndKafkaMetadata) {
  RawBytesDecoder decoder(RawBytesDecoder::Output::kColumns, KafkaColumnOptions{.key = true, .headers = true});
  const std::pair<std::string_view, std::optional<std::string_view>> headers[] = {{"a", "1"}, {"b", std::nullopt}};
  RecordContext ctx{"raw", 3, 42, 1'700'000'000'000, std::string_view("k")};
  ctx.headers = headers;
  auto rec = decoder.Decode(ctx, std::string_view("\x00\xff", 2));
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->time.source, TimeSource::kKafkaTimestamp);
  EXPECT_EQ(rec->time.micros, 1'700'000'000'000'000);
  const columnar::ColumnarBatch& b = *rec->columns;
  ASSERT_EQ(b.num_columns(), 1 + KafkaColumnCount({.key = true, .headers = true}));
  EXPECT_EQ(b.column(0).bytes_value(0), std::string_view("\x00\xff", 2));
  EXPECT_EQ(b.column(4).bytes_value(0), "k");  // _kafka_key
  EXPECT_EQ(b.column(5).num_entries(), 2u);   // header keys: one entry per header
  EXPECT_EQ(b.column(5).rep_levels(), (std::vector<int16_t>{0, 1}));
  EXPECT_EQ(b.column(6).def_levels(), (std::vector<int16_t>{2, 1}));  // second header value is null

  RawBytesDecoder json(RawBytesDecoder::Output::kJson, {});
  auto text = json.Decode(ctx, "he said \"hi\"\n");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->raw_json, R"({"value":"he said \"hi\"\u000a"})");
  auto binary = json.Decode(ctx, std::string_view("\xff\xfe", 2));
  EXPECT_EQ(binary->raw_json, R"({"value_base64":"//4="})");
}

}  // namespace
}  // namespace floe::archive
