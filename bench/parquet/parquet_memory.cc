// Memory run: W concurrently open writers x R rows each under one MemoryBudget; prints the budget's peak
// and the process's peak RSS (getrusage). Files are assembled into a discarding sink. Appends are
// round-robin; one refused with kMemoryPressure is retried on the next round (the caller's pause).
//   parquet_memory WRITERS ROWS_PER_WRITER BUDGET_MIB SPOOL_DIR
#include <malloc.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "bench_util.h"
#include "parquet/errors.h"
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
  uint64_t pressure_rounds = 0, refused = 0;
  std::vector<uint64_t> done(static_cast<size_t>(writers), 0);
  for (bool more = true; more;) {
    more = false;
    uint64_t progressed = 0;
    for (int i = 0; i < writers; ++i) {
      const size_t w = static_cast<size_t>(i);
      if (done[w] >= rows) continue;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(step, rows - done[w]));
      parquet::bench::AppendEvents(done[w] + static_cast<uint64_t>(i) * rows, n, &batch);
      const auto st = ws[w]->Append(batch);
      if (st.ok()) {
        done[w] += n;
        ++progressed;
      } else if (st.Is(parquet::ParquetError::kMemoryPressure)) {
        batch.Clear();
        ++refused;
      } else {
        std::fprintf(stderr, "%s\n", st.ToString().c_str());
        return 1;
      }
      more |= done[w] < rows;
    }
    pressure_rounds += budget.under_pressure();
    if (more && progressed == 0) {
      std::fprintf(stderr, "no writer could append within the budget\n");
      return 1;
    }
  }
  // Where the peak is reached: while appending (writers' buffers plus the allocator's free fragments), or
  // while closing (Close's working set on top of the writers still open).
  const long rss_appends_kib = PeakRssKiB();
  const struct mallinfo2 mi = mallinfo2();
  const uint64_t used_after_appends = budget.used();
  uint64_t bytes = 0;
  for (auto& w : ws) {
    DiscardSink sink;
    auto st = w->Close(sink);
    if (!st.ok()) return 1;
    bytes += st->bytes;
  }
  std::printf("{\"writers\":%d,\"rows_per_writer\":%llu,\"budget_bytes\":%llu,\"writer_limit\":%llu,\"budget_peak\":%llu,\"denials\":%llu,"
              "\"forced_bytes\":%llu,\"refused_appends\":%llu,\"pressure_rounds\":%llu,\"peak_rss_kib\":%ld,\"rss_before_kib\":%ld,"
              "\"peak_rss_appending_kib\":%ld,\"used_after_appends\":%llu,\"heap_arena\":%zu,\"heap_free\":%zu,\"heap_mmapped\":%zu,"
              "\"output_bytes\":%llu}\n",
              writers, static_cast<unsigned long long>(rows), static_cast<unsigned long long>(budget.limit()),
              static_cast<unsigned long long>(budget.writer_limit()),
              static_cast<unsigned long long>(budget.peak()), static_cast<unsigned long long>(budget.denials()),
              static_cast<unsigned long long>(budget.forced_bytes()), static_cast<unsigned long long>(refused),
              static_cast<unsigned long long>(pressure_rounds), PeakRssKiB(), rss_before, rss_appends_kib,
              static_cast<unsigned long long>(used_after_appends), mi.arena, mi.fordblks, mi.hblkhd,
              static_cast<unsigned long long>(bytes));
  return 0;
}
