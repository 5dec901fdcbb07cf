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

  // Appends src's entries from `first_entry` on (whose first value is value `first_value`) behind this
  // buffer's (same leaf). Values keep their bytes (floats travel as their bit patterns).
  void AppendFrom(const ColumnBuffer& src, size_t first_entry, size_t first_value) {
    const uint8_t* fixed = src.fixed_.data();
    switch (src.physical_) {
      case PhysicalType::kByteArray:
        AppendEntriesFrom(src, first_entry, first_value,
                          [&](size_t v, int16_t d, int16_t r) { AppendBytes(src.bytes_value(v), d, r); });
        break;
      case PhysicalType::kBoolean:
        AppendEntriesFrom(src, first_entry, first_value,
                          [&](size_t v, int16_t d, int16_t r) { AppendBool(fixed[v] != 0, d, r); });
        break;
      case PhysicalType::kInt32:
      case PhysicalType::kFloat:
        AppendEntriesFrom(src, first_entry, first_value,
                          [&](size_t v, int16_t d, int16_t r) { AppendFixedN<4>(fixed + 4 * v, d, r); });
        break;
      case PhysicalType::kInt64:
      case PhysicalType::kDouble:
        AppendEntriesFrom(src, first_entry, first_value,
                          [&](size_t v, int16_t d, int16_t r) { AppendFixedN<8>(fixed + 8 * v, d, r); });
        break;
      case PhysicalType::kFixedLenByteArray: {
        const size_t width = src.FixedWidth();
        AppendEntriesFrom(src, first_entry, first_value,
                          [&](size_t v, int16_t d, int16_t r) { AppendFixed(fixed + width * v, width, d, r); });
        break;
      }
    }
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
  // One loop per physical type (AppendFrom), so each value is one inlined typed append rather than a branch
  // on the type per value. Nulls go as they are; values through put(value index, def, rep).
  template <typename PutValue>
  void AppendEntriesFrom(const ColumnBuffer& src, size_t first_entry, size_t first_value, PutValue put) {
    const int16_t* defs = src.max_def_ > 0 ? src.def_levels_.data() : nullptr;
    const int16_t* reps = src.max_rep_ > 0 ? src.rep_levels_.data() : nullptr;
    size_t value = first_value;
    for (size_t e = first_entry; e < src.num_entries_; ++e) {
      const int16_t def = defs ? defs[e] : 0;
      const int16_t rep = reps ? reps[e] : 0;
      if (def < src.max_def_) {
        AppendNull(def, rep);
      } else {
        put(value++, def, rep);
      }
    }
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

  // Appends the records of `from` (a batch of the same schema) behind this batch's: all of them, or those
  // from `start` (a mark set on `from`) on.
  void AppendRecordsFrom(const ColumnarBatch& from, const Mark* start = nullptr) {
    for (size_t i = 0; i < columns_.size(); ++i) {
      const auto [entry, value] = start ? start->entries_values[i] : std::pair<size_t, size_t>{0, 0};
      columns_[i].AppendFrom(from.columns_[i], entry, value);
    }
    num_records_ += from.num_records_ - (start ? start->records : 0);
  }
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
