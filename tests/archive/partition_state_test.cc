#include "archive/partition_state.h"

#include <gtest/gtest.h>

#include "archive/archive_error.h"
#include "storage/memory_object_store.h"

namespace floe::archive {
namespace {

TEST(PartitionStateTest, EncodesAndDecodes) {
  PartitionState s;
  s.epoch = 42;
  s.complete = true;
  s.files = {{"v=1/dt=2024-05-01/hour=12", "default/ads/v=1/dt=2024-05-01/hour=12/ads+2+10.parquet", 10, 19},
             {"k=a%09b", "default/ads/k=a%09b/ads+2+11.parquet", 11, 11}};
  auto back = DecodePartitionState(EncodePartitionState(s));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

TEST(PartitionStateTest, RejectsWhatItDidNotWrite) {
  EXPECT_TRUE(DecodePartitionState("").status().Is(ArchiveError::kState));
  EXPECT_TRUE(DecodePartitionState("hello\n").status().Is(ArchiveError::kState));
  EXPECT_TRUE(DecodePartitionState("floe-partition-state 1\nepoch\t1\n").status().Is(ArchiveError::kState));
  EXPECT_TRUE(DecodePartitionState("floe-partition-state 1\nepoch\t1\ncomplete\t1\nfile\t5\t4\tp\tk\n")
                  .status()
                  .Is(ArchiveError::kState));
  EXPECT_TRUE(DecodePartitionState("floe-partition-state 1\nepoch\t1\ncomplete\t1").status().Is(ArchiveError::kState));
}

TEST(PartitionStateTest, KeysSortByEpoch) {
  EXPECT_EQ(PartitionStateKey("ads", 3, 7), "_floe/state/ads/3/00000000000000000007.state");
  EXPECT_LT(PartitionStateKey("ads", 3, 9), PartitionStateKey("ads", 3, 10));
}

TEST(PartitionStateTest, ClaimsSkipIncompleteClaimsAndFenceOlderEpochs) {
  storage::MemoryObjectStore store;
  auto first = ClaimPartition(store, "ads", 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->epoch, 1u);
  EXPECT_FALSE(first->previous.has_value());
  PartitionState s{1, true, {{"p", "k", 0, 4}}};
  ASSERT_TRUE(store.Put(PartitionStateKey("ads", 0, 1), EncodePartitionState(s)).ok());
  EXPECT_TRUE(CheckFence(store, "ads", 0, 1).ok());

  auto crashed = ClaimPartition(store, "ads", 0);  // its owner dies before writing a complete state
  ASSERT_TRUE(crashed.ok());
  EXPECT_EQ(crashed->epoch, 2u);
  EXPECT_TRUE(CheckFence(store, "ads", 0, 1).Is(ArchiveError::kFenced));

  auto third = ClaimPartition(store, "ads", 0);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->epoch, 3u);
  ASSERT_TRUE(third->previous.has_value());
  EXPECT_EQ(*third->previous, s);
  EXPECT_EQ(third->stale_keys.size(), 2u);  // epoch 2's claim and epoch 1, which the new state supersedes
  EXPECT_TRUE(CheckFence(store, "ads", 0, 3).ok());
  EXPECT_TRUE(CheckFence(store, "ads", 1, 1).ok());  // other partitions are independent
}

}  // namespace
}  // namespace floe::archive
