// ParquetFormat: the archiver's Parquet output, over floe's own writer (src/parquet).
//
// Each file takes its schema from its first record's columns (the decoder's columnar schema plus the Kafka
// metadata columns); every later record of the file has the same schema, because a file holds one schema
// version (the `v=` directory).
//
// Batching: a writer append has a fixed cost over all columns (budget bookkeeping, page checks), so records
// are not handed over one by one. Each open file gathers its records in its own ColumnarBatch (decoded there
// directly when the decoder was given it, InPlaceBatch(); copied there from the decoder's row otherwise) and
// appends it to the Parquet writer every kBatchRows rows or kBatchBytes bytes, and before Finish() writes the file;
// the file's rows, offsets and boundaries are unaffected. The batches of all this format's open files are
// bounded by a share of the memory budget the format reserves up front (kPendingShare of the writers' limit,
// at most kPendingMaxBytes): past it, every waiting batch is handed over and its buffers freed. Batches the
// budget refuses keep waiting; they are offered again only once the budget has freed as much as the share
// (each offer costs a refusal per file, thousands with thousands of open files), and past twice the share
// appends are refused (kMemoryPressure: the archiver pauses the partition and seals files) rather than let
// the batches grow. While the budget is under pressure nothing waits: each record is handed over at once, so
// sealing a file to give memory back needs none.
//
// Memory: finished pages spill to the spool directory; all writers share one MemoryBudget, so RAM stays
// bounded however many files are open. When the budget refuses an append, the writer first finishes its
// own pages early (smaller pages) and retries; then it finishes the pages of this format's other open files,
// largest first (files of other hours that receive no records would otherwise keep their share forever),
// retrying after each; only when nothing is left to flush is the refusal returned
// (ParquetError::kMemoryPressure, retryable, the record not taken). All writers of one ParquetFormat must be
// used from one thread (the archiver's loop).
//
// Encoding threads (parquet.encode.threads, WorkerThreads): a full batch is encoded and its pages compressed
// on one of them while the caller decodes on; each file has at most one batch in flight, so its rows reach
// the writer in order. The next batch goes on filling while the previous one is encoded (up to 4 batches'
// worth before it waits). Batches in flight are counted apart from the waiting ones and, since they were
// waiting within the limit when handed over, take at most as much again: the format reserves twice its
// share. A batch the budget refuses in the background comes back and waits, ahead of any later row, to be
// handed over on the caller's thread with the relief above; any other failure there breaks the file (its
// later appends and Finish fail with it). Anything that needs the file's writer (Finish, relief of other
// files) first waits for its batch in flight. PrepareFinish ends the file's row group in the background, so
// sealing many files (shutdown, revocation) compresses their last pages on the encoding threads while the
// caller copies out the files already done.
//
// Dictionaries: the files of one schema share a parquet::DictionaryHistory, so columns whose values are mostly
// distinct (ids, prices, coordinates) stop building a dictionary in every file only to drop it.
//
// Footer key/value metadata of every file: `avro.schema` (when the decoder has a writer schema),
// `kafka.topic`, `kafka.partition`, `kafka.offset.first`, `kafka.offset.last` (of the rows in the file) and
// `floe.business_time.min` / `floe.business_time.max` (UTC microseconds since the epoch, decimal), which
// `floe catalog rebuild` reads back.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "archive/record.h"
#include "parquet/memory_budget.h"
#include "parquet/writer_options.h"

namespace floe {
class WorkerThreads;
}

namespace floe::archive {

class ParquetWriterSet;  // parquet_format.cc

class ParquetFormat final : public FileFormat {
 public:
  static constexpr size_t kBatchRows = 256;
  static constexpr size_t kBatchBytes = 32 << 10;
  static constexpr double kPendingShare = 1.0 / 16;
  static constexpr size_t kPendingMaxBytes = 16 << 20;
  static constexpr size_t kMaxHistories = 4096;

  // encoders: threads that encode and compress full batches while the caller decodes on (null: all on the
  // caller's thread). They must outlive every writer this format opens.
  ParquetFormat(parquet::WriterOptions options, std::string spool_dir, parquet::MemoryBudget* budget,
                WorkerThreads* encoders = nullptr);
  ~ParquetFormat() override;
  std::string_view extension() const override { return "parquet"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override;

  // Bytes the open files' batches hold (buffer capacity), and the most they may hold; bytes of the batches
  // being encoded in the background (at most pending_limit() more); for tests.
  size_t pending_bytes() const;
  size_t pending_limit() const;
  size_t in_flight_bytes() const;
  // Column chunks started without a dictionary because earlier files of their schema dropped it
  // (parquet/dictionary_history.h).
  uint64_t dictionaries_skipped() const;

 private:
  parquet::WriterOptions options_;
  std::string spool_dir_;
  parquet::MemoryBudget* budget_;
  // Per schema (leaf paths and types): what its files' column chunks learned about their dictionaries.
  std::unordered_map<std::string, std::shared_ptr<parquet::DictionaryHistory>> histories_;
  // This format's open writers and their batches' reservation (shared with the writers: a writer may outlive
  // the format at shutdown).
  std::shared_ptr<ParquetWriterSet> set_;
};

}  // namespace floe::archive
