// Memory run: W concurrently open writers x R rows each under one MemoryBudget; prints the budget's peak
// and the process's peak RSS (getrusage). Files are assembled into a discarding sink.
//   parquet_memory WRITERS ROWS_PER_WRITER BUDGET_MIB SPOOL_DIR
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "bench_util.h"
#include "parquet/file_writer.h"

namespace {
class DiscardSink final : public floe::ByteSink {
 public:
  floe::Status Write(const void*, size_t n) override {
    pos_ += n;
    return floe::Status::Ok();
  }
  uint64_t position() const override { return pos_; }
  floe::Status Sync() override { return floe::Status::Ok(); }
  floe::Status Close() override { return floe::Status::Ok(); }

 private:
  uint64_t pos_ = 0;
};
long PeakRssKiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace floe;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s WRITERS ROWS_PER_WRITER BUDGET_MIB SPOOL_DIR\n", argv[0]);
    return 2;
  }
  const int writers = std::atoi(argv[1]);
  const uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  parquet::MemoryBudget budget(std::strtoull(argv[3], nullptr, 10) << 20);
  const long rss_before = PeakRssKiB();
  const auto schema = parquet::bench::EventSchema();
  std::vector<std::unique_ptr<parquet::ParquetFileWriter>> ws;
  for (int i = 0; i < writers; ++i) {
    auto w = parquet::ParquetFileWriter::Open(schema, parquet::WriterOptions{}, argv[4], &budget);
    if (!w.ok()) {
      std::fprintf(stderr, "%s\n", w.status().ToString().c_str());
      return 1;
    }
    ws.push_back(std::move(*w));
  }
  columnar::ColumnarBatch batch(schema);
  const size_t step = 500;
  uint64_t pressure_rounds = 0;
  for (uint64_t r = 0; r < rows; r += step) {
    for (int i = 0; i < writers; ++i) {
      parquet::bench::AppendEvents(r + static_cast<uint64_t>(i) * rows, static_cast<size_t>(std::min<uint64_t>(step, rows - r)), &batch);
      if (!ws[static_cast<size_t>(i)]->Append(batch).ok()) return 1;
    }
    pressure_rounds += budget.under_pressure();
  }
  uint64_t bytes = 0;
  for (auto& w : ws) {
    DiscardSink sink;
    auto st = w->Close(sink);
    if (!st.ok()) return 1;
    bytes += st->bytes;
  }
  std::printf("{\"writers\":%d,\"rows_per_writer\":%llu,\"budget_bytes\":%llu,\"budget_peak\":%llu,\"denials\":%llu,"
              "\"pressure_rounds\":%llu,\"peak_rss_kib\":%ld,\"rss_before_kib\":%ld,\"output_bytes\":%llu}\n",
              writers, static_cast<unsigned long long>(rows), static_cast<unsigned long long>(budget.limit()),
              static_cast<unsigned long long>(budget.peak()), static_cast<unsigned long long>(budget.denials()),
              static_cast<unsigned long long>(pressure_rounds), PeakRssKiB(), rss_before,
              static_cast<unsigned long long>(bytes));
  return 0;
}
