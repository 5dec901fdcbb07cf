// Fuzzes the Parquet reader end to end: footer, schema mapping, page headers, every decoder, record
// assembly, page indexes and Bloom filters. Tight ReaderOptions keep each input's allocations small.
#include <cstddef>
#include <cstdint>
#include <string>

#include "parquet/file_reader.h"
#include "parquet/row_assembler.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe::parquet;
  ReaderOptions ro;
  ro.max_footer_bytes = 1 << 20;
  ro.max_page_bytes = 1 << 20;
  ro.max_page_values = 1 << 16;
  ro.max_chunk_bytes = 1 << 22;
  ro.max_row_group_values = 1 << 18;
  auto reader = ParquetReader::Open(MemorySource(std::string(reinterpret_cast<const char*>(data), size)), ro);
  if (!reader.ok()) return 0;
  auto& r = **reader;
  floe::columnar::ColumnarBatch batch;
  for (size_t g = 0; g < r.num_row_groups() && g < 8; ++g) {
    for (size_t l = 0; l < r.schema().num_leaves() && l < 64; ++l) {
      (void)r.ReadColumnIndex(g, l);
      (void)r.ReadOffsetIndex(g, l);
      (void)r.ReadBloomFilter(g, l);
    }
    if (!r.ReadRowGroup(g, &batch).ok()) continue;
    RowAssembler rows(batch);
    nlohmann::ordered_json row;
    for (int i = 0; i < 100000; ++i) {
      auto more = rows.Next(&row);
      if (!more.ok() || !*more) break;
    }
  }
  (void)r.SelectRowGroups({{r.schema().leaves()[0].dotted_path(), Predicate::Op::kEq, int64_t{1}}});
  return 0;
}
