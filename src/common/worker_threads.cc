#include "common/worker_threads.h"

#include <algorithm>
#include <system_error>

namespace floe {

WorkerThreads::WorkerThreads(size_t threads) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i) {
    try {
      threads_.emplace_back([this] { Loop(); });
    } catch (const std::system_error&) {
      if (!threads_.empty()) break;  // run on the ones we got
      throw;
    }
  }
}

WorkerThreads::~WorkerThreads() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerThreads::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void WorkerThreads::Loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace floe
