#include "archive/partition_writer.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "archive/archive_error.h"
#include "common/time_util.h"

namespace floe::archive {

struct PartitionWriter::OpenFile {
  std::string partition_path;
  std::string key;
  std::string spool_path;
  std::unique_ptr<FileFormatWriter> writer;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t min_time = INT64_MAX;
  int64_t max_time = INT64_MIN;
  int64_t seal_deadline_micros = INT64_MAX;  // wall-clock rotation
};

struct PartitionWriter::SealedFile {
  FileCommittedEvent event;
  std::string spool_path;
};

PartitionWriter::PartitionWriter(const PartitionWriterContext& context, int32_t partition)
    : ctx_(context), partition_(partition) {}

PartitionWriter::~PartitionWriter() {
  // Files not sealed are abandoned: their records were not committed and will be consumed again.
  for (auto& [path, file] : open_) ::unlink(file->spool_path.c_str());
}

Result<PartitionWriter::OpenFile*> PartitionWriter::FileFor(const RecordContext& record, const DecodedRecord& decoded,
                                                            std::string_view partition_path) {
  const std::string path(partition_path);
  auto it = open_.find(path);
  if (it != open_.end()) return it->second.get();

  auto file = std::make_unique<OpenFile>();
  file->partition_path = path;
  file->first_offset = record.offset;
  const std::string name =
      ctx_.topic + "+" + std::to_string(partition_) + "+" + std::to_string(record.offset) + "." +
      std::string(ctx_.format->extension());
  file->key = ctx_.database + "/" + ctx_.table + "/" + path + "/" + name;
  file->spool_path = ctx_.spool_dir + "/" + name + "." + std::to_string(++spool_seq_) + ".spool";
  auto sink = FileByteSink::Open(file->spool_path);
  if (!sink.ok()) return Error(ArchiveError::kSpool, sink.status().message());
  FLOE_ASSIGN_OR_RETURN(file->writer, ctx_.format->Open(std::move(sink).value(), decoded));
  if (ctx_.rotation.rotate_schedule_interval_ms > 0) {
    const int64_t interval = ctx_.rotation.rotate_schedule_interval_ms * 1000;
    const int64_t now = ctx_.clock->NowMicros();
    file->seal_deadline_micros = (now / interval + 1) * interval;
  }
  OpenFile* raw = file.get();
  open_.emplace(path, std::move(file));
  return raw;
}

Status PartitionWriter::Write(const RecordContext& record, const DecodedRecord& decoded,
                              std::string_view partition_path) {
  FLOE_ASSIGN_OR_RETURN(OpenFile * file, FileFor(record, decoded, partition_path));
  if (Status st = file->writer->Append(record, decoded); !st.ok())
    return Error(ArchiveError::kSpool, st.message());
  file->last_offset = record.offset;
  file->min_time = std::min(file->min_time, decoded.time.micros);
  file->max_time = std::max(file->max_time, decoded.time.micros);
  last_handled_ = record.offset;
  if (file->writer->records() >= ctx_.rotation.flush_size) return Seal(file->partition_path);
  return Status::Ok();
}

void PartitionWriter::MarkSkipped(int64_t offset) { last_handled_ = offset; }

Status PartitionWriter::Seal(const std::string& partition_path) {
  auto it = open_.find(partition_path);
  if (it == open_.end()) return Status::Ok();
  std::unique_ptr<OpenFile> file = std::move(it->second);
  open_.erase(it);

  auto written = file->writer->Finish();
  if (!written.ok()) {
    // The spool file is unusable; its records are not committed and will be consumed again after restart.
    ::unlink(file->spool_path.c_str());
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
  e.last_offset = file->last_offset;
  e.min_business_time_micros = file->min_time;
  e.max_business_time_micros = file->max_time;
  for (size_t start = 0; start < file->partition_path.size();) {
    size_t slash = file->partition_path.find('/', start);
    if (slash == std::string::npos) slash = file->partition_path.size();
    const std::string part = file->partition_path.substr(start, slash - start);
    const size_t eq = part.find('=');
    if (part.substr(0, eq) == "v")
      e.schema_version = part.substr(eq + 1);
    else
      e.partition_values.emplace_back(part.substr(0, eq), part.substr(eq + 1));
    start = slash + 1;
  }
  sealed->spool_path = file->spool_path;
  pending_.push_back(std::move(sealed));
  return Upload(*pending_.back());
}

Status PartitionWriter::Upload(SealedFile& file) {
  Status st = ctx_.store->PutFile(file.event.key, file.spool_path);
  if (!st.ok()) {
    spdlog::warn("upload of {} failed (will retry): {}", file.event.key, st.ToString());
    return Error(ArchiveError::kUpload, st.ToString()).Retryable(st.retryable());
  }
  ::unlink(file.spool_path.c_str());
  if (ctx_.listener) ctx_.listener->OnFileCommitted(file.event);
  spdlog::debug("committed {} ({} records, offsets {}..{})", file.event.key, file.event.records,
                file.event.first_offset, file.event.last_offset);
  pending_.erase(std::find_if(pending_.begin(), pending_.end(), [&](const auto& p) { return p.get() == &file; }));
  return Status::Ok();
}

Status PartitionWriter::RetryPendingUploads() {
  Status first;
  for (size_t i = 0; i < pending_.size();) {
    const size_t before = pending_.size();
    Status st = Upload(*pending_[i]);
    if (!st.ok() && first.ok()) first = st;
    if (pending_.size() == before) ++i;  // still pending
  }
  return first;
}

Status PartitionWriter::SealDue() {
  const int64_t now = ctx_.clock->NowMicros();
  std::vector<std::string> due;
  for (const auto& [path, file] : open_)
    if (now >= file->seal_deadline_micros) due.push_back(path);
  Status first;
  for (const auto& path : due) {
    Status st = Seal(path);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

Status PartitionWriter::SealAll() {
  Status first = RetryPendingUploads();
  std::vector<std::string> paths;
  for (const auto& [path, file] : open_) paths.push_back(path);
  for (const auto& path : paths) {
    Status st = Seal(path);
    if (!st.ok() && first.ok()) first = st;
  }
  return first;
}

std::optional<int64_t> PartitionWriter::committable_offset() const {
  if (!last_handled_) return std::nullopt;
  int64_t offset = *last_handled_ + 1;
  for (const auto& [path, file] : open_) offset = std::min(offset, file->first_offset);
  for (const auto& p : pending_) offset = std::min(offset, p->event.first_offset);
  return offset;
}

}  // namespace floe::archive
