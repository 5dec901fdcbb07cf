// Writes the 15-column event table (bench_util.h) with floe's Parquet writer, single-threaded, and reports
// rows/s (writer time only: Append + Close; generating the batches is the decoder's job and is excluded), as
// wall time and as this thread's CPU time (the per-core figure on a shared machine), and
// the heap allocations made inside Append per row (the archiver appends one record per call: batch_rows 1).
//   parquet_write_table OUT.parquet ROWS [codec] [batch_rows (default 4096)]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "bench_util.h"
#include "common/byte_sink.h"
#include "parquet/file_writer.h"

namespace {
// Counts operator new calls while `counting` is set (the writer's containers all allocate through it).
bool counting = false;
unsigned long long allocations = 0;
double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
}  // namespace

void* operator new(size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

int main(int argc, char** argv) {
  using namespace floe;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT.parquet ROWS [codec] [batch_rows]\n", argv[0]);
    return 2;
  }
  const uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  parquet::WriterOptions o;
  if (argc > 3) o.codec = *parquet::ParseCodec(argv[3]);
  const uint64_t step = argc > 4 ? std::max<uint64_t>(1, std::strtoull(argv[4], nullptr, 10)) : 4096;
  const auto schema = parquet::bench::EventSchema();
  auto w = parquet::ParquetFileWriter::Open(schema, o, "/tmp", nullptr);
  if (!w.ok()) return 1;
  columnar::ColumnarBatch batch(schema);
  double writer_s = 0, writer_cpu_s = 0;
  using clock = std::chrono::steady_clock;
  // The first row group's first pages grow every buffer to its working size: allocations are counted after.
  const uint64_t warmup = std::min<uint64_t>(rows, 100000);
  unsigned long long steady_rows = 0;
  for (uint64_t i = 0; i < rows; i += step) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(step, rows - i));
    parquet::bench::AppendEvents(i, n, &batch);
    counting = i >= warmup;
    const auto t0 = clock::now();
    const double c0 = ThreadCpuSeconds();
    if (!(*w)->Append(batch).ok()) return 1;
    writer_cpu_s += ThreadCpuSeconds() - c0;
    writer_s += std::chrono::duration<double>(clock::now() - t0).count();
    if (counting) steady_rows += n;
    counting = false;
  }
  auto sink = FileByteSink::Open(argv[1], 1 << 20);
  const auto t0 = clock::now();
  const double c0 = ThreadCpuSeconds();
  auto stats = (*w)->Close(**sink);
  if (!stats.ok() || !(*sink)->Close().ok()) return 1;
  writer_cpu_s += ThreadCpuSeconds() - c0;
  writer_s += std::chrono::duration<double>(clock::now() - t0).count();
  std::printf("{\"rows\":%llu,\"batch_rows\":%llu,\"seconds\":%.3f,\"rows_per_s\":%.0f,\"cpu_seconds\":%.3f,"
              "\"rows_per_cpu_s\":%.0f,\"bytes\":%llu,\"row_groups\":%u,"
              "\"append_allocations_per_row\":%.4f}\n",
              static_cast<unsigned long long>(stats->rows), static_cast<unsigned long long>(step), writer_s,
              static_cast<double>(stats->rows) / writer_s, writer_cpu_s, static_cast<double>(stats->rows) / writer_cpu_s,
              static_cast<unsigned long long>(stats->bytes),
              stats->row_groups, steady_rows ? static_cast<double>(allocations) / static_cast<double>(steady_rows) : 0.0);
  return 0;
}
