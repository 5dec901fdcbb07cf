#include "parquet/encoding.h"

#include <cstring>

#include "parquet/errors.h"

namespace floe::parquet {

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(const uint8_t*& p, const uint8_t* end, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    const uint8_t b = *p++;
    r |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}

// Bit-packs n values of `bw` bits LSB-first into dst. Acc must hold 31 + bw bits (the bits left below a
// 32-bit word plus one value): uint64_t for bw <= 32 (dictionary indices, levels), which is cheaper than the
// 128-bit accumulator wider deltas need.
template <typename Acc, typename T>
void BitPackInto(const T* v, size_t n, int bw, uint8_t* dst) {
  Acc acc = 0;
  int bits = 0;
  const uint64_t mask = bw == 64 ? ~0ULL : ((1ULL << bw) - 1);
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<Acc>(static_cast<uint64_t>(v[i]) & mask) << bits;
    bits += bw;
    while (bits >= 32) {
      const uint32_t word = static_cast<uint32_t>(acc);
      std::memcpy(dst, &word, 4);
      dst += 4;
      acc >>= 32;
      bits -= 32;
    }
  }
  while (bits > 0) {
    *dst++ = static_cast<uint8_t>(acc);
    acc >>= 8;
    bits -= 8;
  }
}

// Bit-packs n values of `bw` bits LSB-first; n*bw must be a multiple of 8 (callers pad to groups of 8 values).
template <typename T>
void BitPack(const T* v, size_t n, int bw, std::string* out) {
  const size_t at = out->size();
  out->resize(at + (n * bw + 7) / 8);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out->data()) + at;
  if (bw == 0) return;
  if (bw <= 32) {
    BitPackInto<uint64_t>(v, n, bw, dst);
  } else {
    BitPackInto<unsigned __int128>(v, n, bw, dst);
  }
}

// Reads `bw` (<= 64) bits at bit offset `bit` of p; the caller guarantees the bytes exist.
inline uint64_t ReadBits(const uint8_t* p, uint64_t bit, int bw, const uint8_t* end) {
  if (bw == 0) return 0;
  const uint8_t* b = p + (bit >> 3);
  const int shift = static_cast<int>(bit & 7);
  const int nbytes = (shift + bw + 7) / 8;
  unsigned __int128 acc = 0;
  for (int i = 0; i < nbytes && b + i < end; ++i) acc |= static_cast<unsigned __int128>(b[i]) << (8 * i);
  acc >>= shift;
  return bw == 64 ? static_cast<uint64_t>(acc) : static_cast<uint64_t>(acc) & ((1ULL << bw) - 1);
}

template <typename T>
void EncodeLiterals(const T* v, size_t n, int bw, std::string* out) {
  if (n == 0) return;
  const size_t groups = (n + 7) / 8;
  PutVarint((groups << 1) | 1, out);
  const size_t full = n & ~size_t{7};
  BitPack(v, full, bw, out);
  if (full < n) {
    T tail[8] = {};
    for (size_t i = full; i < n; ++i) tail[i - full] = v[i];
    BitPack(tail, 8, bw, out);
  }
}

template <typename T>
void EncodeRun(T value, size_t count, int bw, std::string* out) {
  PutVarint(static_cast<uint64_t>(count) << 1, out);
  uint32_t v = static_cast<uint32_t>(value);
  for (int i = 0; i < (bw + 7) / 8; ++i) {
    out->push_back(static_cast<char>(v & 0xFF));
    v >>= 8;
  }
}

template <typename T>
void EncodeRleHybridImpl(const T* v, size_t n, int bw, std::string* out) {
  size_t lit_start = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    size_t run = j - i;
    if (run >= 8) {
      // Literal runs must hold whole groups of 8 unless they end the stream: borrow from this run to pad.
      const size_t pending = i - lit_start;
      const size_t pad = (8 - pending % 8) % 8;
      if (pending > 0 && run - pad < 8) {
        i = j;
        continue;
      }
      if (pending > 0) {
        EncodeLiterals(v + lit_start, pending + pad, bw, out);
        i += pad;
        run -= pad;
      }
      EncodeRun(v[i], run, bw, out);
      lit_start = j;
    }
    i = j;
  }
  EncodeLiterals(v + lit_start, n - lit_start, bw, out);
}

template <typename T>
void EncodeDeltaImpl(const T* values, size_t n, std::string* out) {
  using U = std::make_unsigned_t<T>;
  constexpr size_t kBlock = 128, kMini = 4, kPerMini = kBlock / kMini;
  PutVarint(kBlock, out);
  PutVarint(kMini, out);
  PutVarint(n, out);
  const int64_t first = n ? static_cast<int64_t>(values[0]) : 0;
  PutVarint((static_cast<uint64_t>(first) << 1) ^ static_cast<uint64_t>(first >> 63), out);
  U deltas[kBlock];
  for (size_t i = 1; i < n;) {
    const size_t count = std::min(kBlock, n - i);
    T min_delta = 0;
    for (size_t k = 0; k < count; ++k) {
      const T d = static_cast<T>(static_cast<U>(values[i + k]) - static_cast<U>(values[i + k - 1]));
      deltas[k] = static_cast<U>(d);
      if (k == 0 || d < min_delta) min_delta = d;
    }
    for (size_t k = 0; k < count; ++k) deltas[k] = static_cast<U>(deltas[k] - static_cast<U>(min_delta));
    for (size_t k = count; k < kBlock; ++k) deltas[k] = 0;
    const int64_t md = static_cast<int64_t>(min_delta);
    PutVarint((static_cast<uint64_t>(md) << 1) ^ static_cast<uint64_t>(md >> 63), out);
    const size_t minis = (count + kPerMini - 1) / kPerMini;
    int widths[kMini] = {0, 0, 0, 0};
    for (size_t m = 0; m < minis; ++m) {
      U mx = 0;
      for (size_t k = m * kPerMini; k < (m + 1) * kPerMini; ++k) mx |= deltas[k];
      widths[m] = BitWidth(static_cast<uint64_t>(mx));
    }
    for (size_t m = 0; m < kMini; ++m) out->push_back(static_cast<char>(widths[m]));
    for (size_t m = 0; m < minis; ++m) BitPack(deltas + m * kPerMini, kPerMini, widths[m], out);
    i += count;
  }
}

}  // namespace

void EncodeRleHybrid(const int16_t* values, size_t n, int bit_width, std::string* out) {
  EncodeRleHybridImpl(values, n, bit_width, out);
}
void EncodeRleHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  EncodeRleHybridImpl(values, n, bit_width, out);
}
void EncodeDeltaBinaryPacked(const int32_t* values, size_t n, std::string* out) { EncodeDeltaImpl(values, n, out); }
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, std::string* out) { EncodeDeltaImpl(values, n, out); }

// ---------------------------------------------------------------------------------------------------------

void RleDecoder::Reset(const uint8_t* data, size_t size, int bit_width) {
  p_ = data;
  end_ = data + size;
  bit_width_ = bit_width;
  rle_left_ = lit_left_ = 0;
}

bool RleDecoder::NextRun() {
  uint64_t header;
  if (p_ >= end_ || !GetVarint(p_, end_, &header)) return false;
  if (header & 1) {
    const uint64_t groups = header >> 1;
    if (groups == 0 || groups > (1ULL << 40)) return false;
    const uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);  // groups * 8 values * bw / 8
    lit_ = p_;
    lit_bit_ = 0;
    // A final run may be shorter than its header claims; keep only values whose bits are present.
    const uint64_t avail = static_cast<uint64_t>(end_ - p_);
    if (bytes <= avail) {
      lit_left_ = groups * 8;
      p_ += bytes;
    } else {
      lit_left_ = bit_width_ ? avail * 8 / static_cast<uint64_t>(bit_width_) : groups * 8;
      p_ = end_;
    }
    return lit_left_ > 0;
  }
  rle_left_ = header >> 1;
  const int nbytes = (bit_width_ + 7) / 8;
  if (end_ - p_ < nbytes) return false;
  uint32_t v = 0;
  for (int i = 0; i < nbytes; ++i) v |= static_cast<uint32_t>(p_[i]) << (8 * i);
  p_ += nbytes;
  rle_value_ = v;
  return rle_left_ > 0 || NextRun();
}

template <typename T>
size_t RleDecoder::GetImpl(T* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    if (rle_left_ == 0 && lit_left_ == 0 && !NextRun()) break;
    if (rle_left_ > 0) {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(rle_left_, n - got));
      const T v = static_cast<T>(rle_value_);
      for (size_t i = 0; i < k; ++i) out[got + i] = v;
      got += k;
      rle_left_ -= k;
    } else {
      const size_t k = static_cast<size_t>(std::min<uint64_t>(lit_left_, n - got));
      for (size_t i = 0; i < k; ++i) {
        out[got + i] = static_cast<T>(ReadBits(lit_, lit_bit_, bit_width_, end_));
        lit_bit_ += static_cast<uint64_t>(bit_width_);
      }
      got += k;
      lit_left_ -= k;
    }
  }
  return got;
}

size_t RleDecoder::Get(uint32_t* out, size_t n) { return GetImpl(out, n); }
size_t RleDecoder::Get(int16_t* out, size_t n) { return GetImpl(out, n); }

Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, size_t max_values, bool is_int32,
                               std::vector<int64_t>* out, size_t* consumed) {
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  uint64_t block, minis, total, zfirst;
  if (!GetVarint(p, end, &block) || !GetVarint(p, end, &minis) || !GetVarint(p, end, &total) ||
      !GetVarint(p, end, &zfirst))
    return Corrupt("truncated DELTA_BINARY_PACKED header");
  if (block == 0 || block % 128 != 0 || block > (1u << 20) || minis == 0 || block % minis != 0 ||
      (block / minis) % 32 != 0)
    return Corrupt("bad DELTA_BINARY_PACKED block layout");
  if (total > max_values) return Corrupt("DELTA_BINARY_PACKED claims more values than the page holds");
  const uint64_t per_mini = block / minis;
  const int max_bw = is_int32 ? 32 : 64;
  out->clear();
  out->reserve(total);
  uint64_t last = (zfirst >> 1) ^ (~(zfirst & 1) + 1);
  if (total > 0) out->push_back(static_cast<int64_t>(last));
  while (out->size() < total) {
    uint64_t zmin;
    if (!GetVarint(p, end, &zmin)) return Corrupt("truncated DELTA_BINARY_PACKED block");
    const uint64_t min_delta = (zmin >> 1) ^ (~(zmin & 1) + 1);
    if (static_cast<uint64_t>(end - p) < minis) return Corrupt("truncated DELTA_BINARY_PACKED widths");
    const uint8_t* widths = p;
    p += minis;
    for (uint64_t m = 0; m < minis && out->size() < total; ++m) {
      const int bw = widths[m];
      if (bw > max_bw) return Corrupt("DELTA_BINARY_PACKED bit width " + std::to_string(bw));
      const uint64_t want = std::min<uint64_t>(per_mini, total - out->size());
      const uint64_t body = per_mini * bw / 8;
      const uint64_t needed = (want * bw + 7) / 8;
      if (static_cast<uint64_t>(end - p) < needed) return Corrupt("truncated DELTA_BINARY_PACKED miniblock");
      for (uint64_t k = 0; k < want; ++k) {
        last += min_delta + ReadBits(p, k * bw, bw, end);
        out->push_back(is_int32 ? static_cast<int64_t>(static_cast<int32_t>(last)) : static_cast<int64_t>(last));
      }
      p += std::min<uint64_t>(body, static_cast<uint64_t>(end - p));
    }
  }
  if (consumed) *consumed = static_cast<size_t>(p - data);
  return Status::Ok();
}

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, size_t num_values, std::string* arena,
                                  std::vector<uint32_t>* offsets) {
  std::vector<int64_t> lengths;
  size_t used = 0;
  FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, size, num_values, true, &lengths, &used));
  if (lengths.size() != num_values) return Corrupt("DELTA_LENGTH_BYTE_ARRAY holds fewer lengths than values");
  const uint8_t* p = data + used;
  size_t left = size - used;
  arena->clear();
  offsets->assign(1, 0);
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > left) return Corrupt("DELTA_LENGTH_BYTE_ARRAY length past end");
    arena->append(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len;
    left -= static_cast<size_t>(len);
    offsets->push_back(static_cast<uint32_t>(arena->size()));
  }
  return Status::Ok();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t size, size_t num_values, std::string* arena,
                            std::vector<uint32_t>* offsets) {
  std::vector<int64_t> prefixes;
  size_t used = 0;
  FLOE_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, size, num_values, true, &prefixes, &used));
  if (prefixes.size() != num_values) return Corrupt("DELTA_BYTE_ARRAY holds fewer prefixes than values");
  std::string suffixes;
  std::vector<uint32_t> suffix_offsets;
  FLOE_RETURN_IF_ERROR(DecodeDeltaLengthByteArray(data + used, size - used, num_values, &suffixes, &suffix_offsets));
  arena->clear();
  offsets->assign(1, 0);
  size_t prev_begin = 0, prev_len = 0;
  for (size_t i = 0; i < num_values; ++i) {
    const int64_t pre = prefixes[i];
    if (pre < 0 || static_cast<uint64_t>(pre) > prev_len) return Corrupt("DELTA_BYTE_ARRAY prefix longer than previous");
    const size_t begin = arena->size();
    arena->append(*arena, prev_begin, static_cast<size_t>(pre));
    arena->append(suffixes, suffix_offsets[i], suffix_offsets[i + 1] - suffix_offsets[i]);
    prev_begin = begin;
    prev_len = arena->size() - begin;
    offsets->push_back(static_cast<uint32_t>(arena->size()));
  }
  return Status::Ok();
}

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, size_t num_values, size_t width, uint8_t* out) {
  if (width == 0 || num_values > size / width) return Corrupt("BYTE_STREAM_SPLIT data shorter than its values");
  for (size_t k = 0; k < width; ++k) {
    const uint8_t* stream = data + k * num_values;
    for (size_t i = 0; i < num_values; ++i) out[i * width + k] = stream[i];
  }
  return Status::Ok();
}

}  // namespace floe::parquet
