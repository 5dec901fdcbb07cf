#include "common/byte_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace floe {

Result<std::unique_ptr<FileByteSink>> FileByteSink::Open(const std::string& path, size_t buffer_bytes,
                                                         Durability durability) {
  // A new file, never a truncation in place: an old file under the path may be linked elsewhere (a local
  // store's PutFile links a spool file into the lake).
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("replace", path, errno);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return std::unique_ptr<FileByteSink>(new FileByteSink(fd, path, buffer_bytes, durability));
}

FileByteSink::FileByteSink(int fd, std::string path, size_t buffer_bytes, Durability durability)
    : fd_(fd), durability_(durability), path_(std::move(path)), buffer_limit_(buffer_bytes) {
  // No reserve up front: with thousands of files open (one per hour and partition), a buffer each would be
  // memory no budget accounts for; Parquet pages mostly bypass it anyway (writes >= the limit go straight out).
}

FileByteSink::~FileByteSink() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileByteSink::Write(const void* data, size_t size) {
  if (fd_ < 0) return Error(CommonError::kInternal, "write to closed file " + path_);
  position_ += size;
  if (buffer_.size() + size <= buffer_limit_) {
    buffer_.append(static_cast<const char*>(data), size);
    return Status::Ok();
  }
  FLOE_RETURN_IF_ERROR(FlushBuffer());
  if (size >= buffer_limit_) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      p += n;
      size -= static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  buffer_.append(static_cast<const char*>(data), size);
  return Status::Ok();
}

Status FileByteSink::FlushBuffer() {
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path_, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  buffer_.clear();
  return Status::Ok();
}

Status FileByteSink::Sync() {
  if (fd_ < 0) return Status::Ok();
  FLOE_RETURN_IF_ERROR(FlushBuffer());
  if (durability_ == Durability::kDurable && ::fdatasync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
  return Status::Ok();
}

Status FileByteSink::Close() {
  if (fd_ < 0) return Status::Ok();
  Status st = Sync();
  if (::close(fd_) != 0 && st.ok()) st = ErrnoStatus("close", path_, errno);
  fd_ = -1;
  return st;
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir, errno);
  Status st;
  if (::fsync(fd) != 0) st = ErrnoStatus("fsync directory", dir, errno);
  ::close(fd);
  return st;
}

}  // namespace floe
