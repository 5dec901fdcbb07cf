// ParquetFileWriter: the file-format-writer facade the archiver uses for one output file.
//
//   auto w = ParquetFileWriter::Open(schema, options, "/var/spool/floe", budget);
//   w->Append(batch);            // drains the batch (batch.Clear()); repeat
//   auto stats = w->Close(sink); // writes the whole file to the sink
//
// Bounded memory: only each column's unfinished page (and chunk dictionary, Bloom hashes) stays in RAM.
// Finished pages are compressed and appended at once to a scratch file in the spool dir (created and
// unlinked on Open, so nothing is left behind after a crash); Close() assembles the final file from it with
// each row group's column chunks contiguous, then the Bloom filters, ColumnIndex, OffsetIndex and footer.
// Row groups therefore reach row_group_bytes whatever the memory budget. Each page's ColumnIndex/OffsetIndex
// entry is spilled behind the page (column_writer.h), so what an open writer holds is its unfinished pages,
// dictionaries and Bloom hashes, plus a fixed part (writer objects, options; the schema is shared) and a few
// hundred bytes of metadata per finished column chunk; buffered_bytes() counts all of it.
//
// Memory budget contract (all writers of a process share one MemoryBudget, see memory_budget.h):
// - Open() reserves the fixed part; Append() reserves the batch's size before consuming it.
// - When a reservation is refused, the writer finishes its own unfinished pages early, largest first, but
//   only pages holding at least kMinEarlyPageBytes (so early flushes never make tiny pages; a budget too
//   small for that per column lowers this floor to fair share / (4 x columns)), then ends its
//   dictionaries, largest first (which finishes that column's page whatever its size: at most once per
//   column chunk, since the chunk continues PLAIN).
// - If that still is not enough, Append() (or Open()) fails with ParquetError::kMemoryPressure (retryable)
//   and consumes nothing: the caller pauses consumption and retries the same batch later (other writers give
//   memory back as they append or close), or calls FlushPages() to accept small pages, or closes files.
// - Under pressure, a writer holding more than its fair share after an append shrinks itself to half of it.
// - Append() reserves the batch's size plus one capacity doubling of every buffer it may grow, and gives
//   back what was not used afterwards, so buffers never outgrow the reservation (if one did, the excess is
//   taken with ForceReserve and shows in MemoryBudget::forced_bytes()).
// Close() holds one column chunk's page entries (≈ page count × (40 B + 2 × min/max size)) at a time.
//
// Failures: a batch that does not match the schema is refused and the writer stays usable. Any other failure
// after an append has begun (a spool write, ENOSPC) may leave some columns with rows that others lack, so it
// fails the writer: every later Append, FlushPages, EndRowGroup and Close returns that same error, and the
// file must be abandoned (never a file with rows missing from some columns).
//
// Not thread-safe: one writer is used by one thread at a time.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "columnar/column_buffer.h"
#include "common/byte_sink.h"
#include "common/status.h"
#include "parquet/format.h"
#include "parquet/memory_budget.h"
#include "parquet/writer_options.h"

namespace floe::parquet {

// What Close() reports, for the catalog: per leaf, min/max as PLAIN-encoded bytes in the column's sort
// order (statistics.h renders and compares them) and counts.
struct ColumnFileStats {
  std::string path;  // dotted leaf path
  const columnar::LeafColumn* leaf = nullptr;
  std::optional<std::string> min;
  std::optional<std::string> max;
  int64_t null_count = 0;
  int64_t num_values = 0;  // entries including nulls
  int64_t compressed_bytes = 0;
};

struct FileStats {
  uint64_t rows = 0;
  uint64_t bytes = 0;  // file size
  uint32_t row_groups = 0;
  std::vector<ColumnFileStats> columns;
};

class ParquetFileWriter {
 public:
  // budget may be shared by many writers and must outlive this one; nullptr means unlimited.
  static Result<std::unique_ptr<ParquetFileWriter>> Open(columnar::Schema schema, WriterOptions options,
                                                         const std::string& spool_dir, MemoryBudget* budget);
  ~ParquetFileWriter();
  ParquetFileWriter(const ParquetFileWriter&) = delete;
  ParquetFileWriter& operator=(const ParquetFileWriter&) = delete;

  // Consumes all records of batch (whose schema must have this writer's leaves) and clears it; or fails with
  // kMemoryPressure and leaves it untouched (see the contract above).
  Status Append(columnar::ColumnarBatch& batch);
  // Pages are finished early under memory pressure only once their buffers hold this much (less when the
  // budget's fair share per writer is under 4 x this per column: fair share / (4 x columns)).
  static constexpr size_t kMinEarlyPageBytes = 8 << 10;

  // Finishes every unfinished page now (however small) and returns their buffers' memory to the budget.
  Status FlushPages();
  // Ends the current row group now (its last pages and dictionaries compressed into the spool), as Close()
  // would: the file comes out the same, and Close() has only the footer left to build besides the copy.
  // Nothing to do when the group is empty.
  Status EndRowGroup();
  // Adds a footer key/value pair, for values known only when the file ends (e.g. the Kafka offsets it
  // holds). Call right before Close(): the pair is not counted in buffered_bytes().
  void AddKeyValueMetadata(std::string key, std::string value) {
    options_.key_value_metadata.emplace_back(std::move(key), std::move(value));
  }
  // Writes the file to sink (which the caller then syncs/closes) and releases the spool. The writer cannot
  // be used afterwards.
  Result<FileStats> Close(ByteSink& sink);

  const columnar::Schema& schema() const { return schema_; }
  uint64_t rows() const { return rows_; }
  // Bytes this writer holds in memory, fixed part included (its reservation tracks this). Walks every column.
  size_t buffered_bytes() const;
  // What this writer has reserved from its budget (0 without one): buffered_bytes() as of the end of its last
  // operation. O(1) and safe to read from any thread, also while another one runs an operation, so callers
  // ranking thousands of writers by memory (whom to flush first) need not measure or wait for each.
  uint64_t reserved_bytes() const { return reserved_.load(std::memory_order_relaxed); }
  // Compressed bytes written to the spool so far (about the file size so far).
  uint64_t spooled_bytes() const;

 private:
  class Spool;
  struct RowGroupParts;
  ParquetFileWriter(columnar::Schema schema, WriterOptions options, MemoryBudget* budget);
  Status FinishRowGroup();
  // Close's work: assembles the file from the spool into sink.
  Result<FileStats> WriteFile(ByteSink& sink);
  // The body of Append once the batch is known to fit the schema.
  Status Consume(columnar::ColumnarBatch& batch);
  // Passes st through; a failure other than kMemoryPressure (which writes nothing) fails the writer.
  Status Failing(Status st);
  // Writes the pages the operation staged (see Spool), whatever st: every public operation ends with it.
  // Returns st, or the write's failure, which fails the writer.
  Status WithSpoolWritten(Status st);
  uint64_t EstimatedRowGroupBytes() const;
  // Brings the reservation to the writer's current memory plus `upcoming`, shrinking itself if refused;
  // kMemoryPressure when it cannot.
  Status Reserve(size_t upcoming);
  // Tries to reserve up to buffered_bytes() + upcoming; false when the budget refuses.
  bool Grow(uint64_t upcoming);
  // Finishes the largest unfinished pages until the writer holds at most target bytes (or nothing is left).
  Status ShrinkTo(uint64_t target);
  void TrueUp();

  columnar::Schema schema_;
  WriterOptions options_;
  MemoryBudget* budget_;
  std::atomic<uint64_t> reserved_{0};  // written by the thread running an operation only
  size_t fixed_bytes_ = 0;     // see Open()
  size_t finished_bytes_ = 0;  // FinishedChunk::memory_bytes() of row_groups_
  std::unique_ptr<Spool> spool_;
  std::vector<std::unique_ptr<class ColumnWriter>> columns_;
  std::vector<RowGroupParts> row_groups_;
  uint64_t rows_ = 0;
  Status failed_;  // see Failures above
  uint64_t row_group_rows_ = 0;
  bool closed_ = false;
};

}  // namespace floe::parquet
