#include "parquet/statistics.h"

#include <cstring>

#include "parquet/value_format.h"

namespace floe::parquet {

using columnar::LogicalKind;
using columnar::PhysicalType;

namespace {

template <typename T>
T Load(std::string_view v) {
  T x{};
  if (v.size() >= sizeof(T)) std::memcpy(&x, v.data(), sizeof(T));
  return x;
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

int CompareBytes(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  const int c = n ? std::memcmp(a.data(), b.data(), n) : 0;
  if (c != 0) return c < 0 ? -1 : 1;
  return Cmp(a.size(), b.size());
}

}  // namespace

int CompareDecimalBytes(std::string_view a, std::string_view b) {
  const bool na = !a.empty() && (static_cast<uint8_t>(a[0]) & 0x80);
  const bool nb = !b.empty() && (static_cast<uint8_t>(b[0]) & 0x80);
  if (na != nb) return na ? -1 : 1;
  // Same sign: sign-extend the shorter one, then compare as unsigned bytes.
  const size_t n = std::max(a.size(), b.size());
  const uint8_t ext = na ? 0xFF : 0x00;
  for (size_t i = 0; i < n; ++i) {
    const size_t pa = i + a.size(), pb = i + b.size();
    const uint8_t x = pa < n ? ext : static_cast<uint8_t>(a[pa - n]);
    const uint8_t y = pb < n ? ext : static_cast<uint8_t>(b[pb - n]);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

int CompareStatValues(const columnar::Node& leaf, std::string_view a, std::string_view b) {
  const SortOrder order = SortOrderOf(leaf);
  switch (leaf.physical) {
    case PhysicalType::kBoolean: return Cmp(Load<uint8_t>(a) != 0, Load<uint8_t>(b) != 0);
    case PhysicalType::kInt32:
      return order == SortOrder::kUnsigned ? Cmp(Load<uint32_t>(a), Load<uint32_t>(b))
                                           : Cmp(Load<int32_t>(a), Load<int32_t>(b));
    case PhysicalType::kInt64:
      return order == SortOrder::kUnsigned ? Cmp(Load<uint64_t>(a), Load<uint64_t>(b))
                                           : Cmp(Load<int64_t>(a), Load<int64_t>(b));
    case PhysicalType::kFloat: return Cmp(Load<float>(a), Load<float>(b));
    case PhysicalType::kDouble: return Cmp(Load<double>(a), Load<double>(b));
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      return order == SortOrder::kDecimalBytes ? CompareDecimalBytes(a, b) : CompareBytes(a, b);
  }
  return 0;
}

bool TruncateMin(std::string_view v, size_t max_bytes, bool utf8, std::string* out) {
  if (v.size() <= max_bytes) return false;
  size_t n = max_bytes;
  if (utf8) {
    while (n > 0 && (static_cast<uint8_t>(v[n]) & 0xC0) == 0x80) --n;  // back to a character boundary
  }
  out->assign(v.data(), n);
  return true;
}

bool TruncateMax(std::string_view v, size_t max_bytes, bool utf8, std::string* out) {
  if (v.size() <= max_bytes) return false;
  // Keep a prefix and increment its last incrementable byte: the result sorts after every value with
  // that prefix. For UTF-8 only ASCII bytes are incremented so the bound stays valid text.
  for (size_t j = max_bytes; j-- > 0;) {
    const uint8_t c = static_cast<uint8_t>(v[j]);
    if (utf8 ? c < 0x7F : c < 0xFF) {
      out->assign(v.data(), j + 1);
      (*out)[j] = static_cast<char>(c + 1);
      return true;
    }
  }
  return false;
}

std::string RenderStatValue(const columnar::Node& leaf, std::string_view v) {
  switch (leaf.physical) {
    case PhysicalType::kBoolean: return Load<uint8_t>(v) ? "true" : "false";
    case PhysicalType::kInt32: {
      const int32_t x = Load<int32_t>(v);
      switch (leaf.logical) {
        case LogicalKind::kDate: return FormatDate(x);
        case LogicalKind::kTimeMillis: return FormatTime(x, false);
        case LogicalKind::kDecimal: return FormatDecimal(x, leaf.scale);
        case LogicalKind::kInteger: return leaf.is_signed ? std::to_string(x) : std::to_string(static_cast<uint32_t>(x));
        default: return std::to_string(x);
      }
    }
    case PhysicalType::kInt64: {
      const int64_t x = Load<int64_t>(v);
      switch (leaf.logical) {
        case LogicalKind::kTimeMicros: return FormatTime(x, true);
        case LogicalKind::kTimestampMillis: return FormatTimestamp(x, false, leaf.adjusted_to_utc);
        case LogicalKind::kTimestampMicros: return FormatTimestamp(x, true, leaf.adjusted_to_utc);
        case LogicalKind::kDecimal: return FormatDecimal(x, leaf.scale);
        case LogicalKind::kInteger: return leaf.is_signed ? std::to_string(x) : std::to_string(static_cast<uint64_t>(x));
        default: return std::to_string(x);
      }
    }
    case PhysicalType::kFloat: return std::to_string(Load<float>(v));
    case PhysicalType::kDouble: return std::to_string(Load<double>(v));
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      switch (leaf.logical) {
        case LogicalKind::kString:
        case LogicalKind::kEnum:
        case LogicalKind::kJson: return "\"" + std::string(v) + "\"";
        case LogicalKind::kUuid: return FormatUuid(v);
        case LogicalKind::kDecimal: return FormatDecimalBytes(v, leaf.scale);
        default: return "base64:" + Base64(v);
      }
  }
  return "";
}

}  // namespace floe::parquet
