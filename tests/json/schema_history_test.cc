#include "json/schema_history.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "storage/local_object_store.h"
#include "storage/memory_object_store.h"

namespace floe::json {
namespace {

void ExpectCreateIfAbsentAndLatest(SchemaHistory& h) {
  auto none = h.Latest("db/t");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());
  auto v1 = h.Create("db/t", 1, "one");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->avsc, "one");
  auto again = h.Create("db/t", 1, "other");  // a second worker loses: it gets the stored schema back
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->avsc, "one");
  ASSERT_TRUE(h.Create("db/t", 2, "two").ok());
  ASSERT_TRUE(h.Create("db/t", 10, "ten").ok());  // numeric, not lexicographic, order
  ASSERT_TRUE(h.Create("db/other", 3, "x").ok());
  auto latest = h.Latest("db/t");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->version, 10);
  EXPECT_EQ((*latest)->avsc, "ten");
}

TEST(SchemaHistoryTest, Memory) {
  MemorySchemaHistory h;
  ExpectCreateIfAbsentAndLatest(h);
}

TEST(SchemaHistoryTest, ObjectStoreLayoutAndForeignKeys) {
  storage::MemoryObjectStore store;
  ObjectStoreSchemaHistory h(store);
  ExpectCreateIfAbsentAndLatest(h);
  EXPECT_TRUE(store.Head("db/t/_schemas/v=2.avsc").ok());
  ASSERT_TRUE(store.Put("db/t/_schemas/v=99.tmp", "junk").ok());
  ASSERT_TRUE(store.Put("db/t/_schemas/v=x.avsc", "junk").ok());
  auto latest = h.Latest("db/t");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 10);
}

TEST(SchemaHistoryTest, LocalStoreSurvivesReopening) {
  const std::string root = (std::filesystem::temp_directory_path() /
                            ("floe_json_history_" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(root);
  {
    auto store = storage::LocalObjectStore::Open(root);
    ASSERT_TRUE(store.ok());
    ObjectStoreSchemaHistory h(**store);
    ExpectCreateIfAbsentAndLatest(h);
  }
  auto store = storage::LocalObjectStore::Open(root);
  ASSERT_TRUE(store.ok());
  ObjectStoreSchemaHistory h(**store);
  auto latest = h.Latest("db/t");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ((*latest)->version, 10);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace floe::json
