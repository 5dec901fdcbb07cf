// ColumnBuffer: the values of one leaf column that a decoder appends and a file-format writer drains.
//
// This is the seam between decoders (Avro, JSON) and writers (Parquet, JSON lines, Avro OCF). It is a
// concrete, non-virtual class on purpose: a decoder appends each value with an inlined call, with no lookup
// and no virtual dispatch, into buffers that keep their capacity across pages, so steady-state decoding does
// not allocate.
//
// Contract (Dremel, as in the Parquet format):
// - Every appended entry carries a definition level and a repetition level. Entries whose definition level
//   is below the leaf's max_definition_level are nulls (or empty lists / absent parents) and carry no value.
// - Values are stored for non-null entries only, in append order:
//     kBoolean                     one byte 0/1 per value in `fixed`
//     kInt32/kFloat                4 little-endian bytes per value in `fixed`
//     kInt64/kDouble               8 little-endian bytes per value in `fixed`
//     kFixedLenByteArray           type_length bytes per value in `fixed`
//     kByteArray                   bytes in `data`, value i spans [offsets[i], offsets[i+1])
// - Level vectors are only filled when the corresponding max level is > 0.
// - A writer calls Clear() after draining; capacity is kept.
#pragma once

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "columnar/schema.h"

namespace floe::columnar {

class ColumnBuffer {
 public:
  ColumnBuffer() = default;
  explicit ColumnBuffer(const LeafColumn& leaf) { Reset(leaf); }

  void Reset(const LeafColumn& leaf) {
    leaf_ = &leaf;
    physical_ = leaf.node->physical;
    max_def_ = leaf.max_definition_level;
    max_rep_ = leaf.max_repetition_level;
    offsets_.assign(1, 0);
    Clear();
  }

  const LeafColumn& leaf() const { return *leaf_; }
  PhysicalType physical() const { return physical_; }
  int16_t max_definition_level() const { return max_def_; }
  int16_t max_repetition_level() const { return max_rep_; }

  // Entries appended (values and nulls) since the last Clear().
  size_t num_entries() const { return num_entries_; }
  // Non-null values appended since the last Clear().
  size_t num_values() const { return num_values_; }
  // Bytes held, for page-size and memory-budget decisions.
  size_t buffered_bytes() const {
    return fixed_.size() + data_.size() + offsets_.size() * sizeof(uint32_t) +
           (def_levels_.size() + rep_levels_.size()) * sizeof(int16_t);
  }

  // --- Appending (decoder side) ------------------------------------------------------------------------

  // A null (or an absent ancestor, or an empty list) at definition level `def` < max.
  void AppendNull(int16_t def, int16_t rep) {
    Levels(def, rep);
  }
  void AppendBool(bool v, int16_t def, int16_t rep) {
    Levels(def, rep);
    fixed_.push_back(v ? 1 : 0);
    ++num_values_;
  }
  void AppendInt32(int32_t v, int16_t def, int16_t rep) { AppendFixedN<sizeof v>(&v, def, rep); }
  void AppendInt64(int64_t v, int16_t def, int16_t rep) { AppendFixedN<sizeof v>(&v, def, rep); }
  void AppendFloat(float v, int16_t def, int16_t rep) { AppendFixedN<sizeof v>(&v, def, rep); }
  void AppendDouble(double v, int16_t def, int16_t rep) { AppendFixedN<sizeof v>(&v, def, rep); }
  // kFixedLenByteArray: exactly type_length bytes.
  void AppendFixedBytes(const void* p, size_t n, int16_t def, int16_t rep) { AppendFixed(p, n, def, rep); }
  // kByteArray.
  void AppendBytes(const void* p, size_t n, int16_t def, int16_t rep) {
    Levels(def, rep);
    // insert, not resize + memcpy: no zero-fill of bytes about to be overwritten.
    const auto* bytes = static_cast<const uint8_t*>(p);
    data_.insert(data_.end(), bytes, bytes + n);
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
    ++num_values_;
  }
  void AppendBytes(std::string_view s, int16_t def, int16_t rep) { AppendBytes(s.data(), s.size(), def, rep); }

  // For decoders that write a byte-array value in pieces or straight from their input: reserve n bytes,
  // fill them, and the value is committed. Returns where to write.
  uint8_t* AppendBytesUninitialized(size_t n, int16_t def, int16_t rep) {
    Levels(def, rep);
    const size_t at = data_.size();
    data_.resize(at + n);
    offsets_.push_back(static_cast<uint32_t>(data_.size()));
    ++num_values_;
    return data_.data() + at;
  }

  // Drops the last `entries` entries (and their values). Decoders use it to undo a partially decoded record
  // that turned out to be malformed, so a bad record never leaves half a row behind.
  void Truncate(size_t entries, size_t values) {
    num_entries_ = entries;
    if (max_def_ > 0) def_levels_.resize(entries);
    if (max_rep_ > 0) rep_levels_.resize(entries);
    if (physical_ == PhysicalType::kByteArray) {
      offsets_.resize(values + 1);
      data_.resize(offsets_.back());
    } else {
      fixed_.resize(values * FixedWidth());
    }
    num_values_ = values;
  }

  void Clear() {
    def_levels_.clear();
    rep_levels_.clear();
    fixed_.clear();
    data_.clear();
    offsets_.resize(1);
    if (offsets_.empty()) offsets_.push_back(0);
    offsets_[0] = 0;
    num_entries_ = 0;
    num_values_ = 0;
  }

  // --- Reading (writer side) ---------------------------------------------------------------------------

  const std::vector<int16_t>& def_levels() const { return def_levels_; }
  const std::vector<int16_t>& rep_levels() const { return rep_levels_; }
  const std::vector<uint8_t>& fixed() const { return fixed_; }
  const std::vector<uint8_t>& data() const { return data_; }
  const std::vector<uint32_t>& offsets() const { return offsets_; }
  std::string_view bytes_value(size_t i) const {
    return {reinterpret_cast<const char*>(data_.data()) + offsets_[i], offsets_[i + 1] - offsets_[i]};
  }
  // Width in bytes of one value in `fixed` (0 for kByteArray).
  size_t FixedWidth() const {
    switch (physical_) {
      case PhysicalType::kBoolean: return 1;
      case PhysicalType::kInt32:
      case PhysicalType::kFloat: return 4;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble: return 8;
      case PhysicalType::kFixedLenByteArray: return static_cast<size_t>(leaf_->node->type_length);
      case PhysicalType::kByteArray: return 0;
    }
    return 0;
  }

 private:
  void Levels(int16_t def, int16_t rep) {
    if (max_def_ > 0) def_levels_.push_back(def);
    if (max_rep_ > 0) rep_levels_.push_back(rep);
    ++num_entries_;
  }
  void AppendFixed(const void* p, size_t n, int16_t def, int16_t rep) {
    Levels(def, rep);
    const auto* bytes = static_cast<const uint8_t*>(p);
    fixed_.insert(fixed_.end(), bytes, bytes + n);
    ++num_values_;
  }
  // A compile-time width lets the compiler turn the copy into one store instead of a memcpy call.
  template <size_t N>
  void AppendFixedN(const void* p, int16_t def, int16_t rep) {
    Levels(def, rep);
    const size_t at = fixed_.size();
    if (fixed_.capacity() < at + N) fixed_.reserve(std::max<size_t>(2 * fixed_.capacity(), at + N));
    fixed_.resize(at + N);
    std::memcpy(fixed_.data() + at, p, N);
    ++num_values_;
  }

  const LeafColumn* leaf_ = nullptr;
  PhysicalType physical_ = PhysicalType::kByteArray;
  int16_t max_def_ = 0;
  int16_t max_rep_ = 0;
  std::vector<int16_t> def_levels_;
  std::vector<int16_t> rep_levels_;
  std::vector<uint8_t> fixed_;
  std::vector<uint8_t> data_;
  std::vector<uint32_t> offsets_{0};
  size_t num_entries_ = 0;
  size_t num_values_ = 0;
};

// One ColumnBuffer per leaf of a schema, plus the number of complete records appended.
// A decoder appends one record across all leaves, then calls EndRecord().
class ColumnarBatch {
 public:
  ColumnarBatch() = default;
  explicit ColumnarBatch(Schema schema) { Reset(std::move(schema)); }
  // Buffers point at the schema's leaves: moving keeps them valid (vector storage moves), copying would not.
  ColumnarBatch(ColumnarBatch&&) = default;
  ColumnarBatch& operator=(ColumnarBatch&&) = default;
  ColumnarBatch(const ColumnarBatch&) = delete;
  ColumnarBatch& operator=(const ColumnarBatch&) = delete;

  void Reset(Schema schema) {
    schema_ = std::move(schema);
    columns_.clear();
    columns_.resize(schema_.num_leaves());
    for (size_t i = 0; i < columns_.size(); ++i) columns_[i].Reset(schema_.leaves()[i]);
    num_records_ = 0;
  }

  const Schema& schema() const { return schema_; }
  size_t num_columns() const { return columns_.size(); }
  ColumnBuffer& column(size_t i) { return columns_[i]; }
  const ColumnBuffer& column(size_t i) const { return columns_[i]; }
  size_t num_records() const { return num_records_; }
  void EndRecord() { ++num_records_; }

  size_t buffered_bytes() const {
    size_t n = 0;
    for (const auto& c : columns_) n += c.buffered_bytes();
    return n;
  }
  void Clear() {
    for (auto& c : columns_) c.Clear();
    num_records_ = 0;
  }

  // A mark of the current position, and rollback to it: how a decoder discards a malformed record.
  struct Mark {
    std::vector<std::pair<size_t, size_t>> entries_values;
    size_t records = 0;
  };
  void SetMark(Mark& mark) const {
    mark.entries_values.resize(columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i)
      mark.entries_values[i] = {columns_[i].num_entries(), columns_[i].num_values()};
    mark.records = num_records_;
  }
  void Rollback(const Mark& mark) {
    for (size_t i = 0; i < columns_.size(); ++i)
      columns_[i].Truncate(mark.entries_values[i].first, mark.entries_values[i].second);
    num_records_ = mark.records;
  }

 private:
  Schema schema_;
  std::vector<ColumnBuffer> columns_;
  size_t num_records_ = 0;
};

}  // namespace floe::columnar
