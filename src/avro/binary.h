// Avro binary encoding primitives (spec "Binary Encoding"): zig-zag varints, little-endian floats,
// length-prefixed bytes, and UTF-8 validation. Readers never look past `end` and report the first problem
// as an AvroError code; they are inline so the decoder's hot loop has no calls for them.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "avro/error.h"

namespace floe::avro {

// A cursor over one datum (or block). On failure `error` is set and the cursor stops moving.
struct BinaryReader {
  const uint8_t* begin = nullptr;
  const uint8_t* p = nullptr;
  const uint8_t* end = nullptr;
  AvroError error = AvroError::kTruncated;
  const char* what = "";  // static description of the failure

  BinaryReader() = default;
  BinaryReader(const void* data, size_t size)
      : begin(static_cast<const uint8_t*>(data)), p(begin), end(begin + size) {}

  size_t remaining() const { return static_cast<size_t>(end - p); }
  size_t offset() const { return static_cast<size_t>(p - begin); }

  bool Fail(AvroError e, const char* w) {
    error = e;
    what = w;
    return false;
  }

  // A zig-zag long (at most 10 bytes). One-byte varints (lengths, indexes, small numbers) take one compare;
  // varints of up to 8 bytes are decoded from one 8-byte load when that many bytes remain; only longer ones
  // and the last bytes of the input take the out-of-line path. Inline on purpose: the decoder's hot loop keeps
  // the cursor in registers only if nothing takes its address.
  [[gnu::always_inline]] bool ReadLong(int64_t& out) {
    uint64_t u;
    if (p < end && *p < 0x80) [[likely]] {
      u = *p++;
    } else if (end - p >= 8 && (~Load64(p) & 0x8080808080808080ULL)) {
      const uint64_t w = Load64(p);
      const int bits = __builtin_ctzll(~w & 0x8080808080808080ULL) + 1;  // 8 * length: through the last byte
      uint64_t x = (bits == 64 ? w : w & ((uint64_t{1} << bits) - 1)) & 0x7f7f7f7f7f7f7f7fULL;
      // Pack the 7-bit groups: byte pairs into 14 bits, then 28, then 56.
      x = (x & 0x007f007f007f007fULL) | ((x & 0x7f007f007f007f00ULL) >> 1);
      x = (x & 0x00003fff00003fffULL) | ((x & 0x3fff00003fff0000ULL) >> 2);
      x = (x & 0x000000000fffffffULL) | ((x & 0x0fffffff00000000ULL) >> 4);
      p += bits >> 3;
      u = x;
    } else {
      const VarintSlow v = ReadVarintSlow(p, end);
      if (!v.next) return Fail(v.error, v.what);
      p = v.next;
      u = v.value;
    }
    out = static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
    return true;
  }

  // The out-of-line varint path: by value, so that callers' cursors never have their address taken.
  struct VarintSlow {
    uint64_t value;
    const uint8_t* next;  // nullptr on failure
    AvroError error;
    const char* what;
  };
  [[gnu::noinline]] static VarintSlow ReadVarintSlow(const uint8_t* p, const uint8_t* end) {
    uint64_t u = 0;
    // Ends by the tenth byte at the latest: there (shift 63) only 0 and 1 pass, and both end the varint.
    for (int shift = 0;; shift += 7) {
      if (p >= end) return {0, nullptr, AvroError::kTruncated, "varint past end of data"};
      const uint8_t b = *p++;
      if (shift == 63 && b > 1) return {0, nullptr, AvroError::kVarintOverflow, "varint longer than 64 bits"};
      u |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return {u, p, AvroError::kTruncated, ""};
    }
  }

  static uint64_t Load64(const uint8_t* at) {
    static_assert(std::endian::native == std::endian::little, "varint and UTF-8 fast paths assume little-endian");
    uint64_t w;
    std::memcpy(&w, at, 8);
    return w;
  }

  bool ReadInt(int32_t& out) {
    int64_t v;
    if (!ReadLong(v)) return false;
    if (v < INT32_MIN || v > INT32_MAX) return Fail(AvroError::kVarintOverflow, "int value does not fit 32 bits");
    out = static_cast<int32_t>(v);
    return true;
  }

  bool SkipVarint() {
    for (int i = 0; i < 10; ++i) {
      if (p >= end) return Fail(AvroError::kTruncated, "varint past end of data");
      if (!(*p++ & 0x80)) return true;
    }
    return Fail(AvroError::kVarintOverflow, "varint longer than 10 bytes");
  }

  bool ReadBool(bool& out) {
    if (p >= end) return Fail(AvroError::kTruncated, "boolean past end of data");
    if (*p > 1) return Fail(AvroError::kInvalidLogicalValue, "boolean byte is neither 0 nor 1");
    out = *p++ != 0;
    return true;
  }

  bool ReadFloat(float& out) {
    if (remaining() < 4) return Fail(AvroError::kTruncated, "float past end of data");
    std::memcpy(&out, p, 4);
    p += 4;
    return true;
  }

  bool ReadDouble(double& out) {
    if (remaining() < 8) return Fail(AvroError::kTruncated, "double past end of data");
    std::memcpy(&out, p, 8);
    p += 8;
    return true;
  }

  // A length-prefixed byte string; `out` points into the input.
  [[gnu::always_inline]] bool ReadBytes(std::string_view& out) {
    int64_t n;
    if (!ReadLong(n)) return false;
    if (n < 0) return Fail(AvroError::kNegativeLength, "negative bytes/string length");
    if (static_cast<uint64_t>(n) > remaining()) {
      return Fail(static_cast<uint64_t>(n) > (uint64_t{1} << 31) ? AvroError::kLengthTooLarge : AvroError::kTruncated,
                  "bytes/string length past end of data");
    }
    out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
    p += n;
    return true;
  }

  bool ReadFixed(size_t n, const uint8_t*& out) {
    if (remaining() < n) return Fail(AvroError::kTruncated, "fixed past end of data");
    out = p;
    p += n;
    return true;
  }

  bool Skip(size_t n) {
    if (remaining() < n) return Fail(AvroError::kTruncated, "value past end of data");
    p += n;
    return true;
  }
};

// What reading one datum may spend, however its values nest. Decoding, skipping and rendering one datum
// carry one budget from its first byte to its last (the decoder hands its own to the JSON renderer for
// recursive subtrees), so nesting can neither multiply a limit nor reset it:
//  - depth: nested calls (in the decoder and skipper: union branches, array/map items that are not one
//    leaf value, recursive records; in the JSON renderer: every value) beyond kMaxDatumDepth fail with
//    kTooDeep. A recursive schema like L{v, next: ["null", L]} costs two bytes a level, so without this a
//    small payload would overflow the stack.
//  - zero-width items: items that can take zero bytes (nulls, empty records) cannot be bounded by the bytes
//    left; all the arrays of one datum together may hold at most kMaxZeroWidthItems of them (per array, an
//    array<array<null>> of 1 MB would expand to billions of entries).
inline constexpr int kMaxDatumDepth = 128;
inline constexpr uint64_t kMaxZeroWidthItems = 1 << 16;

struct DatumBudget {
  int depth = 0;
  uint64_t zero_width_items = 0;
};

// Enters one nesting level (false with kTooDeep past the limit); every successful Enter is paired with a
// Leave, also on failure paths.
inline bool EnterLevel(BinaryReader& r, DatumBudget& budget) {
  if (budget.depth >= kMaxDatumDepth)
    return r.Fail(AvroError::kTooDeep, "datum nested deeper than 128 levels");
  ++budget.depth;
  return true;
}

struct LevelGuard {
  DatumBudget& budget;
  ~LevelGuard() { --budget.depth; }
};

// Reads an array/map block header: the item count (0 ends the array) and, for negative counts, the byte
// size that follows. `bytes` is -1 when the writer gave no size.
[[gnu::always_inline]] inline bool ReadBlockHeader(BinaryReader& r, int64_t& count, int64_t& bytes) {
  bytes = -1;
  if (!r.ReadLong(count)) return false;
  if (count < 0) {
    if (count == INT64_MIN) return r.Fail(AvroError::kLengthTooLarge, "block count out of range");
    count = -count;
    if (!r.ReadLong(bytes)) return false;
    if (bytes < 0) return r.Fail(AvroError::kNegativeLength, "negative block byte size");
    if (static_cast<uint64_t>(bytes) > r.remaining())
      return r.Fail(AvroError::kTruncated, "block byte size past end of data");
  }
  return true;
}

// Checks an array/map block count (already made positive) against the bytes left, given the fewest bytes one
// item takes; zero-width items are charged to the datum's budget instead.
inline bool CheckItemCount(BinaryReader& r, int64_t count, size_t min_item_size, DatumBudget& budget) {
  const auto n = static_cast<uint64_t>(count);
  if (min_item_size == 0) {
    budget.zero_width_items += n;  // no overflow: at most 2^16 before, n < 2^63
    if (budget.zero_width_items > kMaxZeroWidthItems)
      return r.Fail(AvroError::kLengthTooLarge, "too many zero-width items in one datum");
    return true;
  }
  if (n > r.remaining() / min_item_size)
    return r.Fail(AvroError::kLengthTooLarge, "block count larger than the bytes left");
  return true;
}

// Whether `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
inline bool ValidUtf8(const char* data, size_t n) {
  const auto* s = reinterpret_cast<const uint8_t*>(data);
  size_t i = 0;
  while (i < n) {
    // ASCII runs, eight bytes at a time.
    while (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    const uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

// ValidUtf8 for a string lying inside a buffer that ends at `buffer_end`. ASCII strings, the common case,
// are checked with whole 8-byte loads: the last one overlaps the one before, and a string shorter than 8
// bytes is loaded with the bytes after it (never past buffer_end) and masked. Anything else takes ValidUtf8.
inline bool ValidUtf8InBuffer(const char* data, size_t n, const uint8_t* buffer_end) {
  const auto* s = reinterpret_cast<const uint8_t*>(data);
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  if (n < 8) {
    if (buffer_end - s < 8) return ValidUtf8(data, n);
    const uint64_t keep = (uint64_t{1} << (8 * n)) - 1;
    return !(BinaryReader::Load64(s) & keep & kHigh) || ValidUtf8(data, n);
  }
  uint64_t any = BinaryReader::Load64(s + n - 8);
  for (size_t i = 0; i + 8 < n; i += 8) any |= BinaryReader::Load64(s + i);
  return !(any & kHigh) || ValidUtf8(data, n);
}

// --- Writing -------------------------------------------------------------------------------------------

inline void WriteLong(std::string& out, int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  char buf[10];
  size_t n = 0;
  while (u >= 0x80) {
    buf[n++] = static_cast<char>((u & 0x7f) | 0x80);
    u >>= 7;
  }
  buf[n++] = static_cast<char>(u);
  out.append(buf, n);
}

inline void WriteFloat(std::string& out, float v) { out.append(reinterpret_cast<const char*>(&v), 4); }
inline void WriteDouble(std::string& out, double v) { out.append(reinterpret_cast<const char*>(&v), 8); }
inline void WriteBytes(std::string& out, std::string_view s) {
  WriteLong(out, static_cast<int64_t>(s.size()));
  out.append(s);
}

}  // namespace floe::avro
