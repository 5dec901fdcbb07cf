#include "common/time_util.h"

#include <cmath>
#include <cstdio>
#include <limits>

namespace floe {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A tiny cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool Digits(int n, int* out) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i++] - '0');
    }
    *out = v;
    return true;
  }
  bool Eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
};

}  // namespace

int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = static_cast<int64_t>(year) - (month <= 2);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime CivilFromMicros(int64_t epoch_micros) {
  const int64_t days = FloorDiv(epoch_micros, kMicrosPerDay);
  int64_t rem = epoch_micros - days * kMicrosPerDay;
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime t{};
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2));
  t.hour = static_cast<int>(rem / (3600 * kMicrosPerSecond));
  rem %= 3600 * kMicrosPerSecond;
  t.minute = static_cast<int>(rem / (60 * kMicrosPerSecond));
  rem %= 60 * kMicrosPerSecond;
  t.second = static_cast<int>(rem / kMicrosPerSecond);
  t.micros = static_cast<int>(rem % kMicrosPerSecond);
  return t;
}

int64_t MicrosFromCivil(const CivilTime& t) {
  return DaysFromCivil(t.year, t.month, t.day) * kMicrosPerDay +
         ((t.hour * 60 + t.minute) * 60 + t.second) * kMicrosPerSecond + t.micros;
}

std::string UtcDate(int64_t epoch_micros) {
  const CivilTime t = CivilFromMicros(epoch_micros);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
  return buf;
}

std::string UtcHour(int64_t epoch_micros) {
  const CivilTime t = CivilFromMicros(epoch_micros);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", t.hour);
  return buf;
}

std::string FormatRfc3339Micros(int64_t epoch_micros) {
  const CivilTime t = CivilFromMicros(epoch_micros);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", t.year, t.month, t.day, t.hour, t.minute,
                t.second, t.micros);
  return buf;
}

std::optional<int64_t> ParseIso8601Micros(std::string_view text) {
  Cursor c{text};
  CivilTime t{};
  if (!c.Digits(4, &t.year)) return std::nullopt;
  const bool basic = !c.Eat('-');  // ISO 8601 basic format: 20240501T120000Z
  if (!c.Digits(2, &t.month)) return std::nullopt;
  if (!basic && !c.Eat('-')) return std::nullopt;
  if (!c.Digits(2, &t.day)) return std::nullopt;
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > DaysInMonth(t.year, t.month)) return std::nullopt;
  int64_t offset_seconds = 0;
  if (!c.done()) {
    if (!(c.Eat('T') || c.Eat('t') || c.Eat(' '))) return std::nullopt;
    if (!c.Digits(2, &t.hour)) return std::nullopt;
    if (!basic && !c.Eat(':')) return std::nullopt;
    if (!c.Digits(2, &t.minute)) return std::nullopt;
    if (c.peek() == ':' || (basic && c.peek() >= '0' && c.peek() <= '9')) {
      if (!basic) c.Eat(':');
      if (!c.Digits(2, &t.second)) return std::nullopt;
    }
    if (c.peek() == '.' || c.peek() == ',') {
      ++c.i;
      int digits = 0;
      int64_t frac = 0;
      while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
        if (digits < 6) frac = frac * 10 + (c.peek() - '0');
        ++digits;
        ++c.i;
      }
      if (digits == 0) return std::nullopt;
      for (int k = digits; k < 6; ++k) frac *= 10;
      t.micros = static_cast<int>(frac);
    }
    if (t.hour > 23 || t.minute > 59 || t.second > 60) return std::nullopt;
    if (t.second == 60) t.second = 59;
    if (c.Eat('Z') || c.Eat('z')) {
    } else if (c.peek() == '+' || c.peek() == '-') {
      const int sign = c.peek() == '-' ? -1 : 1;
      ++c.i;
      int oh = 0, om = 0;
      if (!c.Digits(2, &oh)) return std::nullopt;
      c.Eat(':');
      if (!c.done() && !c.Digits(2, &om)) return std::nullopt;
      if (oh > 23 || om > 59) return std::nullopt;
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
  }
  if (!c.done()) return std::nullopt;
  return MicrosFromCivil(t) - offset_seconds * kMicrosPerSecond;
}

std::optional<int64_t> EpochToMicros(int64_t value, EpochUnit unit) {
  if (unit == EpochUnit::kAuto) {
    const int64_t mag = value < 0 ? -value : value;
    unit = mag < 100'000'000'000LL          ? EpochUnit::kSeconds
           : mag < 100'000'000'000'000LL    ? EpochUnit::kMillis
           : mag < 100'000'000'000'000'000LL ? EpochUnit::kMicros
                                             : EpochUnit::kNanos;
  }
  int64_t out = 0;
  switch (unit) {
    case EpochUnit::kSeconds:
      if (__builtin_mul_overflow(value, kMicrosPerSecond, &out)) return std::nullopt;
      return out;
    case EpochUnit::kMillis:
      if (__builtin_mul_overflow(value, int64_t{1000}, &out)) return std::nullopt;
      return out;
    case EpochUnit::kMicros: return value;
    case EpochUnit::kNanos: return FloorDiv(value, 1000);
    case EpochUnit::kAuto: break;
  }
  return std::nullopt;
}

std::optional<int64_t> EpochToMicros(double value, EpochUnit unit) {
  if (!std::isfinite(value)) return std::nullopt;
  if (unit == EpochUnit::kAuto) {
    const double mag = std::fabs(value);
    unit = mag < 1e11 ? EpochUnit::kSeconds : mag < 1e14 ? EpochUnit::kMillis : mag < 1e17 ? EpochUnit::kMicros
                                                                                          : EpochUnit::kNanos;
  }
  double micros = value;
  switch (unit) {
    case EpochUnit::kSeconds: micros = value * 1e6; break;
    case EpochUnit::kMillis: micros = value * 1e3; break;
    case EpochUnit::kMicros: break;
    case EpochUnit::kNanos: micros = value / 1e3; break;
    case EpochUnit::kAuto: break;
  }
  if (!(micros > -9.2e18 && micros < 9.2e18)) return std::nullopt;
  return static_cast<int64_t>(std::floor(micros));
}

}  // namespace floe
