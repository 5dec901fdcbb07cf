// FaultInjectingObjectStore: wraps any ObjectStore and makes chosen calls fail, so tests of the archiver,
// catalog and maintenance code can exercise their error paths deterministically.
//
//   MemoryObjectStore mem;
//   FaultInjectingObjectStore store(mem);
//   store.AddFault({.op = StoreOp::kPut, .nth = 3});                        // 3rd Put fails, retryable
//   store.AddFault({.op = StoreOp::kUploadPart, .probability = 0.2, .kind = FaultKind::kPermanent});
//   store.AddFault({.op = StoreOp::kCompleteMultipart, .nth = 1, .kind = FaultKind::kSucceedButFail});
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <random>
#include <vector>

#include "storage/object_store.h"

namespace floe::storage {

enum class StoreOp {
  kPut, kPutFile, kGet, kGetRange, kHead, kList, kDelete, kDeleteMany,
  kCreateMultipart, kUploadPart, kCompleteMultipart, kAbortMultipart, kListParts, kListMultipartUploads,
  kCount
};
std::string_view StoreOpName(StoreOp op);

enum class FaultKind {
  kRetryable,       // fail before touching the store with a retryable kServerError
  kPermanent,       // fail before touching the store with a non-retryable kAccessDenied
  kSucceedButFail,  // perform the operation, then report a retryable kTimeout (the reply was lost)
};

struct FaultSpec {
  StoreOp op = StoreOp::kPut;
  int64_t nth = 0;           // > 0: the nth call of op (1-based, counted from construction) fails
  double probability = 0.0;  // else: each call of op fails with this probability
  FaultKind kind = FaultKind::kRetryable;
};

class FaultInjectingObjectStore final : public ObjectStore {
 public:
  explicit FaultInjectingObjectStore(ObjectStore& inner, uint64_t seed = 1);

  void AddFault(const FaultSpec& spec);
  void ClearFaults();
  int64_t calls(StoreOp op) const;
  int64_t faults_injected(StoreOp op) const;

  const std::string& url() const override { return inner_.url(); }
  Status Put(std::string_view key, std::string_view data) override;
  Status PutFile(std::string_view key, const std::string& local_path) override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Result<ObjectMeta> Head(std::string_view key) override;
  Result<ListPage> List(const ListRequest& request) override;
  Status Delete(std::string_view key) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<std::string> CreateMultipartUpload(std::string_view key) override;
  Result<UploadedPart> UploadPart(std::string_view key, std::string_view upload_id, int part_number,
                                  std::string_view data) override;
  Status CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                 const std::vector<UploadedPart>& parts) override;
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<UploadedPart>> ListParts(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<MultipartUpload>> ListMultipartUploads(std::string_view prefix) override;

 private:
  struct Decision {
    bool fail = false;
    FaultKind kind = FaultKind::kRetryable;
  };
  Decision Decide(StoreOp op);
  Status Before(StoreOp op, std::string_view key, Decision* d);  // non-OK: fail now
  Status After(StoreOp op, std::string_view key, const Decision& d, Status result);
  template <typename T>
  Result<T> After(StoreOp op, std::string_view key, const Decision& d, Result<T> result);

  ObjectStore& inner_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<FaultSpec> faults_;
  std::array<int64_t, static_cast<size_t>(StoreOp::kCount)> calls_{};
  std::array<int64_t, static_cast<size_t>(StoreOp::kCount)> injected_{};
};

}  // namespace floe::storage
