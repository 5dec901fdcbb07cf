// ParquetFormat: the archiver's Parquet output, over floe's own writer (src/parquet).
//
// Each file takes its schema from its first record's columns (the decoder's columnar schema plus the Kafka
// metadata columns); every later record of the file has the same schema, because a file holds one schema
// version (the `v=` directory). Finished pages spill to the spool directory; all writers share one
// MemoryBudget, so RAM stays bounded however many files are open. When the budget refuses an append, the
// writer first finishes its own pages early (smaller pages) and retries; then it finishes the pages of this
// format's other open files, largest first (files of other hours that receive no records would otherwise keep
// their share forever), retrying after each; only when nothing is left to flush is the refusal returned (a
// retryable error). All writers of one ParquetFormat must be used from one thread (the archiver's loop).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "archive/record.h"
#include "parquet/file_writer.h"
#include "parquet/memory_budget.h"
#include "parquet/writer_options.h"

namespace floe::archive {

class ParquetFormat final : public FileFormat {
 public:
  ParquetFormat(parquet::WriterOptions options, std::string spool_dir, parquet::MemoryBudget* budget)
      : options_(std::move(options)),
        spool_dir_(std::move(spool_dir)),
        budget_(budget),
        open_(std::make_shared<std::vector<parquet::ParquetFileWriter*>>()) {}
  std::string_view extension() const override { return "parquet"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override;

 private:
  parquet::WriterOptions options_;
  std::string spool_dir_;
  parquet::MemoryBudget* budget_;
  // This format's open writers (shared with them: a writer may outlive the format at shutdown).
  std::shared_ptr<std::vector<parquet::ParquetFileWriter*>> open_;
};

}  // namespace floe::archive
