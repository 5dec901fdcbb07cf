// Library side of `floe parquet inspect` and `floe parquet cat` (the CLI module wires the commands).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"
#include "parquet/file_reader.h"

namespace floe::parquet {

// Schema (Parquet and floe views), row groups, column chunks (type, codec, encodings, sizes, page counts,
// statistics, Bloom filter and page-index presence) and key/value metadata, as readable text.
Status InspectParquet(const std::string& path, std::ostream& out);

struct CatOptions {
  std::vector<std::string> columns;     // top-level fields to print; empty = all
  std::vector<Predicate> where;         // row groups that cannot match are skipped (rows are not filtered)
  uint64_t limit = UINT64_MAX;          // rows
};

// Rows as JSON lines (one object per row, fields in schema order; see docs/PARQUET_TYPES.md for renderings).
Status CatParquet(const std::string& path, std::ostream& out, const CatOptions& options = {});

}  // namespace floe::parquet
