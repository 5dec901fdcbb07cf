// A helper process for tests (s3rver, the fault proxy): started with a pipe on stdin and stdout, stopped
// (stdin closed, then SIGTERM, then SIGKILL) at destruction.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace floe::storage::testing {

class ChildProcess {
 public:
  // argv[0] is looked up in PATH. stderr goes to stderr_path when non-empty.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stderr_path = "",
               const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Reads one line from the child's stdout (without the newline); "" at EOF or after timeout_ms.
  std::string ReadLine(int timeout_ms);
  // SIGTERM, wait; returns the exit status from waitpid.
  int Stop();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffered_;
};

// Starts s3rver (tests/tools/node_modules) serving one bucket from dir; port() is where it listens.
class S3rver {
 public:
  S3rver(const std::string& dir, const std::string& bucket);
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  ChildProcess process_;
  int port_ = 0;
};

}  // namespace floe::storage::testing
