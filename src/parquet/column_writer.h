// Column writers: one leaf column's pages within the current row group (column chunk).
//
// One writer class per physical type family (numeric, byte arrays, booleans) with its own state, in the
// spirit of DuckDB's parquet writer: levels and the unfinished page are buffered; a finished page is encoded
// (RLE levels; RLE_DICTIONARY, PLAIN or DELTA_BINARY_PACKED values), compressed and handed to a PageSink
// (the file writer's spool) at once, so only the unfinished page and the chunk's dictionary stay in memory.
//
// Encoding policy per chunk: start with a dictionary; fall back to PLAIN (int32/int64: DELTA_BINARY_PACKED
// when it is smaller) when the dictionary's PLAIN size passes dictionary_max_bytes, or already at the first
// page when most values are distinct (a dictionary would cost more than it saves). Pages end on record
// boundaries so the OffsetIndex and v2 pages are valid.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column_buffer.h"
#include "common/status.h"
#include "parquet/format.h"
#include "parquet/writer_options.h"

namespace floe::parquet {

// Receives finished pages and blobs; returns where they were put (an offset in the writer's spool).
class PageSink {
 public:
  virtual ~PageSink() = default;
  virtual Result<uint64_t> Append(std::string_view a, std::string_view b) = 0;
};

struct SpoolRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// A finished column chunk, waiting for file assembly (offsets are relative until then).
struct FinishedChunk {
  format::ColumnMetaData meta;
  std::optional<SpoolRange> dictionary_page;
  std::vector<SpoolRange> data_pages;
  std::vector<int64_t> page_first_rows;
  std::optional<std::string> column_index;  // serialized ColumnIndex
  std::optional<SpoolRange> bloom_filter;   // serialized header + bitset
};

class ColumnWriter {
 public:
  static std::unique_ptr<ColumnWriter> Make(const columnar::LeafColumn& leaf, const WriterOptions& options,
                                            PageSink* sink, bool bloom_filter);
  virtual ~ColumnWriter() = default;

  // Consumes every entry of buf (levels and values); the caller clears buf afterwards.
  Status Write(const columnar::ColumnBuffer& buf);
  // Finishes the unfinished page, if any. With release, also returns the page buffers' memory.
  Status FlushPage(bool release = false);
  // Ends the dictionary of this chunk early (writes the dictionary page, continues PLAIN): frees its memory.
  virtual Status DropDictionary() { return Status::Ok(); }
  Result<FinishedChunk> FinishChunk();

  // Bytes held in memory (buffer capacities, dictionary, Bloom hashes).
  size_t memory_bytes() const;
  // Compressed bytes of the chunk so far plus the unfinished page and dictionary, for row-group sizing.
  uint64_t estimated_chunk_bytes() const;
  uint64_t chunk_rows() const { return chunk_rows_; }

 protected:
  ColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& options, PageSink* sink, bool bloom);

  // Appends values [begin, end) of buf to the unfinished page (and statistics, dictionary, Bloom hashes).
  virtual void AppendValues(const columnar::ColumnBuffer& buf, size_t begin, size_t end) = 0;
  // Encoded size estimate of the unfinished page's values.
  virtual size_t PageValueBytes() const = 0;
  // Encodes the page's values to out, fills the page's min/max (PLAIN) and resets the page's values.
  struct PageStats {
    bool has_min_max = false;
    std::string min, max;
    bool exact = true;
    bool index_valid = true;  // false: no ColumnIndex can be written for this chunk (undefined order, all-NaN)
  };
  virtual Status EncodeValues(std::string* out, format::Encoding* encoding, PageStats* stats) = 0;
  // Chunk end: the dictionary page (when pages used one) and the chunk statistics.
  virtual Status WriteDictionaryPage(std::optional<SpoolRange>* where) = 0;
  virtual void ChunkStatistics(format::Statistics* stats) = 0;
  virtual void ResetChunk() = 0;
  virtual size_t ValueMemoryBytes() const = 0;
  virtual void ReleaseValueMemory() = 0;
  virtual uint64_t DictionaryBytes() const { return 0; }
  // After each slice of values: lets the writer fall back from its dictionary between pages.
  virtual Status AfterSlice() { return Status::Ok(); }
  // Bloom filter of the chunk, if enabled.
  virtual std::optional<std::string> BuildBloomFilter() { return std::nullopt; }

  Status WritePageBytes(format::PageHeader& header, std::string_view body, std::optional<SpoolRange>* where);
  void NoteEncoding(format::Encoding e);
  void NotePageEncoding(format::PageType type, format::Encoding e);

  const columnar::LeafColumn& leaf_;
  const columnar::Node& node_;
  const WriterOptions& options_;
  PageSink* sink_;
  const bool bloom_;

  // Unfinished page.
  std::vector<int16_t> def_;
  std::vector<int16_t> rep_;
  size_t page_entries_ = 0;
  size_t page_values_ = 0;
  size_t page_rows_ = 0;

  // Chunk.
  uint64_t chunk_rows_ = 0;
  int64_t chunk_entries_ = 0;
  int64_t chunk_nulls_ = 0;
  int64_t chunk_uncompressed_ = 0;
  int64_t chunk_compressed_ = 0;
  std::vector<format::Encoding> encodings_;
  std::vector<format::PageEncodingStats> encoding_stats_;
  std::vector<SpoolRange> pages_;
  std::vector<int64_t> page_first_rows_;
  format::ColumnIndex index_;
  bool index_valid_ = true;
};

}  // namespace floe::parquet
