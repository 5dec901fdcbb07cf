// MemoryBudget: one byte limit shared by every open Parquet writer of a process (e.g. 256 MiB for 5000
// open files), enforced by the writers themselves.
//
// Contract:
// - A writer reserves before it buffers (TryReserve) and releases what it no longer holds (Release).
// - When a reservation fails, the writer shrinks itself first: it finishes its unfinished pages early (they
//   spill to its scratch file), never below a minimum page size, and then gives up its dictionaries. If
//   that is not enough it refuses the append (ParquetError::kMemoryPressure) instead of exceeding the limit.
// - ForceReserve is only for memory a writer already holds beyond its reservation (a buffer's capacity
//   doubling); forced_bytes() counts it, so a run can prove the limit held.
// - under_pressure() tells the caller (the archiver) to pause consumption: it is true while more than
//   high_watermark of the limit is in use (or after a refusal), and stays true until use drops below
//   low_watermark.
// - fair_share() (writer_limit / registered writers) is the most a writer keeps buffered while under pressure,
//   so writers that are not appending right now do not starve the ones that are.
// - The limit bounds what the writers cost the process, not just the bytes they account: reservations stop
//   at writer_limit() = writer_share x limit (default 0.7). The rest is the allocator's: page buffers freed
//   by early flushes and regrown leave free-list fragments that glibc keeps resident (measured at 29 % of the
//   writers' accounted bytes with 2000 writers flushing early: 56 MiB free in a 252 MiB heap for 191 MiB
//   accounted, docs/PERFORMANCE.md), plus Close()'s working set (one column chunk's page entries, a 1 MiB
//   copy buffer) and the per-thread encode/compress scratch. With the former 3/4 that left 0.3 % of the
//   limit to spare and peak RSS passed it by 0.3 MiB; 0.7 leaves 43 % of the writers' bytes, so the
//   process's peak RSS (baseline included) stays under the limit.
// Thread-safe; writers on different threads may share one budget.
#pragma once

#include <atomic>
#include <cstdint>

namespace floe::parquet {

class MemoryBudget {
 public:
  // Watermarks are fractions of writer_limit().
  explicit MemoryBudget(uint64_t limit_bytes, double high_watermark = 0.9, double low_watermark = 0.7,
                        double writer_share = kDefaultWriterShare);
  static constexpr double kDefaultWriterShare = 0.7;
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Reserves `bytes` if that keeps use within writer_limit().
  bool TryReserve(uint64_t bytes);
  // Reserves `bytes` regardless (a writer that cannot shrink further); marks the budget under pressure.
  void ForceReserve(uint64_t bytes);
  void Release(uint64_t bytes);

  void RegisterWriter() { writers_.fetch_add(1, std::memory_order_relaxed); }
  void UnregisterWriter() { writers_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t limit() const { return limit_; }
  // What the writers may reserve in all (see the contract).
  uint64_t writer_limit() const { return writer_limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  uint64_t fair_share() const;
  bool under_pressure() const;
  // Times a reservation failed (writers then flushed early); for metrics and tests.
  uint64_t denials() const { return denials_.load(std::memory_order_relaxed); }
  // Bytes taken with ForceReserve, in total.
  uint64_t forced_bytes() const { return forced_.load(std::memory_order_relaxed); }

 private:
  void NotePeak(uint64_t now);
  void UpdatePressure(uint64_t now);

  const uint64_t limit_;
  const uint64_t writer_limit_;
  const uint64_t high_;
  const uint64_t low_;
  std::atomic<uint64_t> used_{0};
  std::atomic<uint64_t> peak_{0};
  std::atomic<uint64_t> denials_{0};
  std::atomic<uint64_t> forced_{0};
  std::atomic<int64_t> writers_{0};
  std::atomic<bool> pressure_{false};
};

}  // namespace floe::parquet
