#include "storage/local_object_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <ctime>
#include <set>

#include "common/byte_sink.h"
#include "storage/digest.h"

namespace floe::storage {
namespace {

constexpr std::string_view kHidden = ".floe-";
constexpr std::string_view kTempPrefix = ".floe-tmp-";

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}() ^ (static_cast<uint64_t>(::getpid()) << 32)};
  std::string raw(bytes, '\0');
  for (auto& c : raw) c = static_cast<char>(rng());
  return HexLower(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Filesystem errors that mean "no such object" when reading a key.
bool IsMissing(int err) { return err == ENOENT || err == ENOTDIR || err == EISDIR; }

Status IoError(std::string_view what, const std::string& path, int err) {
  return Error(StoreError::kIo, std::string(what) + " " + path + ": " + std::strerror(err));
}

// mkdir -p that fsyncs the parent of every directory it creates, so the new path survives a crash.
Status MakeDirs(const std::string& dir) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Error(StoreError::kInvalidKey, dir + " is an object, not a prefix");
  }
  const std::string parent = DirName(dir);
  if (parent != dir) FLOE_RETURN_IF_ERROR(MakeDirs(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    if (errno == ENOTDIR) return Error(StoreError::kInvalidKey, dir + " is below an object, not a prefix");
    return IoError("mkdir", dir, errno);
  }
  return SyncDirectory(parent);
}

Status WriteAll(int fd, const char* p, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> ReadRange(int fd, uint64_t offset, uint64_t length, const std::string& path) {
  std::string out(length, '\0');
  size_t got = 0;
  while (got < length) {
    const ssize_t n = ::pread(fd, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

std::string LocalEtag(const struct stat& st) {
  const uint64_t ns = static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000ull +
                      static_cast<uint64_t>(st.st_mtim.tv_nsec);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%llx-%llx-%llx", static_cast<unsigned long long>(st.st_size),
                static_cast<unsigned long long>(ns), static_cast<unsigned long long>(st.st_ino));
  return buf;
}

int64_t MtimeMicros(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000;
}

Status RemoveTree(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Status::Ok();
    if (errno == ENOTDIR) return ::unlink(path.c_str()) == 0 ? Status::Ok() : IoError("unlink", path, errno);
    return IoError("opendir", path, errno);
  }
  Status result;
  while (dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string child = path + "/" + name;
    struct stat st{};
    if (::lstat(child.c_str(), &st) != 0) continue;
    Status st2 = S_ISDIR(st.st_mode) ? RemoveTree(child)
                 : (::unlink(child.c_str()) == 0 || errno == ENOENT) ? Status::Ok()
                                                                     : IoError("unlink", child, errno);
    if (result.ok()) result = st2;
  }
  ::closedir(d);
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT && result.ok()) result = IoError("rmdir", path, errno);
  return result;
}

std::string PartFileName(int number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "part-%05d", number);
  return buf;
}

Result<Md5Digest> Md5OfFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("open", path, errno);
  Md5Stream md5;
  std::string buf(1 << 20, '\0');
  while (true) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return IoError("read", path, err);
    }
    if (n == 0) break;
    md5.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return md5.Finish();
}

std::string QuotedHex(const Md5Digest& d) { return "\"" + HexLower(d) + "\""; }

}  // namespace

// A ".floe-tmp-*" file beside its final name: written, fsynced, renamed into place, directory fsynced.
// Destroyed without Commit() it removes itself.
class LocalObjectStore::AtomicFile {
 public:
  static Result<AtomicFile> Create(const std::string& final_path) {
    const std::string dir = DirName(final_path);
    // A concurrent Delete may remove an empty parent directory between MakeDirs and open: try again.
    for (int attempt = 0;; ++attempt) {
      FLOE_RETURN_IF_ERROR(MakeDirs(dir));
      std::string tmp = TempPathBeside(final_path);
      const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd >= 0) return AtomicFile(fd, std::move(tmp), final_path);
      if (errno != ENOENT || attempt >= 4) return IoError("create", tmp, errno);
    }
  }
  AtomicFile(AtomicFile&& o) noexcept : fd_(o.fd_), tmp_(std::move(o.tmp_)), final_(std::move(o.final_)) {
    o.fd_ = -1;
    o.tmp_.clear();
  }
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }

  // The file at src_path under the temp name, by a hard link instead of a copy: no bytes move and no inode
  // is allocated. kUnsupported when the two are on different filesystems or links are not supported there;
  // the caller then copies.
  static Result<AtomicFile> Link(const std::string& final_path, const std::string& src_path) {
    const std::string dir = DirName(final_path);
    for (int attempt = 0;; ++attempt) {
      FLOE_RETURN_IF_ERROR(MakeDirs(dir));
      std::string tmp = TempPathBeside(final_path);
      if (::link(src_path.c_str(), tmp.c_str()) == 0) {
        const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
          const int err = errno;
          ::unlink(tmp.c_str());
          return IoError("open", tmp, err);
        }
        AtomicFile file(fd, std::move(tmp), final_path);
        // The object is new now, as a copy would be; it also keeps a long-queued upload's temp name from
        // looking stale to another writer's sweep of the directory.
        if (::futimens(fd, nullptr) != 0) return IoError("touch", file.tmp_, errno);
        return file;
      }
      const int err = errno;
      if (err == EXDEV || err == EPERM || err == EOPNOTSUPP || err == EMLINK || err == ENOSYS)
        return Error(StoreError::kUnsupported, "cannot link " + src_path + " into " + dir);
      if (err == ENOENT && attempt < 4 && ::access(src_path.c_str(), F_OK) == 0) continue;  // parent removed
      if (err == ENOENT) return ErrnoStatus("open", src_path, err);
      return IoError("link " + src_path + " to", tmp, err);
    }
  }

  int fd() const { return fd_; }
  const std::string& tmp_path() const { return tmp_; }
  Status Write(std::string_view data) { return WriteAll(fd_, data.data(), data.size(), tmp_); }

  // Copies a whole file in the kernel where possible.
  Status CopyFrom(int src, const std::string& src_path) {
    bool kernel_copy = true;
    std::string buf;
    while (true) {
      if (kernel_copy) {
        const ssize_t n = ::copy_file_range(src, nullptr, fd_, nullptr, 1 << 30, 0);
        if (n > 0) continue;
        if (n == 0) return Status::Ok();
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
          return IoError("copy " + src_path + " to", tmp_, errno);
        }
        kernel_copy = false;
        buf.resize(1 << 20);
      }
      const ssize_t n = ::read(src, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoError("read", src_path, errno);
      }
      if (n == 0) return Status::Ok();
      FLOE_RETURN_IF_ERROR(WriteAll(fd_, buf.data(), static_cast<size_t>(n), tmp_));
    }
  }

  Status Commit() {
    if (::fdatasync(fd_) != 0) return IoError("fsync", tmp_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return IoError("close", tmp_, errno);
    if (::rename(tmp_.c_str(), final_.c_str()) != 0) {
      if (errno == EISDIR || errno == ENOTDIR) {
        return Error(StoreError::kInvalidKey, final_ + " is a prefix of other keys, not an object");
      }
      return IoError("rename to " + final_ + " from", tmp_, errno);
    }
    tmp_.clear();
    return SyncDirectory(DirName(final_));
  }

 private:
  // A fresh ".floe-tmp-<name>.<random>" path in final_path's directory (what the sweep looks for).
  static std::string TempPathBeside(const std::string& final_path) {
    return DirName(final_path) + "/" + std::string(kTempPrefix) + BaseName(final_path) + "." + RandomHex(8);
  }
  AtomicFile(int fd, std::string tmp, std::string final_path)
      : fd_(fd), tmp_(std::move(tmp)), final_(std::move(final_path)) {}
  int fd_;
  std::string tmp_;
  std::string final_;
};

// Temp files are swept at this age: no PUT on a local disk takes that long, so the file's writer is dead.
constexpr int64_t kStaleTempSeconds = 3600;

void LocalObjectStore::SweepStaleTempFiles(const std::string& dir) {
  {
    std::lock_guard<std::mutex> lock(swept_mu_);
    // A long-running process writes to a few new directories an hour; forgetting them all now and then
    // only costs one more directory scan each.
    if (swept_dirs_.size() > 100000) swept_dirs_.clear();
    if (!swept_dirs_.insert(dir).second) return;
  }
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;  // not created yet: nothing to sweep
  const int64_t now = ::time(nullptr);
  while (const dirent* e = ::readdir(d)) {
    if (!StartsWith(e->d_name, kTempPrefix)) continue;
    const std::string path = dir + "/" + e->d_name;
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (now - static_cast<int64_t>(st.st_mtime) < kStaleTempSeconds) continue;
    if (::unlink(path.c_str()) == 0) swept_temp_files_.fetch_add(1, std::memory_order_relaxed);
  }
  ::closedir(d);
}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(const std::string& root) {
  if (root.empty() || root.front() != '/') {
    return Error(StoreError::kInvalidArgument, "local store root must be an absolute path, got '" + root + "'");
  }
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  FLOE_RETURN_IF_ERROR(MakeDirs(clean));
  return std::unique_ptr<LocalObjectStore>(new LocalObjectStore(std::move(clean)));
}

LocalObjectStore::LocalObjectStore(std::string root)
    : root_(std::move(root)), url_("file://" + root_), staging_(root_ + "/.floe-multipart") {}

std::string LocalObjectStore::PathOf(std::string_view key) const {
  std::string p = root_;
  if (p != "/") p += '/';
  p += key;
  return p;
}

Status LocalObjectStore::WithContext(const Status& st, std::string_view key) const {
  if (st.ok()) return st;
  return st.WithContext(url_ + " key " + std::string(key));
}

Status LocalObjectStore::Put(std::string_view key, std::string_view data) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  SweepStaleTempFiles(DirName(PathOf(key)));
  auto file = AtomicFile::Create(PathOf(key));
  if (!file.ok()) return WithContext(file.status(), key);
  Status st = file->Write(data);
  if (st.ok()) st = file->Commit();
  return WithContext(st, key);
}

Status LocalObjectStore::PutFile(std::string_view key, const std::string& local_path) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  SweepStaleTempFiles(DirName(PathOf(key)));
  if (auto linked = AtomicFile::Link(PathOf(key), local_path); linked.ok()) {
    return WithContext(linked->Commit(), key);
  } else if (!linked.status().Is(StoreError::kUnsupported)) {
    return WithContext(linked.status(), key);
  }
  const int src = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) return ErrnoStatus("open", local_path, errno);
  auto file = AtomicFile::Create(PathOf(key));
  Status st = file.ok() ? file->CopyFrom(src, local_path) : file.status();
  ::close(src);
  if (st.ok()) st = file->Commit();
  return WithContext(st, key);
}

Result<std::string> LocalObjectStore::Get(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string path = PathOf(key);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (IsMissing(errno)) return Error(StoreError::kNotFound, url_ + " has no object " + std::string(key));
    return IoError("open", path, errno);
  }
  struct stat st{};
  Result<std::string> out = ::fstat(fd, &st) != 0 ? Result<std::string>(IoError("stat", path, errno))
                            : S_ISDIR(st.st_mode)
                                ? Result<std::string>(Error(StoreError::kNotFound,
                                                            url_ + " has no object " + std::string(key)))
                                : ReadRange(fd, 0, static_cast<uint64_t>(st.st_size), path);
  ::close(fd);
  return out;
}

Result<std::string> LocalObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  if (length == 0) return std::string();
  const std::string path = PathOf(key);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (IsMissing(errno)) return Error(StoreError::kNotFound, url_ + " has no object " + std::string(key));
    return IoError("open", path, errno);
  }
  struct stat st{};
  Result<std::string> out = std::string();
  if (::fstat(fd, &st) != 0) {
    out = IoError("stat", path, errno);
  } else if (S_ISDIR(st.st_mode)) {
    out = Error(StoreError::kNotFound, url_ + " has no object " + std::string(key));
  } else if (offset >= static_cast<uint64_t>(st.st_size)) {
    out = Error(StoreError::kInvalidArgument, url_ + " key " + std::string(key) + ": range offset " +
                                                  std::to_string(offset) + " at or past size " +
                                                  std::to_string(st.st_size));
  } else {
    out = ReadRange(fd, offset, std::min<uint64_t>(length, static_cast<uint64_t>(st.st_size) - offset), path);
  }
  ::close(fd);
  return out;
}

Result<ObjectMeta> LocalObjectStore::Head(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string path = PathOf(key);
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) {
    if (S_ISDIR(st.st_mode) || IsMissing(errno)) {
      return Error(StoreError::kNotFound, url_ + " has no object " + std::string(key));
    }
    return IoError("stat", path, errno);
  }
  return ObjectMeta{std::string(key), static_cast<uint64_t>(st.st_size), MtimeMicros(st), LocalEtag(st)};
}

namespace {

// Walks the directory tree for List. Keys are gathered then sorted because directory order and '/'
// make file-tree order differ from S3's byte order ("a-b" sorts before "a/b").
class TreeLister {
 public:
  TreeLister(const ListRequest& req, std::vector<ObjectMeta>* objects, std::set<std::string>* prefixes)
      : req_(req), objects_(objects), prefixes_(prefixes) {}

  Status Walk(const std::string& dir, const std::string& key_prefix) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      if (IsMissing(errno)) return Status::Ok();
      return IoError("opendir", dir, errno);
    }
    Status result;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == ".." || StartsWith(name, kHidden)) continue;
      const std::string key = key_prefix + std::string(name);
      const std::string path = dir + "/" + std::string(name);
      struct stat st{};
      if (::fstatat(dirfd(d), e->d_name, &st, 0) != 0) continue;  // deleted meanwhile
      if (S_ISDIR(st.st_mode)) {
        const std::string as_prefix = key + "/";
        const bool under = StartsWith(as_prefix, req_.prefix);
        if (!under && !StartsWith(req_.prefix, as_prefix)) continue;
        if (under && !req_.delimiter.empty()) {
          const size_t at = as_prefix.find(req_.delimiter, req_.prefix.size());
          if (at != std::string::npos) {
            std::string common = as_prefix.substr(0, at + req_.delimiter.size());
            if (!prefixes_->count(common) && HasObject(path)) prefixes_->insert(std::move(common));
            continue;
          }
        }
        Status st2 = Walk(path, as_prefix);
        if (!st2.ok()) {
          result = st2;
          break;
        }
      } else if (S_ISREG(st.st_mode) && StartsWith(key, req_.prefix)) {
        if (!req_.delimiter.empty()) {
          const size_t at = key.find(req_.delimiter, req_.prefix.size());
          if (at != std::string::npos) {
            prefixes_->insert(key.substr(0, at + req_.delimiter.size()));
            continue;
          }
        }
        objects_->push_back(ObjectMeta{key, static_cast<uint64_t>(st.st_size), MtimeMicros(st), LocalEtag(st)});
      }
    }
    ::closedir(d);
    return result;
  }

 private:
  // S3 shows a common prefix only when some object lies under it; empty directories do not count.
  static bool HasObject(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return false;
    bool found = false;
    while (!found) {
      dirent* e = ::readdir(d);
      if (e == nullptr) break;
      std::string_view name = e->d_name;
      if (name == "." || name == ".." || StartsWith(name, kHidden)) continue;
      struct stat st{};
      if (::fstatat(dirfd(d), e->d_name, &st, 0) != 0) continue;
      found = S_ISREG(st.st_mode) || (S_ISDIR(st.st_mode) && HasObject(dir + "/" + std::string(name)));
    }
    ::closedir(d);
    return found;
  }

  const ListRequest& req_;
  std::vector<ObjectMeta>* objects_;
  std::set<std::string>* prefixes_;
};

}  // namespace

Result<ListPage> LocalObjectStore::List(const ListRequest& request) {
  if (request.max_keys <= 0) return Error(StoreError::kInvalidArgument, "list max_keys must be positive");
  const size_t cut = request.prefix.rfind('/');
  const std::string base = cut == std::string::npos ? "" : request.prefix.substr(0, cut + 1);
  std::string dir = root_;
  if (!base.empty()) dir += "/" + base.substr(0, base.size() - 1);
  std::vector<ObjectMeta> objects;
  std::set<std::string> prefixes;
  TreeLister lister(request, &objects, &prefixes);
  if (Status st = lister.Walk(dir, base); !st.ok()) return st.WithContext(url_ + " list " + request.prefix);
  std::sort(objects.begin(), objects.end(), [](const ObjectMeta& a, const ObjectMeta& b) { return a.key < b.key; });

  // Merge objects and common prefixes in key order, resuming after the token (the last name returned).
  ListPage page;
  const std::string& after = request.continuation_token;
  auto o = std::lower_bound(objects.begin(), objects.end(), after,
                            [](const ObjectMeta& m, const std::string& k) { return m.key <= k; });
  auto p = after.empty() ? prefixes.begin() : prefixes.upper_bound(after);
  int taken = 0;
  std::string last;
  while ((o != objects.end() || p != prefixes.end()) && taken < request.max_keys) {
    if (p == prefixes.end() || (o != objects.end() && o->key < *p)) {
      last = o->key;
      page.objects.push_back(std::move(*o++));
    } else {
      last = *p;
      page.common_prefixes.push_back(*p++);
    }
    ++taken;
  }
  if (o != objects.end() || p != prefixes.end()) page.next_continuation_token = last;
  return page;
}

Status LocalObjectStore::Delete(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  const std::string path = PathOf(key);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    if (errno == EISDIR) return Status::Ok();  // a prefix, not an object: nothing under this key
    return WithContext(IoError("unlink", path, errno), key);
  }
  FLOE_RETURN_IF_ERROR(WithContext(SyncDirectory(DirName(path)), key));
  // Drop directories the delete left empty so they stop showing as prefixes. rmdir fails harmlessly on a
  // directory that is not empty or that a concurrent writer just used.
  for (std::string dir = DirName(path); dir.size() > root_.size(); dir = DirName(dir)) {
    if (::rmdir(dir.c_str()) != 0) break;
  }
  return Status::Ok();
}

Result<std::string> LocalObjectStore::UploadDir(std::string_view key, std::string_view upload_id) const {
  const std::string id(upload_id);
  const bool well_formed = !id.empty() && id.size() <= 64 &&
                           std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(c); });
  const std::string dir = staging_ + "/" + id;
  auto missing = [&] {
    return Error(StoreError::kNoSuchUpload,
                 url_ + " has no multipart upload " + id + " for key " + std::string(key));
  };
  if (!well_formed) return missing();
  const int fd = ::open((dir + "/key").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return missing();
  auto stored = ReadRange(fd, 0, 4096, dir + "/key");
  ::close(fd);
  if (!stored.ok()) return stored.status();
  if (*stored != key) return missing();
  return dir;
}

Result<std::string> LocalObjectStore::CreateMultipartUpload(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  FLOE_RETURN_IF_ERROR(WithContext(MakeDirs(staging_), key));
  std::string id = RandomHex(16);
  const std::string dir = staging_ + "/" + id;
  if (::mkdir(dir.c_str(), 0755) != 0) return WithContext(IoError("mkdir", dir, errno), key);
  FLOE_RETURN_IF_ERROR(WithContext(SyncDirectory(staging_), key));
  // The "key" file, written atomically, is what makes the upload exist.
  auto file = AtomicFile::Create(dir + "/key");
  Status st = file.ok() ? file->Write(key) : file.status();
  if (st.ok()) st = file->Commit();
  if (!st.ok()) {
    (void)RemoveTree(dir);
    return WithContext(st, key);
  }
  return id;
}

Result<UploadedPart> LocalObjectStore::UploadPart(std::string_view key, std::string_view upload_id,
                                                  int part_number, std::string_view data) {
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Error(StoreError::kInvalidArgument, "part number " + std::to_string(part_number) + " outside 1..10000");
  }
  FLOE_ASSIGN_OR_RETURN(std::string dir, UploadDir(key, upload_id));
  auto file = AtomicFile::Create(dir + "/" + PartFileName(part_number));
  Status st = file.ok() ? file->Write(data) : file.status();
  if (st.ok()) st = file->Commit();
  if (!st.ok()) return WithContext(st, key);
  return UploadedPart{part_number, QuotedHex(Md5(data)), data.size()};
}

Result<std::vector<UploadedPart>> LocalObjectStore::ListParts(std::string_view key, std::string_view upload_id) {
  FLOE_ASSIGN_OR_RETURN(std::string dir, UploadDir(key, upload_id));
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return WithContext(IoError("opendir", dir, errno), key);
  std::vector<UploadedPart> parts;
  Status result;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (!StartsWith(name, "part-") || name.size() != 10) continue;
    const int number = std::atoi(e->d_name + 5);
    struct stat st{};
    if (::fstatat(dirfd(d), e->d_name, &st, 0) != 0) continue;
    auto md5 = Md5OfFile(dir + "/" + std::string(name));
    if (!md5.ok()) {
      result = md5.status();
      break;
    }
    parts.push_back(UploadedPart{number, QuotedHex(*md5), static_cast<uint64_t>(st.st_size)});
  }
  ::closedir(d);
  if (!result.ok()) return WithContext(result, key);
  std::sort(parts.begin(), parts.end(),
            [](const UploadedPart& a, const UploadedPart& b) { return a.part_number < b.part_number; });
  return parts;
}

Status LocalObjectStore::CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                                 const std::vector<UploadedPart>& parts) {
  FLOE_ASSIGN_OR_RETURN(std::string dir, UploadDir(key, upload_id));
  if (parts.empty()) return Error(StoreError::kInvalidArgument, "complete of upload " + std::string(upload_id) +
                                                                    " with no parts");
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].part_number <= parts[i - 1].part_number) {
      return Error(StoreError::kInvalidArgument, "parts of upload " + std::string(upload_id) +
                                                     " are not in ascending order");
    }
  }
  SweepStaleTempFiles(DirName(PathOf(key)));
  auto file = AtomicFile::Create(PathOf(key));
  if (!file.ok()) return WithContext(file.status(), key);
  std::string buf(1 << 20, '\0');
  for (const auto& part : parts) {
    const std::string path = dir + "/" + PartFileName(part.part_number);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Error(StoreError::kInvalidArgument, url_ + " key " + std::string(key) + ": upload " +
                                                     std::string(upload_id) + " has no part " +
                                                     std::to_string(part.part_number));
    }
    Md5Stream md5;
    Status st;
    while (st.ok()) {
      const ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        st = IoError("read", path, errno);
        break;
      }
      if (n == 0) break;
      md5.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
      st = file->Write(std::string_view(buf.data(), static_cast<size_t>(n)));
    }
    ::close(fd);
    if (!st.ok()) return WithContext(st, key);
    if (QuotedHex(md5.Finish()) != part.etag) {
      return Error(StoreError::kInvalidArgument, url_ + " key " + std::string(key) + ": part " +
                                                     std::to_string(part.part_number) + " etag " + part.etag +
                                                     " does not match the stored part");
    }
  }
  FLOE_RETURN_IF_ERROR(WithContext(file->Commit(), key));
  return WithContext(RemoveTree(dir), key);
}

Status LocalObjectStore::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  FLOE_ASSIGN_OR_RETURN(std::string dir, UploadDir(key, upload_id));
  // Removing the key file first makes the upload disappear atomically even if the rest is interrupted.
  if (::unlink((dir + "/key").c_str()) != 0 && errno != ENOENT) {
    return WithContext(IoError("unlink", dir + "/key", errno), key);
  }
  return WithContext(RemoveTree(dir), key);
}

Result<std::vector<MultipartUpload>> LocalObjectStore::ListMultipartUploads(std::string_view prefix) {
  std::vector<MultipartUpload> uploads;
  DIR* d = ::opendir(staging_.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return uploads;
    return IoError("opendir", staging_, errno);
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string key_path = staging_ + "/" + std::string(name) + "/key";
    const int fd = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // being created, aborted or left by a crash before it existed
    struct stat st{};
    auto key = ReadRange(fd, 0, 4096, key_path);
    const bool stat_ok = ::fstat(fd, &st) == 0;
    ::close(fd);
    if (!key.ok() || !stat_ok || !StartsWith(*key, prefix)) continue;
    uploads.push_back(MultipartUpload{std::move(*key), std::string(name), MtimeMicros(st)});
  }
  ::closedir(d);
  std::sort(uploads.begin(), uploads.end(), [](const MultipartUpload& a, const MultipartUpload& b) {
    return a.key != b.key ? a.key < b.key : a.initiated_micros < b.initiated_micros;
  });
  return uploads;
}

}  // namespace floe::storage
