// ByteSink: where encoders write bytes (a spool file, memory in tests, a failure-injecting fake).
// Writes are sequential; position() is the number of bytes accepted so far.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace floe {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(const void* data, size_t size) = 0;
  Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  virtual uint64_t position() const = 0;
  // Makes everything written so far durable (fsync for files). Close() implies Sync().
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
};

// Appends to a std::string; for tests and small in-memory objects.
class StringByteSink final : public ByteSink {
 public:
  Status Write(const void* data, size_t size) override {
    buffer_.append(static_cast<const char*>(data), size);
    return Status::Ok();
  }
  uint64_t position() const override { return buffer_.size(); }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }
  const std::string& contents() const { return buffer_; }
  std::string& contents() { return buffer_; }

 private:
  std::string buffer_;
};

// A file written through a user-space buffer; Sync() flushes and fsyncs. Opening replaces any file at the path.
class FileByteSink final : public ByteSink {
 public:
  // kScratch: a file nobody needs after a crash (the archiver's spool copy, which the store's own copy makes
  // durable): Sync() and Close() only write it out to the OS, no fsync.
  enum class Durability { kDurable, kScratch };
  static Result<std::unique_ptr<FileByteSink>> Open(const std::string& path, size_t buffer_bytes = 1 << 16,
                                                    Durability durability = Durability::kDurable);
  ~FileByteSink() override;
  FileByteSink(const FileByteSink&) = delete;
  FileByteSink& operator=(const FileByteSink&) = delete;

  Status Write(const void* data, size_t size) override;
  uint64_t position() const override { return position_; }
  Status Sync() override;
  Status Close() override;
  const std::string& path() const { return path_; }

 private:
  FileByteSink(int fd, std::string path, size_t buffer_bytes, Durability durability);
  Status FlushBuffer();

  int fd_;
  Durability durability_;
  std::string path_;
  std::string buffer_;
  size_t buffer_limit_;
  uint64_t position_ = 0;
};

// fsyncs a directory so a rename or create inside it survives a crash.
Status SyncDirectory(const std::string& dir);

}  // namespace floe
