// Split-block Bloom filters (spec: parquet-format BloomFilter.md) and the XXH64 hash they use
// (spec: Cyan4973/xxHash doc/xxhash_spec.md, seed 0). Values are hashed in their PLAIN encoding without the
// length prefix of byte arrays.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe::parquet {

uint64_t XxHash64(const void* data, size_t size, uint64_t seed = 0);

class SplitBlockBloomFilter {
 public:
  static constexpr uint32_t kMinBytes = 32;
  static constexpr uint32_t kMaxBytes = 128u << 20;

  // Bytes (a power of two in [32, max_bytes]) for `ndv` distinct values at false-positive rate `fpp`.
  static uint32_t OptimalBytes(uint64_t ndv, double fpp, uint32_t max_bytes);

  SplitBlockBloomFilter() = default;
  explicit SplitBlockBloomFilter(uint32_t num_bytes) { Init(num_bytes); }
  void Init(uint32_t num_bytes);
  // Adopts a bitset read from a file (size must be a multiple of 32).
  bool Load(std::string_view bitset);

  void Insert(uint64_t hash);
  bool MightContain(uint64_t hash) const;
  const std::vector<uint32_t>& words() const { return words_; }
  size_t num_bytes() const { return words_.size() * 4; }

  // Header + bitset as stored in a file.
  std::string Serialize() const;

 private:
  std::vector<uint32_t> words_;
};

}  // namespace floe::parquet
