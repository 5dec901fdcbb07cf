#include "storage/store_conformance.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "storage/digest.h"

namespace floe::storage::testing {

namespace {

std::vector<std::string> Keys(const std::vector<ObjectMeta>& objects) {
  std::vector<std::string> keys;
  for (const auto& o : objects) keys.push_back(o.key);
  return keys;
}

TEST_P(StoreConformanceTest, PutGetHeadDelete) {
  ASSERT_TRUE(store().Put("t/a.txt", "hello").ok());
  auto got = store().Get("t/a.txt");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "hello");
  auto head = store().Head("t/a.txt");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->key, "t/a.txt");
  EXPECT_EQ(head->size, 5u);
  EXPECT_FALSE(head->etag.empty());
  EXPECT_GT(head->last_modified_micros, 0);

  ASSERT_TRUE(store().Put("t/a.txt", "replaced!").ok());
  EXPECT_EQ(*store().Get("t/a.txt"), "replaced!");
  EXPECT_NE(store().Head("t/a.txt")->etag, head->etag);

  ASSERT_TRUE(store().Delete("t/a.txt").ok());
  EXPECT_TRUE(store().Get("t/a.txt").status().Is(StoreError::kNotFound));
  EXPECT_TRUE(store().Head("t/a.txt").status().Is(StoreError::kNotFound));
  EXPECT_TRUE(store().Delete("t/a.txt").ok()) << "deleting a missing key succeeds";
}

TEST_P(StoreConformanceTest, EmptyAndBinaryObjects) {
  ASSERT_TRUE(store().Put("empty", "").ok());
  EXPECT_EQ(*store().Get("empty"), "");
  EXPECT_EQ(store().Head("empty")->size, 0u);
  const std::string bin = RandomBytes(100000, 7) + std::string(3, '\0');
  ASSERT_TRUE(store().Put("bin/x.parquet", bin).ok());
  EXPECT_EQ(*store().Get("bin/x.parquet"), bin);
}

TEST_P(StoreConformanceTest, MissingObjectErrorsNameTheKey) {
  auto got = store().Get("no/such/key");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().Is(StoreError::kNotFound)) << got.status().ToString();
  EXPECT_FALSE(got.status().retryable());
  EXPECT_NE(got.status().message().find("no/such/key"), std::string::npos) << got.status().ToString();
}

TEST_P(StoreConformanceTest, GetRange) {
  const std::string data = RandomBytes(1000, 3);
  ASSERT_TRUE(store().Put("r", data).ok());
  EXPECT_EQ(*store().GetRange("r", 0, 10), data.substr(0, 10));
  EXPECT_EQ(*store().GetRange("r", 500, 100), data.substr(500, 100));
  EXPECT_EQ(*store().GetRange("r", 990, 100), data.substr(990)) << "clipped at the end";
  EXPECT_EQ(*store().GetRange("r", 5, 0), "");
  auto past = store().GetRange("r", 1000, 1);
  EXPECT_TRUE(past.status().Is(StoreError::kInvalidArgument)) << past.status().ToString();
  EXPECT_TRUE(store().GetRange("nope", 0, 1).status().Is(StoreError::kNotFound));
}

TEST_P(StoreConformanceTest, RejectsInvalidKeys) {
  for (const char* key : {"", "/abs", "a//b", "a/", "./a", "a/../b", ".floe-tmp-x", "a/.floe-multipart/b"}) {
    Status st = store().Put(key, "x");
    EXPECT_TRUE(st.Is(StoreError::kInvalidKey)) << "'" << key << "': " << st.ToString();
  }
}

TEST_P(StoreConformanceTest, ListWithPrefixDelimiterAndPagination) {
  if (!GetParam().exact_listing) GTEST_SKIP() << "store does not list in S3 order (see StoreFactory)";
  const std::vector<std::string> keys = {"a/1", "a/2", "a/b/3", "a-b", "b", "c/d/e", "c/d/f", "ca"};
  for (const auto& k : keys) ASSERT_TRUE(store().Put(k, k).ok()) << k;

  ListRequest top;
  top.delimiter = "/";
  auto page = store().List(top);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Keys(page->objects), (std::vector<std::string>{"a-b", "b", "ca"}));
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"a/", "c/"}));
  EXPECT_TRUE(page->next_continuation_token.empty());

  ListRequest under_a;
  under_a.prefix = "a/";
  under_a.delimiter = "/";
  page = store().List(under_a);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Keys(page->objects), (std::vector<std::string>{"a/1", "a/2"}));
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"a/b/"}));
  EXPECT_EQ(page->objects[0].size, 3u);

  ListRequest partial;  // a prefix that ends inside a name
  partial.prefix = "c";
  page = store().List(partial);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Keys(page->objects), (std::vector<std::string>{"c/d/e", "c/d/f", "ca"}));

  // Every page size walks the full sorted listing exactly once.
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  for (int max_keys : {1, 2, 3, 1000}) {
    ListRequest req;
    req.max_keys = max_keys;
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      auto p = store().List(req);
      ASSERT_TRUE(p.ok()) << p.status().ToString();
      ASSERT_LE(static_cast<int>(p->objects.size()), max_keys);
      for (auto& o : p->objects) seen.push_back(o.key);
      ++pages;
      if (p->next_continuation_token.empty()) break;
      req.continuation_token = p->next_continuation_token;
      ASSERT_LT(pages, 100);
    }
    EXPECT_EQ(seen, sorted) << "max_keys " << max_keys;
  }

  // Pagination over a delimited listing returns each prefix once.
  ListRequest paged = top;
  paged.max_keys = 1;
  std::vector<std::string> names;
  while (true) {
    auto p = store().List(paged);
    ASSERT_TRUE(p.ok());
    for (auto& o : p->objects) names.push_back(o.key);
    for (auto& c : p->common_prefixes) names.push_back(c);
    if (p->next_continuation_token.empty()) break;
    paged.continuation_token = p->next_continuation_token;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a-b", "a/", "b", "c/", "ca"}));

  ListRequest none;
  none.prefix = "zzz/";
  page = store().List(none);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_TRUE(page->common_prefixes.empty());
}

TEST_P(StoreConformanceTest, DeletedPrefixDisappearsFromListing) {
  ASSERT_TRUE(store().Put("p/q/r", "x").ok());
  ASSERT_TRUE(store().Delete("p/q/r").ok());
  ListRequest req;
  req.delimiter = "/";
  auto page = store().List(req);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->common_prefixes.empty());
  EXPECT_TRUE(page->objects.empty());
}

TEST_P(StoreConformanceTest, DeleteMany) {
  std::vector<std::string> keys;
  for (int i = 0; i < 25; ++i) {
    keys.push_back("dm/k" + std::to_string(i));
    ASSERT_TRUE(store().Put(keys.back(), "v").ok());
  }
  ASSERT_TRUE(store().Put("dm/keep", "v").ok());
  keys.push_back("dm/never-existed");
  ASSERT_TRUE(store().DeleteMany(keys).ok());
  auto left = ListAll(store(), "dm/");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(Keys(*left), (std::vector<std::string>{"dm/keep"}));
}

TEST_P(StoreConformanceTest, MultipartLifecycle) {
  const std::string p1 = RandomBytes(kMinPartSize, 1), p2 = RandomBytes(kMinPartSize, 2), p3 = "tail";
  auto id = store().CreateMultipartUpload("mp/obj");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto r3 = store().UploadPart("mp/obj", *id, 3, p3);  // parts may arrive in any order
  auto r1 = store().UploadPart("mp/obj", *id, 1, "first try");
  ASSERT_TRUE(r3.ok() && r1.ok()) << r3.status().ToString() << r1.status().ToString();
  r1 = store().UploadPart("mp/obj", *id, 1, p1);  // re-uploading a part replaces it
  auto r2 = store().UploadPart("mp/obj", *id, 2, p2);
  ASSERT_TRUE(r1.ok() && r2.ok());
  EXPECT_EQ(r1->etag, "\"" + HexLower(Md5(p1)) + "\"");

  EXPECT_TRUE(store().Head("mp/obj").status().Is(StoreError::kNotFound)) << "invisible until complete";
  auto page = store().List(ListRequest{});
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty()) << "staged parts never listed";

  auto parts = store().ListParts("mp/obj", *id);
  if (parts.status().Is(StoreError::kUnsupported)) {
    RecordProperty("list_parts", "unsupported by this store");
  } else {
    ASSERT_TRUE(parts.ok()) << parts.status().ToString();
    ASSERT_EQ(parts->size(), 3u);
    EXPECT_EQ((*parts)[0].part_number, 1);
    EXPECT_EQ((*parts)[0].size, p1.size());
    EXPECT_EQ((*parts)[0].etag, r1->etag);
    EXPECT_EQ((*parts)[2].size, 4u);
  }

  auto uploads = store().ListMultipartUploads("mp/");
  if (uploads.status().Is(StoreError::kUnsupported)) {
    RecordProperty("list_multipart_uploads", "unsupported by this store");
  } else {
    ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();
    ASSERT_EQ(uploads->size(), 1u);
    EXPECT_EQ((*uploads)[0].key, "mp/obj");
    EXPECT_EQ((*uploads)[0].upload_id, *id);
    EXPECT_TRUE(store().ListMultipartUploads("other/")->empty());
  }

  if (GetParam().strict_multipart) {
    UploadedPart wrong = *r2;
    wrong.etag = "\"00000000000000000000000000000000\"";
    EXPECT_FALSE(store().CompleteMultipartUpload("mp/obj", *id, {*r1, wrong, *r3}).ok());
    EXPECT_TRUE(store().CompleteMultipartUpload("mp/obj", "deadbeef", {*r1}).Is(StoreError::kNoSuchUpload));
  }

  ASSERT_TRUE(store().CompleteMultipartUpload("mp/obj", *id, {*r1, *r2, *r3}).ok());
  EXPECT_EQ(*store().Get("mp/obj"), p1 + p2 + p3);
  if (uploads.ok()) {
    EXPECT_TRUE(store().ListMultipartUploads("")->empty());
  }
  if (parts.ok()) {
    EXPECT_TRUE(store().ListParts("mp/obj", *id).status().Is(StoreError::kNoSuchUpload));
  }
}

TEST_P(StoreConformanceTest, MultipartAbort) {
  auto id = store().CreateMultipartUpload("ab/obj");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store().UploadPart("ab/obj", *id, 1, "data").ok());
  Status aborted = store().AbortMultipartUpload("ab/obj", *id);
  if (aborted.Is(StoreError::kUnsupported)) GTEST_SKIP() << "store does not implement abort: " << aborted.ToString();
  ASSERT_TRUE(aborted.ok()) << aborted.ToString();
  EXPECT_TRUE(store().ListMultipartUploads("")->empty());
  EXPECT_TRUE(store().UploadPart("ab/obj", *id, 2, "x").status().Is(StoreError::kNoSuchUpload));
  EXPECT_TRUE(store().Head("ab/obj").status().Is(StoreError::kNotFound));
}

TEST_P(StoreConformanceTest, PutFileSmallAndMultipart) {
  const std::string small = RandomBytes(1234, 5);
  const std::string small_path = scratch() + "/small.bin";
  WriteLocalFile(small_path, small);
  ASSERT_TRUE(store().PutFile("pf/small", small_path).ok());
  EXPECT_EQ(*store().Get("pf/small"), small);

  const std::string big = RandomBytes(3 * kMinPartSize + 777, 6);
  const std::string big_path = scratch() + "/big.bin";
  WriteLocalFile(big_path, big);
  MultipartFileUpload how;
  how.part_size = kMinPartSize;
  how.parallelism = 3;
  Status st = UploadFileMultipart(store(), "pf/big", big_path, how);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(HexLower(Md5(*store().Get("pf/big"))), HexLower(Md5(big)));
  auto left = store().ListMultipartUploads("");
  if (left.ok()) {
    EXPECT_TRUE(left->empty());
  }

  EXPECT_TRUE(store().PutFile("pf/missing", scratch() + "/nope").Is(CommonError::kNotFound));
}

TEST_P(StoreConformanceTest, ResumesAnInterruptedMultipartUpload) {
  const std::string data = RandomBytes(2 * kMinPartSize + 10, 8);
  const std::string path = scratch() + "/resume.bin";
  WriteLocalFile(path, data);
  // A previous process uploaded part 1 and died.
  auto id = store().CreateMultipartUpload("rs/obj");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store().UploadPart("rs/obj", *id, 1, std::string_view(data).substr(0, kMinPartSize)).ok());
  // Part 2 was written from different bytes (the spool file changed): it must be re-uploaded.
  ASSERT_TRUE(store().UploadPart("rs/obj", *id, 2, RandomBytes(kMinPartSize, 99)).ok());

  auto uploads = store().ListMultipartUploads("rs/");
  if (uploads.status().Is(StoreError::kUnsupported)) GTEST_SKIP() << "store cannot list uploads to resume";
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  MultipartFileUpload how;
  how.part_size = kMinPartSize;
  how.resume_upload_id = (*uploads)[0].upload_id;
  Status st = UploadFileMultipart(store(), "rs/obj", path, how);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(*store().Get("rs/obj") == data);
}

TEST_P(StoreConformanceTest, ConcurrentWriters) {
  const bool same_key = GetParam().atomic_same_key_puts;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t, same_key] {
      for (int i = 0; i < 20; ++i) {
        const std::string v = RandomBytes(1000 + t * 100 + i, static_cast<uint64_t>(t * 1000 + i));
        EXPECT_TRUE(store().Put("cw/t" + std::to_string(t) + "/" + std::to_string(i), v).ok());
        if (same_key) EXPECT_TRUE(store().Put("cw/shared", v).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto all = ListAll(store(), "cw/");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), same_key ? 81u : 80u);
  if (!same_key) return;
  auto got = store().Get("cw/shared");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const std::string shared = *got;
  bool matches_one = false;  // the shared key holds exactly one writer's complete value
  for (int t = 0; t < 4 && !matches_one; ++t) {
    for (int i = 0; i < 20 && !matches_one; ++i) {
      matches_one = shared == RandomBytes(1000 + t * 100 + i, static_cast<uint64_t>(t * 1000 + i));
    }
  }
  EXPECT_TRUE(matches_one);
}

}  // namespace
}  // namespace floe::storage::testing
