// Column writers: one leaf column's pages within the current row group (column chunk).
//
// One writer class per physical type family (numeric, byte arrays, booleans) with its own state, in the
// spirit of DuckDB's parquet writer: levels and the unfinished page are buffered; a finished page is encoded
// (RLE levels; RLE_DICTIONARY, PLAIN or DELTA_BINARY_PACKED values), compressed and handed to a PageSink
// (the file writer's spool) at once, so only the unfinished page and the chunk's dictionary stay in memory.
//
// Page index without RAM: each data page's ColumnIndex/OffsetIndex entry (length, first row, null count,
// min/max) is written to the sink right behind the page, in the same write, and links back to the previous
// entry of its chunk. A column keeps only the newest entry's location (PageLog), so its memory does not grow
// with the number of pages; the file writer reads the chain back at Close (ReadPageLog).
//
// Encoding policy per chunk: start with a dictionary; fall back to PLAIN (int32/int64: DELTA_BINARY_PACKED
// when it is smaller) when the dictionary's PLAIN size passes dictionary_max_bytes, or already at the first
// page when most values are distinct (a dictionary would cost more than it saves); with a DictionaryHistory,
// a column that did the latter in earlier files of its schema starts PLAIN. Pages end on record
// boundaries so the OffsetIndex and v2 pages are valid.
//
// Compression policy per column: data pages are compressed with the chunk's codec until one saves less than
// 1/32 of its size; then the following pages are written in the codec's stored form (ZSTD raw blocks, a
// copy) for a run that doubles while the codec keeps failing (CompressPageValues).
//
// Dictionary lookups are the per-value cost: byte arrays are looked up by a cheap word-wise hash kept in
// the table (XXH64 is computed only for Bloom filters); numeric dictionaries build their hash table only
// once a value arrives below the last entry (offsets and timestamps in arrival order never need one).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/column_buffer.h"
#include "common/status.h"
#include "parquet/dictionary_history.h"
#include "parquet/format.h"
#include "parquet/writer_options.h"

namespace floe::parquet {

struct SpoolRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Receives finished pages and blobs (appended contiguously, in order); returns where the first part was put
// (an offset in the writer's spool), and reads them back.
class PageSink {
 public:
  virtual ~PageSink() = default;
  virtual Result<uint64_t> Append(std::span<const std::string_view> parts) = 0;
  virtual Status Read(const SpoolRange& r, std::string* out) = 0;
};

// Where a chunk's chain of page entries ends (see the header comment).
struct PageLog {
  SpoolRange last;  // the newest entry
  uint32_t pages = 0;
};

// One data page as the page index describes it.
struct PageEntry {
  SpoolRange page;  // page header + body in the sink
  int64_t first_row = 0;
  int64_t null_count = 0;
  bool null_page = false;  // only nulls: min/max empty
  std::string min, max;    // PLAIN, possibly truncated
};

// A chunk's page entries in page order. Memory: one PageEntry per page, only while the caller needs them.
Result<std::vector<PageEntry>> ReadPageLog(PageSink& sink, const PageLog& log);
// The ColumnIndex of a chunk of `node` over its page entries (boundary order derived from them).
format::ColumnIndex BuildColumnIndex(const columnar::Node& node, const std::vector<PageEntry>& pages);

// A finished column chunk, waiting for file assembly (offsets are relative until then).
struct FinishedChunk {
  format::ColumnMetaData meta;
  std::optional<SpoolRange> dictionary_page;
  PageLog pages;
  bool column_index = false;               // whether a ColumnIndex can be written (BuildColumnIndex)
  std::optional<SpoolRange> bloom_filter;  // serialized header + bitset

  // Heap and object bytes held while the chunk waits for Close, for the memory budget.
  size_t memory_bytes() const;
};

class ColumnWriter {
 public:
  // history: what earlier chunks of this leaf (in files of the same schema) learned about its dictionary,
  // shared with their writers; null: every chunk starts with a dictionary.
  static std::unique_ptr<ColumnWriter> Make(const columnar::LeafColumn& leaf, const WriterOptions& options,
                                            PageSink* sink, bool bloom_filter,
                                            DictionaryHistory::Column* history = nullptr);
  virtual ~ColumnWriter() = default;

  // Consumes every entry of buf (levels and values); the caller clears buf afterwards.
  Status Write(const columnar::ColumnBuffer& buf);
  // Finishes the unfinished page, if any. With release, also returns the page buffers' memory.
  Status FlushPage(bool release = false);
  // Ends the dictionary of this chunk early (finishes the unfinished page, writes the dictionary page,
  // continues PLAIN): frees its memory. (Expanding the unfinished page to PLAIN instead would grow it.)
  virtual Status DropDictionary() { return Status::Ok(); }
  Result<FinishedChunk> FinishChunk();

  // Bytes held in memory: this object, buffer capacities, dictionary, Bloom hashes.
  size_t memory_bytes() const;
  // Bytes of the unfinished page's buffers (levels and values, not the dictionary): what finishing it frees.
  size_t page_memory_bytes() const;
  // Buffers that may grow by one capacity doubling on the next Write (page, dictionary, Bloom hashes).
  size_t growable_bytes() const { return page_memory_bytes() + ChunkMemoryBytes(); }
  // PLAIN size of the chunk's dictionary while it is in use (0 once it ended): what DropDictionary frees.
  uint64_t dictionary_memory_bytes() const { return DictionaryBytes(); }
  // Compressed bytes of the chunk so far plus the unfinished page and dictionary, for row-group sizing.
  uint64_t estimated_chunk_bytes() const;
  uint64_t chunk_rows() const { return chunk_rows_; }

 protected:
  ColumnWriter(const columnar::LeafColumn& leaf, const WriterOptions& options, PageSink* sink, bool bloom,
               DictionaryHistory::Column* history);
  // At a chunk's first values, when its history says so: the chunk goes without a dictionary.
  virtual void StartPlain() {}
  // When a chunk that began with a dictionary encodes its first page of values: used it, or dropped it
  // because most values were distinct (pages too small to tell are not reported).
  void FirstDictionaryPage(bool dropped_as_distinct) const;

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
  // Unfinished page's value buffers; everything else the subclass holds beyond sizeof(*this).
  virtual size_t PageValueMemoryBytes() const = 0;
  virtual size_t ChunkMemoryBytes() const = 0;
  virtual void ReleaseValueMemory() = 0;
  virtual uint64_t DictionaryBytes() const { return 0; }
  // After each slice of values: lets the writer fall back from its dictionary between pages.
  virtual Status AfterSlice() { return Status::Ok(); }
  // Bloom filter of the chunk, if enabled.
  virtual std::optional<std::string> BuildBloomFilter() { return std::nullopt; }

  // Appends header + body; returns the page's range. A data page is followed, in the same write, by its
  // entry (entry_, which this completes with the page length) and becomes the chunk's newest entry.
  Result<SpoolRange> WritePageBytes(const format::PageHeader& header, std::string_view body, bool data_page);
  void NoteEncoding(format::Encoding e);
  // Appends the page's values compressed with the chunk's codec, or in the codec's stored form while recent
  // pages of this column did not shrink (see AppendStored).
  Status CompressPageValues(const uint8_t* data, size_t size, std::string* out);
  void NotePageEncoding(format::PageType type, format::Encoding e);

  const columnar::LeafColumn& leaf_;
  const columnar::Node& node_;
  const WriterOptions& options_;
  PageSink* sink_;
  const bool bloom_;
  DictionaryHistory::Column* const history_;
  size_t object_bytes_ = 0;  // sizeof the concrete writer, set by Make

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
  PageLog page_log_;
  std::string entry_;  // the page entry being written (reused)
  bool index_valid_ = true;
  bool chunk_started_ = false;  // the chunk has had values (its dictionary decided)
  uint8_t failed_compressions_ = 0;  // consecutive compressed pages that did not shrink
  uint8_t stored_pages_ahead_ = 0;   // pages to store before the codec is tried again
};

}  // namespace floe::parquet
