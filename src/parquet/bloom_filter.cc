#include "parquet/bloom_filter.h"

#include <cmath>
#include <cstring>

#include "common/unaligned.h"
#include "parquet/format.h"

namespace floe::parquet {

namespace {

constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t Round(uint64_t acc, uint64_t lane) { return Rotl(acc + lane * kP2, 31) * kP1; }
inline uint64_t Merge(uint64_t acc, uint64_t v) { return (acc ^ Round(0, v)) * kP1 + kP4; }

constexpr uint32_t kSalt[8] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                               0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

}  // namespace

uint64_t XxHash64(const void* data, size_t size, uint64_t seed) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  const uint8_t* end = p + size;
  uint64_t acc;
  if (size >= 32) {
    uint64_t v1 = seed + kP1 + kP2, v2 = seed + kP2, v3 = seed, v4 = seed - kP1;
    const uint8_t* limit = end - 32;
    do {
      v1 = Round(v1, LoadUnaligned<uint64_t>(p));
      v2 = Round(v2, LoadUnaligned<uint64_t>(p + 8));
      v3 = Round(v3, LoadUnaligned<uint64_t>(p + 16));
      v4 = Round(v4, LoadUnaligned<uint64_t>(p + 24));
      p += 32;
    } while (p <= limit);
    acc = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
    acc = Merge(acc, v1);
    acc = Merge(acc, v2);
    acc = Merge(acc, v3);
    acc = Merge(acc, v4);
  } else {
    acc = seed + kP5;
  }
  acc += static_cast<uint64_t>(size);
  while (end - p >= 8) {
    acc ^= Round(0, LoadUnaligned<uint64_t>(p));
    acc = Rotl(acc, 27) * kP1 + kP4;
    p += 8;
  }
  if (end - p >= 4) {
    acc ^= static_cast<uint64_t>(LoadUnaligned<uint32_t>(p)) * kP1;
    acc = Rotl(acc, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    acc ^= static_cast<uint64_t>(*p) * kP5;
    acc = Rotl(acc, 11) * kP1;
    ++p;
  }
  acc ^= acc >> 33;
  acc *= kP2;
  acc ^= acc >> 29;
  acc *= kP3;
  acc ^= acc >> 32;
  return acc;
}

uint32_t SplitBlockBloomFilter::OptimalBytes(uint64_t ndv, double fpp, uint32_t max_bytes) {
  if (max_bytes > kMaxBytes) max_bytes = kMaxBytes;
  // m = -8 n / ln(1 - p^(1/8)) bits for a split-block filter with 8 bits set per insert.
  const double bits = -8.0 * static_cast<double>(ndv) / std::log(1.0 - std::pow(fpp, 1.0 / 8.0));
  uint64_t bytes = static_cast<uint64_t>(bits / 8.0) + 1;
  uint32_t p2 = kMinBytes;
  while (p2 < bytes && p2 < max_bytes) p2 <<= 1;
  return p2 < kMinBytes ? kMinBytes : p2;
}

void SplitBlockBloomFilter::Init(uint32_t num_bytes) { words_.assign(num_bytes / 4, 0); }

bool SplitBlockBloomFilter::Load(std::string_view bitset) {
  if (bitset.empty() || bitset.size() % 32 != 0) return false;
  words_.resize(bitset.size() / 4);
  std::memcpy(words_.data(), bitset.data(), bitset.size());
  return true;
}

void SplitBlockBloomFilter::Insert(uint64_t hash) {
  const uint64_t blocks = words_.size() / 8;
  const uint64_t b = ((hash >> 32) * blocks) >> 32;
  uint32_t* block = words_.data() + b * 8;
  const uint32_t key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) block[i] |= 1u << ((key * kSalt[i]) >> 27);
}

bool SplitBlockBloomFilter::MightContain(uint64_t hash) const {
  const uint64_t blocks = words_.size() / 8;
  if (blocks == 0) return true;
  const uint64_t b = ((hash >> 32) * blocks) >> 32;
  const uint32_t* block = words_.data() + b * 8;
  const uint32_t key = static_cast<uint32_t>(hash);
  for (int i = 0; i < 8; ++i) {
    if (!(block[i] & (1u << ((key * kSalt[i]) >> 27)))) return false;
  }
  return true;
}

std::string SplitBlockBloomFilter::Serialize() const {
  std::string out;
  format::BloomFilterHeader h;
  h.num_bytes = static_cast<int32_t>(num_bytes());
  format::Serialize(h, &out);
  out.append(reinterpret_cast<const char*>(words_.data()), num_bytes());
  return out;
}

}  // namespace floe::parquet
