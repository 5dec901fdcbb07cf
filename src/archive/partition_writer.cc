#include "archive/partition_writer.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "archive/archive_error.h"
#include "archive/layout.h"
#include "common/time_util.h"
#include "parquet/errors.h"

namespace floe::archive {

struct PartitionWriter::OpenFile {
  std::string partition_path;
  std::string key;
  std::string spool_path;
  std::unique_ptr<FileFormatWriter> writer;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t first_time = 0;  // business time of the first record (rotate.interval.ms)
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;
  int64_t seal_deadline_micros = INT64_MAX;  // wall-clock rotation
  uint64_t last_write = 0;                   // write sequence number, for the open-files cap
  std::optional<int64_t> replay_last;        // re-created listed file: sealed exactly after this offset
};

struct PartitionWriter::SealedFile {
  FileCommittedEvent event;
  std::string partition_path;
  std::string spool_path;
  bool listed = false;  // in this epoch's state object
};

uint64_t PartitionWriter::spool_bytes() const {
  uint64_t total = 0;
  for (const auto& [path, file] : open_) total += file->writer->bytes();
  for (const auto& p : pending_) total += p->event.bytes;
  return total;
}

PartitionWriter::PartitionWriter(const PartitionWriterContext& context, int32_t partition)
    : ctx_(context), partition_(partition) {}

PartitionWriter::~PartitionWriter() {
  // Open and unpublished files are abandoned: their records were not committed and will be consumed again;
  // a pending file listed in the state is re-created by the next owner.
  for (auto& [path, file] : open_) ::unlink(file->spool_path.c_str());
  for (auto& p : pending_) ::unlink(p->spool_path.c_str());
}

Result<Claim> PartitionWriter::ClaimAndAbortOrphans() {
  FLOE_ASSIGN_OR_RETURN(Claim claim, ClaimPartition(*ctx_.store, ctx_.topic, partition_));
  // Multipart uploads of this partition's files left by a killed process (or a zombie, whose PUT then fails).
  const std::string table_prefix = ctx_.database + "/" + ctx_.table + "/";
  const std::string name_prefix = ctx_.topic + "+" + std::to_string(partition_) + "+";
  if (auto uploads = ctx_.store->ListMultipartUploads(table_prefix); uploads.ok()) {
    for (const auto& u : *uploads) {
      const size_t slash = u.key.rfind('/');
      if (u.key.compare(slash == std::string::npos ? 0 : slash + 1, name_prefix.size(), name_prefix) != 0) continue;
      if (Status st = ctx_.store->AbortMultipartUpload(u.key, u.upload_id); !st.ok())
        spdlog::warn("aborting orphan upload of {}: {}", u.key, st.ToString());
    }
  }
  return claim;
}

bool PartitionWriter::ClaimAhead() {
  if (recovered_ || claimed_ahead_) return true;
  auto claim = ClaimAndAbortOrphans();
  if (!claim.ok()) {
    spdlog::info("{}[{}]: claim at assignment failed, made again at the first record: {}", ctx_.topic, partition_,
                 claim.status().ToString());
    return false;
  }
  claimed_ahead_ = std::move(claim).value();
  return true;
}

void PartitionWriter::DropUnusedClaim() {
  if (!claimed_ahead_) return;
  const std::string key = PartitionStateKey(ctx_.topic, partition_, claimed_ahead_->epoch);
  claimed_ahead_.reset();
  if (Status st = ctx_.store->Delete(key); !st.ok() && !st.Is(storage::StoreError::kNotFound))
    spdlog::warn("{}[{}]: deleting the unused claim {}: {}", ctx_.topic, partition_, key, st.ToString());
}

Status PartitionWriter::Recover(int64_t start_offset) {
  Claim claim;
  if (claimed_ahead_) {
    claim = std::move(*claimed_ahead_);
    claimed_ahead_.reset();
  } else {
    FLOE_ASSIGN_OR_RETURN(claim, ClaimAndAbortOrphans());
  }
  std::vector<StateFile> keep;
  std::map<std::string, std::deque<Planned>, std::less<>> plan;
  if (claim.previous) {
    for (const auto& f : claim.previous->files) {
      if (f.last < start_offset) continue;  // never consumed again
      Planned p{f, false};
      auto head = ctx_.store->Head(f.key);
      if (head.ok()) {
        p.visible = true;
      } else if (!head.status().Is(storage::StoreError::kNotFound)) {
        return head.status().WithContext("checking listed file " + f.key);
      } else if (f.first < start_offset) {
        // Its first records are no longer consumed (retention or a moved committed offset): it cannot be
        // re-created with the same records, and it never became visible.
        spdlog::warn("{}[{}]: listed file {} was never published and starts before offset {}; dropped", ctx_.topic,
                     partition_, f.key, start_offset);
        continue;
      }
      keep.push_back(f);
      plan[f.path].push_back(std::move(p));
    }
  }
  for (auto& [path, q] : plan)
    std::sort(q.begin(), q.end(), [](const Planned& a, const Planned& b) { return a.file.first < b.file.first; });

  epoch_ = claim.epoch;
  stats_.epoch = epoch_;
  listed_ = std::move(keep);
  plan_ = std::move(plan);
  stale_state_keys_ = std::move(claim.stale_keys);
  recovered_ = true;
  size_t visible = 0;
  for (const auto& [path, q] : plan_)
    for (const auto& p : q) visible += p.visible;
  spdlog::info("{}[{}]: epoch {}, resuming at offset {}; {} listed file(s) to skip, {} to re-create", ctx_.topic,
               partition_, epoch_, start_offset, visible, listed_.size() - visible);
  return Status::Ok();
}

Result<PartitionWriter::OpenFile*> PartitionWriter::Open(const RecordContext& record, const DecodedRecord& decoded,
                                                         std::string_view path, const Planned* replay) {
  auto file = std::make_unique<OpenFile>();
  file->partition_path = path;
  file->first_offset = replay ? replay->file.first : record.offset;
  const std::string name = ctx_.topic + "+" + std::to_string(partition_) + "+" + std::to_string(file->first_offset) +
                           "." + std::string(ctx_.format->extension());
  file->key = replay ? replay->file.key : ctx_.database + "/" + ctx_.table + "/" + file->partition_path + "/" + name;
  if (replay) file->replay_last = replay->file.last;
  file->spool_path = ctx_.spool_dir + "/" + name + "." + std::to_string(++spool_seq_) + ".spool";
  // Scratch: after a crash the spool is discarded and the records consumed again; the store's copy is the
  // one made durable (docs/EXACTLY_ONCE.md).
  auto sink = FileByteSink::Open(file->spool_path, 1 << 16, FileByteSink::Durability::kScratch);
  if (!sink.ok()) return Error(ArchiveError::kSpool, sink.status().message());
  FLOE_ASSIGN_OR_RETURN(file->writer, ctx_.format->Open(std::move(sink).value(), decoded));
  file->first_time = decoded.time.micros;
  if (ctx_.rotation.rotate_schedule_interval_ms > 0 && !replay) {
    const int64_t interval = ctx_.rotation.rotate_schedule_interval_ms * 1000;
    const int64_t now = ctx_.clock->NowMicros();
    file->seal_deadline_micros = (now / interval + 1) * interval;
  }
  OpenFile* raw = file.get();
  open_.emplace(raw->partition_path, std::move(file));
  return raw;
}

columnar::ColumnarBatch* PartitionWriter::InPlaceBatch() {
  if (!recovered_ || fenced_ || !plan_.empty() || !last_file_ || last_file_->replay_last) return nullptr;
  return last_file_->writer->InPlaceBatch();
}

bool PartitionWriter::RotationDue(const OpenFile& file, int64_t micros) const {
  return ctx_.rotation.rotate_interval_ms > 0 && micros - file.first_time >= ctx_.rotation.rotate_interval_ms * 1000;
}

Status PartitionWriter::Write(const RecordContext& record, DecodedRecord& decoded, std::string_view partition_path) {
  if (!first_seen_) first_seen_ = record.offset;
  if (!recovered_) FLOE_RETURN_IF_ERROR(Recover(*first_seen_));
  if (fenced_) {
    DropInPlaceRecord(decoded);
    return Status::Ok();
  }
  const std::string_view path = partition_path;
  auto existing = open_.find(path);
  OpenFile* file = existing == open_.end() ? nullptr : existing->second.get();
  // In place only into the file InPlaceBatch offered (the last one written, still open), and only when no step
  // below seals it first (a replay plan, rotation).
  if (decoded.in_place && (!file || file != last_file_ || !plan_.empty() || RotationDue(*file, decoded.time.micros)))
    MoveInPlaceRecordToOwnBatch(decoded);

  // Replay of records an earlier epoch listed for this path.
  const Planned* replay = nullptr;
  bool in_visible = false;
  if (auto pit = plan_.find(path); pit != plan_.end()) {
    auto& q = pit->second;
    while (!q.empty() && q.front().file.last < record.offset) q.pop_front();
    if (!q.empty() && q.front().file.first <= record.offset) {
      if (q.front().visible)
        in_visible = true;
      else
        replay = &q.front();
    }
    if (q.empty()) plan_.erase(pit);
  }
  if (file && file->replay_last && (!replay || replay->file.key != file->key)) {
    // The re-created file did not get all its records back (a record now routed elsewhere): publish what it has.
    spdlog::warn("{}[{}]: re-created file {} ends before its listed last offset {}", ctx_.topic, partition_, file->key,
                 *file->replay_last);
    FLOE_RETURN_IF_ERROR(Seal(path));
    file = nullptr;
  } else if (file && !file->replay_last && (in_visible || replay)) {
    // A new file of this path must not span a listed file's range: seal the ordinary one first.
    FLOE_RETURN_IF_ERROR(Seal(path));
    file = nullptr;
  }
  if (in_visible) {
    ++stats_.replayed_skipped;
    last_handled_ = record.offset;
    return Status::Ok();
  }

  if (file && !replay && RotationDue(*file, decoded.time.micros)) {
    FLOE_RETURN_IF_ERROR(Seal(path));
    file = nullptr;
  }
  if (!file && ctx_.rotation.max_open_files > 0 && open_.size() >= ctx_.rotation.max_open_files) {
    if (OpenFile* lru = LeastRecentlyWritten()) FLOE_RETURN_IF_ERROR(Seal(lru->partition_path));
  }
  // Open (if needed) and append; a refusal for memory is answered once by sealing the least recently written
  // file, which gives that writer's whole reservation back.
  Status st;
  for (bool relieved = false;; relieved = true) {
    if (!file) {
      auto opened = Open(record, decoded, path, replay);
      st = opened.status();
      if (opened.ok()) file = *opened;
    }
    if (file) st = file->writer->Append(record, decoded);
    if (st.ok() || relieved || !st.Is(parquet::ParquetError::kMemoryPressure)) break;
    OpenFile* lru = LeastRecentlyWritten();
    if (!lru) break;
    spdlog::debug("{}[{}]: memory budget full; sealing {} to make room", ctx_.topic, partition_, lru->key);
    if (lru == file) file = nullptr;  // the record goes into a new file of its path
    if (Status sealed_st = Seal(lru->partition_path); !sealed_st.ok()) {
      st = sealed_st;
      break;
    }
  }
  if (!st.ok()) {
    if (st.Is(ArchiveError::kSpool) || st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    return Error(ArchiveError::kSpool, st.message()).Retryable(st.retryable());
  }
  file->last_offset = record.offset;
  file->last_write = ++write_seq_;
  last_file_ = file;
  file->min_time = std::min(file->min_time, decoded.time.micros);
  file->max_time = std::max(file->max_time, decoded.time.micros);
  last_handled_ = record.offset;
  if (replay) ++stats_.replayed_redone;
  const bool full = file->replay_last ? record.offset >= *file->replay_last
                                      : file->writer->records() >= ctx_.rotation.flush_size ||
                                            (ctx_.rotation.file_max_bytes > 0 &&
                                             file->writer->bytes() >= ctx_.rotation.file_max_bytes);
  if (full) {
    if (replay) {
      auto pit = plan_.find(path);
      pit->second.pop_front();
      if (pit->second.empty()) plan_.erase(pit);
    }
    if (Status st = Seal(path); !st.ok()) spdlog::warn("{}", st.ToString());
  }
  return Status::Ok();
}

void PartitionWriter::MarkSkipped(int64_t offset) {
  if (!first_seen_) first_seen_ = offset;
  last_handled_ = offset;
}

PartitionWriter::OpenFile* PartitionWriter::LeastRecentlyWritten() const {
  OpenFile* lru = nullptr;
  for (const auto& [path, f] : open_)
    if (!f->replay_last && (!lru || f->last_write < lru->last_write)) lru = f.get();
  return lru;  // null with only re-created files: they may exceed the cap until complete
}

Status PartitionWriter::Seal(std::string_view partition_path) {
  auto it = open_.find(partition_path);
  if (it == open_.end()) return Status::Ok();
  auto written = it->second->writer->Finish();
  if (!written.ok() && written.status().Is(parquet::ParquetError::kMemoryPressure)) return written.status();
  std::unique_ptr<OpenFile> file = std::move(it->second);
  open_.erase(it);
  if (last_file_ == file.get()) last_file_ = nullptr;
  if (!written.ok()) {
    // The spool file is unusable. Its records must be consumed again: nothing at or past its first offset
    // is committed from now on, so the next owner of the partition (after a restart or rebalance) re-reads
    // them, and the files published meanwhile are listed, hence skipped then.
    ::unlink(file->spool_path.c_str());
    held_from_ = std::min(held_from_.value_or(file->first_offset), file->first_offset);
    spdlog::error("{}[{}]: file {} could not be finished ({}); offsets from {} stay uncommitted until the "
                  "partition is consumed again",
                  ctx_.topic, partition_, file->key, written.status().ToString(), *held_from_);
    return Error(ArchiveError::kSpool, written.status().message());
  }
  auto sealed = std::make_unique<SealedFile>();
  FileCommittedEvent& e = sealed->event;
  e.topic = ctx_.topic;
  e.partition = partition_;
  e.database = ctx_.database;
  e.table = ctx_.table;
  e.key = file->key;
  e.format = std::string(ctx_.format->extension());
  e.records = written->records;
  e.bytes = written->bytes;
  e.first_offset = file->first_offset;
  e.last_offset = file->replay_last ? std::max(*file->replay_last, file->last_offset) : file->last_offset;
  e.min_business_time_micros = file->min_time;
  e.max_business_time_micros = file->max_time;
  // The path holds Hive-escaped values; the event carries them as the data had them, as the catalog
  // reads them back from keys (KeyPattern) and as Glue and the metastore store them. TableLayout makes every
  // segment name=value.
  for (auto& [name, value] : ParsePartitionPath(file->partition_path).value_or(decltype(e.partition_values){})) {
    if (name == "v")
      e.schema_version = std::move(value);
    else
      e.partition_values.emplace_back(std::move(name), std::move(value));
  }
  sealed->partition_path = file->partition_path;
  sealed->spool_path = file->spool_path;
  // A re-created file is listed already (carried over from the earlier epoch's state).
  sealed->listed = file->replay_last.has_value();
  pending_.push_back(std::move(sealed));
  return Status::Ok();
}

Status PartitionWriter::WriteState() {
  PartitionState state;
  state.epoch = epoch_;
  state.complete = true;
  state.files = listed_;
  FLOE_RETURN_IF_ERROR(
      ctx_.store->Put(PartitionStateKey(ctx_.topic, partition_, epoch_), EncodePartitionState(state)));
  if (!stale_state_keys_.empty()) {
    if (Status st = ctx_.store->DeleteMany(stale_state_keys_); st.ok())
      stale_state_keys_.clear();
    else
      spdlog::debug("deleting old state objects: {}", st.ToString());
  }
  return Status::Ok();
}

// Protocol steps 3–5 (docs/EXACTLY_ONCE.md) for every pending file at once: one state write listing all the
// files not listed yet, one fence check after it, then one PUT per file.
Status PartitionWriter::Publish() {
  if (pending_.empty() || fenced_) return Status::Ok();
  bool unlisted = false;
  for (const auto& p : pending_) unlisted |= !p->listed;
  if (unlisted) {
    std::vector<StateFile> added;
    for (const auto& p : pending_)
      if (!p->listed) added.push_back({p->partition_path, p->event.key, p->event.first_offset, p->event.last_offset});
    listed_.insert(listed_.end(), added.begin(), added.end());
    if (Status st = WriteState(); !st.ok()) {
      listed_.resize(listed_.size() - added.size());
      return Error(ArchiveError::kUpload, "writing the partition state: " + st.ToString()).Retryable(st.retryable());
    }
    for (auto& p : pending_) p->listed = true;
  }
  if (Status st = CheckFence(*ctx_.store, ctx_.topic, partition_, epoch_); !st.ok()) {
    if (st.Is(ArchiveError::kFenced)) {
      fenced_ = true;
      spdlog::warn("{}: publishing nothing more", st.ToString());
    }
    return st;
  }
  Status first;
  for (size_t i = 0; i < pending_.size();) {
    const size_t before = pending_.size();
    Status st = Upload(*pending_[i]);
    if (!st.ok() && first.ok()) first = st;
    if (pending_.size() == before) ++i;  // still pending
  }
  return first;
}

Status PartitionWriter::Upload(SealedFile& file) {
  Status st = ctx_.store->PutFile(file.event.key, file.spool_path);
  if (!st.ok()) {
    spdlog::warn("upload of {} failed (will retry): {}", file.event.key, st.ToString());
    return Error(ArchiveError::kUpload, st.ToString()).Retryable(st.retryable());
  }
  ::unlink(file.spool_path.c_str());
  ++stats_.files_published;
  if (ctx_.listener) ctx_.listener->OnFileCommitted(file.event);
  spdlog::debug("committed {} ({} records, offsets {}..{})", file.event.key, file.event.records,
                file.event.first_offset, file.event.last_offset);
  pending_.erase(std::find_if(pending_.begin(), pending_.end(), [&](const auto& p) { return p.get() == &file; }));
  return Status::Ok();
}

Status PartitionWriter::RetryPendingUploads() { return Publish(); }

Status PartitionWriter::SealDue(bool publish) {
  const int64_t now = ctx_.clock->NowMicros();
  std::vector<std::string> due;
  for (const auto& [path, file] : open_)
    if (now >= file->seal_deadline_micros) due.push_back(path);
  Status first;
  for (const auto& path : due) {
    Status st = Seal(path);
    if (!st.ok() && first.ok()) first = st;
  }
  if (!publish) return first;
  Status st = Publish();
  return first.ok() ? st : first;
}

void PartitionWriter::PrepareSealAll() {
  for (const auto& [path, file] : open_)
    if (!file->replay_last) file->writer->PrepareFinish();
}

Status PartitionWriter::SealAll(bool publish) {
  std::vector<std::string> paths;
  for (const auto& [path, file] : open_)
    if (!file->replay_last) paths.push_back(path);  // an incomplete re-created file must keep its boundaries
  Status first;
  for (const auto& path : paths) {
    Status st = Seal(path);
    if (!st.ok() && first.ok()) first = st;
  }
  if (!publish) return first;
  Status st = Publish();
  return first.ok() ? st : first;
}

void PartitionWriter::OnCommitted(int64_t next_offset) {
  std::erase_if(listed_, [&](const StateFile& f) { return f.last < next_offset; });
}

std::optional<int64_t> PartitionWriter::committable_offset() const {
  if (!last_handled_ || fenced_) return std::nullopt;
  int64_t offset = *last_handled_ + 1;
  for (const auto& [path, file] : open_) offset = std::min(offset, file->first_offset);
  for (const auto& p : pending_) offset = std::min(offset, p->event.first_offset);
  if (held_from_) offset = std::min(offset, *held_from_);
  return offset;
}

}  // namespace floe::archive
