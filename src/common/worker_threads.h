// WorkerThreads: a fixed set of threads running submitted jobs in submission order (FIFO, several at once
// when there are several threads). For CPU work the caller wants off its own thread (Parquet encoding and
// page compression while the archiver's poll thread decodes the next records).
//
// Contract: jobs must not throw; each job owns what it touches until it signals its caller (the pool tracks
// no results). The destructor runs the jobs still queued, then joins.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace floe {

class WorkerThreads {
 public:
  // Starts `threads` threads (at least one; fewer when the system refuses more).
  explicit WorkerThreads(size_t threads);
  ~WorkerThreads();
  WorkerThreads(const WorkerThreads&) = delete;
  WorkerThreads& operator=(const WorkerThreads&) = delete;

  void Submit(std::function<void()> job);
  size_t size() const { return threads_.size(); }

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace floe
