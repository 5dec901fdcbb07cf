// Kills a writer process with SIGKILL at random points, repeatedly, and checks that no partial object is
// ever visible under a final key.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "storage/digest.h"
#include "storage/local_object_store.h"
#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace floe::storage::testing {
namespace {

// Returns "" when obj is a complete self-describing object, else what is wrong.
std::string CheckObject(const std::string& obj) {
  if (obj.size() < 44 || obj.compare(0, 4, "FLOE") != 0) return "short or bad magic (" + std::to_string(obj.size()) + " bytes)";
  uint64_t len = 0;
  for (int b = 0; b < 8; ++b) len |= static_cast<uint64_t>(static_cast<uint8_t>(obj[4 + b])) << (8 * b);
  if (obj.size() != 44 + len) return "length " + std::to_string(obj.size()) + " != " + std::to_string(44 + len);
  const Sha256Digest h = Sha256(std::string_view(obj).substr(44));
  if (std::memcmp(h.data(), obj.data() + 12, 32) != 0) return "payload hash mismatch";
  return "";
}

TEST(LocalStoreCrashTest, SigkilledWriterNeverLeavesPartialObjects) {
  TempDir dir;
  const std::string root = dir.path() + "/root";
  std::mt19937 rng(12345);
  int kills = 0;
  for (int round = 0; round < 25; ++round) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      const std::string seed = std::to_string(round + 1);
      ::execl(FLOE_CRASH_WRITER, FLOE_CRASH_WRITER, root.c_str(), dir.path().c_str(), seed.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited on its own with status " << status;
    ++kills;

    auto store = LocalObjectStore::Open(root);
    ASSERT_TRUE(store.ok());
    auto all = ListAll(**store, "");
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    for (const auto& meta : *all) {
      auto obj = (*store)->Get(meta.key);
      ASSERT_TRUE(obj.ok()) << obj.status().ToString();
      EXPECT_EQ(CheckObject(*obj), "") << meta.key << " after kill " << kills;
    }
  }
  auto store = LocalObjectStore::Open(root);
  auto all = ListAll(**store, "");
  EXPECT_GT(all->size(), 0u) << "the writer should have finished some objects";
  // Uploads interrupted by a kill stay resumable and can be cleaned up.
  auto uploads = (*store)->ListMultipartUploads("");
  ASSERT_TRUE(uploads.ok());
  for (const auto& u : *uploads) EXPECT_TRUE((*store)->AbortMultipartUpload(u.key, u.upload_id).ok());
  size_t temp_files = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    temp_files += e.path().filename().string().rfind(".floe-tmp-", 0) == 0;
  }
  RecordProperty("objects", static_cast<int>(all->size()));
  RecordProperty("leftover_temp_files", static_cast<int>(temp_files));
  RecordProperty("interrupted_uploads", static_cast<int>(uploads->size()));
}

}  // namespace
}  // namespace floe::storage::testing
