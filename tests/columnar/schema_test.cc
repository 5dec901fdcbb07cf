#include "columnar/column_buffer.h"
#include "columnar/schema.h"

#include <gtest/gtest.h>

namespace floe::columnar {
namespace {

Schema SampleSchema() {
  // id: required int64; tags: optional list<optional string>; attrs: map<string, required int32>;
  // geo: optional record { lat: required double, lon: optional double }
  return Schema(Node::Record(
      "event",
      {Node::Primitive("id", PhysicalType::kInt64, false),
       Node::List("tags", Node::Primitive("tag", PhysicalType::kByteArray, true, LogicalKind::kString), true),
       Node::Map("attrs", Node::Primitive("k", PhysicalType::kByteArray, false, LogicalKind::kString),
                 Node::Primitive("v", PhysicalType::kInt32, false), false),
       Node::Record("geo",
                    {Node::Primitive("lat", PhysicalType::kDouble, false),
                     Node::Primitive("lon", PhysicalType::kDouble, true)},
                    true)},
      false));
}

TEST(SchemaTest, LeavesCarryParquetPathsAndDremelLevels) {
  Schema s = SampleSchema();
  ASSERT_EQ(s.num_leaves(), 6u);
  const auto& l = s.leaves();
  EXPECT_EQ(l[0].dotted_path(), "id");
  EXPECT_EQ(l[0].max_definition_level, 0);
  EXPECT_EQ(l[1].dotted_path(), "tags.list.element");
  EXPECT_EQ(l[1].max_definition_level, 3);
  EXPECT_EQ(l[1].max_repetition_level, 1);
  EXPECT_EQ(l[2].dotted_path(), "attrs.key_value.key");
  EXPECT_EQ(l[2].max_definition_level, 1);
  EXPECT_EQ(l[2].max_repetition_level, 1);
  EXPECT_EQ(l[3].dotted_path(), "attrs.key_value.value");
  EXPECT_EQ(l[4].dotted_path(), "geo.lat");
  EXPECT_EQ(l[4].max_definition_level, 1);
  EXPECT_EQ(l[5].dotted_path(), "geo.lon");
  EXPECT_EQ(l[5].max_definition_level, 2);
  EXPECT_EQ(s.first_leaf_of_field(3), 4u);
  EXPECT_EQ(s.leaf_count_of_field(2), 2u);
  EXPECT_NE(s.ToString().find("optional binary tag (string)"), std::string::npos);
}

TEST(ColumnBufferTest, AppendsValuesAndLevelsAndRollsBack) {
  ColumnarBatch batch(SampleSchema());
  auto& tags = batch.column(1);
  tags.AppendBytes("a", 3, 0);
  tags.AppendBytes("bc", 3, 1);
  tags.AppendNull(2, 1);
  batch.EndRecord();
  ColumnarBatch::Mark mark;
  batch.SetMark(mark);
  tags.AppendBytes("zzz", 3, 0);
  batch.column(0).AppendInt64(7, 0, 0);
  batch.Rollback(mark);
  EXPECT_EQ(batch.num_records(), 1u);
  EXPECT_EQ(tags.num_entries(), 3u);
  EXPECT_EQ(tags.num_values(), 2u);
  EXPECT_EQ(tags.bytes_value(1), "bc");
  EXPECT_EQ(tags.def_levels(), (std::vector<int16_t>{3, 3, 2}));
  EXPECT_EQ(tags.rep_levels(), (std::vector<int16_t>{0, 1, 1}));
  EXPECT_EQ(batch.column(0).num_entries(), 0u);
  EXPECT_TRUE(batch.column(0).def_levels().empty());  // required top-level column: no levels stored
  batch.Clear();
  EXPECT_EQ(tags.num_entries(), 0u);
  EXPECT_EQ(tags.offsets().size(), 1u);
}

}  // namespace
}  // namespace floe::columnar
