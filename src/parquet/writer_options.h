// Settings of one Parquet file writer. The archiver fills them from the central config
// (parquet.codec, parquet.compression.level, parquet.row.group.bytes, parquet.page.bytes,
// parquet.dictionary.max.bytes, parquet.bloom.columns); the rest have defaults that match common Parquet writers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "parquet/dictionary_history.h"
#include "parquet/format.h"

namespace floe::parquet {

struct WriterOptions {
  format::Codec codec = format::Codec::kZstd;
  int compression_level = 1;                 // zstd level (Arrow's default; gzip: 1..9)
  uint64_t row_group_bytes = 128ull << 20;   // compressed bytes per row group before it is closed
  uint64_t page_bytes = 1ull << 20;          // encoded bytes per data page before it is finished
  uint64_t dictionary_max_bytes = 1ull << 20;  // PLAIN size of a column chunk's dictionary before fallback
  bool dictionary = true;
  // Shared by the writers of files of one schema (one entry per leaf, see dictionary_history.h); null, or
  // sized for another schema: every column chunk starts with a dictionary.
  std::shared_ptr<DictionaryHistory> dictionary_history;
  bool data_page_v2 = false;
  // Leaves (dotted path, e.g. "user.id", or a top-level field name for all its leaves) that get a
  // split-block Bloom filter per column chunk.
  std::vector<std::string> bloom_columns;
  double bloom_fpp = 0.01;
  uint32_t bloom_max_bytes = 1u << 20;
  // Byte-array statistics longer than this are truncated (min: prefix; max: prefix rounded up).
  size_t statistics_max_bytes = 64;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;  // e.g. avro.schema, Kafka offsets
  std::string created_by = "floe version 0.1.0";
};

// "none"/"uncompressed", "snappy", "zstd", "gzip", "lz4_raw" (also "lz4", meaning LZ4_RAW).
Result<format::Codec> ParseCodec(std::string_view name);

}  // namespace floe::parquet
