// Writes the 15-column event table (bench_util.h) with floe's Parquet writer, single-threaded, and reports
// rows/s (writer time only: Append + Close; generating the batches is the decoder's job and is excluded).
//   parquet_write_table OUT.parquet ROWS [codec]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "bench_util.h"
#include "common/byte_sink.h"
#include "parquet/file_writer.h"

int main(int argc, char** argv) {
  using namespace floe;
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT.parquet ROWS [codec]\n", argv[0]);
    return 2;
  }
  const uint64_t rows = std::strtoull(argv[2], nullptr, 10);
  parquet::WriterOptions o;
  if (argc > 3) o.codec = *parquet::ParseCodec(argv[3]);
  const auto schema = parquet::bench::EventSchema();
  auto w = parquet::ParquetFileWriter::Open(schema, o, "/tmp", nullptr);
  if (!w.ok()) return 1;
  columnar::ColumnarBatch batch(schema);
  double writer_s = 0;
  using clock = std::chrono::steady_clock;
  for (uint64_t i = 0; i < rows; i += 4096) {
    parquet::bench::AppendEvents(i, static_cast<size_t>(std::min<uint64_t>(4096, rows - i)), &batch);
    const auto t0 = clock::now();
    if (!(*w)->Append(batch).ok()) return 1;
    writer_s += std::chrono::duration<double>(clock::now() - t0).count();
  }
  auto sink = FileByteSink::Open(argv[1], 1 << 20);
  const auto t0 = clock::now();
  auto stats = (*w)->Close(**sink);
  if (!stats.ok() || !(*sink)->Close().ok()) return 1;
  writer_s += std::chrono::duration<double>(clock::now() - t0).count();
  std::printf("{\"rows\":%llu,\"seconds\":%.3f,\"rows_per_s\":%.0f,\"bytes\":%llu,\"row_groups\":%u}\n",
              static_cast<unsigned long long>(stats->rows), writer_s, static_cast<double>(stats->rows) / writer_s,
              static_cast<unsigned long long>(stats->bytes), stats->row_groups);
  return 0;
}
