// ParquetReader: reads Parquet files written by floe, DuckDB, Arrow, Spark... into columnar batches.
//
// Supported: physical types incl. INT96 (surfaced as int64 timestamp micros); encodings PLAIN,
// PLAIN_DICTIONARY, RLE_DICTIONARY, RLE (levels, booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; data pages v1 and v2; codecs UNCOMPRESSED, SNAPPY, GZIP, ZSTD,
// LZ4_RAW. Not supported (clean kUnsupported errors): encrypted files, BROTLI, LZO, hadoop-framed LZ4,
// the deprecated BIT_PACKED level encoding.
//
// The file is untrusted: sizes are checked against the file and against ReaderOptions before anything is
// allocated or read, so a truncated, lying or hostile file yields a kCorrupt / kLimitExceeded error.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "columnar/column_buffer.h"
#include "common/status.h"
#include "parquet/bloom_filter.h"
#include "parquet/format.h"
#include "parquet/schema_mapping.h"

namespace floe::parquet {

struct ReaderOptions {
  uint64_t max_footer_bytes = 64ull << 20;
  uint64_t max_page_bytes = 256ull << 20;     // uncompressed size of one page
  uint64_t max_page_values = 1ull << 26;      // entries (values + nulls) of one page
  uint64_t max_chunk_bytes = 2ull << 30;      // compressed size of one column chunk
  uint64_t max_row_group_values = 1ull << 30; // entries of one column chunk
};

// Where the reader gets bytes from.
class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly n bytes at offset into out (resized).
  virtual Status ReadAt(uint64_t offset, size_t n, std::string* out) = 0;
};
Result<std::unique_ptr<RandomAccessSource>> OpenFileSource(const std::string& path);
std::unique_ptr<RandomAccessSource> MemorySource(std::string data);

// A row-group filter: column op value. Row groups whose statistics (and Bloom filters, for kEq) prove that
// no row matches are skipped. Values compare in the column's physical type: integers for int columns
// (timestamps in their unit, dates in days), doubles for float columns, raw bytes for byte arrays.
struct Predicate {
  enum class Op { kEq, kNotEq, kLt, kLtEq, kGt, kGtEq, kIsNull, kIsNotNull };
  std::string column;  // dotted leaf path
  Op op = Op::kEq;
  std::variant<std::monostate, bool, int64_t, double, std::string> value;
};

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(std::unique_ptr<RandomAccessSource> source,
                                                     ReaderOptions options = {});
  static Result<std::unique_ptr<ParquetReader>> OpenFile(const std::string& path, ReaderOptions options = {});

  const format::FileMetaData& metadata() const { return metadata_; }
  const columnar::Schema& schema() const { return file_schema_.schema; }
  const FileSchema& file_schema() const { return file_schema_; }
  size_t num_row_groups() const { return metadata_.row_groups.size(); }
  uint64_t file_size() const { return source_->size(); }

  // Restricts reading to these top-level fields (in this order); empty means all.
  Status Project(const std::vector<std::string>& fields);
  const columnar::Schema& projected_schema() const { return projected_; }

  // Indexes of row groups that may hold rows matching every predicate.
  Result<std::vector<size_t>> SelectRowGroups(const std::vector<Predicate>& predicates);

  // Reads the projected leaves of one row group into batch (reset to projected_schema() if needed).
  Status ReadRowGroup(size_t row_group, columnar::ColumnarBatch* batch);

  // Page index and Bloom filter of one column chunk (leaf = index in schema().leaves()); nullopt if absent.
  Result<std::optional<format::ColumnIndex>> ReadColumnIndex(size_t row_group, size_t leaf);
  Result<std::optional<format::OffsetIndex>> ReadOffsetIndex(size_t row_group, size_t leaf);
  Result<std::optional<SplitBlockBloomFilter>> ReadBloomFilter(size_t row_group, size_t leaf);

 private:
  ParquetReader(std::unique_ptr<RandomAccessSource> source, ReaderOptions options)
      : source_(std::move(source)), options_(options) {}
  Status Init();
  Result<bool> MayMatch(size_t row_group, const Predicate& p);

  std::unique_ptr<RandomAccessSource> source_;
  ReaderOptions options_;
  format::FileMetaData metadata_;
  FileSchema file_schema_;
  columnar::Schema projected_;
  std::vector<size_t> projected_leaves_;  // file leaf index per projected leaf
  std::string chunk_buf_;
};

}  // namespace floe::parquet
