// Text renderings of Parquet values shared by `floe parquet cat` (JSON lines) and `inspect` (statistics).
// Conventions (docs/PARQUET_TYPES.md): dates "YYYY-MM-DD"; times "HH:MM:SS.fff" / ".ffffff"; timestamps
// RFC 3339 with "Z" when UTC-adjusted, none when local; decimals exact strings; UUIDs canonical lowercase;
// plain binary base64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace floe::parquet {

std::string FormatDate(int64_t days);
std::string FormatTime(int64_t value, bool micros);
std::string FormatTimestamp(int64_t value, bool micros, bool utc);
// Unscaled big-endian two's complement of any length.
std::string FormatDecimalBytes(std::string_view be, int32_t scale);
std::string FormatDecimal(int64_t unscaled, int32_t scale);
std::string FormatUuid(std::string_view bytes16);
std::string Base64(std::string_view bytes);

}  // namespace floe::parquet
