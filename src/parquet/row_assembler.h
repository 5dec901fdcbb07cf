// RowAssembler: turns the leaf columns of a ColumnarBatch back into nested records (Dremel record
// assembly) as JSON, for `floe parquet cat` and tests. Value renderings follow value_format.h.
// Inconsistent levels (a hostile file that passed the page checks) end assembly with kCorrupt.
#pragma once

#include <nlohmann/json.hpp>

#include "columnar/column_buffer.h"
#include "common/status.h"

namespace floe::parquet {

class RowAssembler {
 public:
  explicit RowAssembler(const columnar::ColumnarBatch& batch);
  // The next record, or false after the last one.
  Result<bool> Next(nlohmann::ordered_json* row);

 private:
  struct Cursor {
    size_t entry = 0;
    size_t value = 0;
  };
  nlohmann::ordered_json Read(const columnar::Node& node, size_t leaf, int16_t def_base, int16_t rep_depth);
  nlohmann::ordered_json Value(size_t leaf);
  void SkipNull(size_t leaf_begin, size_t leaf_count);
  int16_t PeekDef(size_t leaf) const;
  int16_t PeekRep(size_t leaf) const;

  const columnar::ColumnarBatch& batch_;
  std::vector<Cursor> cursors_;
  size_t record_ = 0;
  bool corrupt_ = false;
};

// A JSON rendering of one leaf value (the leaf's physical value at `value_index`).
nlohmann::ordered_json LeafValueToJson(const columnar::ColumnBuffer& column, size_t value_index);

}  // namespace floe::parquet
