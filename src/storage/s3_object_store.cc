#include "storage/s3_object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <random>
#include <thread>

#include "common/time_util.h"
#include "storage/digest.h"

namespace floe::storage {
namespace {

constexpr int64_t kMaxBackoffMs = 20000;

// "Tue, 05 Mar 2024 06:07:08 GMT" (RFC 7231 IMF-fixdate), as in Last-Modified.
int64_t ParseHttpDate(std::string_view s) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (s.size() < 29) return 0;
  const size_t m = kMonths.find(s.substr(8, 3));
  if (m == std::string_view::npos) return 0;
  CivilTime t{};
  t.day = std::atoi(std::string(s.substr(5, 2)).c_str());
  t.month = static_cast<int>(m / 3) + 1;
  t.year = std::atoi(std::string(s.substr(12, 4)).c_str());
  t.hour = std::atoi(std::string(s.substr(17, 2)).c_str());
  t.minute = std::atoi(std::string(s.substr(20, 2)).c_str());
  t.second = std::atoi(std::string(s.substr(23, 2)).c_str());
  return MicrosFromCivil(t);
}

std::string QueryParam(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + UriEncode(value, true);
}

bool IsPlainMd5Etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag.size() == 32 && std::all_of(etag.begin(), etag.end(), [](char c) { return std::isxdigit(c); });
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

StoreError CodeFor(long status, std::string_view s3_code) {
  if (s3_code == "NoSuchKey" || s3_code == "NoSuchBucket" || s3_code == "NotFound") return StoreError::kNotFound;
  if (s3_code == "NoSuchUpload") return StoreError::kNoSuchUpload;
  if (s3_code == "AccessDenied" || s3_code == "InvalidAccessKeyId" || s3_code == "SignatureDoesNotMatch" ||
      s3_code == "ExpiredToken" || s3_code == "InvalidToken" || s3_code == "AllAccessDisabled") {
    return StoreError::kAccessDenied;
  }
  if (s3_code == "BadDigest" || s3_code == "InvalidDigest" || s3_code == "XAmzContentSHA256Mismatch") {
    return StoreError::kChecksumMismatch;
  }
  if (s3_code == "SlowDown" || s3_code == "Throttling" || s3_code == "ThrottlingException" ||
      s3_code == "RequestLimitExceeded" || status == 429) {
    return StoreError::kThrottled;
  }
  if (s3_code == "RequestTimeout") return StoreError::kTimeout;  // a 400 S3 asks clients to retry
  if (s3_code == "NotImplemented" || s3_code == "MethodNotAllowed" || status == 501 || status == 405) {
    return StoreError::kUnsupported;
  }
  if (s3_code == "PreconditionFailed" || status == 412) return StoreError::kPreconditionFailed;
  if (status == 503) return StoreError::kThrottled;
  if (status >= 500) return StoreError::kServerError;
  if (status == 404) return StoreError::kNotFound;
  if (status == 401 || status == 403) return StoreError::kAccessDenied;
  return StoreError::kInvalidArgument;
}

}  // namespace

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Open(const std::string& url, const S3Options& options,
                                                           const EnvLookup& env) {
  if (url.rfind("s3://", 0) != 0) {
    return Error(StoreError::kInvalidArgument, "S3 store URL must be s3://bucket[/prefix], got '" + url + "'");
  }
  std::string rest = url.substr(5);
  const size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (bucket.empty()) return Error(StoreError::kInvalidArgument, "S3 store URL '" + url + "' has no bucket");
  if (!prefix.empty()) {
    FLOE_RETURN_IF_ERROR(ValidateKey(prefix));
    prefix += '/';
  }
  if (options.part_size < kMinPartSize || options.part_size > (5ull << 30)) {
    return Error(StoreError::kInvalidArgument, "s3.part.size must be between 5 MiB and 5 GiB");
  }
  if (options.upload_parallelism < 1 || options.max_retries < 0 || options.retry_backoff_ms < 0 ||
      options.request_timeout_ms < 1) {
    return Error(StoreError::kInvalidArgument,
                 "s3.upload.parallelism and s3.request.timeout.ms must be positive, s3.max.retries and "
                 "s3.retry.backoff.ms not negative");
  }
  FLOE_ASSIGN_OR_RETURN(AwsCredentials creds, ResolveAwsCredentials(options, env));
  std::string region = ResolveAwsRegion(options, env);
  std::string endpoint = options.endpoint.empty() ? "https://s3." + region + ".amazonaws.com" : options.endpoint;
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
  // Bucket names with dots break TLS wildcard certificates under virtual hosting: use path style for them.
  const bool virtual_host = !options.path_style && bucket.find('.') == std::string::npos;
  return std::unique_ptr<S3ObjectStore>(new S3ObjectStore(url, std::move(bucket), std::move(prefix),
                                                          std::move(endpoint), virtual_host, options,
                                                          std::move(creds), std::move(region)));
}

S3ObjectStore::S3ObjectStore(std::string url, std::string bucket, std::string prefix, std::string endpoint_base,
                             bool virtual_host, S3Options options, AwsCredentials creds, std::string region)
    : url_(std::move(url)),
      bucket_(std::move(bucket)),
      prefix_(std::move(prefix)),
      endpoint_base_(std::move(endpoint_base)),
      virtual_host_(virtual_host),
      options_(std::move(options)),
      creds_(std::move(creds)),
      scope_{"s3", std::move(region), true},
      http_(HttpClientOptions{options_.request_timeout_ms, 10000}) {}

std::string S3ObjectStore::FullKey(std::string_view key) const { return prefix_ + std::string(key); }

std::string S3ObjectStore::StripPrefix(std::string_view full_key) const {
  return std::string(full_key.substr(std::min(prefix_.size(), full_key.size())));
}

std::string S3ObjectStore::UrlFor(const std::string& full_key, const std::string& query) const {
  std::string url;
  if (virtual_host_) {
    const size_t scheme_end = endpoint_base_.find("://") + 3;
    url = endpoint_base_.substr(0, scheme_end) + bucket_ + "." + endpoint_base_.substr(scheme_end) + "/";
  } else {
    url = endpoint_base_ + "/" + bucket_ + (full_key.empty() ? "" : "/");
  }
  url += UriEncode(full_key, false);
  if (!query.empty()) url += "?" + query;
  return url;
}

std::string S3ObjectStore::Describe(const Call& call) const {
  std::string d = "s3://" + bucket_ + "/" + call.key;
  if (call.key.empty()) d = "s3://" + bucket_ + "/" + prefix_;
  return d + ": " + call.method;
}

Status S3ObjectStore::ErrorFrom(const Call& call, const HttpResponse& response) const {
  std::string s3_code, message, request_id;
  if (auto xml = ParseXml(response.body); xml.ok()) {
    const XmlElement* err = xml->name == "Error" ? &*xml : xml->Child("Error");
    if (err) {
      s3_code = std::string(err->ChildText("Code"));
      message = std::string(err->ChildText("Message"));
      request_id = std::string(err->ChildText("RequestId"));
    }
  }
  if (s3_code.empty() && response.status == 404) s3_code = "NotFound";
  if (const std::string* rid = response.Header("x-amz-request-id"); rid && request_id.empty()) request_id = *rid;
  std::string text = Describe(call) + " failed: HTTP " + std::to_string(response.status);
  if (!s3_code.empty()) text += " " + s3_code;
  if (!message.empty()) text += ": " + message;
  if (!request_id.empty()) text += " (request id " + request_id + ")";
  return Error(CodeFor(response.status, s3_code), std::move(text));
}

Result<HttpResponse> S3ObjectStore::Execute(const Call& call, int* attempts) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::string url = UrlFor(call.key, call.query);
  const std::string payload_hash = call.sign_body ? PayloadSha256Hex(call.body)
                                   : call.body.empty() ? PayloadSha256Hex("")
                                                       : std::string(kUnsignedPayload);
  Status last;
  for (int attempt = 0;; ++attempt) {
    if (attempts) *attempts = attempt + 1;
    HttpRequest req{call.method, url, call.headers, call.body};
    FLOE_RETURN_IF_ERROR(SignRequest(req.method, req.url, req.headers, payload_hash, scope_, creds_,
                                     SystemClock::Instance().NowMicros()));
    Result<HttpResponse> r = http_.Send(req);
    if (r.ok()) {
      const bool hidden_error = call.error_in_200 && r->status == 200 && r->body.find("<Error>") != std::string::npos;
      if (r->status >= 200 && r->status < 300 && !hidden_error) return r;
      last = ErrorFrom(call, *r);
      if (hidden_error && last.Is(StoreError::kInvalidArgument)) last = last.Retryable(true);
    } else {
      last = r.status().WithContext(Describe(call));
    }
    if (!last.retryable() || attempt >= options_.max_retries) {
      return attempt == 0 ? last : last.WithContext("after " + std::to_string(attempt + 1) + " attempts");
    }
    retries_.fetch_add(1);
    const int64_t cap = std::min<int64_t>(kMaxBackoffMs, static_cast<int64_t>(options_.retry_backoff_ms) << std::min(attempt, 20));
    const int64_t sleep_ms = cap > 0 ? std::uniform_int_distribution<int64_t>(0, cap)(rng) : 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  }
}

Status S3ObjectStore::Put(std::string_view key, std::string_view data) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"PUT", FullKey(key), "", {{"Content-MD5", Base64(Md5(data))}, {"Content-Type", "application/octet-stream"}},
            data, false, false, key};
  return Execute(call).status();
}

Status S3ObjectStore::PutFile(std::string_view key, const std::string& local_path) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  struct stat st{};
  if (::stat(local_path.c_str(), &st) != 0) return ErrnoStatus("stat", local_path, errno);
  if (static_cast<uint64_t>(st.st_size) <= options_.part_size) return ObjectStore::PutFile(key, local_path);
  MultipartFileUpload how;
  how.part_size = options_.part_size;
  how.parallelism = options_.upload_parallelism;
  return UploadFileMultipart(*this, key, local_path, how);
}

Result<std::string> S3ObjectStore::Get(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"GET", FullKey(key), "", {}, {}, false, false, key};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  // Single-part ETags are the body's MD5: catch corruption between the store and us. A mismatch is
  // reported as retryable; the caller decides whether to read again.
  if (const std::string* etag = r.Header("etag"); etag && IsPlainMd5Etag(*etag)) {
    if (HexLower(Md5(r.body)) != Unquote(*etag)) {
      return Error(StoreError::kChecksumMismatch, Describe(call) + ": body does not match ETag " + *etag)
          .Retryable(true);
    }
  }
  return std::move(r.body);
}

Result<std::string> S3ObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  if (length == 0) return std::string();
  Call call{"GET", FullKey(key), "", {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}},
            {}, false, false, key};
  auto r = Execute(call);
  if (!r.ok()) {
    if (r.status().message().find("HTTP 416") != std::string::npos) {
      return Error(StoreError::kInvalidArgument, r.status().message());
    }
    return r.status();
  }
  if (r->status == 206) {
    // "bytes first-last/total": the body must hold exactly last - first + 1 bytes.
    const std::string* cr = r->Header("content-range");
    unsigned long long first = 0, last = 0;
    if (cr == nullptr || std::sscanf(cr->c_str(), "bytes %llu-%llu", &first, &last) != 2 || first != offset ||
        r->body.size() != last - first + 1) {
      return Error(StoreError::kNetwork, Describe(call) + ": ranged response does not match Content-Range");
    }
  } else if (r->status == 200) {
    // A store that ignores Range sends the whole object.
    if (offset >= r->body.size()) {
      return Error(StoreError::kInvalidArgument, Describe(call) + ": range offset " + std::to_string(offset) +
                                                     " at or past size " + std::to_string(r->body.size()));
    }
    return r->body.substr(offset, length);
  }
  return std::move(r->body);
}

Result<ObjectMeta> S3ObjectStore::Head(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"HEAD", FullKey(key), "", {}, {}, false, false, key};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  ObjectMeta meta;
  meta.key = std::string(key);
  if (const std::string* v = r.Header("content-length")) meta.size = std::stoull(*v);
  if (const std::string* v = r.Header("etag")) meta.etag = *v;
  if (const std::string* v = r.Header("last-modified")) meta.last_modified_micros = ParseHttpDate(*v);
  return meta;
}

Result<ListPage> S3ObjectStore::List(const ListRequest& request) {
  if (request.max_keys <= 0) return Error(StoreError::kInvalidArgument, "list max_keys must be positive");
  std::string query = "list-type=2&" + QueryParam("max-keys", std::to_string(std::min(request.max_keys, 1000)));
  query += "&" + QueryParam("prefix", FullKey(request.prefix));
  if (!request.delimiter.empty()) query += "&" + QueryParam("delimiter", request.delimiter);
  if (!request.continuation_token.empty()) query += "&" + QueryParam("continuation-token", request.continuation_token);
  Call call{"GET", "", query, {}, {}, false, false, request.prefix};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  FLOE_ASSIGN_OR_RETURN(XmlElement xml, ParseXml(r.body));
  ListPage page;
  for (const XmlElement* c : xml.Children("Contents")) {
    ObjectMeta m;
    m.key = StripPrefix(c->ChildText("Key"));
    m.size = std::strtoull(std::string(c->ChildText("Size")).c_str(), nullptr, 10);
    m.etag = std::string(c->ChildText("ETag"));
    m.last_modified_micros = ParseIso8601Micros(c->ChildText("LastModified")).value_or(0);
    page.objects.push_back(std::move(m));
  }
  for (const XmlElement* c : xml.Children("CommonPrefixes")) page.common_prefixes.push_back(StripPrefix(c->ChildText("Prefix")));
  if (xml.ChildText("IsTruncated") == "true") {
    page.next_continuation_token = std::string(xml.ChildText("NextContinuationToken"));
    if (page.next_continuation_token.empty()) {
      return Error(StoreError::kProtocol, Describe(call) + ": truncated listing without NextContinuationToken");
    }
  }
  return page;
}

Status S3ObjectStore::Delete(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"DELETE", FullKey(key), "", {}, {}, false, false, key};
  Status st = Execute(call).status();
  return st.Is(StoreError::kNotFound) && st.message().find("NoSuchBucket") == std::string::npos ? Status::Ok() : st;
}

Status S3ObjectStore::DeleteMany(const std::vector<std::string>& keys) {
  for (const auto& k : keys) FLOE_RETURN_IF_ERROR(ValidateKey(k));
  std::string failed;
  Status first;
  for (size_t start = 0; start < keys.size(); start += 1000) {
    std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>";
    for (size_t i = start; i < std::min(keys.size(), start + 1000); ++i) {
      body += "<Object><Key>" + XmlEscape(FullKey(keys[i])) + "</Key></Object>";
    }
    body += "</Delete>";
    Call call{"POST", "", "delete=", {{"Content-MD5", Base64(Md5(body))}, {"Content-Type", "application/xml"}},
              body, true, false, keys[start]};
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
    FLOE_ASSIGN_OR_RETURN(XmlElement xml, ParseXml(r.body));
    for (const XmlElement* e : xml.Children("Error")) {
      if (e->ChildText("Code") == "NoSuchKey") continue;
      const std::string key = StripPrefix(e->ChildText("Key"));
      failed += (failed.empty() ? "" : ", ") + key + " (" + std::string(e->ChildText("Code")) + ")";
      if (first.ok()) {
        first = Error(CodeFor(500, e->ChildText("Code")), "s3://" + bucket_ + "/" + FullKey(key) + ": delete failed: " +
                                                              std::string(e->ChildText("Code")) + ": " +
                                                              std::string(e->ChildText("Message")));
      }
    }
  }
  return first.ok() ? first : first.WithContext("not deleted: " + failed);
}

Result<std::string> S3ObjectStore::CreateMultipartUpload(std::string_view key) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"POST", FullKey(key), "uploads=", {{"Content-Type", "application/octet-stream"}}, {}, false, false, key};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  FLOE_ASSIGN_OR_RETURN(XmlElement xml, ParseXml(r.body));
  std::string id(xml.ChildText("UploadId"));
  if (id.empty()) return Error(StoreError::kProtocol, Describe(call) + ": no UploadId in response");
  return id;
}

Result<UploadedPart> S3ObjectStore::UploadPart(std::string_view key, std::string_view upload_id, int part_number,
                                               std::string_view data) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  if (part_number < 1 || part_number > kMaxPartNumber) {
    return Error(StoreError::kInvalidArgument, "part number " + std::to_string(part_number) + " outside 1..10000");
  }
  const Md5Digest md5 = Md5(data);
  Call call{"PUT", FullKey(key),
            QueryParam("partNumber", std::to_string(part_number)) + "&" + QueryParam("uploadId", upload_id),
            {{"Content-MD5", Base64(md5)}}, data, false, false, key};
  FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
  const std::string* etag = r.Header("etag");
  if (etag == nullptr) return Error(StoreError::kProtocol, Describe(call) + ": part response without ETag");
  if (IsPlainMd5Etag(*etag) && Unquote(*etag) != HexLower(md5)) {
    return Error(StoreError::kChecksumMismatch, Describe(call) + ": stored part ETag " + *etag +
                                                    " does not match the data sent").Retryable(true);
  }
  return UploadedPart{part_number, "\"" + Unquote(*etag) + "\"", data.size()};
}

Status S3ObjectStore::CompleteMultipartUpload(std::string_view key, std::string_view upload_id,
                                              const std::vector<UploadedPart>& parts) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload>";
  uint64_t total = 0;
  for (const auto& p : parts) {
    body += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>" + XmlEscape(p.etag) +
            "</ETag></Part>";
    total += p.size;
  }
  body += "</CompleteMultipartUpload>";
  Call call{"POST", FullKey(key), QueryParam("uploadId", upload_id),
            {{"Content-Type", "application/xml"}}, body, true, true, key};
  int attempts = 0;
  auto r = Execute(call, &attempts);
  if (r.ok() || !r.status().Is(StoreError::kNoSuchUpload)) return r.status();
  // The upload is gone: completed by an earlier attempt whose reply was lost, or aborted. Decide from the
  // object now under the key (see the header for the rule).
  auto head = Head(key);
  if (!head.ok()) {
    return head.status().Is(StoreError::kNotFound) ? r.status() : head.status().WithContext(r.status().message());
  }
  bool md5_parts = true;
  for (const auto& p : parts) md5_parts = md5_parts && IsPlainMd5Etag(p.etag);
  const std::string etag = Unquote(head->etag);
  const size_t dash = etag.find('-');
  const bool multipart_etag = dash == 32 && IsPlainMd5Etag(etag.substr(0, 32)) && dash + 1 < etag.size() &&
                              std::all_of(etag.begin() + static_cast<std::ptrdiff_t>(dash) + 1, etag.end(),
                                          [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  bool ours = false;
  if (multipart_etag && md5_parts) {
    std::string md5s;
    for (const auto& p : parts) {
      const std::string hex = Unquote(p.etag);
      for (size_t i = 0; i < 32; i += 2) md5s += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    ours = etag == HexLower(Md5(md5s)) + "-" + std::to_string(parts.size()) && head->size == total;
  } else {
    ours = attempts > 1 && head->size == total;
  }
  if (ours) return Status::Ok();
  return r.status().WithContext("the object under the key is not this upload's (ETag " + head->etag + ", " +
                                std::to_string(head->size) + " bytes; parts total " + std::to_string(total) + ")");
}

Status S3ObjectStore::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  Call call{"DELETE", FullKey(key), QueryParam("uploadId", upload_id), {}, {}, false, false, key};
  return Execute(call).status();
}

Result<std::vector<UploadedPart>> S3ObjectStore::ListParts(std::string_view key, std::string_view upload_id) {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  std::vector<UploadedPart> parts;
  std::string marker;
  while (true) {
    std::string query = QueryParam("uploadId", upload_id);
    if (!marker.empty()) query = QueryParam("part-number-marker", marker) + "&" + query;
    Call call{"GET", FullKey(key), query, {}, {}, false, false, key};
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
    FLOE_ASSIGN_OR_RETURN(XmlElement xml, ParseXml(r.body));
    for (const XmlElement* p : xml.Children("Part")) {
      parts.push_back(UploadedPart{std::atoi(std::string(p->ChildText("PartNumber")).c_str()),
                                   "\"" + Unquote(p->ChildText("ETag")) + "\"",
                                   std::strtoull(std::string(p->ChildText("Size")).c_str(), nullptr, 10)});
    }
    if (xml.ChildText("IsTruncated") != "true") break;
    // A marker that does not move forward would loop for ever.
    std::string next(xml.ChildText("NextPartNumberMarker"));
    if (next.empty() || std::atoi(next.c_str()) <= std::atoi(marker.c_str())) {
      return Error(StoreError::kProtocol, Describe(call) + ": truncated part listing with NextPartNumberMarker '" +
                                              next + "' after '" + marker + "'");
    }
    marker = std::move(next);
  }
  return parts;
}

Result<std::vector<MultipartUpload>> S3ObjectStore::ListMultipartUploads(std::string_view prefix) {
  std::vector<MultipartUpload> uploads;
  std::string key_marker, id_marker;
  while (true) {
    std::string query = QueryParam("prefix", FullKey(prefix)) + "&uploads=";
    if (!key_marker.empty()) query = QueryParam("key-marker", key_marker) + "&" + query;
    if (!id_marker.empty()) query += "&" + QueryParam("upload-id-marker", id_marker);
    Call call{"GET", "", query, {}, {}, false, false, prefix};
    FLOE_ASSIGN_OR_RETURN(HttpResponse r, Execute(call));
    FLOE_ASSIGN_OR_RETURN(XmlElement xml, ParseXml(r.body));
    for (const XmlElement* u : xml.Children("Upload")) {
      uploads.push_back(MultipartUpload{StripPrefix(u->ChildText("Key")), std::string(u->ChildText("UploadId")),
                                        ParseIso8601Micros(u->ChildText("Initiated")).value_or(0)});
    }
    if (xml.ChildText("IsTruncated") != "true") break;
    std::string next_key(xml.ChildText("NextKeyMarker")), next_id(xml.ChildText("NextUploadIdMarker"));
    if (next_key.empty() || (next_key == key_marker && next_id == id_marker)) {
      return Error(StoreError::kProtocol, Describe(call) + ": truncated upload listing without a new NextKeyMarker");
    }
    key_marker = std::move(next_key);
    id_marker = std::move(next_id);
  }
  std::sort(uploads.begin(), uploads.end(), [](const MultipartUpload& a, const MultipartUpload& b) {
    return a.key != b.key ? a.key < b.key : a.initiated_micros < b.initiated_micros;
  });
  return uploads;
}

Result<std::string> S3ObjectStore::PresignGet(std::string_view key, int64_t expires_seconds) const {
  FLOE_RETURN_IF_ERROR(ValidateKey(key));
  return PresignUrl("GET", UrlFor(FullKey(key), ""), expires_seconds, scope_, creds_,
                    SystemClock::Instance().NowMicros());
}

}  // namespace floe::storage
