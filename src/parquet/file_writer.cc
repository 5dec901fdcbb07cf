#include "parquet/file_writer.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "parquet/column_writer.h"
#include "parquet/errors.h"
#include "parquet/schema_mapping.h"
#include "parquet/statistics.h"

namespace floe::parquet {

namespace {
constexpr char kMagic[4] = {'P', 'A', 'R', '1'};

Status IoError(const std::string& what, int err) {
  return Error(ParquetError::kIo, what + ": " + std::strerror(err));
}
}  // namespace

// Spool files are reused, emptied, by later writers of the same directory: an archiver opens a writer per
// (partition, hour) and may open thousands a minute, and creating as many inodes as it deletes is slow on
// ext4 (its allocator scans past recently deleted inodes; 8 % of a 256-partition run went there). The files
// are unlinked, so the idle ones hold no name and no data, only a descriptor each.
class SpoolFilePool {
 public:
  static constexpr size_t kMaxIdlePerDir = 256;

  static SpoolFilePool& Instance() {
    static SpoolFilePool* pool = new SpoolFilePool;  // never destroyed: writers may close at exit
    return *pool;
  }
  // An idle, empty spool file of dir, or -1.
  int Take(const std::string& dir) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(dir);
    if (it == idle_.end() || it->second.empty()) return -1;
    const int fd = it->second.back();
    it->second.pop_back();
    return fd;
  }
  // Empties fd and keeps it for dir's next writer (closes it when it cannot be emptied or enough wait).
  void Give(const std::string& dir, int fd) {
    if (::ftruncate(fd, 0) == 0 && ::lseek(fd, 0, SEEK_SET) == 0) {
      std::lock_guard lock(mu_);
      auto& fds = idle_[dir];
      if (fds.size() < kMaxIdlePerDir) {
        fds.push_back(fd);
        return;
      }
    }
    ::close(fd);
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<int>> idle_;
};

// The scratch file finished pages go to. Unlinked at creation: it disappears with the writer or a crash.
//
// Appends are staged in a per-thread buffer and written with one pwrite when the writer's operation ends
// (Flush), rather than one system call per page: under memory pressure an operation finishes many small
// pages at once. A thread stages for one spool at a time (each writer operation flushes before it returns,
// and a writer is used by one thread at a time); reads of staged bytes flush first.
//
// Close reads a small spool back whole (Load), so copying its pages out and walking their entries costs one
// read instead of two per page.
class ParquetFileWriter::Spool final : public PageSink {
 public:
  static constexpr size_t kStageBytes = 1 << 20;      // a larger stage is written at once
  static constexpr size_t kLoadMaxBytes = 8 << 20;    // Close reads spools up to this size whole

  static Result<std::unique_ptr<Spool>> Create(const std::string& dir) {
    const std::string where = dir.empty() ? std::string(".") : dir;
    if (const int fd = SpoolFilePool::Instance().Take(where); fd >= 0) return std::unique_ptr<Spool>(new Spool(fd, where));
    std::string path = where + "/floe-parquet-spool-XXXXXX";
    const int fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd < 0) return IoError("create spool file in " + dir, errno);
    ::unlink(path.c_str());
    return std::unique_ptr<Spool>(new Spool(fd, where));
  }
  ~Spool() override {
    Stage& stage = ThreadStage();
    if (stage.owner == this) stage.Drop();  // unwritten bytes of a writer given up on
    SpoolFilePool::Instance().Give(dir_, fd_);
  }

  Result<uint64_t> Append(std::span<const std::string_view> parts) override {
    FLOE_RETURN_IF_ERROR(deferred_);
    Stage& stage = ThreadStage();
    if (stage.owner != this) {
      // Another spool's bytes are staged (its writer's operation did not flush): write them for it; a failure
      // is its writer's, reported by that spool's next call.
      if (stage.owner) (void)stage.owner->WriteStage();
      stage.owner = this;
      stage.at = size_;
    }
    const uint64_t at = size_;
    for (const auto& p : parts) {
      stage.bytes.append(p);
      size_ += p.size();
    }
    if (stage.bytes.size() >= kStageBytes) FLOE_RETURN_IF_ERROR(Flush());
    return at;
  }

  // Writes the staged bytes (to explicit offsets: a write that failed half way leaves nothing for the next
  // one to land behind, and the writer fails for good anyway). Releases the stage whatever happens: a writer
  // may be destroyed on another thread once its operation has returned.
  Status Flush() {
    if (ThreadStage().owner == this) FLOE_RETURN_IF_ERROR(WriteStage());
    return deferred_;
  }

  Status Read(const SpoolRange& r, std::string* out) override {
    if (r.offset + r.length > size_) return Error(ParquetError::kIo, "spool read past its end");
    if (InLoaded(r)) {
      out->assign(loaded_->data() + r.offset, static_cast<size_t>(r.length));
      return Status::Ok();
    }
    FLOE_RETURN_IF_ERROR(Flush());
    out->resize(static_cast<size_t>(r.length));
    uint64_t done = 0;
    while (done < r.length) {
      const ssize_t n = ::pread(fd_, out->data() + done, static_cast<size_t>(r.length - done),
                                static_cast<off_t>(r.offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("read spool", errno);
      }
      if (n == 0) return Error(ParquetError::kIo, "spool file shorter than written");
      done += static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  Status CopyTo(const SpoolRange& r, ByteSink& sink) {
    if (r.offset + r.length > size_) return Error(ParquetError::kIo, "spool read past its end");
    if (InLoaded(r)) return sink.Write(loaded_->data() + r.offset, static_cast<size_t>(r.length));
    FLOE_RETURN_IF_ERROR(Flush());
    thread_local std::string buf;
    if (buf.size() < (1u << 20)) buf.resize(1u << 20);
    uint64_t off = r.offset, left = r.length;
    while (left > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      const ssize_t n = ::pread(fd_, buf.data(), want, static_cast<off_t>(off));
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("read spool", errno);
      }
      if (n == 0) return Error(ParquetError::kIo, "spool file shorter than written");
      FLOE_RETURN_IF_ERROR(sink.Write(buf.data(), static_cast<size_t>(n)));
      off += static_cast<uint64_t>(n);
      left -= static_cast<uint64_t>(n);
    }
    return Status::Ok();
  }

  // Reads everything written so far into `into` (which must outlive Unload) and serves later reads of it
  // from there.
  Status Load(std::string* into) {
    FLOE_RETURN_IF_ERROR(Flush());
    SpoolRange all{0, size_};
    loaded_ = nullptr;
    FLOE_RETURN_IF_ERROR(Read(all, into));
    loaded_ = into;
    return Status::Ok();
  }
  void Unload() { loaded_ = nullptr; }

  uint64_t size() const { return size_; }

 private:
  // The bytes appended on this thread and not yet written: [at, at + bytes.size()) of owner's file.
  struct Stage {
    Spool* owner = nullptr;
    uint64_t at = 0;
    std::string bytes;
    void Drop() {
      owner = nullptr;
      bytes.clear();
      if (bytes.capacity() > 2 * kStageBytes) std::string().swap(bytes);
    }
  };
  static Stage& ThreadStage() {
    thread_local Stage stage;
    return stage;
  }

  Spool(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}

  bool InLoaded(const SpoolRange& r) const { return loaded_ && r.offset + r.length <= loaded_->size(); }

  // Writes this thread's stage, which this spool owns, and empties it.
  Status WriteStage() {
    Stage& stage = ThreadStage();
    const char* p = stage.bytes.data();
    size_t left = stage.bytes.size();
    uint64_t at = stage.at;
    Status st;
    while (left > 0) {
      const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(at));
      if (n < 0) {
        if (errno == EINTR) continue;
        st = IoError("write spool", errno);
        break;
      }
      p += n;
      left -= static_cast<size_t>(n);
      at += static_cast<uint64_t>(n);
    }
    stage.Drop();
    if (!st.ok()) deferred_ = st;
    return st;
  }

  int fd_;
  std::string dir_;
  uint64_t size_ = 0;                   // bytes appended, staged ones included
  Status deferred_;                     // a failed write of staged bytes: every later call reports it
  const std::string* loaded_ = nullptr;  // see Load
};

struct ParquetFileWriter::RowGroupParts {
  std::vector<FinishedChunk> chunks;
  int64_t num_rows = 0;
};

Result<format::Codec> ParseCodec(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "none" || n == "uncompressed") return format::Codec::kUncompressed;
  if (n == "snappy") return format::Codec::kSnappy;
  if (n == "zstd") return format::Codec::kZstd;
  if (n == "gzip") return format::Codec::kGzip;
  if (n == "lz4_raw" || n == "lz4") return format::Codec::kLz4Raw;
  return Error(ParquetError::kInvalidArgument, "unknown parquet codec '" + std::string(name) +
                                                   "' (none, snappy, zstd, gzip, lz4_raw)");
}

ParquetFileWriter::ParquetFileWriter(columnar::Schema schema, WriterOptions options, MemoryBudget* budget)
    : schema_(std::move(schema)), options_(std::move(options)), budget_(budget) {
  if (budget_) budget_->RegisterWriter();
}

ParquetFileWriter::~ParquetFileWriter() {
  if (budget_) {
    budget_->Release(reserved_bytes());
    budget_->UnregisterWriter();
  }
}

namespace {
size_t StringHeap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
}  // namespace

Result<std::unique_ptr<ParquetFileWriter>> ParquetFileWriter::Open(columnar::Schema schema, WriterOptions options,
                                                                   const std::string& spool_dir, MemoryBudget* budget) {
  {
    auto elements = ToParquetSchema(schema);
    if (!elements.ok()) return elements.status();
  }
  if (options.page_bytes == 0 || options.row_group_bytes == 0)
    return Error(ParquetError::kInvalidArgument, "page and row group sizes must be positive");
  if (options.codec != format::Codec::kUncompressed && options.codec != format::Codec::kSnappy &&
      options.codec != format::Codec::kGzip && options.codec != format::Codec::kZstd &&
      options.codec != format::Codec::kLz4Raw)
    return Error(ParquetError::kInvalidArgument, std::string("cannot write codec ") + format::CodecName(options.codec));
  std::unique_ptr<ParquetFileWriter> w(new ParquetFileWriter(std::move(schema), std::move(options), budget));
  FLOE_ASSIGN_OR_RETURN(w->spool_, Spool::Create(spool_dir));
  const auto& leaves = w->schema_.leaves();
  w->columns_.reserve(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) {
    bool bloom = false;
    const std::string dotted = leaves[i].dotted_path();
    for (const auto& c : w->options_.bloom_columns) {
      if (c == dotted || c == leaves[i].path[0]) bloom = true;
    }
    if (leaves[i].node->physical == columnar::PhysicalType::kBoolean) bloom = false;
    DictionaryHistory* history = w->options_.dictionary_history.get();
    w->columns_.push_back(ColumnWriter::Make(leaves[i], w->options_, w->spool_.get(), bloom,
                                             history && history->size() == leaves.size() ? &history->column(i)
                                                                                         : nullptr));
  }
  // What an open writer holds whatever it buffers: itself, its spool handle and options. (The schema's node
  // tree and leaf list are shared with the decoder's schema and every other file of it.)
  size_t fixed = sizeof(ParquetFileWriter) + sizeof(Spool) + StringHeap(spool_dir) +
                 w->columns_.capacity() * sizeof(w->columns_[0]);
  for (const auto& c : w->options_.bloom_columns) fixed += sizeof(std::string) + StringHeap(c);
  for (const auto& [k, v] : w->options_.key_value_metadata) fixed += 2 * sizeof(std::string) + StringHeap(k) + StringHeap(v);
  fixed += StringHeap(w->options_.created_by);
  w->fixed_bytes_ = fixed;
  if (budget && !w->Grow(0))
    return Error(ParquetError::kMemoryPressure, "memory budget full: cannot open another parquet writer now");
  return w;
}

size_t ParquetFileWriter::buffered_bytes() const {
  size_t n = fixed_bytes_ + finished_bytes_ + row_groups_.capacity() * sizeof(RowGroupParts);
  for (const auto& c : columns_) n += c->memory_bytes();
  return n;
}

uint64_t ParquetFileWriter::spooled_bytes() const { return spool_ ? spool_->size() : 0; }

uint64_t ParquetFileWriter::EstimatedRowGroupBytes() const {
  uint64_t n = 0;
  for (const auto& c : columns_) n += c->estimated_chunk_bytes();
  return n;
}

Status ParquetFileWriter::Failing(Status st) {
  if (!st.ok() && !st.Is(ParquetError::kMemoryPressure) && failed_.ok()) failed_ = st;
  return st;
}

Status ParquetFileWriter::WithSpoolWritten(Status st) {
  // A failed write loses pages the columns count as written: it outranks whatever st says.
  if (Status written = spool_->Flush(); !written.ok()) return Failing(written);
  return st;
}

Status ParquetFileWriter::EndRowGroup() {
  if (closed_) return Error(ParquetError::kInvalidArgument, "end row group of a closed parquet writer");
  if (!failed_.ok()) return failed_;
  if (row_group_rows_ > 0) FLOE_RETURN_IF_ERROR(WithSpoolWritten(Failing(FinishRowGroup())));
  TrueUp();
  return Status::Ok();
}

Status ParquetFileWriter::FlushPages() {
  if (!failed_.ok()) return failed_;
  Status st;
  for (auto& c : columns_) {
    st = Failing(c->FlushPage(/*release=*/true));
    if (!st.ok()) break;
  }
  FLOE_RETURN_IF_ERROR(WithSpoolWritten(st));
  TrueUp();
  return Status::Ok();
}

bool ParquetFileWriter::Grow(uint64_t upcoming) {
  const uint64_t target = buffered_bytes() + upcoming;
  const uint64_t reserved = reserved_bytes();
  if (target <= reserved) return true;
  if (!budget_->TryReserve(target - reserved)) return false;
  reserved_.store(target, std::memory_order_relaxed);
  return true;
}

void ParquetFileWriter::TrueUp() {
  if (!budget_) return;
  const uint64_t mem = buffered_bytes();
  const uint64_t reserved = reserved_bytes();
  if (mem > reserved) {
    // Buffers outgrew the reservation (a vector doubled its capacity): a measured overshoot, see
    // MemoryBudget::forced().
    if (!budget_->TryReserve(mem - reserved)) budget_->ForceReserve(mem - reserved);
  } else if (mem < reserved) {
    budget_->Release(reserved - mem);
  }
  reserved_.store(mem, std::memory_order_relaxed);
}

Status ParquetFileWriter::Reserve(size_t upcoming) {
  if (!budget_ || Grow(upcoming)) return Status::Ok();
  // Refused: finish our pages that are big enough (largest first), down to half our fair share, then all of
  // them; then give up dictionaries, largest first. Never pages below kMinEarlyPageBytes.
  FLOE_RETURN_IF_ERROR(ShrinkTo(budget_->fair_share() / 2));
  if (Grow(upcoming)) return Status::Ok();
  FLOE_RETURN_IF_ERROR(ShrinkTo(0));
  if (Grow(upcoming)) return Status::Ok();
  std::vector<std::pair<uint64_t, size_t>> by_dict;
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i]->dictionary_memory_bytes() > 0) by_dict.emplace_back(columns_[i]->dictionary_memory_bytes(), i);
  }
  std::sort(by_dict.rbegin(), by_dict.rend());
  for (const auto& [bytes, i] : by_dict) {
    FLOE_RETURN_IF_ERROR(columns_[i]->DropDictionary());
    TrueUp();
    if (Grow(upcoming)) return Status::Ok();
  }
  return Error(ParquetError::kMemoryPressure, "memory budget full (" + std::to_string(budget_->used()) + " of " +
                                                  std::to_string(budget_->limit()) + " bytes): pause and retry");
}

Status ParquetFileWriter::Append(columnar::ColumnarBatch& batch) {
  if (closed_) return Error(ParquetError::kInvalidArgument, "append to a closed parquet writer");
  if (!failed_.ok()) return failed_;
  const auto& leaves = schema_.leaves();
  if (batch.num_columns() != leaves.size())
    return Error(ParquetError::kSchema, "batch has " + std::to_string(batch.num_columns()) + " columns, writer " +
                                            std::to_string(leaves.size()));
  for (size_t i = 0; i < leaves.size(); ++i) {
    const auto& col = batch.column(i);
    const auto& bl = col.leaf();
    if (bl.node == leaves[i].node && bl.max_definition_level == leaves[i].max_definition_level &&
        bl.max_repetition_level == leaves[i].max_repetition_level)
      continue;  // the same schema tree (the decoder's batches share the writer's): nothing else to compare
    if (bl.node->physical != leaves[i].node->physical || bl.max_definition_level != leaves[i].max_definition_level ||
        bl.max_repetition_level != leaves[i].max_repetition_level ||
        (bl.node->physical == columnar::PhysicalType::kFixedLenByteArray &&
         bl.node->type_length != leaves[i].node->type_length))
      return Error(ParquetError::kSchema, "batch column " + bl.dotted_path() + " does not match the writer's " +
                                              leaves[i].dotted_path());
  }
  return WithSpoolWritten(Failing(Consume(batch)));
}

Status ParquetFileWriter::Consume(columnar::ColumnarBatch& batch) {
  const auto& leaves = schema_.leaves();
  // The batch's bytes move into the pages; on the way each buffer may double its capacity once.
  size_t growable = 0;
  for (const auto& c : columns_) growable += c->growable_bytes();
  FLOE_RETURN_IF_ERROR(Reserve(batch.buffered_bytes() + growable));
  for (size_t i = 0; i < leaves.size(); ++i) FLOE_RETURN_IF_ERROR(columns_[i]->Write(batch.column(i)));
  rows_ += batch.num_records();
  row_group_rows_ += batch.num_records();
  batch.Clear();
  // (An empty append must not end an empty row group: a chunk's fixed parts alone may pass a tiny limit.)
  if (row_group_rows_ > 0 && EstimatedRowGroupBytes() >= options_.row_group_bytes) FLOE_RETURN_IF_ERROR(FinishRowGroup());
  if (budget_ && budget_->under_pressure() && buffered_bytes() > budget_->fair_share()) {
    FLOE_RETURN_IF_ERROR(ShrinkTo(budget_->fair_share() / 2));
  } else {
    TrueUp();
  }
  return Status::Ok();
}

Status ParquetFileWriter::ShrinkTo(uint64_t target) {
  // Largest pages first: finishing only the big ones keeps pages large. Pages under the floor stay: it is
  // kMinEarlyPageBytes, unless the budget's fair share cannot hold that per column twice over (then every
  // writer could sit at its floor with the budget full, and none could append).
  size_t floor = kMinEarlyPageBytes;
  if (budget_ && !columns_.empty())
    floor = std::min<size_t>(floor, std::max<uint64_t>(1, budget_->fair_share() / (4 * columns_.size())));
  std::vector<std::pair<size_t, size_t>> by_size;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const size_t page = columns_[i]->page_memory_bytes();
    if (page >= floor) by_size.emplace_back(page, i);
  }
  std::sort(by_size.rbegin(), by_size.rend());
  uint64_t total = buffered_bytes();
  for (const auto& [bytes, i] : by_size) {
    if (total <= target) break;
    FLOE_RETURN_IF_ERROR(columns_[i]->FlushPage(/*release=*/true));
    const size_t now = columns_[i]->page_memory_bytes();
    total -= std::min<uint64_t>(total, bytes - std::min(bytes, now));
  }
  TrueUp();
  return Status::Ok();
}

Status ParquetFileWriter::FinishRowGroup() {
  RowGroupParts rg;
  rg.num_rows = static_cast<int64_t>(row_group_rows_);
  rg.chunks.reserve(columns_.size());
  for (auto& c : columns_) {
    FLOE_ASSIGN_OR_RETURN(FinishedChunk fc, c->FinishChunk());
    finished_bytes_ += fc.memory_bytes();
    rg.chunks.push_back(std::move(fc));
  }
  row_groups_.push_back(std::move(rg));
  row_group_rows_ = 0;
  return Status::Ok();
}

Result<FileStats> ParquetFileWriter::Close(ByteSink& sink) {
  if (closed_) return Error(ParquetError::kInvalidArgument, "parquet writer already closed");
  if (!failed_.ok()) return failed_;
  closed_ = true;
  Result<FileStats> stats = WriteFile(sink);
  // (Also drops what a failure left staged: the spool's thread must not keep bytes of a writer given up.)
  spool_.reset();
  columns_.clear();
  row_groups_ = {};
  finished_bytes_ = 0;
  TrueUp();
  return stats;
}

namespace {
// Holds the spool loaded whole for Close, reserved from the budget while it is.
class LoadedSpool {
 public:
  explicit LoadedSpool(MemoryBudget* budget) : budget_(budget) {}
  ~LoadedSpool() {
    if (budget_ && reserved_ > 0) budget_->Release(reserved_);
    // Spools of a few hundred kB are the rule; a rare large one does not stay resident with the thread.
    if (buffer().capacity() > (1u << 20)) std::string().swap(buffer());
  }
  LoadedSpool(const LoadedSpool&) = delete;
  LoadedSpool& operator=(const LoadedSpool&) = delete;
  // Whether `bytes` may be loaded: small enough, and the budget has room.
  bool Admit(uint64_t bytes, uint64_t max_bytes) {
    if (bytes > max_bytes) return false;
    if (budget_) {
      if (!budget_->TryReserve(bytes)) return false;
      reserved_ = bytes;
    }
    return true;
  }
  static std::string& buffer() {
    thread_local std::string b;
    return b;
  }

 private:
  MemoryBudget* budget_;
  uint64_t reserved_ = 0;
};
}  // namespace

Result<FileStats> ParquetFileWriter::WriteFile(ByteSink& sink) {
  if (row_group_rows_ > 0) FLOE_RETURN_IF_ERROR(FinishRowGroup());
  LoadedSpool loaded(budget_);
  if (loaded.Admit(spool_->size(), Spool::kLoadMaxBytes)) {
    FLOE_RETURN_IF_ERROR(spool_->Load(&LoadedSpool::buffer()));
  } else {
    FLOE_RETURN_IF_ERROR(spool_->Flush());
  }
  const uint64_t base = sink.position();
  FLOE_RETURN_IF_ERROR(sink.Write(kMagic, 4));

  format::FileMetaData md;
  FLOE_ASSIGN_OR_RETURN(md.schema, ToParquetSchema(schema_));
  md.num_rows = static_cast<int64_t>(rows_);
  md.created_by = options_.created_by;
  for (const auto& [k, v] : options_.key_value_metadata) md.key_value_metadata.push_back({k, v});
  md.column_orders.assign(schema_.num_leaves(), 1);  // TYPE_ORDER
  auto pos = [&] { return static_cast<int64_t>(sink.position() - base); };

  // Page indexes are built chunk by chunk from the spilled page entries while the pages are copied, and
  // parked at the spool's end until they are written after all data: only one chunk's entries are in memory.
  struct ParkedIndexes {
    std::optional<SpoolRange> column_index;
    SpoolRange offset_index;
  };
  std::vector<std::vector<ParkedIndexes>> parked(row_groups_.size());
  std::string buf;
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    auto& parts = row_groups_[g];
    format::RowGroup rg;
    rg.num_rows = parts.num_rows;
    // ordinal is an i16 in parquet.thrift: left out past 32767 row groups rather than wrapped.
    if (g <= static_cast<size_t>(INT16_MAX)) rg.ordinal = static_cast<int16_t>(g);
    rg.file_offset = pos();
    int64_t compressed = 0;
    for (size_t c = 0; c < parts.chunks.size(); ++c) {
      auto& fc = parts.chunks[c];
      format::ColumnChunk cc;
      cc.meta_data = fc.meta;
      auto& m = *cc.meta_data;
      if (fc.dictionary_page) {
        m.dictionary_page_offset = pos();
        FLOE_RETURN_IF_ERROR(spool_->CopyTo(*fc.dictionary_page, sink));
      }
      m.data_page_offset = pos();
      FLOE_ASSIGN_OR_RETURN(std::vector<PageEntry> pages, ReadPageLog(*spool_, fc.pages));
      format::OffsetIndex oi;
      oi.page_locations.reserve(pages.size());
      for (const auto& p : pages) {
        oi.page_locations.push_back({pos(), static_cast<int32_t>(p.page.length), p.first_row});
        FLOE_RETURN_IF_ERROR(spool_->CopyTo(p.page, sink));
      }
      ParkedIndexes pk;
      if (fc.column_index) {
        buf.clear();
        format::Serialize(BuildColumnIndex(*schema_.leaves()[c].node, pages), &buf);
        const std::string_view one[1] = {buf};
        FLOE_ASSIGN_OR_RETURN(uint64_t at, spool_->Append(one));
        pk.column_index = SpoolRange{at, buf.size()};
      }
      buf.clear();
      format::Serialize(oi, &buf);
      const std::string_view one[1] = {buf};
      FLOE_ASSIGN_OR_RETURN(uint64_t at, spool_->Append(one));
      pk.offset_index = SpoolRange{at, buf.size()};
      parked[g].push_back(pk);
      rg.total_byte_size += m.total_uncompressed_size;
      compressed += m.total_compressed_size;
      rg.columns.push_back(std::move(cc));
    }
    rg.total_compressed_size = compressed;
    md.row_groups.push_back(std::move(rg));
  }
  // Bloom filters, then the page index (ColumnIndex for all chunks, then OffsetIndex), then the footer.
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    for (size_t c = 0; c < row_groups_[g].chunks.size(); ++c) {
      const auto& fc = row_groups_[g].chunks[c];
      if (!fc.bloom_filter) continue;
      auto& m = *md.row_groups[g].columns[c].meta_data;
      m.bloom_filter_offset = pos();
      m.bloom_filter_length = static_cast<int32_t>(fc.bloom_filter->length);
      FLOE_RETURN_IF_ERROR(spool_->CopyTo(*fc.bloom_filter, sink));
    }
  }
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    for (size_t c = 0; c < row_groups_[g].chunks.size(); ++c) {
      const auto& ci = parked[g][c].column_index;
      if (!ci) continue;
      auto& cc = md.row_groups[g].columns[c];
      cc.column_index_offset = pos();
      cc.column_index_length = static_cast<int32_t>(ci->length);
      FLOE_RETURN_IF_ERROR(spool_->CopyTo(*ci, sink));
    }
  }
  for (size_t g = 0; g < row_groups_.size(); ++g) {
    for (size_t c = 0; c < row_groups_[g].chunks.size(); ++c) {
      const auto& oi = parked[g][c].offset_index;
      auto& cc = md.row_groups[g].columns[c];
      cc.offset_index_offset = pos();
      cc.offset_index_length = static_cast<int32_t>(oi.length);
      FLOE_RETURN_IF_ERROR(spool_->CopyTo(oi, sink));
    }
  }
  buf.clear();
  format::Serialize(md, &buf);
  const uint32_t footer_len = static_cast<uint32_t>(buf.size());
  FLOE_RETURN_IF_ERROR(sink.Write(buf));
  FLOE_RETURN_IF_ERROR(sink.Write(&footer_len, 4));
  FLOE_RETURN_IF_ERROR(sink.Write(kMagic, 4));

  FileStats stats;
  stats.rows = rows_;
  stats.bytes = sink.position() - base;
  stats.row_groups = static_cast<uint32_t>(md.row_groups.size());
  const auto& leaves = schema_.leaves();
  for (size_t c = 0; c < leaves.size(); ++c) {
    ColumnFileStats cs;
    cs.path = leaves[c].dotted_path();
    cs.leaf = &leaves[c];
    for (const auto& rg : md.row_groups) {
      const auto& m = *rg.columns[c].meta_data;
      cs.num_values += m.num_values;
      cs.compressed_bytes += m.total_compressed_size;
      if (!m.statistics) continue;
      const auto& st = *m.statistics;
      cs.null_count += st.null_count.value_or(0);
      if (st.min_value && (!cs.min || CompareStatValues(*leaves[c].node, *st.min_value, *cs.min) < 0)) cs.min = st.min_value;
      if (st.max_value && (!cs.max || CompareStatValues(*leaves[c].node, *st.max_value, *cs.max) > 0)) cs.max = st.max_value;
    }
    stats.columns.push_back(std::move(cs));
  }
  spool_->Unload();
  return stats;
}

}  // namespace floe::parquet
