// UTC calendar arithmetic and timestamp parsing shared by the archiver, catalog and tools.
// Everything here is UTC; floe never consults the local time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace floe {

struct CivilTime {
  int year;
  int month;   // 1..12
  int day;     // 1..31
  int hour;    // 0..23
  int minute;  // 0..59
  int second;  // 0..59 (a leap second 60 is folded into 59)
  int micros;  // 0..999999
};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int year, int month, int day);
CivilTime CivilFromMicros(int64_t epoch_micros);
int64_t MicrosFromCivil(const CivilTime& t);

// "YYYY-MM-DD" and "HH" of an instant, UTC.
std::string UtcDate(int64_t epoch_micros);
std::string UtcHour(int64_t epoch_micros);
// "YYYY-MM-DDTHH:MM:SS.ffffffZ".
std::string FormatRfc3339Micros(int64_t epoch_micros);

// Parses RFC 3339 / ISO 8601 date-times: "2024-05-01T12:00:00Z", "2024-05-01 12:00:00.123+02:00",
// "2024-05-01T12:00:00" (no offset: taken as UTC), "2024-05-01" (midnight UTC), "20240501T120000Z".
// Returns microseconds since the epoch, or nullopt when the text is not such a date-time.
std::optional<int64_t> ParseIso8601Micros(std::string_view text);

enum class EpochUnit { kAuto, kSeconds, kMillis, kMicros, kNanos };
// Converts an epoch number to microseconds. kAuto picks the unit by magnitude: a value below 1e11 is seconds
// (until year 5138), below 1e14 millis, below 1e17 micros, else nanos. Returns nullopt on overflow.
std::optional<int64_t> EpochToMicros(double value, EpochUnit unit);
std::optional<int64_t> EpochToMicros(int64_t value, EpochUnit unit);

}  // namespace floe
