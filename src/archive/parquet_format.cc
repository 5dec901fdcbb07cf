#include "archive/parquet_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <vector>

#include "archive/archive_error.h"
#include "parquet/errors.h"
#include "parquet/file_writer.h"
#include "common/worker_threads.h"

namespace floe::archive {

class BatchingParquetWriter;

// The open writers of one ParquetFormat and the reservation their waiting batches live in.
class ParquetWriterSet {
 public:
  ParquetWriterSet(parquet::MemoryBudget* budget, WorkerThreads* encoders) : encoders(encoders), budget_(budget) {
    const size_t want =
        budget ? std::min(ParquetFormat::kPendingMaxBytes,
                          static_cast<size_t>(static_cast<double>(budget->writer_limit()) * ParquetFormat::kPendingShare))
               : ParquetFormat::kPendingMaxBytes;
    // Batches being encoded in the background are as much again (see in_flight).
    reserved_ = encoders ? 2 * want : want;
    // A budget too small to spare the share: every record is handed over at once.
    if (!budget || (want > 0 && budget->TryReserve(reserved_))) {
      limit_ = want;
    } else {
      reserved_ = 0;
    }
  }
  ~ParquetWriterSet() {
    if (budget_ && reserved_ > 0) budget_->Release(reserved_);
  }
  ParquetWriterSet(const ParquetWriterSet&) = delete;
  ParquetWriterSet& operator=(const ParquetWriterSet&) = delete;

  bool under_pressure() const { return budget_ && budget_->under_pressure(); }
  // Hands every waiting batch over to its writer and frees the batches (a refused one keeps waiting).
  void HandOverAll();
  // HandOverAll when the waiting batches are past limit(), unless the last pass was refused too much to get
  // under it and the budget has not freed limit() bytes since: with thousands of open files such a pass is
  // refused again file by file, and repeating it on every append made the archiver spend most of its time
  // measuring writers that cannot take a row.
  void DrainIfOverLimit();
  // True while the waiting batches stay past twice limit() because the budget refuses them: appends are
  // refused then (the archiver pauses partitions and seals their files), so the batches do not keep growing.
  bool overfull() const { return drain_refused_at_used_ && pending > 2 * limit(); }
  // The writers other than `except`, those holding the most of the budget first: whose pages to finish when
  // the budget refuses (by their reservation: measuring thousands of files, or waiting for their encoding
  // jobs, on every refusal costs more than the order is worth).
  std::vector<BatchingParquetWriter*> ByReservation(const BatchingParquetWriter* except) const;

  std::vector<BatchingParquetWriter*> writers;
  WorkerThreads* encoders;  // null: every append runs on the caller's thread
  size_t pending = 0;       // memory of the writers' batches, except those being encoded
  // Memory of the batches being encoded (lowered by each job as it ends): a batch is handed to an encoding
  // thread only while this stays within limit() (or nothing else is in flight), so waiting and encoding
  // batches together stay within twice the limit.
  std::atomic<size_t> in_flight{0};
  size_t limit() const { return limit_; }
  bool drained_for_pressure = false;  // HandOverAll ran since the budget came under pressure

 private:
  // The budget's use when a DrainIfOverLimit pass left the batches past limit(); unset when it got under.
  std::optional<uint64_t> drain_refused_at_used_;
  parquet::MemoryBudget* budget_;
  size_t limit_ = 0;
  size_t reserved_ = 0;
};

namespace {

// What a batch of `schema` costs besides its buffers' capacities (Measure): one buffer object per leaf. (The
// schema, leaf list included, is shared with the file's writer.)
size_t BatchFixedBytes(const columnar::Schema& schema) {
  return sizeof(columnar::ColumnarBatch) + schema.num_leaves() * sizeof(columnar::ColumnBuffer);
}

}  // namespace

class BatchingParquetWriter final : public FileFormatWriter {
 public:
  BatchingParquetWriter(std::unique_ptr<parquet::ParquetFileWriter> writer, std::unique_ptr<ByteSink> sink,
                        std::shared_ptr<ParquetWriterSet> set)
      : writer_(std::move(writer)),
        sink_(std::move(sink)),
        set_(std::move(set)),
        batch_fixed_bytes_(BatchFixedBytes(writer_->schema())) {
    set_->writers.push_back(this);
  }
  ~BatchingParquetWriter() override {
    Settle();  // a job still encoding holds writer_
    set_->pending -= batch_memory_ + spare_memory_ + returned_memory_;
    std::erase(set_->writers, this);
  }

  Status Append(const RecordContext& context, DecodedRecord& record) override {
    if (!record.columns)
      return Error(ArchiveError::kConfig, "the connector's decoder does not produce columns for Parquet");
    const bool pressure = set_->under_pressure();
    // Without encoding threads nothing waits while memory is short: each record is handed over at once.
    const bool direct = set_->limit() == 0 || (pressure && !set_->encoders);
    // A record decoded into batch_ is taken where it is, unless batch_ is about to be handed over whole (the
    // first append under memory pressure drains every file's batch; direct appends) or the file is broken:
    // then it travels as a row of its own, as any other.
    const bool in_place = record.in_place && batch_ && record.columns == &*batch_;
    if (record.in_place &&
        (!in_place || direct || (pressure && !set_->drained_for_pressure) || !broken_.ok()))
      MoveInPlaceRecordToOwnBatch(record);
    columnar::ColumnarBatch& row = *record.columns;
    if (row.num_columns() != writer_->schema().num_leaves())
      return Error(parquet::ParquetError::kSchema, "record has " + std::to_string(row.num_columns()) +
                                                       " columns, the file " +
                                                       std::to_string(writer_->schema().num_leaves()));
    if (!broken_.ok()) return broken_;
    if (pressure) {
      if (!set_->drained_for_pressure) {
        set_->drained_for_pressure = true;
        set_->HandOverAll();
      }
    } else {
      set_->drained_for_pressure = false;
    }
    if (set_->overfull()) {
      if (record.in_place) MoveInPlaceRecordToOwnBatch(record);
      return Error(parquet::ParquetError::kMemoryPressure,
                   "the open files' waiting rows (" + std::to_string(set_->pending) +
                       " bytes) are past their share and the memory budget takes none: pause and retry");
    }
    if (direct) {
      Settle();
      if (!broken_.ok()) return broken_;
      FLOE_RETURN_IF_ERROR(HandOverReturned(/*relieve_others=*/true));
    }
    if (direct && (!batch_ || batch_->num_records() == 0)) {
      // The decoder's row goes straight to the writer.
      FLOE_RETURN_IF_ERROR(HandOver(row, /*relieve_others=*/true));
    } else {
      // A record still in place is in batch_ already (and `direct` is false then: no pressure, a limit).
      if (!record.in_place) {
        if (!batch_) batch_.emplace(writer_->schema());
        batch_->SetMark(mark_);
        batch_->AppendRecordsFrom(row);
      }
      const size_t size = Measure();
      const bool full = batch_->num_records() >= ParquetFormat::kBatchRows || size >= ParquetFormat::kBatchBytes;
      // While the previous batch is still being encoded this one goes on filling, up to a few times its size,
      // rather than waiting for it.
      const bool wait_for_encoder = Encoding() && batch_->num_records() < kMaxBatchesWaiting * ParquetFormat::kBatchRows &&
                                    size < kMaxBatchesWaiting * ParquetFormat::kBatchBytes;
      if (direct || (full && !wait_for_encoder)) {
        if (Status st = HandOverBatch(/*background=*/!direct, /*relieve_others=*/true); !st.ok()) {
          // The record is not taken: the caller retries it from the decoder's batch (where a record in place
          // moves now); the rows before it still wait.
          if (record.in_place)
            MoveInPlaceRecordToOwnBatch(record);
          else
            batch_->Rollback(mark_);
          Measure();
          return st;
        }
      }
      // Taken: only now, since a refused record is appended again from the decoder's batch.
      if (record.in_place)
        record.in_place = nullptr;
      else
        row.Clear();
      set_->DrainIfOverLimit();
    }
    ++rows_;
    if (!first_offset_) {
      topic_ = std::string(context.topic);
      partition_ = context.partition;
      first_offset_ = context.offset;
    }
    last_offset_ = context.offset;
    min_time_ = std::min(min_time_, record.time.micros);
    max_time_ = std::max(max_time_, record.time.micros);
    return Status::Ok();
  }

  // Only a batch that exists: one freed to give memory back is made again by the next copied row, so its
  // buffers are counted (Measure) before records are decoded into them.
  columnar::ColumnarBatch* InPlaceBatch() override {
    if (!broken_.ok() || set_->limit() == 0 || !batch_) return nullptr;
    return &*batch_;
  }

  uint64_t records() const override { return rows_; }
  uint64_t bytes() const override { return spooled_bytes_.load(std::memory_order_relaxed); }

  // A refusal of the budget while handing over the waiting rows (retryable kMemoryPressure) writes nothing:
  // the writer stays open and Finish may be called again.
  Result<WrittenFile> Finish() override {
    Settle();
    if (!broken_.ok()) return broken_;
    FLOE_RETURN_IF_ERROR(HandOverReturned(/*relieve_others=*/true));
    if (batch_) FLOE_RETURN_IF_ERROR(HandOver(*batch_, /*relieve_others=*/true));
    DropBatches();
    if (first_offset_) {
      writer_->AddKeyValueMetadata("kafka.topic", topic_);
      writer_->AddKeyValueMetadata("kafka.partition", std::to_string(partition_));
      writer_->AddKeyValueMetadata("kafka.offset.first", std::to_string(*first_offset_));
      writer_->AddKeyValueMetadata("kafka.offset.last", std::to_string(last_offset_));
      writer_->AddKeyValueMetadata("floe.business_time.min", std::to_string(min_time_));
      writer_->AddKeyValueMetadata("floe.business_time.max", std::to_string(max_time_));
    }
    FLOE_ASSIGN_OR_RETURN(parquet::FileStats stats, writer_->Close(*sink_));
    FLOE_RETURN_IF_ERROR(sink_->Close());
    return WrittenFile{stats.rows, stats.bytes};
  }

  // The waiting rows and the end of the row group (the file's last pages and dictionaries, the bulk of
  // Finish's work) go to an encoding thread.
  void PrepareFinish() override {
    if (!set_->encoders || !broken_.ok()) return;
    if (!batch_) batch_.emplace(writer_->schema());
    if (!HandOverBatch(/*background=*/true, /*relieve_others=*/false, /*end_row_group=*/true).ok()) return;
    drop_after_encoding_ = true;
    DropBatches();
  }

  // ParquetWriterSet::HandOverAll: the waiting rows go to the writer (in the background when there are
  // encoding threads) and the batches' buffers are freed once encoded.
  // Returns false, doing nothing, when !wait and the previous batch is still being encoded.
  // A refusal of the budget keeps the rows waiting; any other failure breaks the file (the writer has failed,
  // see ParquetFileWriter's contract), so its later appends and Finish report it.
  bool HandOverAndDrop(bool wait) {
    if (!wait && Encoding()) return false;
    Settle();
    if (Status st = HandOverReturned(/*relieve_others=*/false); !st.ok()) return BreakUnlessMemory(st);
    if (batch_ && batch_->num_records() > 0) {
      if (Status st = HandOverBatch(/*background=*/true, /*relieve_others=*/false); !st.ok())
        return BreakUnlessMemory(st);
      if (in_flight_) drop_after_encoding_ = true;
    }
    DropBatches();
    return true;
  }
  // What the file's writer holds of the budget, without waiting for its encoding job (ByReservation).
  uint64_t reserved_bytes() const { return writer_->reserved_bytes(); }
  Status FlushPages() {
    Settle();
    FLOE_RETURN_IF_ERROR(writer_->FlushPages());
    spooled_bytes_.store(writer_->spooled_bytes(), std::memory_order_relaxed);
    return Status::Ok();
  }

 private:
  static constexpr size_t kMaxBatchesWaiting = 4;

  // What a background job shares with its writer. Held by the job too: the writer may be gone the moment the
  // job has said it is done.
  struct Job {
    std::atomic<bool> running{false};
    Status status;  // written before running turns false
  };

  bool Encoding() const { return in_flight_ && job_->running.load(std::memory_order_acquire); }

  // Appends `rows` to the Parquet writer (which clears it) on this thread. When the budget refuses, finishes
  // this file's pages, then (relieve_others) the other files' pages, largest holder first, retrying after
  // each. The caller has settled this writer's background job.
  Status HandOver(columnar::ColumnarBatch& rows, bool relieve_others) {
    if (rows.num_records() == 0) return Status::Ok();
    Status st = AppendNow(rows);
    if (!st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    FLOE_RETURN_IF_ERROR(FlushPages());
    st = AppendNow(rows);
    if (!st.Is(parquet::ParquetError::kMemoryPressure) || !relieve_others) return st;
    for (BatchingParquetWriter* w : set_->ByReservation(this)) {
      FLOE_RETURN_IF_ERROR(w->FlushPages());
      st = AppendNow(rows);
      if (!st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    }
    return st;
  }

  Status AppendNow(columnar::ColumnarBatch& rows) {
    Status st = writer_->Append(rows);
    spooled_bytes_.store(writer_->spooled_bytes(), std::memory_order_relaxed);
    return st;
  }

  // Hands batch_ over: to an encoding thread when `background` and the set has them (the batch's buffers
  // travel with the job and come back as the next batch), else here. Rows an earlier job had refused go
  // first, here.
  Status HandOverBatch(bool background, bool relieve_others, bool end_row_group = false) {
    Settle();
    if (!broken_.ok()) return broken_;
    FLOE_RETURN_IF_ERROR(HandOverReturned(relieve_others));
    if (!background || !set_->encoders) return HandOver(*batch_, relieve_others);
    // Encoding threads behind: wait until the batches in flight leave room for this one.
    for (size_t busy; (busy = set_->in_flight.load()) > 0 && busy + batch_memory_ > set_->limit();)
      set_->in_flight.wait(busy);
    std::swap(batch_, spare_);  // the job's batch; the spare (empty, kept buffers) fills next
    std::swap(batch_memory_, spare_memory_);
    set_->pending -= spare_memory_;
    set_->in_flight += spare_memory_;
    in_flight_ = true;
    job_->running.store(true, std::memory_order_relaxed);
    set_->encoders->Submit([this, job = job_, set = set_, memory = spare_memory_, end_row_group] {
      Status st = spare_->num_records() > 0 ? writer_->Append(*spare_) : Status::Ok();
      if (st.ok() && end_row_group) st = writer_->EndRowGroup();
      spooled_bytes_.store(writer_->spooled_bytes(), std::memory_order_relaxed);
      set->in_flight -= memory;
      set->in_flight.notify_all();
      job->status = std::move(st);
      job->running.store(false, std::memory_order_release);  // from here on `this` may be destroyed
      job->running.notify_one();
    });
    return Status::Ok();
  }

  bool BreakUnlessMemory(const Status& st) {
    if (!st.Is(parquet::ParquetError::kMemoryPressure) && broken_.ok())
      broken_ = st.WithContext("handing waiting rows to the parquet writer");
    return true;
  }

  // Waits for this writer's background job and takes its outcome: refused rows (memory) wait to be handed
  // over again, ahead of batch_; any other failure breaks the file (its rows are not all in it).
  void Settle() {
    if (!in_flight_) return;
    job_->running.wait(true, std::memory_order_acquire);
    in_flight_ = false;
    set_->pending += spare_memory_;
    if (job_->status.Is(parquet::ParquetError::kMemoryPressure)) {
      std::swap(spare_, returned_);
      std::swap(spare_memory_, returned_memory_);
    } else if (!job_->status.ok()) {
      broken_ = job_->status.WithContext("encoding parquet pages");
    }
    job_->status = Status::Ok();
    if (drop_after_encoding_) {
      drop_after_encoding_ = false;
      set_->pending -= spare_memory_;
      spare_memory_ = 0;
      spare_.reset();
    }
  }

  Status HandOverReturned(bool relieve_others) {
    if (!returned_) return Status::Ok();
    FLOE_RETURN_IF_ERROR(HandOver(*returned_, relieve_others));
    std::swap(returned_, spare_);
    std::swap(returned_memory_, spare_memory_);
    if (returned_) {  // the old spare, if there was one: one is enough
      set_->pending -= returned_memory_;
      returned_memory_ = 0;
      returned_.reset();
    }
    return Status::Ok();
  }

  // Brings the set's pending total up to date with batch_'s memory; returns the bytes it holds.
  size_t Measure() {
    size_t size = 0, memory = batch_fixed_bytes_;
    for (size_t c = 0; c < batch_->num_columns(); ++c) {
      const columnar::ColumnBuffer& col = batch_->column(c);
      size += col.buffered_bytes();
      memory += col.fixed().capacity() + col.data().capacity() + col.offsets().capacity() * sizeof(uint32_t) +
                (col.def_levels().capacity() + col.rep_levels().capacity()) * sizeof(int16_t);
    }
    set_->pending += memory - batch_memory_;
    batch_memory_ = memory;
    return size;
  }

  // Frees batch_ and the idle spare (the one in flight, if any, is freed when it comes back).
  void DropBatches() {
    batch_.reset();
    set_->pending -= batch_memory_;
    batch_memory_ = 0;
    if (!in_flight_) {
      spare_.reset();
      set_->pending -= spare_memory_;
      spare_memory_ = 0;
    }
  }

  std::unique_ptr<parquet::ParquetFileWriter> writer_;
  std::unique_ptr<ByteSink> sink_;
  std::shared_ptr<ParquetWriterSet> set_;
  // Rows taken but not yet handed to writer_ (created on need, freed when the set runs out of room).
  std::optional<columnar::ColumnarBatch> batch_;
  columnar::ColumnarBatch::Mark mark_;
  const size_t batch_fixed_bytes_;
  // The other batch: encoding in the background (in_flight_), else empty with its buffers kept for reuse.
  std::optional<columnar::ColumnarBatch> spare_;
  // Rows a background job could not append for memory: handed over here before any later row.
  std::optional<columnar::ColumnarBatch> returned_;
  // Memory of the three batches, counted in set_->pending (spare_'s in set_->in_flight while it is encoded).
  size_t batch_memory_ = 0, spare_memory_ = 0, returned_memory_ = 0;
  bool in_flight_ = false;            // a job holds writer_ and spare_ until Settle
  bool drop_after_encoding_ = false;  // free the job's batch when it comes back
  std::shared_ptr<Job> job_ = std::make_shared<Job>();
  Status broken_;  // a background append failed for another reason than memory
  std::atomic<uint64_t> spooled_bytes_{0};
  uint64_t rows_ = 0;  // rows taken (handed over or waiting)
  // The footer's Kafka and business-time metadata, over the rows taken.
  std::string topic_;
  int32_t partition_ = 0;
  std::optional<int64_t> first_offset_;
  int64_t last_offset_ = 0;
  int64_t min_time_ = INT64_MAX;
  int64_t max_time_ = INT64_MIN;
};

void ParquetWriterSet::HandOverAll() {
  // Files whose previous batch is still being encoded are waited for only if the others did not free enough.
  std::vector<BatchingParquetWriter*> busy;
  for (BatchingParquetWriter* w : writers)
    if (!w->HandOverAndDrop(/*wait=*/false)) busy.push_back(w);
  for (BatchingParquetWriter* w : busy) {
    if (pending <= limit()) break;
    w->HandOverAndDrop(/*wait=*/true);
  }
}

std::vector<BatchingParquetWriter*> ParquetWriterSet::ByReservation(const BatchingParquetWriter* except) const {
  std::vector<std::pair<uint64_t, BatchingParquetWriter*>> ranked;
  for (BatchingParquetWriter* w : writers)
    if (w != except) ranked.emplace_back(w->reserved_bytes(), w);
  std::sort(ranked.rbegin(), ranked.rend());
  std::vector<BatchingParquetWriter*> out;
  out.reserve(ranked.size());
  for (const auto& [bytes, w] : ranked) out.push_back(w);
  return out;
}

void ParquetWriterSet::DrainIfOverLimit() {
  if (pending <= limit()) {
    drain_refused_at_used_.reset();
    return;
  }
  if (drain_refused_at_used_ && budget_->used() + limit() > *drain_refused_at_used_) return;  // set with a budget only
  HandOverAll();
  if (pending > limit() && budget_)
    drain_refused_at_used_ = budget_->used();
  else
    drain_refused_at_used_.reset();
}

ParquetFormat::ParquetFormat(parquet::WriterOptions options, std::string spool_dir, parquet::MemoryBudget* budget,
                             WorkerThreads* encoders)
    : options_(std::move(options)),
      spool_dir_(std::move(spool_dir)),
      budget_(budget),
      set_(std::make_shared<ParquetWriterSet>(budget, encoders)) {}

ParquetFormat::~ParquetFormat() = default;

size_t ParquetFormat::pending_bytes() const { return set_->pending; }
size_t ParquetFormat::pending_limit() const { return set_->limit(); }
size_t ParquetFormat::in_flight_bytes() const { return set_->in_flight; }
uint64_t ParquetFormat::dictionaries_skipped() const {
  uint64_t n = 0;
  for (const auto& [shape, history] : histories_) n += history->started_plain();
  return n;
}

Result<std::unique_ptr<FileFormatWriter>> ParquetFormat::Open(std::unique_ptr<ByteSink> sink,
                                                              const DecodedRecord& first) {
  if (!first.columns) return Error(ArchiveError::kConfig, "format parquet needs a decoder that produces columns");
  parquet::WriterOptions options = options_;
  if (!first.writer_schema.empty()) options.key_value_metadata.emplace_back("avro.schema", first.writer_schema);
  const columnar::Schema& schema = first.columns->schema();
  std::string shape;
  for (const auto& leaf : schema.leaves())
    shape += fmt::format("{}\x1f{}\x1f{}\x1e", leaf.dotted_path(), static_cast<int>(leaf.node->physical),
                         static_cast<int>(leaf.node->logical));
  // Hints only: a process that saw very many schemas may forget them.
  if (histories_.size() >= kMaxHistories && !histories_.contains(shape)) histories_.clear();
  auto& history = histories_[shape];
  if (!history) history = std::make_shared<parquet::DictionaryHistory>(schema.num_leaves());
  options.dictionary_history = history;
  auto writer = parquet::ParquetFileWriter::Open(first.columns->schema(), options, spool_dir_, budget_);
  if (!writer.ok() && writer.status().Is(parquet::ParquetError::kMemoryPressure)) {
    // No room for even the new file's fixed part: finish the open files' pages, largest holder first.
    for (BatchingParquetWriter* w : set_->ByReservation(nullptr)) {
      FLOE_RETURN_IF_ERROR(w->FlushPages());
      writer = parquet::ParquetFileWriter::Open(first.columns->schema(), options, spool_dir_, budget_);
      if (writer.ok() || !writer.status().Is(parquet::ParquetError::kMemoryPressure)) break;
    }
  }
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<FileFormatWriter>(new BatchingParquetWriter(std::move(*writer), std::move(sink), set_));
}

}  // namespace floe::archive
