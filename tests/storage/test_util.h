// Scratch directories and deterministic data for the storage tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace floe::storage::testing {

// A fresh temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Deterministic pseudo-random bytes.
std::string RandomBytes(size_t size, uint64_t seed);
// Writes data to path, aborting the test on failure.
void WriteLocalFile(const std::string& path, std::string_view data);

}  // namespace floe::storage::testing
