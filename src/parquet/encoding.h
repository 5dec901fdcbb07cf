// Parquet value and level encodings (spec: parquet-format Encodings.md).
//
// Writer side: the RLE/bit-packed hybrid (levels, dictionary indices) and DELTA_BINARY_PACKED (int32/int64).
// Reader side: additionally DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
// Decoders take untrusted bytes: they bound-check every read and report truncation/overflow as errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace floe::parquet {

// Bits needed to store values 0..max_value (0 for 0).
inline int BitWidth(uint64_t max_value) { return max_value == 0 ? 0 : 64 - __builtin_clzll(max_value); }

// Appends the RLE/bit-packed hybrid encoding of values (each < 2^bit_width) to out, without a length
// prefix. Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups of 8.
void EncodeRleHybrid(const int16_t* values, size_t n, int bit_width, std::string* out);
void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out);

// Appends n values as DELTA_BINARY_PACKED (block 128, 4 miniblocks of 32), with wrap-around arithmetic in
// the value's own width as the spec requires.
void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out);
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out);

// Decodes the RLE/bit-packed hybrid stream.
class RleDecoder {
 public:
  RleDecoder() = default;
  RleDecoder(const uint8_t* data, size_t size, int bit_width) { Reset(data, size, bit_width); }
  void Reset(const uint8_t* data, size_t size, int bit_width);
  // Fills up to n values; returns how many it produced (fewer only when the stream ends or is corrupt).
  size_t Get(uint32_t* out, size_t n);
  size_t Get(int16_t* out, size_t n);

 private:
  template <typename T>
  size_t GetImpl(T* out, size_t n);
  bool NextRun();

  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  uint64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  uint64_t lit_left_ = 0;     // literal values left in the current bit-packed run
  const uint8_t* lit_ = nullptr;
  uint64_t lit_bit_ = 0;      // bit offset into lit_
};

// Decodes DELTA_BINARY_PACKED into int64 (int32 columns narrow afterwards: the wrap-around arithmetic makes
// the low 32 bits right either way). max_values bounds the header's claimed count.
Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values, bool is_int32,
                               std::vector<int64_t>* out, size_t* consumed);

// Decodes DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY into an arena: value i is
// arena[offsets[i], offsets[i+1]).
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, std::string* arena,
                                  std::vector<uint32_t>* offsets);
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, std::string* arena,
                            std::vector<uint32_t>* offsets);

// BYTE_STREAM_SPLIT: un-interleaves num_values values of `width` bytes into out.
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, size_t width, uint8_t* out);

}  // namespace floe::parquet
