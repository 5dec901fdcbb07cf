#include "storage/fault_injecting_object_store.h"

namespace floe::storage {

std::string_view StoreOpName(StoreOp op) {
  switch (op) {
    case StoreOp::kPut: return "put";
    case StoreOp::kPutFile: return "put_file";
    case StoreOp::kGet: return "get";
    case StoreOp::kGetRange: return "get_range";
    case StoreOp::kHead: return "head";
    case StoreOp::kList: return "list";
    case StoreOp::kDelete: return "delete";
    case StoreOp::kDeleteMany: return "delete_many";
    case StoreOp::kCreateMultipart: return "create_multipart";
    case StoreOp::kUploadPart: return "upload_part";
    case StoreOp::kCompleteMultipart: return "complete_multipart";
    case StoreOp::kAbortMultipart: return "abort_multipart";
    case StoreOp::kListParts: return "list_parts";
    case StoreOp::kListMultipartUploads: return "list_multipart_uploads";
    case StoreOp::kCount: break;
  }
  return "unknown";
}

FaultInjectingObjectStore::FaultInjectingObjectStore(ObjectStore& inner, uint64_t seed) : inner_(inner), rng_(seed) {}

void FaultInjectingObjectStore::AddFault(const FaultSpec& spec) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.push_back(spec);
}

void FaultInjectingObjectStore::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  faults_.clear();
}

int64_t FaultInjectingObjectStore::calls(StoreOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_[static_cast<size_t>(op)];
}

int64_t FaultInjectingObjectStore::faults_injected(StoreOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return injected_[static_cast<size_t>(op)];
}

FaultInjectingObjectStore::Decision FaultInjectingObjectStore::Decide(StoreOp op) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t n = ++calls_[static_cast<size_t>(op)];
  for (const auto& f : faults_) {
    if (f.op != op) continue;
    const bool hit = f.nth > 0 ? f.nth == n
                               : f.probability > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < f.probability;
    if (hit) {
      ++injected_[static_cast<size_t>(op)];
      return Decision{true, f.kind};
    }
  }
  return Decision{};
}

Status FaultInjectingObjectStore::Before(StoreOp op, std::string_view key, Decision* d) {
  *d = Decide(op);
  if (!d->fail || d->kind == FaultKind::kSucceedButFail) return Status::Ok();
  const std::string what = "injected fault in " + std::string(StoreOpName(op)) + " of " + std::string(key);
  if (d->kind == FaultKind::kRetryable) return Error(StoreError::kServerError, what);
  return Error(StoreError::kAccessDenied, what);
}

Status FaultInjectingObjectStore::After(StoreOp op, std::string_view key, const Decision& d, Status result) {
  if (!d.fail || d.kind != FaultKind::kSucceedButFail) return result;
  return Error(StoreError::kTimeout, "injected lost reply after " + std::string(StoreOpName(op)) + " of " +
                                         std::string(key) + " (the operation " +
                                         (result.ok() ? "succeeded" : "failed: " + result.ToString()) + ")");
}

template <typename T>
Result<T> FaultInjectingObjectStore::After(StoreOp op, std::string_view key, const Decision& d, Result<T> result) {
  if (!d.fail || d.kind != FaultKind::kSucceedButFail) return result;
  return After(op, key, d, result.ok() ? Status::Ok() : result.status());
}

#define FLOE_FAULT_CALL(op, key, call)           \
  Decision d;                                    \
  FLOE_RETURN_IF_ERROR(Before(op, key, &d));     \
  return After(op, key, d, call)

Status FaultInjectingObjectStore::Put(std::string_view key, std::string_view data) {
  FLOE_FAULT_CALL(StoreOp::kPut, key, inner_.Put(key, data));
}
Status FaultInjectingObjectStore::PutFile(std::string_view key, const std::string& local_path) {
  FLOE_FAULT_CALL(StoreOp::kPutFile, key, inner_.PutFile(key, local_path));
}
Result<std::string> FaultInjectingObjectStore::Get(std::string_view key) {
  FLOE_FAULT_CALL(StoreOp::kGet, key, inner_.Get(key));
}
Result<std::string> FaultInjectingObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  FLOE_FAULT_CALL(StoreOp::kGetRange, key, inner_.GetRange(key, offset, length));
}
Result<ObjectMeta> FaultInjectingObjectStore::Head(std::string_view key) {
  FLOE_FAULT_CALL(StoreOp::kHead, key, inner_.Head(key));
}
Result<ListPage> FaultInjectingObjectStore::List(const ListRequest& request) {
  FLOE_FAULT_CALL(StoreOp::kList, request.prefix, inner_.List(request));
}
Status FaultInjectingObjectStore::Delete(std::string_view key) {
  FLOE_FAULT_CALL(StoreOp::kDelete, key, inner_.Delete(key));
}
Status FaultInjectingObjectStore::DeleteMany(const std::vector<std::string>& keys) {
  FLOE_FAULT_CALL(StoreOp::kDeleteMany, keys.empty() ? std::string() : keys.front(), inner_.DeleteMany(keys));
}
Result<std::string> FaultInjectingObjectStore::CreateMultipartUpload(std::string_view key) {
  FLOE_FAULT_CALL(StoreOp::kCreateMultipart, key, inner_.CreateMultipartUpload(key));
}
Result<UploadedPart> FaultInjectingObjectStore::UploadPart(std::string_view key, std::string_view upload_id,
                                                           int part_number, std::string_view data) {
  FLOE_FAULT_CALL(StoreOp::kUploadPart, key, inner_.UploadPart(key, upload_id, part_number, data));
}
Status FaultInjectingObjectStore::CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                                          const std::vector<UploadedPart>& parts) {
  FLOE_FAULT_CALL(StoreOp::kCompleteMultipart, key, inner_.CompleteMultipartUpload(key, upload_id, parts));
}
Status FaultInjectingObjectStore::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  FLOE_FAULT_CALL(StoreOp::kAbortMultipart, key, inner_.AbortMultipartUpload(key, upload_id));
}
Result<std::vector<UploadedPart>> FaultInjectingObjectStore::ListParts(std::string_view key,
                                                                       std::string_view upload_id) {
  FLOE_FAULT_CALL(StoreOp::kListParts, key, inner_.ListParts(key, upload_id));
}
Result<std::vector<MultipartUpload>> FaultInjectingObjectStore::ListMultipartUploads(std::string_view prefix) {
  FLOE_FAULT_CALL(StoreOp::kListMultipartUploads, prefix, inner_.ListMultipartUploads(prefix));
}

#undef FLOE_FAULT_CALL

}  // namespace floe::storage
