// Clock: the seam between floe and time, so tests control wall-clock rotation and timeouts.
#pragma once

#include <chrono>
#include <cstdint>

namespace floe {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch (UTC).
  virtual int64_t NowMicros() const = 0;
  // Monotonic microseconds, for intervals and deadlines.
  virtual int64_t MonotonicMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
  int64_t NowMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  }
  int64_t MonotonicMicros() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
  }
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_micros = 0) : now_(now_micros), mono_(0) {}
  int64_t NowMicros() const override { return now_; }
  int64_t MonotonicMicros() const override { return mono_; }
  void Advance(int64_t micros) { now_ += micros; mono_ += micros; }
  void Set(int64_t now_micros) { now_ = now_micros; }

 private:
  int64_t now_;
  int64_t mono_;
};

}  // namespace floe
