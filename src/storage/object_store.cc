#include "storage/object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <mutex>
#include <thread>

#include "storage/digest.h"

namespace floe {

std::string_view ErrorTraits<storage::StoreError>::Name(storage::StoreError e) {
  using E = storage::StoreError;
  switch (e) {
    case E::kNotFound: return "not_found";
    case E::kNoSuchUpload: return "no_such_upload";
    case E::kInvalidKey: return "invalid_key";
    case E::kInvalidArgument: return "invalid_argument";
    case E::kAccessDenied: return "access_denied";
    case E::kPreconditionFailed: return "precondition_failed";
    case E::kChecksumMismatch: return "checksum_mismatch";
    case E::kThrottled: return "throttled";
    case E::kServerError: return "server_error";
    case E::kNetwork: return "network";
    case E::kTimeout: return "timeout";
    case E::kIo: return "io";
    case E::kProtocol: return "protocol";
    case E::kUnsupported: return "unsupported";
  }
  return "unknown";
}

namespace storage {

Status ValidateKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return Error(StoreError::kInvalidKey, "key '" + std::string(key) + "' " + std::string(why));
  };
  if (key.empty()) return bad("is empty");
  if (key.size() > 1024) return bad("is longer than 1024 bytes");
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const std::string_view part = key.substr(start, slash == std::string_view::npos ? key.size() - start
                                                                                   : slash - start);
    if (part.empty()) return bad("has an empty path component");
    if (part == "." || part == "..") return bad("has a '.' or '..' component");
    // The local store keeps temp files and multipart staging under ".floe-" names; listing hides them.
    if (part.substr(0, 6) == ".floe-") return bad("has a reserved '.floe-' component");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (key.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  return Status::Ok();
}

Status ObjectStore::PutFile(std::string_view key, const std::string& local_path) {
  const int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", local_path, errno);
  std::string data;
  struct stat st{};
  if (::fstat(fd, &st) == 0) data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("read", local_path, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return Put(key, data);
}

Status ObjectStore::DeleteMany(const std::vector<std::string>& keys) {
  std::string failed;
  Status first;
  for (const auto& key : keys) {
    Status st = Delete(key);
    if (!st.ok()) {
      if (first.ok()) first = st;
      failed += failed.empty() ? key : ", " + key;
    }
  }
  if (first.ok()) return first;
  return first.WithContext("not deleted: " + failed);
}

Result<std::vector<ObjectMeta>> ListAll(ObjectStore& store, std::string_view prefix) {
  std::vector<ObjectMeta> out;
  ListRequest req;
  req.prefix = std::string(prefix);
  while (true) {
    FLOE_ASSIGN_OR_RETURN(ListPage page, store.List(req));
    for (auto& o : page.objects) out.push_back(std::move(o));
    if (page.next_continuation_token.empty()) break;
    req.continuation_token = std::move(page.next_continuation_token);
  }
  return out;
}

namespace {

Status ReadFully(int fd, char* buf, size_t size, uint64_t offset, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, buf, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) return Error(StoreError::kIo, "file " + path + " shrank while uploading");
    buf += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// S3 part ETags are the quoted hex MD5 of the part; other stores follow the same rule.
bool EtagMatchesMd5(std::string_view etag, const Md5Digest& md5) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag == HexLower(md5);
}

}  // namespace

Status UploadFileMultipart(ObjectStore& store, std::string_view key, const std::string& local_path,
                           const MultipartFileUpload& how) {
  if (how.part_size == 0 || how.parallelism <= 0) {
    return Error(StoreError::kInvalidArgument, "multipart upload needs a part size and parallelism above 0");
  }
  const int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", local_path, errno);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0) return ErrnoStatus("stat", local_path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t parts = std::max<uint64_t>(1, (size + how.part_size - 1) / how.part_size);
  if (parts > static_cast<uint64_t>(kMaxPartNumber)) {
    return Error(StoreError::kInvalidArgument, local_path + " needs " + std::to_string(parts) +
                                                   " parts of " + std::to_string(how.part_size) +
                                                   " bytes; the limit is 10000: raise s3.part.size");
  }
  const bool resuming = !how.resume_upload_id.empty();
  std::string upload_id = how.resume_upload_id;
  std::map<int, UploadedPart> stored;
  if (resuming) {
    FLOE_ASSIGN_OR_RETURN(auto listed, store.ListParts(key, upload_id));
    for (auto& p : listed) stored[p.part_number] = std::move(p);
  } else {
    FLOE_ASSIGN_OR_RETURN(upload_id, store.CreateMultipartUpload(key));
  }

  std::vector<UploadedPart> done(parts);
  std::atomic<uint64_t> next{0};
  std::mutex mu;
  Status failure;
  std::atomic<bool> failed{false};
  auto worker = [&] {
    std::string buf;  // one part buffer per worker bounds memory in flight
    while (!failed.load(std::memory_order_relaxed)) {
      const uint64_t i = next.fetch_add(1);
      if (i >= parts) return;
      const uint64_t offset = i * how.part_size;
      const size_t len = static_cast<size_t>(std::min(how.part_size, size - std::min(size, offset)));
      buf.resize(len);
      Status st = ReadFully(fd, buf.data(), len, offset, local_path);
      const int number = static_cast<int>(i + 1);
      if (st.ok()) {
        auto it = stored.find(number);
        if (it != stored.end() && it->second.size == len && EtagMatchesMd5(it->second.etag, Md5(buf))) {
          done[i] = it->second;
          continue;
        }
        Result<UploadedPart> r = store.UploadPart(key, upload_id, number, buf);
        if (r.ok()) {
          done[i] = std::move(r).value();
          continue;
        }
        st = r.status();
      }
      std::lock_guard<std::mutex> lock(mu);
      if (failure.ok()) failure = st;
      failed = true;
      return;
    }
  };
  const int threads = static_cast<int>(std::min<uint64_t>(parts, static_cast<uint64_t>(how.parallelism)));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();

  Status result = failure.ok() ? store.CompleteMultipartUpload(key, upload_id, done) : failure;
  if (!result.ok() && !resuming) (void)store.AbortMultipartUpload(key, upload_id);
  return result.ok() ? result : result.WithContext("multipart upload " + upload_id + " of " + local_path);
}

}  // namespace storage
}  // namespace floe
