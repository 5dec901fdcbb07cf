// DictionaryHistory: what the column chunks of earlier files of one schema found out about their dictionaries,
// so that a writer of many small files (the archiver writes thousands of one-page files an hour) does not
// build, in every file, a dictionary for a column whose values are mostly distinct only to drop it when its
// first page ends (column_writer.h: the first-page fallback). For such columns that work is most of what the
// encoding costs: a hash, a probe and a copy per value, and a second copy when the page is re-expanded to
// PLAIN.
//
// Policy, per leaf column:
// - A chunk whose dictionary was dropped at its first page because most values were distinct is a miss; a
//   chunk whose first page used its dictionary clears the misses.
// - After kMissesToStartPlain misses in a row, chunks of that leaf start PLAIN. The page they write is the one
//   the fallback would have written (same values, encoding, statistics and Bloom filter): only the wasted work
//   goes.
// - Every kProbeInterval-th of those chunks tries the dictionary again, so a column whose values became
//   repetitive gets its dictionary back within kProbeInterval files.
//
// Thread-safe: the files of one schema are encoded on several threads at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace floe::parquet {

class DictionaryHistory {
 public:
  static constexpr uint32_t kMissesToStartPlain = 2;
  static constexpr uint32_t kProbeInterval = 16;

  class Column {
   public:
    // At the start of a chunk: whether it goes without a dictionary.
    bool StartPlain() {
      if (misses_.load(std::memory_order_relaxed) < kMissesToStartPlain) return false;
      const uint32_t n = plain_starts_.fetch_add(1, std::memory_order_relaxed) + 1;
      if (n % kProbeInterval == 0) return false;  // the probe
      started_plain_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
    // When a chunk that tried its dictionary has encoded its first page of values.
    void FirstPage(bool dropped_as_distinct) {
      if (dropped_as_distinct) {
        misses_.fetch_add(1, std::memory_order_relaxed);
      } else {
        misses_.store(0, std::memory_order_relaxed);
        plain_starts_.store(0, std::memory_order_relaxed);
      }
    }
    // Chunks started PLAIN because of this history (probes excluded).
    uint64_t started_plain() const { return started_plain_.load(std::memory_order_relaxed); }

   private:
    std::atomic<uint32_t> misses_{0};
    std::atomic<uint32_t> plain_starts_{0};
    std::atomic<uint64_t> started_plain_{0};
  };

  // One entry per leaf, in the schema's leaf order.
  explicit DictionaryHistory(size_t leaves) : columns_(leaves) {}

  size_t size() const { return columns_.size(); }
  Column& column(size_t leaf) { return columns_[leaf]; }
  uint64_t started_plain() const {
    uint64_t n = 0;
    for (const auto& c : columns_) n += c.started_plain();
    return n;
  }

 private:
  std::vector<Column> columns_;
};

}  // namespace floe::parquet
