// The Parquet module's error enum: every failure raised by the writer, the reader and the tools.
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::parquet {

enum class ParquetError {
  kCorrupt,        // the file contradicts the format (bad magic, lying lengths, malformed thrift, bad encoding)
  kUnsupported,    // valid Parquet that floe does not read (e.g. BROTLI, LZO, encrypted footers)
  kLimitExceeded,  // a size claimed by the file exceeds the reader's configured bound
  kSchema,         // a schema floe cannot map (writer input or file schema)
  kIo,             // spool or source file I/O
  kInvalidArgument,
  kMemoryPressure,  // the MemoryBudget cannot take this append now; nothing was consumed, retry after pausing
};

}  // namespace floe::parquet

template <>
struct floe::ErrorTraits<floe::parquet::ParquetError> {
  static std::string_view Domain() { return "parquet"; }
  static std::string_view Name(floe::parquet::ParquetError e) {
    switch (e) {
      case floe::parquet::ParquetError::kCorrupt: return "corrupt";
      case floe::parquet::ParquetError::kUnsupported: return "unsupported";
      case floe::parquet::ParquetError::kLimitExceeded: return "limit_exceeded";
      case floe::parquet::ParquetError::kSchema: return "schema";
      case floe::parquet::ParquetError::kIo: return "io";
      case floe::parquet::ParquetError::kInvalidArgument: return "invalid_argument";
      case floe::parquet::ParquetError::kMemoryPressure: return "memory_pressure";
    }
    return "unknown";
  }
  // Disk trouble on the spool and memory pressure may clear; a corrupt file stays corrupt.
  static bool DefaultRetryable(floe::parquet::ParquetError e) {
    return e == floe::parquet::ParquetError::kIo || e == floe::parquet::ParquetError::kMemoryPressure;
  }
};

namespace floe::parquet {
inline Status Corrupt(std::string message) { return Error(ParquetError::kCorrupt, std::move(message)); }
}  // namespace floe::parquet
