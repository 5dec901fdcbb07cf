// Helpers for the parquet tests: an all-types schema, a Dremel shredder that appends JSON rows (raw physical
// values) to a ColumnarBatch, file round trips and the node oracle (parquet_oracle.mjs).
#pragma once

#include <signal.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "columnar/column_buffer.h"
#include "parquet/file_writer.h"

namespace floe::parquet::testing {

// Appends one record. Leaves take raw physical values: bool, integers, doubles, strings (bytes, fixed bytes
// of exactly type_length). Lists are arrays; maps are arrays of [key, value]; null or a missing field is null.
void ShredRow(const nlohmann::json& row, columnar::ColumnarBatch* batch);

// Every primitive/logical type floe maps, nullable and required, plus nested records, lists and maps.
// with_interval adds the INTERVAL column (hyparquet cannot read it).
columnar::Schema AllTypesSchema(bool with_interval);
// Row i of a deterministic data set for AllTypesSchema (nulls, empty lists, edge values included).
nlohmann::json AllTypesRow(int i, bool with_interval);

// Required (non-nullable) variants of every logical type, a required record holding a required record, and
// required maps and lists; RequiredTypesRow(i) has no nulls anywhere (maps and lists may be empty).
columnar::Schema RequiredTypesSchema();
nlohmann::json RequiredTypesRow(int i);

// Float edge cases: "d" (optional double) and "f" (required float), 16 rows in 4 groups of 4 holding NaN,
// -0.0 and +0.0, +-infinity and nulls; the last group holds only NaNs (and a null).
columnar::Schema FloatEdgeSchema();
// "noise" (required int64, for random values: incompressible pages) and "text" (required string).
columnar::Schema NoiseAndTextSchema();
std::vector<nlohmann::json> FloatEdgeRows();

std::string TempDir();

// A full disk for this process while it lives: RLIMIT_FSIZE makes writes past `bytes` of any file fail with
// EFBIG (SIGXFSZ ignored). Restores both on destruction, so a failed assertion cannot leave it set.
class FullDisk {
 public:
  explicit FullDisk(rlim_t bytes);
  ~FullDisk();
  FullDisk(const FullDisk&) = delete;
  FullDisk& operator=(const FullDisk&) = delete;

 private:
  struct sigaction old_action_{};
  rlimit old_limit_{};
};
// Writes rows (batches of batch_rows) with options to a file under TempDir(); returns its path.
std::string WriteRows(const std::string& name, const columnar::Schema& schema, const std::vector<nlohmann::json>& rows,
                      const WriterOptions& options, size_t batch_rows = 100, FileStats* stats = nullptr);
// floe's own reading, as parsed JSON lines.
std::vector<nlohmann::json> CatRows(const std::string& path);
// Runs tests/parquet/parquet_oracle.mjs; returns stdout. Fails the test when node fails.
std::string RunOracle(const std::vector<std::string>& args);
std::vector<nlohmann::json> ParseLines(const std::string& text);
// Output of a multi-file oracle run: rows per file, in argument order.
std::vector<std::vector<nlohmann::json>> ParseFiles(const std::string& text);

}  // namespace floe::parquet::testing
