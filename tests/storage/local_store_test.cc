#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <ctime>
#include <filesystem>
#include <sstream>

#include "common/byte_sink.h"
#include "storage/digest.h"
#include "storage/fault_injecting_object_store.h"
#include "storage/local_object_store.h"
#include "storage/memory_object_store.h"
#include "storage/store_commands.h"
#include "storage/store_conformance.h"
#include "storage/store_options.h"

namespace floe::storage::testing {
namespace {

std::unique_ptr<ObjectStore> MakeLocal(const std::string& dir) {
  auto store = LocalObjectStore::Open(dir + "/root");
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformanceTest,
                         ::testing::Values(StoreFactory{"local", MakeLocal},
                                           StoreFactory{"memory",
                                                        [](const std::string&) -> std::unique_ptr<ObjectStore> {
                                                          return std::make_unique<MemoryObjectStore>();
                                                        }}),
                         PrintStoreFactory);

// Every file under dir, relative, including hidden ones.
std::vector<std::string> AllFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LocalObjectStoreTest, StagesMultipartUnderHiddenDirectory) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  auto id = (*store)->CreateMultipartUpload("x/y");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE((*store)->UploadPart("x/y", *id, 1, "abc").ok());
  EXPECT_EQ(AllFiles(dir.path()),
            (std::vector<std::string>{".floe-multipart/" + *id + "/key", ".floe-multipart/" + *id + "/part-00001"}));
  // A restarted process (a new store over the same root) finds and finishes the upload.
  auto again = LocalObjectStore::Open(dir.path());
  ASSERT_TRUE(again.ok());
  auto uploads = (*again)->ListMultipartUploads("");
  ASSERT_EQ(uploads->size(), 1u);
  auto parts = (*again)->ListParts("x/y", *id);
  ASSERT_TRUE((*again)->CompleteMultipartUpload("x/y", *id, *parts).ok());
  EXPECT_EQ(AllFiles(dir.path()), (std::vector<std::string>{"x/y"}));
}

TEST(LocalObjectStoreTest, LeftoverTempFilesAreNeverListed) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("d/real", "1").ok());
  WriteLocalFile(dir.path() + "/d/.floe-tmp-real.0123", "partial");  // as a crash would leave it
  auto all = ListAll(**store, "");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key, "d/real");
  EXPECT_TRUE((*store)->Get("d/.floe-tmp-real.0123").status().Is(StoreError::kInvalidKey));
}

TEST(LocalObjectStoreTest, StaleTempFilesOfDeadWritersAreSweptByTheNextWriteThere) {
  TempDir dir;
  ASSERT_TRUE(std::filesystem::create_directories(dir.path() + "/d"));
  ASSERT_TRUE(std::filesystem::create_directories(dir.path() + "/e"));
  const std::string stale = dir.path() + "/d/.floe-tmp-a.parquet.00aa";
  const std::string fresh = dir.path() + "/d/.floe-tmp-b.parquet.00bb";  // a live writer's, in another process
  const std::string elsewhere = dir.path() + "/e/.floe-tmp-c.parquet.00cc";
  WriteLocalFile(stale, "killed mid-PUT two hours ago");
  WriteLocalFile(fresh, "being written right now");
  WriteLocalFile(elsewhere, "old, but nothing writes to e/");
  const timespec two_hours_ago[2] = {{::time(nullptr) - 7200, 0}, {::time(nullptr) - 7200, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, stale.c_str(), two_hours_ago, 0), 0);
  ASSERT_EQ(::utimensat(AT_FDCWD, elsewhere.c_str(), two_hours_ago, 0), 0);

  auto store = LocalObjectStore::Open(dir.path());
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("d/new", "1").ok());
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(fresh));
  EXPECT_TRUE(std::filesystem::exists(elsewhere));
  EXPECT_EQ((*store)->swept_temp_files(), 1u);

  // Once per directory: a second write there does not scan again.
  WriteLocalFile(stale, "another");
  ASSERT_EQ(::utimensat(AT_FDCWD, stale.c_str(), two_hours_ago, 0), 0);
  ASSERT_TRUE((*store)->Put("d/newer", "2").ok());
  EXPECT_TRUE(std::filesystem::exists(stale));
  // PutFile and multipart completion sweep too.
  TempDir src;
  WriteLocalFile(src.path() + "/f", "file body");
  ASSERT_TRUE((*store)->PutFile("e/from-file", src.path() + "/f").ok());
  EXPECT_FALSE(std::filesystem::exists(elsewhere));
  EXPECT_EQ((*store)->swept_temp_files(), 2u);
}

ino_t InodeOf(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST(LocalObjectStoreTest, PutFileOnTheSameFilesystemLinksInsteadOfCopying) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path() + "/lake");
  ASSERT_TRUE(store.ok());
  const std::string spool = dir.path() + "/lake/.floe-spool/f.parquet";
  std::filesystem::create_directories(dir.path() + "/lake/.floe-spool");
  WriteLocalFile(spool, "first body");
  ASSERT_TRUE((*store)->PutFile("t/a.parquet", spool).ok());
  const std::string object = dir.path() + "/lake/t/a.parquet";
  EXPECT_EQ(InodeOf(object), InodeOf(spool)) << "linked, not copied";
  EXPECT_EQ(*(*store)->Get("t/a.parquet"), "first body");
  EXPECT_EQ(AllFiles(dir.path() + "/lake/t"), std::vector<std::string>{"a.parquet"}) << "no temp name left";

  // A new file under the spool's name (FileByteSink replaces, never truncates) leaves the object as it was.
  auto sink = FileByteSink::Open(spool);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write("second", 6).ok());
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_EQ(*(*store)->Get("t/a.parquet"), "first body");
  ASSERT_TRUE((*store)->PutFile("t/b.parquet", spool).ok());
  ::unlink(spool.c_str());
  EXPECT_EQ(*(*store)->Get("t/b.parquet"), "second");
  EXPECT_EQ(*(*store)->Get("t/a.parquet"), "first body");

  // A missing source is an error naming it, and leaves nothing behind.
  Status missing = (*store)->PutFile("t/c.parquet", dir.path() + "/nope");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find(dir.path() + "/nope"), std::string::npos) << missing.ToString();
  EXPECT_EQ(AllFiles(dir.path() + "/lake/t"), (std::vector<std::string>{"a.parquet", "b.parquet"}));
}

TEST(LocalObjectStoreTest, PutFileFromAnotherFilesystemCopies) {
  struct stat shm{}, tmp{};
  TempDir dir;
  if (::stat("/dev/shm", &shm) != 0 || ::stat(dir.path().c_str(), &tmp) != 0 || shm.st_dev == tmp.st_dev)
    GTEST_SKIP() << "needs /dev/shm on another filesystem than " << dir.path();
  auto store = LocalObjectStore::Open(dir.path() + "/lake");
  ASSERT_TRUE(store.ok());
  char src_tmpl[] = "/dev/shm/floe-putfile-XXXXXX";
  const int fd = ::mkstemp(src_tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const std::string src = src_tmpl;
  WriteLocalFile(src, RandomBytes(3 << 20, 5));
  ASSERT_TRUE((*store)->PutFile("x/big", src).ok());
  EXPECT_EQ(*(*store)->Get("x/big"), RandomBytes(3 << 20, 5));
  ::unlink(src.c_str());
  EXPECT_EQ(AllFiles(dir.path() + "/lake/x"), std::vector<std::string>{"big"});
}

TEST(LocalObjectStoreTest, ObjectAndPrefixConflictIsAnError) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path());
  ASSERT_TRUE((*store)->Put("a", "1").ok());
  EXPECT_TRUE((*store)->Put("a/b", "2").Is(StoreError::kInvalidKey));
  ASSERT_TRUE((*store)->Put("c/d", "2").ok());
  EXPECT_TRUE((*store)->Put("c", "1").Is(StoreError::kInvalidKey));
  EXPECT_TRUE((*store)->Get("c").status().Is(StoreError::kNotFound));
}

TEST(LocalObjectStoreTest, OpenedThroughUrl) {
  TempDir dir;
  StoreOptions options;
  options.url = "file://" + dir.path() + "/lake";
  auto store = OpenObjectStore(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->url(), "file://" + dir.path() + "/lake");
  ASSERT_TRUE((*store)->Put("k", "v").ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/lake/k"));
  options.url = "ftp://x";
  EXPECT_TRUE(OpenObjectStore(options).status().Is(StoreError::kInvalidArgument));
  options.url = "file://relative";
  EXPECT_TRUE(OpenObjectStore(options).status().Is(StoreError::kInvalidArgument));
}

TEST(FaultInjectingObjectStoreTest, NthCallAndKinds) {
  MemoryObjectStore mem;
  FaultInjectingObjectStore store(mem);
  store.AddFault({StoreOp::kPut, 2, 0.0, FaultKind::kRetryable});
  store.AddFault({StoreOp::kPut, 3, 0.0, FaultKind::kPermanent});
  store.AddFault({StoreOp::kPut, 4, 0.0, FaultKind::kSucceedButFail});
  EXPECT_TRUE(store.Put("k1", "1").ok());
  Status second = store.Put("k2", "2");
  EXPECT_TRUE(second.Is(StoreError::kServerError) && second.retryable()) << second.ToString();
  Status third = store.Put("k3", "3");
  EXPECT_TRUE(third.Is(StoreError::kAccessDenied) && !third.retryable()) << third.ToString();
  Status fourth = store.Put("k4", "4");
  EXPECT_TRUE(fourth.Is(StoreError::kTimeout) && fourth.retryable()) << fourth.ToString();
  EXPECT_TRUE(store.Put("k5", "5").ok());
  EXPECT_TRUE(mem.Get("k1").ok());
  EXPECT_FALSE(mem.Get("k2").ok()) << "failed before reaching the store";
  EXPECT_FALSE(mem.Get("k3").ok());
  EXPECT_EQ(*mem.Get("k4"), "4") << "succeeded but reported failure";
  EXPECT_EQ(store.calls(StoreOp::kPut), 5);
  EXPECT_EQ(store.faults_injected(StoreOp::kPut), 3);
  EXPECT_EQ(store.calls(StoreOp::kGet), 0);
}

TEST(FaultInjectingObjectStoreTest, ProbabilityOfAGivenOperation) {
  MemoryObjectStore mem;
  FaultInjectingObjectStore store(mem, 42);
  store.AddFault({StoreOp::kUploadPart, 0, 0.3, FaultKind::kRetryable});
  auto id = store.CreateMultipartUpload("k");
  ASSERT_TRUE(id.ok());
  int failures = 0;
  for (int i = 1; i <= 1000; ++i) failures += !store.UploadPart("k", *id, i, "x").ok();
  EXPECT_GT(failures, 240);
  EXPECT_LT(failures, 360);
  EXPECT_EQ(store.faults_injected(StoreOp::kUploadPart), failures);
  store.ClearFaults();
  EXPECT_TRUE(store.UploadPart("k", *id, 1, "x").ok());
}

TEST(FaultInjectingObjectStoreTest, FailedMultipartFileUploadIsAbortedAndLeavesNothing) {
  MemoryObjectStore mem;
  FaultInjectingObjectStore store(mem);
  store.AddFault({StoreOp::kUploadPart, 3, 0.0, FaultKind::kPermanent});
  TempDir dir;
  WriteLocalFile(dir.path() + "/f", RandomBytes(5 * kMinPartSize, 1));
  MultipartFileUpload how;
  how.part_size = kMinPartSize;
  how.parallelism = 2;
  Status st = UploadFileMultipart(store, "k", dir.path() + "/f", how);
  EXPECT_TRUE(st.Is(StoreError::kAccessDenied)) << st.ToString();
  EXPECT_EQ(mem.object_count(), 0u);
  EXPECT_TRUE(mem.ListMultipartUploads("")->empty());
}

TEST(StoreCommandsTest, LsCatPut) {
  TempDir dir;
  auto store = LocalObjectStore::Open(dir.path() + "/root");
  ASSERT_TRUE(store.ok());
  WriteLocalFile(dir.path() + "/in", "payload");
  std::ostringstream out;
  ASSERT_TRUE(RunStorePut(**store, "t/p=1/f.txt", dir.path() + "/in", out).ok());
  EXPECT_EQ(out.str(), "put t/p=1/f.txt 7 bytes\n");
  ASSERT_TRUE((*store)->Put("t/top", "12").ok());

  std::ostringstream ls;
  ASSERT_TRUE(RunStoreLs(**store, "t/", false, ls).ok());
  std::string text = ls.str();
  EXPECT_NE(text.find("PRE t/p=1/\n"), std::string::npos) << text;
  EXPECT_NE(text.find("2 "), std::string::npos) << text;
  EXPECT_NE(text.find(" t/top\n"), std::string::npos) << text;
  EXPECT_LT(text.find("PRE t/p=1/"), text.find("t/top")) << "key order";

  std::ostringstream rec;
  ASSERT_TRUE(RunStoreLs(**store, "t/", true, rec).ok());
  EXPECT_NE(rec.str().find(" t/p=1/f.txt\n"), std::string::npos) << rec.str();

  std::ostringstream cat;
  ASSERT_TRUE(RunStoreCat(**store, "t/p=1/f.txt", cat).ok());
  EXPECT_EQ(cat.str(), "payload");
  std::ostringstream missing;
  EXPECT_TRUE(RunStoreCat(**store, "t/none", missing).Is(StoreError::kNotFound));
}

TEST(DigestTest, KnownValues) {
  EXPECT_EQ(HexLower(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexLower(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Base64(Md5("hello")), "XUFAKrxLKna5cZ2REBfFkg==");
  Md5Stream s;
  s.Update("hel");
  s.Update("lo");
  EXPECT_EQ(s.Finish(), Md5("hello"));
}

}  // namespace
}  // namespace floe::storage::testing
