#include "parquet/memory_budget.h"

namespace floe::parquet {

MemoryBudget::MemoryBudget(uint64_t limit_bytes, double high_watermark, double low_watermark, double writer_share)
    : limit_(limit_bytes),
      writer_limit_(static_cast<uint64_t>(static_cast<double>(limit_bytes) * writer_share)),
      high_(static_cast<uint64_t>(static_cast<double>(writer_limit_) * high_watermark)),
      low_(static_cast<uint64_t>(static_cast<double>(writer_limit_) * low_watermark)) {}

bool MemoryBudget::TryReserve(uint64_t bytes) {
  uint64_t cur = used_.load(std::memory_order_relaxed);
  do {
    if (cur + bytes > writer_limit_) {
      denials_.fetch_add(1, std::memory_order_relaxed);
      pressure_.store(true, std::memory_order_relaxed);
      return false;
    }
  } while (!used_.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
  NotePeak(cur + bytes);
  UpdatePressure(cur + bytes);
  return true;
}

void MemoryBudget::ForceReserve(uint64_t bytes) {
  forced_.fetch_add(bytes, std::memory_order_relaxed);
  const uint64_t now = used_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
  NotePeak(now);
  pressure_.store(true, std::memory_order_relaxed);
}

void MemoryBudget::Release(uint64_t bytes) {
  const uint64_t now = used_.fetch_sub(bytes, std::memory_order_relaxed) - bytes;
  UpdatePressure(now);
}

uint64_t MemoryBudget::fair_share() const {
  const int64_t n = writers_.load(std::memory_order_relaxed);
  return n > 0 ? writer_limit_ / static_cast<uint64_t>(n) : writer_limit_;
}

bool MemoryBudget::under_pressure() const { return pressure_.load(std::memory_order_relaxed); }

void MemoryBudget::NotePeak(uint64_t now) {
  uint64_t p = peak_.load(std::memory_order_relaxed);
  while (now > p && !peak_.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
  }
}

void MemoryBudget::UpdatePressure(uint64_t now) {
  if (now > high_) pressure_.store(true, std::memory_order_relaxed);
  else if (now < low_) pressure_.store(false, std::memory_order_relaxed);
}

}  // namespace floe::parquet
