// Shared by the parquet benchmarks: a realistic 15-column event table generated straight into a batch.
#pragma once

#include <cstdint>
#include <string>

#include "columnar/column_buffer.h"

namespace floe::parquet::bench {

columnar::Schema EventSchema();

// Appends rows [first, first + n) of the deterministic event data set.
void AppendEvents(uint64_t first, size_t n, columnar::ColumnarBatch* batch);


}  // namespace floe::parquet::bench
