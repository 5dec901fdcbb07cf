#include "archive/parquet_format.h"

#include <algorithm>

#include "archive/archive_error.h"
#include "parquet/errors.h"
#include "parquet/file_writer.h"

namespace floe::archive {
namespace {

class ParquetWriter final : public FileFormatWriter {
 public:
  ParquetWriter(std::unique_ptr<parquet::ParquetFileWriter> writer, std::unique_ptr<ByteSink> sink,
                std::shared_ptr<std::vector<parquet::ParquetFileWriter*>> open)
      : writer_(std::move(writer)), sink_(std::move(sink)), open_(std::move(open)) {
    open_->push_back(writer_.get());
  }
  ~ParquetWriter() override { std::erase(*open_, writer_.get()); }

  Status Append(const RecordContext& context, const DecodedRecord& record) override {
    if (!record.columns)
      return Error(ArchiveError::kConfig, "the connector's decoder does not produce columns for Parquet");
    Status st = writer_->Append(*record.columns);
    if (!st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    FLOE_RETURN_IF_ERROR(writer_->FlushPages());
    st = writer_->Append(*record.columns);
    if (!st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    // The budget is held by the other open files: finish their pages, largest holder first.
    std::vector<std::pair<size_t, parquet::ParquetFileWriter*>> others;
    for (auto* w : *open_)
      if (w != writer_.get()) others.emplace_back(w->buffered_bytes(), w);
    std::sort(others.rbegin(), others.rend());
    for (const auto& [bytes, w] : others) {
      FLOE_RETURN_IF_ERROR(w->FlushPages());
      st = writer_->Append(*record.columns);
      if (!st.Is(parquet::ParquetError::kMemoryPressure)) return st;
    }
    return st;
  }
  uint64_t records() const override { return writer_->rows(); }
  uint64_t bytes() const override { return writer_->spooled_bytes(); }
  Result<WrittenFile> Finish() override {
    FLOE_ASSIGN_OR_RETURN(parquet::FileStats stats, writer_->Close(*sink_));
    FLOE_RETURN_IF_ERROR(sink_->Close());
    return WrittenFile{stats.rows, stats.bytes};
  }

 private:
  std::unique_ptr<parquet::ParquetFileWriter> writer_;
  std::unique_ptr<ByteSink> sink_;
  std::shared_ptr<std::vector<parquet::ParquetFileWriter*>> open_;
};

}  // namespace

Result<std::unique_ptr<FileFormatWriter>> ParquetFormat::Open(std::unique_ptr<ByteSink> sink,
                                                              const DecodedRecord& first) {
  if (!first.columns) return Error(ArchiveError::kConfig, "format parquet needs a decoder that produces columns");
  parquet::WriterOptions options = options_;
  if (!first.writer_schema.empty()) options.key_value_metadata.emplace_back("avro.schema", first.writer_schema);
  auto writer = parquet::ParquetFileWriter::Open(first.columns->schema(), options, spool_dir_, budget_);
  if (!writer.ok() && writer.status().Is(parquet::ParquetError::kMemoryPressure)) {
    // No room for even the new file's fixed part: finish the open files' pages, largest holder first.
    std::vector<std::pair<size_t, parquet::ParquetFileWriter*>> open;
    for (auto* w : *open_) open.emplace_back(w->buffered_bytes(), w);
    std::sort(open.rbegin(), open.rend());
    for (const auto& [bytes, w] : open) {
      FLOE_RETURN_IF_ERROR(w->FlushPages());
      writer = parquet::ParquetFileWriter::Open(first.columns->schema(), options, spool_dir_, budget_);
      if (writer.ok() || !writer.status().Is(parquet::ParquetError::kMemoryPressure)) break;
    }
  }
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<FileFormatWriter>(new ParquetWriter(std::move(*writer), std::move(sink), open_));
}

}  // namespace floe::archive
