// S3ObjectStore against a scripted S3 endpoint in the test process (cpp-httplib on a loopback port), for what
// s3rver cannot check: ListParts, ListMultipartUploads and AbortMultipartUpload (s3rver answers
// NotImplemented), paginated listings, a CompleteMultipartUpload whose reply is lost, virtual-hosted
// addressing, and the SigV4 signature of every request as it arrived on the wire.
//
// FakeS3 keeps uploads and objects in memory and answers with the XML shapes of the S3 API reference
// (ListPartsResult, ListMultipartUploadsResult, CompleteMultipartUploadResult, Error), paging listings two
// entries at a time so that every listing below crosses page boundaries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <thread>
#include <tuple>

#include "common/time_util.h"
#include "storage/digest.h"
#include "storage/s3_object_store.h"
#include "storage/sigv4.h"
#include "storage/test_util.h"
#include "storage/xml_reader.h"

namespace floe::storage::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kBucket[] = "floe-test";
constexpr char kKeyId[] = "AKIDMOCKEXAMPLE";
constexpr char kSecret[] = "mock/secret+key";
// Upload ids with characters that must be percent-encoded in a query ('+' would otherwise arrive as ' ').
constexpr char kIdPrefix[] = "mock+id/";

std::string QuotedMd5(std::string_view data) { return "\"" + HexLower(Md5(data)) + "\""; }

// What S3 computes for a multipart object: MD5 of the concatenated binary part MD5s, "-<part count>".
std::string MultipartEtag(const std::vector<std::string>& part_data) {
  std::string md5s;
  for (const auto& d : part_data) {
    const Md5Digest m = Md5(d);
    md5s.append(reinterpret_cast<const char*>(m.data()), m.size());
  }
  return "\"" + HexLower(Md5(md5s)) + "-" + std::to_string(part_data.size()) + "\"";
}

int64_t Micros(int y, int mo, int d, int h, int mi, int s, int us = 0) {
  return MicrosFromCivil(CivilTime{y, mo, d, h, mi, s, us});
}

// One request as the fake received it.
struct SeenRequest {
  std::string method;
  std::string host;    // Host header
  std::string target;  // raw request target: path and query as sent
  std::string bucket;  // from the Host (virtual-hosted) or the first path segment
  std::string key;     // decoded
  std::multimap<std::string, std::string> params;  // decoded query
  std::string body;
  std::string content_md5;
  std::string authorization;
  std::string signature_problem;  // empty when the SigV4 signature checks out

  bool Has(const std::string& name) const { return params.count(name) > 0; }
  std::string Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? "<absent>" : it->second;
  }
};

// Recomputes the signature from the request as received (Host header, raw target, the signed headers), as
// S3 does, so a mismatch between what floe signed and what curl sent fails the test.
std::string CheckSigV4(const httplib::Request& req) {
  static const std::regex kAuth(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/s3/aws4_request, "
      "SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})");
  const std::string auth = req.get_header_value("Authorization");
  std::smatch m;
  if (!std::regex_match(auth, m, kAuth)) return "Authorization is not SigV4-shaped: '" + auth + "'";
  if (m[1] != kKeyId) return "wrong access key id " + m[1].str();
  if (m[3] != "us-east-1") return "wrong region " + m[3].str();
  const std::string signed_list = m[4];
  std::vector<std::string> signed_names;
  for (size_t start = 0; start <= signed_list.size();) {
    const size_t semi = std::min(signed_list.find(';', start), signed_list.size());
    signed_names.push_back(signed_list.substr(start, semi - start));
    start = semi + 1;
  }
  for (const char* required : {"host", "x-amz-content-sha256", "x-amz-date"}) {
    if (std::find(signed_names.begin(), signed_names.end(), required) == signed_names.end()) {
      return std::string("SignedHeaders lacks ") + required + ": " + signed_list;
    }
  }
  const std::string amz_date = req.get_header_value("X-Amz-Date");
  static const std::regex kDate("([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z");
  std::smatch d;
  if (!std::regex_match(amz_date, d, kDate)) return "bad X-Amz-Date '" + amz_date + "'";
  if (amz_date.substr(0, 8) != m[2]) return "credential date differs from X-Amz-Date";
  const std::string payload_hash = req.get_header_value("x-amz-content-sha256");
  if (payload_hash != kUnsignedPayload && payload_hash != PayloadSha256Hex(req.body)) {
    return "x-amz-content-sha256 does not match the body";
  }
  HttpHeaders headers;
  for (const auto& name : signed_names) {
    if (!req.has_header(name)) return "signed header " + name + " was not received";
    headers.emplace_back(name, req.get_header_value(name));
  }
  auto t = [&](int i) { return std::stoi(d[i].str()); };
  auto sig = ComputeSigV4(req.method, "http://" + req.get_header_value("Host") + req.target, headers, payload_hash,
                          SigV4Scope{"s3", "us-east-1", true}, AwsCredentials{kKeyId, kSecret, ""},
                          Micros(t(1), t(2), t(3), t(4), t(5), t(6)));
  if (!sig.ok()) return sig.status().ToString();
  if (sig->authorization != auth) return "signature mismatch; server's canonical request:\n" + sig->canonical_request;
  return "";
}

std::string ErrorXml(std::string_view code, std::string_view message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(code) + "</Code><Message>" +
         std::string(message) + "</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>mock</HostId></Error>";
}

class FakeS3 {
 public:
  struct Part {
    std::string etag;  // quoted
    std::string data;
  };
  struct Upload {
    std::string key;
    int64_t initiated_micros = 0;
    std::map<int, Part> parts;
  };
  struct Object {
    std::string etag;  // quoted, as sent in the ETag header
    std::string data;
  };

  // How CompleteMultipartUpload misbehaves, in order, one entry per Complete request.
  enum class CompleteFault {
    kNone,
    kDropReply,             // complete the upload, then close the connection before the body
    kDropReplyAndReplace,   // as kDropReply, and another writer replaces the object at once
    kErrorIn200,            // 200 OK whose body is an InternalError (S3 does this mid-way)
    kInvalidPart,           // 400 InvalidPart
  };

  FakeS3() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { Serve(req, res); };
    server_.Get(".*", handler);  // and HEAD
    server_.Put(".*", handler);
    server_.Post(".*", handler);
    server_.Delete(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeS3() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }

  std::string AddUpload(const std::string& key, int64_t initiated_micros) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string id = kIdPrefix + std::to_string(++next_id_) + "==";
    uploads_[id] = Upload{key, initiated_micros, {}};
    return id;
  }
  void AddPart(const std::string& id, int number, const std::string& data, std::string etag = "") {
    std::lock_guard<std::mutex> lock(mu_);
    uploads_.at(id).parts[number] = Part{etag.empty() ? QuotedMd5(data) : std::move(etag), data};
  }
  void PutObject(const std::string& key, const std::string& data, const std::string& etag) {
    std::lock_guard<std::mutex> lock(mu_);
    objects_[key] = Object{etag, data};
  }
  std::optional<Object> GetObject(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    return it == objects_.end() ? std::nullopt : std::optional<Object>(it->second);
  }
  bool HasUpload(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return uploads_.count(id) > 0;
  }
  void ScriptComplete(std::vector<CompleteFault> faults) {
    std::lock_guard<std::mutex> lock(mu_);
    complete_faults_ = std::move(faults);
  }
  // Truncated listings whose next marker repeats the request's (a broken server).
  void RepeatListingMarkers() {
    std::lock_guard<std::mutex> lock(mu_);
    stuck_markers_ = true;
  }
  // Completed objects get an ETag that is not S3's multipart form (as some S3-compatible stores do).
  void UseOpaqueEtags() {
    std::lock_guard<std::mutex> lock(mu_);
    opaque_etags_ = true;
  }
  std::vector<SeenRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return log_;
  }
  void ClearLog() {
    std::lock_guard<std::mutex> lock(mu_);
    log_.clear();
  }

 private:
  void Serve(const httplib::Request& req, httplib::Response& res) {
    SeenRequest seen;
    seen.method = req.method;
    seen.host = req.get_header_value("Host");
    seen.target = req.target;
    seen.body = req.body;
    seen.content_md5 = req.get_header_value("Content-MD5");
    seen.authorization = req.get_header_value("Authorization");
    seen.signature_problem = CheckSigV4(req);
    for (const auto& [k, v] : req.params) seen.params.emplace(k, v);
    const std::string host_name = seen.host.substr(0, seen.host.rfind(':'));
    if (host_name.size() > 10 && host_name.compare(host_name.size() - 10, 10, ".localhost") == 0) {
      seen.bucket = host_name.substr(0, host_name.size() - 10);
      seen.key = req.path.substr(1);
    } else {
      const size_t slash = req.path.find('/', 1);
      seen.bucket = req.path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
      seen.key = slash == std::string::npos ? "" : req.path.substr(slash + 1);
    }
    std::lock_guard<std::mutex> lock(mu_);
    log_.push_back(seen);
    const auto& s = log_.back();
    const bool has_id = s.Has("uploadId");
    const std::string id = has_id ? s.Param("uploadId") : "";
    if (s.method == "GET" && s.key.empty() && s.Has("uploads")) return ListUploads(s, res);
    if (s.method == "POST" && s.Has("uploads")) return Create(s, res);
    if (has_id && uploads_.count(id) == 0) {
      res.status = 404;
      res.set_content(ErrorXml("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, "
                                               "or the upload may have been aborted or completed."),
                      "application/xml");
      return;
    }
    if (s.method == "GET" && has_id) return ListParts(s, id, res);
    if (s.method == "PUT" && has_id) return UploadPart(s, id, res);
    if (s.method == "POST" && has_id) return Complete(s, id, res);
    if (s.method == "DELETE" && has_id) {
      uploads_.erase(id);
      res.status = 204;
      return;
    }
    if (s.method == "PUT" && !s.key.empty()) {
      objects_[s.key] = Object{QuotedMd5(s.body), s.body};
      res.set_header("ETag", QuotedMd5(s.body));
      return;
    }
    if (s.method == "HEAD" && !s.key.empty()) {
      auto it = objects_.find(s.key);
      if (it == objects_.end()) {
        res.status = 404;
        return;
      }
      res.set_header("ETag", it->second.etag);
      res.set_header("Last-Modified", "Tue, 05 Mar 2024 06:07:08 GMT");
      res.set_content(it->second.data, "application/octet-stream");  // HEAD: only its Content-Length is sent
      return;
    }
    res.status = 501;
    res.set_content(ErrorXml("NotImplemented", "not scripted"), "application/xml");
  }

  void Create(const SeenRequest& s, httplib::Response& res) {
    const std::string id = kIdPrefix + std::to_string(++next_id_) + "==";
    uploads_[id] = Upload{s.key, Micros(2024, 3, 5, 6, 0, next_id_), {}};
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult xmlns=\"http://"
                    "s3.amazonaws.com/doc/2006-03-01/\"><Bucket>" + s.bucket + "</Bucket><Key>" + XmlEscape(s.key) +
                        "</Key><UploadId>" + XmlEscape(id) + "</UploadId></InitiateMultipartUploadResult>",
                    "application/xml");
  }

  void UploadPart(const SeenRequest& s, const std::string& id, httplib::Response& res) {
    if (s.content_md5 != Base64(Md5(s.body))) {
      res.status = 400;
      res.set_content(ErrorXml("BadDigest", "Content-MD5 does not match"), "application/xml");
      return;
    }
    const std::string etag = QuotedMd5(s.body);
    uploads_[id].parts[std::stoi(s.Param("partNumber"))] = Part{etag, s.body};
    res.set_header("ETag", etag);
  }

  // AWS's example response quotes ETags literally; real responses escape them as &quot;. Pages alternate.
  static std::string EtagXml(const std::string& etag, bool escaped) { return escaped ? XmlEscape(etag) : etag; }

  void ListParts(const SeenRequest& s, const std::string& id, httplib::Response& res) {
    const Upload& up = uploads_[id];
    const int marker = s.Has("part-number-marker") ? std::stoi(s.Param("part-number-marker")) : 0;
    std::string parts;
    int listed = 0, last = marker;
    auto it = up.parts.upper_bound(marker);
    for (; it != up.parts.end() && listed < kPageSize; ++it, ++listed) {
      parts += "<Part><PartNumber>" + std::to_string(it->first) +
               "</PartNumber><LastModified>2024-03-05T06:07:08.000Z</LastModified><ETag>" +
               EtagXml(it->second.etag, marker == 0) + "</ETag><Size>" + std::to_string(it->second.data.size()) +
               "</Size></Part>";
      last = it->first;
    }
    const bool truncated = it != up.parts.end() || stuck_markers_;
    if (stuck_markers_) last = marker;
    res.set_content(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListPartsResult xmlns=\"http://s3.amazonaws.com/doc/"
        "2006-03-01/\"><Bucket>" + s.bucket + "</Bucket><Key>" + XmlEscape(up.key) + "</Key><UploadId>" +
            XmlEscape(id) + "</UploadId><Initiator><ID>arn:aws:iam::111122223333:user/floe</ID><DisplayName>floe"
            "</DisplayName></Initiator><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"
            "</ID><DisplayName>owner</DisplayName></Owner><StorageClass>STANDARD</StorageClass><PartNumberMarker>" +
            std::to_string(marker) + "</PartNumberMarker><NextPartNumberMarker>" + std::to_string(last) +
            "</NextPartNumberMarker><MaxParts>" + std::to_string(kPageSize) + "</MaxParts><IsTruncated>" +
            (truncated ? "true" : "false") + "</IsTruncated>" + parts + "</ListPartsResult>",
        "application/xml");
  }

  // Uploads in (key, upload id) order; key-marker alone skips keys <= it, with upload-id-marker the listing
  // continues after that upload of that key.
  void ListUploads(const SeenRequest& s, httplib::Response& res) {
    std::vector<std::pair<std::string, std::string>> order;  // (key, id)
    for (const auto& [id, up] : uploads_) order.emplace_back(up.key, id);
    std::sort(order.begin(), order.end());
    const std::string prefix = s.Has("prefix") ? s.Param("prefix") : "";
    const std::string key_marker = s.Has("key-marker") ? s.Param("key-marker") : "";
    const std::string id_marker = s.Has("upload-id-marker") ? s.Param("upload-id-marker") : "";
    std::string body, next_key, next_id;
    int listed = 0;
    bool truncated = false;
    for (const auto& [key, id] : order) {
      if (key.compare(0, prefix.size(), prefix) != 0) continue;
      if (!key_marker.empty() && (key < key_marker || (key == key_marker && (id_marker.empty() || id <= id_marker)))) {
        continue;
      }
      if (listed == kPageSize) {
        truncated = true;
        break;
      }
      const int64_t initiated = uploads_[id].initiated_micros;
      body += "<Upload><Key>" + XmlEscape(key) + "</Key><UploadId>" + XmlEscape(id) +
              "</UploadId><Initiator><ID>arn:aws:iam::111122223333:user/floe</ID><DisplayName>floe</DisplayName>"
              "</Initiator><Owner><ID>75aa57f0</ID><DisplayName>owner</DisplayName></Owner><StorageClass>STANDARD"
              "</StorageClass><Initiated>" + FormatRfc3339Micros(initiated).substr(0, 23) + "Z</Initiated></Upload>";
      next_key = key;
      next_id = id;
      ++listed;
    }
    if (stuck_markers_) {
      truncated = true;
      next_key = key_marker;
      next_id = id_marker;
    }
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListMultipartUploadsResult xmlns=\"http://"
                    "s3.amazonaws.com/doc/2006-03-01/\"><Bucket>" + s.bucket + "</Bucket><KeyMarker>" +
                        XmlEscape(key_marker) + "</KeyMarker><UploadIdMarker>" + XmlEscape(id_marker) +
                        "</UploadIdMarker><NextKeyMarker>" + XmlEscape(next_key) + "</NextKeyMarker><Prefix>" +
                        XmlEscape(prefix) + "</Prefix><NextUploadIdMarker>" + XmlEscape(next_id) +
                        "</NextUploadIdMarker><MaxUploads>" + std::to_string(kPageSize) + "</MaxUploads><IsTruncated>" +
                        (truncated ? "true" : "false") + "</IsTruncated>" + body + "</ListMultipartUploadsResult>",
                    "application/xml");
  }

  void Complete(const SeenRequest& s, const std::string& id, httplib::Response& res) {
    CompleteFault fault = CompleteFault::kNone;
    if (!complete_faults_.empty()) {
      fault = complete_faults_.front();
      complete_faults_.erase(complete_faults_.begin());
    }
    if (fault == CompleteFault::kErrorIn200) {
      res.set_content(ErrorXml("InternalError", "We encountered an internal error. Please try again."),
                      "application/xml");
      return;
    }
    if (fault == CompleteFault::kInvalidPart) {
      res.status = 400;
      res.set_content(ErrorXml("InvalidPart", "One or more of the specified parts could not be found."),
                      "application/xml");
      return;
    }
    auto xml = ParseXml(s.body);
    Upload& up = uploads_[id];
    std::vector<std::string> data;
    int previous = 0;
    for (const XmlElement* p : xml.ok() ? xml->Children("Part") : std::vector<const XmlElement*>{}) {
      const int number = std::stoi(std::string(p->ChildText("PartNumber")));
      auto it = up.parts.find(number);
      if (number <= previous || it == up.parts.end() || it->second.etag != p->ChildText("ETag")) {
        res.status = 400;
        res.set_content(ErrorXml("InvalidPart", "part " + std::to_string(number)), "application/xml");
        return;
      }
      previous = number;
      data.push_back(it->second.data);
    }
    std::string whole;
    for (const auto& d : data) whole += d;
    const std::string etag = opaque_etags_ ? "\"opaque-" + std::to_string(whole.size()) + "\"" : MultipartEtag(data);
    objects_[up.key] = Object{etag, whole};
    uploads_.erase(id);
    if (fault == CompleteFault::kDropReplyAndReplace) {  // same size, or for opaque ETags another size
      objects_[s.key] = opaque_etags_ ? Object{"\"opaque-other\"", whole + "more"}
                                      : Object{MultipartEtag({"someone", "else's"}), std::string(whole.size(), 'x')};
    }
    if (fault == CompleteFault::kDropReply || fault == CompleteFault::kDropReplyAndReplace) {
      // Status line and headers go out, then the connection closes: the client never sees the result.
      res.set_chunked_content_provider("application/xml", [](size_t, httplib::DataSink&) { return false; });
      return;
    }
    res.set_content("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult xmlns=\"http://"
                    "s3.amazonaws.com/doc/2006-03-01/\"><Location>http://mock/" + XmlEscape(s.key) +
                        "</Location><Bucket>" + s.bucket + "</Bucket><Key>" + XmlEscape(s.key) + "</Key><ETag>" +
                        XmlEscape(etag) + "</ETag></CompleteMultipartUploadResult>",
                    "application/xml");
  }

  static constexpr int kPageSize = 2;
  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mu_;
  int next_id_ = 0;
  std::map<std::string, Upload> uploads_;
  std::map<std::string, Object> objects_;
  std::vector<CompleteFault> complete_faults_;
  bool opaque_etags_ = false;
  bool stuck_markers_ = false;
  std::vector<SeenRequest> log_;
};

class S3MockTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GT(fake_.port(), 0) << "mock S3 did not bind"; }
  void TearDown() override {
    for (const auto& r : fake_.requests()) {
      EXPECT_EQ(r.signature_problem, "") << r.method << " " << r.target;
    }
  }

  S3Options Options(bool path_style = true) const {
    S3Options o;
    // Virtual hosting needs a name to prefix: curl resolves *.localhost to loopback without DNS.
    o.endpoint = (path_style ? "http://127.0.0.1:" : "http://localhost:") + std::to_string(fake_.port());
    o.region = "us-east-1";
    o.path_style = path_style;
    o.access_key_id = kKeyId;
    o.secret_access_key = kSecret;
    o.max_retries = 3;
    o.retry_backoff_ms = 1;
    o.request_timeout_ms = 5000;
    return o;
  }
  std::unique_ptr<S3ObjectStore> Open(const S3Options& o, const std::string& url = std::string("s3://") + kBucket +
                                                                                    "/pre") {
    auto store = S3ObjectStore::Open(url, o);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  FakeS3 fake_;
  TempDir scratch_;
};

TEST_F(S3MockTest, ListPartsFollowsPartNumberMarkersToTheEnd) {
  const std::string id = fake_.AddUpload("pre/obj", Micros(2024, 3, 5, 6, 0, 0));
  const std::vector<std::pair<int, std::string>> stored = {{1, "one"}, {2, "two!"}, {3, "three"}, {5, "five55"},
                                                           {7, "seven77"}};
  for (const auto& [n, d] : stored) fake_.AddPart(id, n, d);
  auto store = Open(Options());

  auto parts = store->ListParts("obj", id);
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), stored.size());
  for (size_t i = 0; i < stored.size(); ++i) {
    EXPECT_EQ((*parts)[i].part_number, stored[i].first);
    EXPECT_EQ((*parts)[i].etag, QuotedMd5(stored[i].second));
    EXPECT_EQ((*parts)[i].size, stored[i].second.size());
  }

  const auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 3u) << "pages of two: [1,2] [3,5] [7]";
  std::vector<std::string> markers;
  for (const auto& r : seen) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.bucket, kBucket);
    EXPECT_EQ(r.key, "pre/obj");
    EXPECT_EQ(r.Param("uploadId"), id) << r.target;
    EXPECT_EQ(r.params.size(), r.Has("part-number-marker") ? 2u : 1u) << r.target;
    markers.push_back(r.Param("part-number-marker"));
  }
  EXPECT_THAT(markers, ElementsAre("<absent>", "2", "5"));
  EXPECT_NE(seen[0].target.find("uploadId=mock%2Bid%2F"), std::string::npos) << seen[0].target;
}

TEST_F(S3MockTest, ListMultipartUploadsFollowsKeyAndUploadIdMarkers) {
  const std::string a1 = fake_.AddUpload("pre/a", Micros(2024, 3, 5, 6, 7, 8, 123000));
  const std::string a2 = fake_.AddUpload("pre/a", Micros(2024, 3, 5, 6, 7, 9));
  const std::string b = fake_.AddUpload("pre/b", Micros(2024, 3, 4, 0, 0, 0));
  const std::string cd = fake_.AddUpload("pre/c/d", Micros(2023, 12, 31, 23, 59, 59));
  const std::string e = fake_.AddUpload("pre/e", Micros(2024, 1, 1, 0, 0, 0));
  fake_.AddUpload("prex/outside", Micros(2024, 1, 1, 0, 0, 0));
  fake_.AddUpload("other/outside", Micros(2024, 1, 1, 0, 0, 0));
  auto store = Open(Options());

  auto uploads = store->ListMultipartUploads("");
  ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();
  std::vector<std::tuple<std::string, std::string, int64_t>> got;
  for (const auto& u : *uploads) got.emplace_back(u.key, u.upload_id, u.initiated_micros);
  EXPECT_THAT(got, ElementsAre(std::make_tuple("a", a1, Micros(2024, 3, 5, 6, 7, 8, 123000)),
                               std::make_tuple("a", a2, Micros(2024, 3, 5, 6, 7, 9)),
                               std::make_tuple("b", b, Micros(2024, 3, 4, 0, 0, 0)),
                               std::make_tuple("c/d", cd, Micros(2023, 12, 31, 23, 59, 59)),
                               std::make_tuple("e", e, Micros(2024, 1, 1, 0, 0, 0))));

  const auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 3u) << "pages of two: [a a] [b c/d] [e]";
  for (const auto& r : seen) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.bucket, kBucket);
    EXPECT_EQ(r.key, "");
    EXPECT_TRUE(r.Has("uploads")) << r.target;
    EXPECT_EQ(r.Param("uploads"), "");
    EXPECT_EQ(r.Param("prefix"), "pre/");
    EXPECT_FALSE(r.Has("uploadId"));
  }
  EXPECT_FALSE(seen[0].Has("key-marker"));
  EXPECT_FALSE(seen[0].Has("upload-id-marker"));
  EXPECT_EQ(seen[1].Param("key-marker"), "pre/a");
  EXPECT_EQ(seen[1].Param("upload-id-marker"), a2);
  EXPECT_EQ(seen[2].Param("key-marker"), "pre/c/d");
  EXPECT_EQ(seen[2].Param("upload-id-marker"), cd);

  fake_.ClearLog();
  auto nested = store->ListMultipartUploads("c/");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  ASSERT_EQ(nested->size(), 1u);
  EXPECT_EQ((*nested)[0].key, "c/d");
  ASSERT_EQ(fake_.requests().size(), 1u);
  EXPECT_EQ(fake_.requests()[0].Param("prefix"), "pre/c/");
}

TEST_F(S3MockTest, ListingsWhoseMarkerDoesNotAdvanceAreProtocolErrors) {
  const std::string id = fake_.AddUpload("pre/obj", Micros(2024, 3, 5, 6, 0, 0));
  fake_.AddPart(id, 1, "one");
  fake_.RepeatListingMarkers();
  auto store = Open(Options());
  auto parts = store->ListParts("obj", id);
  EXPECT_TRUE(parts.status().Is(StoreError::kProtocol)) << parts.status().ToString();
  auto uploads = store->ListMultipartUploads("");
  EXPECT_TRUE(uploads.status().Is(StoreError::kProtocol)) << uploads.status().ToString();
  EXPECT_EQ(fake_.requests().size(), 2u);
}

TEST_F(S3MockTest, AbortDeletesTheUploadAndUnknownUploadsAreNoSuchUpload) {
  const std::string id = fake_.AddUpload("pre/ab/obj", Micros(2024, 3, 5, 6, 0, 0));
  fake_.AddPart(id, 1, "data");
  auto store = Open(Options());

  Status aborted = store->AbortMultipartUpload("ab/obj", id);
  ASSERT_TRUE(aborted.ok()) << aborted.ToString();
  EXPECT_FALSE(fake_.HasUpload(id));
  auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "DELETE");
  EXPECT_EQ(seen[0].key, "pre/ab/obj");
  EXPECT_EQ(seen[0].Param("uploadId"), id);
  EXPECT_EQ(seen[0].params.size(), 1u);
  EXPECT_EQ(seen[0].body, "");

  // 404 NoSuchUpload: kNoSuchUpload, never retried, the S3 code and the store named in the message.
  for (const Status& st : {store->AbortMultipartUpload("ab/obj", id), store->ListParts("ab/obj", id).status(),
                           store->UploadPart("ab/obj", id, 2, "x").status(),
                           store->CompleteMultipartUpload("ab/obj", id, {{1, QuotedMd5("data"), 4}})}) {
    EXPECT_TRUE(st.Is(StoreError::kNoSuchUpload)) << st.ToString();
    EXPECT_FALSE(st.retryable()) << st.ToString();
    EXPECT_NE(st.message().find("HTTP 404 NoSuchUpload"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("s3://floe-test/pre/ab/obj"), std::string::npos) << st.ToString();
  }
  EXPECT_EQ(store->retries(), 0);
  seen = fake_.requests();
  ASSERT_EQ(seen.size(), 6u) << "abort, abort, list, part, complete and the HEAD that checks for a lost reply";
  EXPECT_EQ(seen[5].method, "HEAD");
  EXPECT_EQ(seen[5].key, "pre/ab/obj");
}

// A restarted process continues an upload: parts already stored with the right size and MD5 are kept,
// every other part is uploaded again, and Complete lists exactly the file's parts.
TEST_F(S3MockTest, ResumedUploadReusesListedPartsWithMatchingSizeAndDigest) {
  const std::string data = RandomBytes(4 * 1000 + 500, 11);
  const std::string path = scratch_.path() + "/file.bin";
  WriteLocalFile(path, data);
  auto part = [&](int n) { return data.substr(static_cast<size_t>(n - 1) * 1000, 1000); };
  const std::string id = fake_.AddUpload("pre/resume/obj", Micros(2024, 3, 5, 6, 0, 0));
  fake_.AddPart(id, 1, part(1));                                          // kept
  fake_.AddPart(id, 2, std::string(1000, 'z'));                           // right size, other content
  fake_.AddPart(id, 3, part(3).substr(0, 999));                           // short
  fake_.AddPart(id, 6, "stale part past the end of the file");            // not part of this file
  auto store = Open(Options());

  MultipartFileUpload how;
  how.part_size = 1000;
  how.parallelism = 2;
  how.resume_upload_id = id;
  Status st = UploadFileMultipart(*store, "resume/obj", path, how);
  ASSERT_TRUE(st.ok()) << st.ToString();

  auto object = fake_.GetObject("pre/resume/obj");
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->data, data);
  EXPECT_EQ(object->etag, MultipartEtag({part(1), part(2), part(3), part(4), data.substr(4000)}));

  std::set<int> uploaded;
  int lists = 0, completes = 0;
  for (const auto& r : fake_.requests()) {
    EXPECT_EQ(r.key, "pre/resume/obj");
    EXPECT_FALSE(r.Has("uploads")) << "a resumed upload is not created again";
    EXPECT_EQ(r.Param("uploadId"), id);
    if (r.method == "GET") ++lists;
    if (r.method == "PUT") {
      uploaded.insert(std::stoi(r.Param("partNumber")));
      EXPECT_EQ(r.content_md5, Base64(Md5(r.body)));
    }
    if (r.method == "POST") {
      ++completes;
      auto xml = ParseXml(r.body);
      ASSERT_TRUE(xml.ok());
      std::vector<std::pair<std::string, std::string>> listed;
      for (const XmlElement* p : xml->Children("Part")) {
        listed.emplace_back(std::string(p->ChildText("PartNumber")), std::string(p->ChildText("ETag")));
      }
      using P = std::pair<std::string, std::string>;
      EXPECT_THAT(listed, ElementsAre(P("1", QuotedMd5(part(1))), P("2", QuotedMd5(part(2))),
                                      P("3", QuotedMd5(part(3))), P("4", QuotedMd5(part(4))),
                                      P("5", QuotedMd5(data.substr(4000)))));
    }
  }
  EXPECT_EQ(lists, 2) << "four listed parts in pages of two";
  EXPECT_EQ(uploaded, (std::set<int>{2, 3, 4, 5}));
  EXPECT_EQ(completes, 1);
}

// A failed resumed upload is left for a later try; a failed fresh one is aborted.
TEST_F(S3MockTest, FailedUploadIsAbortedUnlessResumed) {
  const std::string data = RandomBytes(2500, 12);
  const std::string path = scratch_.path() + "/file.bin";
  WriteLocalFile(path, data);
  auto store = Open(Options());
  MultipartFileUpload how;
  how.part_size = 1000;

  const std::string id = fake_.AddUpload("pre/f/resumed", Micros(2024, 3, 5, 6, 0, 0));
  how.resume_upload_id = id;
  fake_.ScriptComplete({FakeS3::CompleteFault::kInvalidPart});
  Status st = UploadFileMultipart(*store, "f/resumed", path, how);
  EXPECT_TRUE(st.Is(StoreError::kInvalidArgument)) << st.ToString();
  EXPECT_NE(st.message().find("InvalidPart"), std::string::npos) << st.ToString();
  EXPECT_TRUE(fake_.HasUpload(id));
  for (const auto& r : fake_.requests()) EXPECT_NE(r.method, "DELETE");

  fake_.ClearLog();
  how.resume_upload_id.clear();
  fake_.ScriptComplete({FakeS3::CompleteFault::kInvalidPart});
  st = UploadFileMultipart(*store, "f/fresh", path, how);
  EXPECT_TRUE(st.Is(StoreError::kInvalidArgument)) << st.ToString();
  const auto seen = fake_.requests();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().method, "POST");
  EXPECT_TRUE(seen.front().Has("uploads"));
  EXPECT_EQ(seen.back().method, "DELETE");
  EXPECT_EQ(seen.back().key, "pre/f/fresh");
  EXPECT_FALSE(fake_.HasUpload(seen.back().Param("uploadId")));
  EXPECT_EQ(store->retries(), 0) << "4xx is never retried";
}

struct LostReplyCase {
  const char* name;
  bool opaque_etags;
  FakeS3::CompleteFault fault;
  bool expect_ok;
  friend void PrintTo(const LostReplyCase& c, std::ostream* os) { *os << c.name; }
};

class S3LostCompleteReplyTest : public S3MockTest, public ::testing::WithParamInterface<LostReplyCase> {};

// The first Complete is carried out but its reply is lost; the retry finds NoSuchUpload and floe decides
// from a HEAD of the key whether the object is the one its parts make.
TEST_P(S3LostCompleteReplyTest, RetriedCompleteChecksTheObject) {
  if (GetParam().opaque_etags) fake_.UseOpaqueEtags();
  fake_.ScriptComplete({GetParam().fault});
  const std::string data = RandomBytes(2500, 13);
  const std::string path = scratch_.path() + "/file.bin";
  WriteLocalFile(path, data);
  auto store = Open(Options());
  MultipartFileUpload how;
  how.part_size = 1000;

  Status st = UploadFileMultipart(*store, "lost/obj", path, how);
  auto seen = fake_.requests();
  std::vector<std::string> calls;
  for (const auto& r : seen) {
    if (r.method != "PUT") calls.push_back(r.method + (r.Has("uploadId") ? " uploadId" : ""));
  }
  if (GetParam().expect_ok) {
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_THAT(calls, ElementsAre("POST", "POST uploadId", "POST uploadId", "HEAD"));
    EXPECT_EQ(fake_.GetObject("pre/lost/obj")->data, data);
  } else {
    EXPECT_TRUE(st.Is(StoreError::kNoSuchUpload)) << st.ToString();
    EXPECT_NE(st.message().find("not this upload's"), std::string::npos) << st.ToString();
    // The upload is already gone, so the abort that follows a failed fresh upload finds nothing either.
    EXPECT_THAT(calls, ElementsAre("POST", "POST uploadId", "POST uploadId", "HEAD", "DELETE uploadId"));
  }
  EXPECT_EQ(store->retries(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, S3LostCompleteReplyTest,
    ::testing::Values(LostReplyCase{"AwsMultipartEtagMatches", false, FakeS3::CompleteFault::kDropReply, true},
                      LostReplyCase{"ReplacedByAnotherWriter", false, FakeS3::CompleteFault::kDropReplyAndReplace,
                                    false},
                      LostReplyCase{"OpaqueEtagSizeMatches", true, FakeS3::CompleteFault::kDropReply, true},
                      LostReplyCase{"OpaqueEtagOtherSize", true, FakeS3::CompleteFault::kDropReplyAndReplace, false}),
    [](const ::testing::TestParamInfo<LostReplyCase>& info) { return std::string(info.param.name); });

// Without a retry a NoSuchUpload can still mean "completed earlier" (a previous process's Complete), which
// only S3's multipart ETag can prove; a matching size alone is not trusted then.
TEST_F(S3MockTest, CompleteOfAGoneUploadWithoutRetry) {
  const std::vector<std::string> data = {"first part", "second"};
  const std::vector<UploadedPart> parts = {{1, QuotedMd5(data[0]), data[0].size()},
                                           {2, QuotedMd5(data[1]), data[1].size()}};
  auto store = Open(Options());

  fake_.PutObject("pre/done", data[0] + data[1], MultipartEtag(data));
  Status st = store->CompleteMultipartUpload("done", "mock+id/gone", parts);
  EXPECT_TRUE(st.ok()) << st.ToString();

  fake_.PutObject("pre/opaque", data[0] + data[1], "\"0123456789\"");
  st = store->CompleteMultipartUpload("opaque", "mock+id/gone", parts);
  EXPECT_TRUE(st.Is(StoreError::kNoSuchUpload)) << st.ToString();

  st = store->CompleteMultipartUpload("absent", "mock+id/gone", parts);
  EXPECT_TRUE(st.Is(StoreError::kNoSuchUpload)) << st.ToString();
  EXPECT_EQ(st.message().find("not this upload's"), std::string::npos) << "no object, nothing to compare";

  // Part ETags that are not MD5s (e.g. SSE-KMS) cannot be checked against the object's ETag.
  st = store->CompleteMultipartUpload("done", "mock+id/gone", {{1, "\"kms-etag\"", data[0].size()},
                                                                 {2, "\"kms-etag-2\"", data[1].size()}});
  EXPECT_TRUE(st.Is(StoreError::kNoSuchUpload)) << st.ToString();
  EXPECT_EQ(store->retries(), 0);
}

// S3 may answer Complete with 200 and an error document; that InternalError is retried.
TEST_F(S3MockTest, CompleteErrorInside200IsRetried) {
  fake_.ScriptComplete({FakeS3::CompleteFault::kErrorIn200});
  const std::string data = RandomBytes(1500, 14);
  const std::string path = scratch_.path() + "/file.bin";
  WriteLocalFile(path, data);
  auto store = Open(Options());
  MultipartFileUpload how;
  how.part_size = 1000;
  Status st = UploadFileMultipart(*store, "e200/obj", path, how);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(store->retries(), 1);
  EXPECT_EQ(fake_.GetObject("pre/e200/obj")->data, data);
}

TEST_F(S3MockTest, VirtualHostedRequestsNameTheBucketInTheHost) {
  auto store = Open(Options(/*path_style=*/false));
  const std::string host = "floe-test.localhost:" + std::to_string(fake_.port());
  ASSERT_TRUE(store->Put("k/v.txt", "virtual").ok());
  auto head = store->Head("k/v.txt");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->size, 7u);
  auto uploads = store->ListMultipartUploads("k/");
  ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();

  auto seen = fake_.requests();
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& r : seen) {
    EXPECT_EQ(r.host, host);
    EXPECT_EQ(r.bucket, kBucket);
  }
  EXPECT_EQ(seen[0].target, "/pre/k/v.txt");
  EXPECT_EQ(seen[1].target, "/pre/k/v.txt");
  EXPECT_EQ(seen[2].target.rfind("/?", 0), 0u) << seen[2].target;
  EXPECT_EQ(seen[2].Param("prefix"), "pre/k/");

  // A dotted bucket name would not match the TLS wildcard certificate: path style is used for it.
  fake_.ClearLog();
  auto dotted = Open(Options(/*path_style=*/false), "s3://floe.dotted/pre");
  ASSERT_TRUE(dotted->Put("k", "v").ok());
  seen = fake_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].host, "localhost:" + std::to_string(fake_.port()));
  EXPECT_EQ(seen[0].target, "/floe.dotted/pre/k");
}

}  // namespace
}  // namespace floe::storage::testing
