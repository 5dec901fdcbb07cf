#include <gtest/gtest.h>

#include "avro/decoder.h"
#include "avro/schema.h"
#include "json/inferred_schema.h"
#include "json/test_util.h"

namespace floe::json {
namespace {

using columnar::LogicalKind;
using columnar::Node;
using columnar::NodeKind;
using columnar::NodePtr;
using columnar::PhysicalType;
using testing::Doc;

NodePtr Infer(const std::string& text) { return InferRecord(Doc(text).object(), "t", {"_kafka_offset"}); }

const Node& Field(const NodePtr& record, const std::string& name) {
  for (const auto& f : record->children)
    if (f->name == name) return *f;
  throw std::runtime_error("no field " + name);
}

std::vector<std::string> Names(const NodePtr& record) {
  std::vector<std::string> out;
  for (const auto& f : record->children) out.push_back(f->name);
  return out;
}

TEST(InferenceTest, ScalarsNestingAndArraysNullableEverywhere) {
  NodePtr t = Infer(R"({"b":true,"i":1,"d":1.5,"s":"x","o":{"a":1,"z":null},"l":[1,2],"n":null,"e":[],
                       "eo":{},"en":[null,[]],"lo":[{"k":"v"}],"_kafka_offset":3})");
  EXPECT_EQ(t->kind, NodeKind::kRecord);
  EXPECT_FALSE(t->nullable);
  EXPECT_EQ(Names(t), (std::vector<std::string>{"b", "i", "d", "s", "o", "l", "lo"}));
  EXPECT_EQ(Field(t, "b").physical, PhysicalType::kBoolean);
  EXPECT_EQ(Field(t, "i").physical, PhysicalType::kInt64);
  EXPECT_EQ(Field(t, "d").physical, PhysicalType::kDouble);
  EXPECT_EQ(Field(t, "s").logical, LogicalKind::kString);
  EXPECT_EQ(Field(t, "o").kind, NodeKind::kRecord);
  EXPECT_EQ(Field(t, "o").children.size(), 1u);  // "z" is null: no type yet
  EXPECT_EQ(Field(t, "l").kind, NodeKind::kList);
  EXPECT_EQ(Field(t, "l").children[0]->physical, PhysicalType::kInt64);
  EXPECT_EQ(Field(t, "lo").children[0]->kind, NodeKind::kRecord);
  for (const auto& f : t->children) EXPECT_TRUE(f->nullable) << f->name;
  EXPECT_TRUE(Field(t, "l").children[0]->nullable);
}

TEST(InferenceTest, IntegersBeyondInt64AreStringsNotLossyDoubles) {
  NodePtr t = Infer(R"({"big":18446744073709551615,"max":9223372036854775807,"neg":-9223372036854775808})");
  EXPECT_EQ(Field(t, "big").logical, LogicalKind::kString);
  EXPECT_EQ(Field(t, "max").physical, PhysicalType::kInt64);
  EXPECT_EQ(Field(t, "neg").physical, PhysicalType::kInt64);
}

TEST(InferenceTest, IntegersBeyond64BitsAreQuotedSoTheyParse) {
  std::string out;
  EXPECT_TRUE(QuoteBigIntegers(R"({"a":123456789012345678901234567890,"b":[-9223372036854775809,1.5e300],)"
                               R"("s":"99999999999999999999999","c":18446744073709551615})",
                               out));
  EXPECT_EQ(out, R"({"a":"123456789012345678901234567890","b":["-9223372036854775809",1.5e300],)"
                 R"("s":"99999999999999999999999","c":18446744073709551615})");
  EXPECT_FALSE(QuoteBigIntegers(R"({"a":"x\"123456789012345678901234567890"})", out));
  EXPECT_EQ(Field(Infer(out), "a").logical, LogicalKind::kString);
}

TEST(InferenceTest, WideningRules) {
  auto widened = [](const std::string& a, const std::string& b) { return Widen(Infer(a), Infer(b)); };
  // long → double, either order.
  EXPECT_EQ(Field(widened(R"({"x":1})", R"({"x":1.5})"), "x").physical, PhysicalType::kDouble);
  EXPECT_EQ(Field(widened(R"({"x":1.5})", R"({"x":1})"), "x").physical, PhysicalType::kDouble);
  // Mixed scalar kinds → string.
  EXPECT_EQ(Field(widened(R"({"x":1})", R"({"x":"a"})"), "x").logical, LogicalKind::kString);
  EXPECT_EQ(Field(widened(R"({"x":true})", R"({"x":1})"), "x").logical, LogicalKind::kString);
  // Object vs scalar, array vs object → string.
  EXPECT_EQ(Field(widened(R"({"x":{"a":1}})", R"({"x":2})"), "x").logical, LogicalKind::kString);
  EXPECT_EQ(Field(widened(R"({"x":[1]})", R"({"x":{"a":1}})"), "x").logical, LogicalKind::kString);
  // null → anything; a null never narrows.
  EXPECT_EQ(Field(widened(R"({"x":null,"y":1})", R"({"x":"s"})"), "x").logical, LogicalKind::kString);
  EXPECT_EQ(Field(widened(R"({"x":5})", R"({"x":null})"), "x").physical, PhysicalType::kInt64);
  // New fields appended in order of appearance, existing ones keep their place.
  EXPECT_EQ(Names(widened(R"({"a":1,"b":2})", R"({"c":1,"b":2,"a":3,"d":4})")),
            (std::vector<std::string>{"a", "b", "c", "d"}));
  // Nested records merge; list elements widen recursively.
  NodePtr n = widened(R"({"o":{"a":1},"l":[{"k":1}]})", R"({"o":{"b":"x"},"l":[{"k":2.5,"m":true}]})");
  EXPECT_EQ(Names(std::make_shared<Node>(Field(n, "o"))), (std::vector<std::string>{"a", "b"}));
  const Node& elem = *Field(n, "l").children[0];
  EXPECT_EQ(elem.children[0]->physical, PhysicalType::kDouble);
  EXPECT_EQ(elem.children[1]->physical, PhysicalType::kBoolean);
  // Within one array.
  EXPECT_EQ(Field(Infer(R"({"l":[1,2.5]})"), "l").children[0]->physical, PhysicalType::kDouble);
  EXPECT_EQ(Field(Infer(R"({"l":[1,"a"]})"), "l").children[0]->logical, LogicalKind::kString);
  EXPECT_EQ(Field(Infer(R"({"l":[[1],[2.0]]})"), "l").children[0]->children[0]->physical, PhysicalType::kDouble);
}

TEST(InferenceTest, WidenIsMonotoneAndIdempotent) {
  NodePtr a = Infer(R"({"a":1,"o":{"x":[1]},"s":"q"})");
  NodePtr b = Infer(R"({"a":2.5,"o":{"y":true},"t":[{"k":1}]})");
  NodePtr ab = Widen(a, b);
  EXPECT_TRUE(SameType(*Widen(ab, a), *ab));
  EXPECT_TRUE(SameType(*Widen(ab, b), *ab));
  EXPECT_TRUE(SameType(*Widen(ab, ab), *ab));
}

TEST(InferenceTest, AvroFormRoundTripsAndIsValidAvro) {
  NodePtr t = Widen(Infer(R"({"b":true,"i":1,"d":1.5,"s":"x","user-id":7,"1st":"a","user_id":"dup",
                                "o":{"a":1,"n":{"q":[1]}},"l":[{"k":"v"}],"ll":[[1.5]]})"),
                    Infer(R"({"o":{"m":"x"}})"));
  const std::string avsc = ToAvroSchema(*t);
  EXPECT_EQ(avsc, ToAvroSchema(*t)) << "deterministic";
  auto back = FromAvroSchema(avsc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(SameType(**back, *t)) << avsc;
  // What floe's own Avro module reads from it has the same columns.
  auto parsed = avro::Schema::Parse(avsc);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << avsc;
  auto columnar = avro::ToColumnarSchema(*parsed);
  ASSERT_TRUE(columnar.ok()) << columnar.status().ToString();
  EXPECT_EQ(columnar->num_leaves(), columnar::Schema(t).num_leaves());
  EXPECT_NE(avsc.find(R"("name":"user_id","floe.json.name":"user-id")"), std::string::npos) << avsc;
  EXPECT_NE(avsc.find(R"("name":"user_id_2")"), std::string::npos) << avsc;
}

TEST(InferenceTest, FromAvroSchemaRejectsWhatItDidNotWrite) {
  EXPECT_FALSE(FromAvroSchema("not json").ok());
  EXPECT_FALSE(FromAvroSchema(R"("long")").ok());
  EXPECT_FALSE(FromAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":["int","long"]}]})").ok());
  EXPECT_FALSE(FromAvroSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"fixed"}]})").ok());
}

}  // namespace
}  // namespace floe::json
