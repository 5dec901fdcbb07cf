// Writes the 15-column event table (bench_util.h) with floe's Parquet writer, single-threaded, and reports
// rows/s (writer time only: Append + Close; generating the batches is the decoder's job and is excluded), as
// wall time and as this thread's CPU time (the per-core figure on a shared machine), and
// the heap allocations made inside Append per row (batch_rows 1: one record per call; the archiver hands over
// 256-row batches). With files > 1 the rows are spread over that many writers open at once, batch by batch in
// turn, as the archiver's partitions and hours spread them (e.g. 1 M rows in ~270 files of ~3,700 rows: most
// chunks then end at their first page), written to OUT.parquet.0, OUT.parquet.1, ...
//   parquet_write_table OUT.parquet ROWS [codec] [batch_rows (default 4096)] [files (default 1)]
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

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
    std::fprintf(stderr, "usage: %s OUT.parquet ROWS [codec] [batch_rows] [files]\n", argv[0]);
    return 2;
  }
  const uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  parquet::WriterOptions o;
  if (argc > 3) o.codec = *parquet::ParseCodec(argv[3]);
  const uint64_t step = argc > 4 ? std::max<uint64_t>(1, std::strtoull(argv[4], nullptr, 10)) : 4096;
  const size_t files = argc > 5 ? std::max<size_t>(1, std::strtoull(argv[5], nullptr, 10)) : 1;
  const auto schema = parquet::bench::EventSchema();
  double writer_s = 0, writer_cpu_s = 0;
  using clock = std::chrono::steady_clock;
  std::vector<std::unique_ptr<parquet::ParquetFileWriter>> writers;
  {
    const auto t0 = clock::now();
    const double c0 = ThreadCpuSeconds();
    for (size_t f = 0; f < files; ++f) {
      auto w = parquet::ParquetFileWriter::Open(schema, o, "/tmp", nullptr);
      if (!w.ok()) return 1;
      writers.push_back(std::move(*w));
    }
    writer_cpu_s += ThreadCpuSeconds() - c0;
    writer_s += std::chrono::duration<double>(clock::now() - t0).count();
  }
  columnar::ColumnarBatch batch(schema);
  // The first row group's first pages grow every buffer to its working size: allocations are counted after.
  const uint64_t warmup = std::min<uint64_t>(rows, 100000);
  unsigned long long steady_rows = 0;
  size_t turn = 0;
  for (uint64_t i = 0; i < rows; i += step) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(step, rows - i));
    parquet::bench::AppendEvents(i, n, &batch);
    counting = i >= warmup;
    const auto t0 = clock::now();
    const double c0 = ThreadCpuSeconds();
    if (!writers[turn]->Append(batch).ok()) return 1;
    writer_cpu_s += ThreadCpuSeconds() - c0;
    writer_s += std::chrono::duration<double>(clock::now() - t0).count();
    if (counting) steady_rows += n;
    counting = false;
    turn = (turn + 1) % files;
  }
  uint64_t total_rows = 0, total_bytes = 0;
  uint32_t row_groups = 0;
  for (size_t f = 0; f < files; ++f) {
    const std::string path = files == 1 ? std::string(argv[1]) : std::string(argv[1]) + "." + std::to_string(f);
    auto sink = FileByteSink::Open(path, 1 << 20);
    if (!sink.ok()) return 1;
    const auto t0 = clock::now();
    const double c0 = ThreadCpuSeconds();
    auto stats = writers[f]->Close(**sink);
    if (!stats.ok() || !(*sink)->Close().ok()) return 1;
    writers[f].reset();
    writer_cpu_s += ThreadCpuSeconds() - c0;
    writer_s += std::chrono::duration<double>(clock::now() - t0).count();
    total_rows += stats->rows;
    total_bytes += stats->bytes;
    row_groups += stats->row_groups;
  }
  std::printf("{\"rows\":%llu,\"batch_rows\":%llu,\"files\":%zu,\"seconds\":%.3f,\"rows_per_s\":%.0f,"
              "\"cpu_seconds\":%.3f,\"rows_per_cpu_s\":%.0f,\"bytes\":%llu,\"row_groups\":%u,"
              "\"append_allocations_per_row\":%.4f}\n",
              static_cast<unsigned long long>(total_rows), static_cast<unsigned long long>(step), files, writer_s,
              static_cast<double>(total_rows) / writer_s, writer_cpu_s, static_cast<double>(total_rows) / writer_cpu_s,
              static_cast<unsigned long long>(total_bytes), row_groups,
              steady_rows ? static_cast<double>(allocations) / static_cast<double>(steady_rows) : 0.0);
  return 0;
}
