#include "parquet/value_format.h"

#include <cstdio>
#include <vector>

#include "common/time_util.h"

namespace floe::parquet {

namespace {

// Floor division that works for negative epochs.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string InsertPoint(std::string digits, bool negative, int32_t scale) {
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<size_t>(scale), 1, '.');
  }
  if (negative) digits.insert(0, 1, '-');
  return digits;
}

}  // namespace

std::string FormatDate(int64_t days) {
  const CivilTime t = CivilFromMicros(days * 86400000000LL);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
  return buf;
}

std::string FormatTime(int64_t value, bool micros) {
  const int64_t unit = micros ? 1000000 : 1000;
  const int64_t secs = FloorDiv(value, unit);
  const int64_t frac = value - secs * unit;
  char buf[48];
  std::snprintf(buf, sizeof buf, micros ? "%02lld:%02lld:%02lld.%06lld" : "%02lld:%02lld:%02lld.%03lld",
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), static_cast<long long>(frac));
  return buf;
}

std::string FormatTimestamp(int64_t value, bool micros, bool utc) {
  const int64_t unit = micros ? 1000000 : 1000;
  const int64_t secs = FloorDiv(value, unit);
  const int64_t frac = value - secs * unit;
  const CivilTime t = CivilFromMicros(secs * 1000000);
  char buf[64];
  std::snprintf(buf, sizeof buf, micros ? "%04d-%02d-%02dT%02d:%02d:%02d.%06lld%s" : "%04d-%02d-%02dT%02d:%02d:%02d.%03lld%s",
                t.year, t.month, t.day, t.hour, t.minute, t.second, static_cast<long long>(frac), utc ? "Z" : "");
  return buf;
}

std::string FormatDecimal(int64_t unscaled, int32_t scale) {
  const bool neg = unscaled < 0;
  const uint64_t mag = neg ? 0 - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  return InsertPoint(std::to_string(mag), neg, scale);
}

std::string FormatDecimalBytes(std::string_view be, int32_t scale) {
  if (be.empty()) return InsertPoint("0", false, scale);
  std::vector<uint8_t> mag(be.begin(), be.end());
  const bool neg = mag[0] & 0x80;
  if (neg) {  // two's complement negate
    for (auto& b : mag) b = static_cast<uint8_t>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  std::string digits;
  size_t start = 0;
  while (start < mag.size()) {
    uint32_t rem = 0;
    for (size_t i = start; i < mag.size(); ++i) {
      const uint32_t cur = (rem << 8) | mag[i];
      mag[i] = static_cast<uint8_t>(cur / 10);
      rem = cur % 10;
    }
    digits.push_back(static_cast<char>('0' + rem));
    while (start < mag.size() && mag[start] == 0) ++start;
  }
  if (digits.empty()) digits = "0";
  std::string rev(digits.rbegin(), digits.rend());
  return InsertPoint(std::move(rev), neg, scale);
}

std::string FormatUuid(std::string_view b) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[static_cast<uint8_t>(b[i]) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(b[i]) & 15]);
  }
  return out;
}

std::string Base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t v = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

}  // namespace floe::parquet
