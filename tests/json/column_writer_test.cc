#include "json/column_writer.h"

#include <gtest/gtest.h>

#include "json/inferred_schema.h"
#include "json/test_util.h"

namespace floe::json {
namespace {

using testing::Doc;

class ColumnWriterTest : public ::testing::Test {
 protected:
  void Use(const std::string& sample, SchemaMode mode = SchemaMode::kInferred) {
    schema_ = InferRecord(Doc(sample).object(), "t", {});
    batch_.Reset(columnar::Schema(schema_));
    writer_ = std::make_unique<ColumnWriter>(*schema_, mode);
  }
  bool Write(const std::string& text) {
    Doc d(text);
    const bool ok = writer_->Write(d.object(), batch_);
    if (ok) batch_.EndRecord();
    return ok;
  }
  const columnar::ColumnBuffer& Col(size_t i) { return batch_.column(i); }

  columnar::NodePtr schema_;
  columnar::ColumnarBatch batch_;
  std::unique_ptr<ColumnWriter> writer_;
};

TEST_F(ColumnWriterTest, MissingFieldsAndNullsAreNulls) {
  Use(R"({"a":1,"s":"x"})");
  ASSERT_TRUE(Write(R"({"a":5,"s":"y"})"));
  ASSERT_TRUE(Write(R"({"s":"z"})"));
  ASSERT_TRUE(Write(R"({"a":null,"s":null,"unknown_null":null,"unknown_empty":[]})"));
  EXPECT_EQ(Col(0).def_levels(), (std::vector<int16_t>{1, 0, 0}));
  EXPECT_EQ(Col(0).num_values(), 1u);
  EXPECT_EQ(Col(1).def_levels(), (std::vector<int16_t>{1, 1, 0}));
  EXPECT_EQ(Col(1).bytes_value(1), "z");
}

TEST_F(ColumnWriterTest, NestedListsOfRecordsGetDremelLevels) {
  // t { o: opt group { l: opt list< opt group { k: opt long } > } }
  Use(R"({"o":{"l":[{"k":1}]}})");
  ASSERT_EQ(batch_.schema().leaves()[0].max_definition_level, 5);
  ASSERT_EQ(batch_.schema().leaves()[0].max_repetition_level, 1);
  ASSERT_TRUE(Write(R"({"o":{"l":[{"k":1},{"k":null},{},null,{"k":2}]}})"));
  ASSERT_TRUE(Write(R"({"o":{"l":[]}})"));
  ASSERT_TRUE(Write(R"({"o":{}})"));
  ASSERT_TRUE(Write(R"({"o":null})"));
  EXPECT_EQ(Col(0).def_levels(), (std::vector<int16_t>{5, 4, 4, 3, 5, 2, 1, 0}));
  EXPECT_EQ(Col(0).rep_levels(), (std::vector<int16_t>{0, 1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(Col(0).num_values(), 2u);
}

TEST_F(ColumnWriterTest, DoubleColumnsTakeIntegers) {
  Use(R"({"d":1.5})");
  ASSERT_TRUE(Write(R"({"d":2})"));
  double v;
  std::memcpy(&v, Col(0).fixed().data(), 8);
  EXPECT_EQ(v, 2.0);
}

TEST_F(ColumnWriterTest, WidenedStringColumnsKeepTheJsonTextOfOtherKinds) {
  Use(R"({"s":"x"})");
  ASSERT_TRUE(Write(R"({"s":5})"));
  ASSERT_TRUE(Write(R"({"s":-1.25})"));
  ASSERT_TRUE(Write(R"({"s":true})"));
  ASSERT_TRUE(Write(R"({"s":{"a":[1,"b"]}})"));
  ASSERT_TRUE(Write(R"({"s":18446744073709551615})"));
  ASSERT_TRUE(Write(R"({"s":"plain"})"));
  EXPECT_EQ(Col(0).bytes_value(0), "5");
  EXPECT_EQ(Col(0).bytes_value(1), "-1.25");
  EXPECT_EQ(Col(0).bytes_value(2), "true");
  EXPECT_EQ(Col(0).bytes_value(3), R"({"a":[1,"b"]})");
  EXPECT_EQ(Col(0).bytes_value(4), "18446744073709551615");
  EXPECT_EQ(Col(0).bytes_value(5), "plain");
}

TEST_F(ColumnWriterTest, MisfitsNameTheField) {
  Use(R"({"a":1,"o":{"l":[{"k":1}]},"b":true})");
  EXPECT_FALSE(Write(R"({"a":"x"})"));
  EXPECT_EQ(writer_->misfit(), "a: expected integer, got string");
  EXPECT_FALSE(Write(R"({"a":1.5})"));
  EXPECT_EQ(writer_->misfit(), "a: expected integer, got number");
  EXPECT_FALSE(Write(R"({"a":18446744073709551615})"));
  EXPECT_EQ(writer_->misfit(), "a: expected integer, got integer above int64");
  EXPECT_FALSE(Write(R"({"o":{"l":[{"k":1},{"k":"two"}]}})"));
  EXPECT_EQ(writer_->misfit(), "o.l[].k: expected integer, got string");
  EXPECT_FALSE(Write(R"({"o":{"l":{"k":1}}})"));
  EXPECT_EQ(writer_->misfit(), "o.l: expected array, got object");
  EXPECT_FALSE(Write(R"({"o":{"new":1}})"));
  EXPECT_EQ(writer_->misfit(), "o.new: field not in the schema");
  EXPECT_FALSE(Write(R"({"b":1})"));
  EXPECT_EQ(writer_->misfit(), "b: expected boolean, got integer");
}

TEST_F(ColumnWriterTest, UntypedValuesFitAnyFieldAsNull) {
  Use(R"({"a":1,"l":[2]})");
  ASSERT_TRUE(Write(R"({"a":{},"l":[[],{"x":null}]})")) << writer_->misfit();
  EXPECT_EQ(Col(0).def_levels(), (std::vector<int16_t>{0}));
  EXPECT_EQ(Col(1).def_levels(), (std::vector<int16_t>{2, 2}));
}

TEST_F(ColumnWriterTest, DuplicateMembersFirstOneWins) {
  Use(R"({"a":1})");
  ASSERT_TRUE(Write(R"({"a":1,"a":"ignored"})"));
  EXPECT_EQ(Col(0).num_entries(), 1u);
}

}  // namespace
}  // namespace floe::json
