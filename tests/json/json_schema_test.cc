#include "json/json_schema.h"
#include "json/json_error.h"

#include <gtest/gtest.h>

#include "json/column_writer.h"
#include "json/inferred_schema.h"
#include "json/test_util.h"

namespace floe::json {
namespace {

using columnar::LogicalKind;
using columnar::NodeKind;
using columnar::PhysicalType;
using testing::Doc;

constexpr const char* kSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "id": {"type": "integer"},
    "price": {"type": ["number", "null"]},
    "name": {"type": "string"},
    "at": {"type": "string", "format": "date-time"},
    "kind": {"enum": ["click", "view"]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "geo": {"type": "object", "properties": {"lat": {"type": "number"}}, "required": ["lat"],
            "additionalProperties": false},
    "extra": {},
    "ok": {"type": "boolean"}
  },
  "required": ["id", "at"]
})";

class JsonSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto parsed = ParseJsonSchema(kSchema, "ev");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    declared_ = std::move(parsed).value();
    batch_.Reset(columnar::Schema(declared_.root));
    writer_ = std::make_unique<ColumnWriter>(*declared_.root, SchemaMode::kDeclared, std::vector<std::string>{},
                                             declared_.closed);
  }
  bool Write(const std::string& text) {
    batch_.Clear();
    Doc d(text);
    return writer_->Write(d.object(), batch_);
  }
  DeclaredSchema declared_;
  columnar::ColumnarBatch batch_;
  std::unique_ptr<ColumnWriter> writer_;
};

TEST_F(JsonSchemaTest, MapsTheCommonSubset) {
  const auto& f = declared_.root->children;
  ASSERT_EQ(f.size(), 9u);
  EXPECT_EQ(f[0]->physical, PhysicalType::kInt64);
  EXPECT_FALSE(f[0]->nullable);  // required
  EXPECT_EQ(f[1]->physical, PhysicalType::kDouble);
  EXPECT_TRUE(f[1]->nullable);
  EXPECT_EQ(f[2]->logical, LogicalKind::kString);
  EXPECT_EQ(f[3]->logical, LogicalKind::kTimestampMicros);
  EXPECT_FALSE(f[3]->nullable);
  EXPECT_EQ(f[4]->logical, LogicalKind::kEnum);
  EXPECT_EQ(f[4]->symbols, (std::vector<std::string>{"click", "view"}));
  EXPECT_EQ(f[5]->kind, NodeKind::kList);
  EXPECT_EQ(f[6]->kind, NodeKind::kRecord);
  EXPECT_EQ(declared_.closed.count(f[6].get()), 1u);
  EXPECT_EQ(f[7]->logical, LogicalKind::kJson);
  EXPECT_EQ(f[8]->physical, PhysicalType::kBoolean);
  // Its Avro form reads back to the same tree.
  auto back = FromAvroSchema(ToAvroSchema(*declared_.root));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameType(**back, *declared_.root)) << ToAvroSchema(*declared_.root);
}

TEST_F(JsonSchemaTest, RecordsThatFitAndRecordsThatDoNot) {
  EXPECT_TRUE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","price":2,"kind":"view","tags":["a"],"geo":{"lat":1.5},
                        "extra":{"any":[1]},"unknown":"ignored"})"))
      << writer_->misfit();
  EXPECT_EQ(batch_.column(7).bytes_value(0), R"({"any":[1]})");
  int64_t at;
  std::memcpy(&at, batch_.column(3).fixed().data(), 8);
  EXPECT_EQ(at, 1'714'564'800'000'000);
  EXPECT_FALSE(Write(R"({"at":"2024-05-01T12:00:00Z"})"));
  EXPECT_EQ(writer_->misfit(), "id: required field missing");
  EXPECT_FALSE(Write(R"({"id":null,"at":"2024-05-01T12:00:00Z"})"));
  EXPECT_EQ(writer_->misfit(), "id: required field is null");
  EXPECT_FALSE(Write(R"({"id":1,"at":"yesterday"})"));
  EXPECT_EQ(writer_->misfit(), R"(at: not an RFC 3339 date-time: "yesterday")");
  EXPECT_FALSE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","kind":"buy"})"));
  EXPECT_EQ(writer_->misfit(), R"(kind: "buy" is not one of the enum's symbols)");
  EXPECT_FALSE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","name":5})"));
  EXPECT_EQ(writer_->misfit(), "name: expected string, got integer");
  EXPECT_FALSE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","geo":{"lat":1,"lon":2}})"));
  EXPECT_EQ(writer_->misfit(), "geo.lon: field not in the schema");
  EXPECT_FALSE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","geo":{}})"));
  EXPECT_EQ(writer_->misfit(), "geo.lat: required field missing");
  EXPECT_FALSE(Write(R"({"id":1,"at":"2024-05-01T12:00:00Z","tags":[1]})"));
  EXPECT_EQ(writer_->misfit(), "tags[]: expected string, got integer");
}

TEST(JsonSchemaParseTest, RejectsWhatItDoesNotSupport) {
  auto ref = ParseJsonSchema(R"({"type":"object","properties":{"a":{"$ref":"#/defs/x"}}})", "r");
  ASSERT_FALSE(ref.ok());
  EXPECT_TRUE(ref.status().Is(JsonError::kInvalidSchema));
  EXPECT_NE(ref.status().message().find("at a: unsupported keyword $ref"), std::string::npos) << ref.status().ToString();
  EXPECT_FALSE(ParseJsonSchema(R"({"type":"string"})", "r").ok());
  EXPECT_FALSE(ParseJsonSchema("{", "r").ok());
  EXPECT_FALSE(ParseJsonSchema(R"({"type":"object","properties":{"a":{"type":"float"}}})", "r").ok());
  EXPECT_FALSE(LoadJsonSchemaFile("/nonexistent/schema.json", "r").ok());
}

}  // namespace
}  // namespace floe::json
