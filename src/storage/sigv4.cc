#include "storage/sigv4.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "common/time_util.h"
#include "common/uri.h"
#include "storage/digest.h"
#include "storage/object_store.h"

namespace floe::storage {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are trimmed and inner runs of spaces collapse to one.
std::string TrimAll(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct ParsedUrl {
  std::string scheme, host, path, query;  // host includes a non-default port
};

Result<ParsedUrl> ParseUrl(std::string_view url) {
  ParsedUrl p;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return Error(StoreError::kInvalidArgument, "not a URL: " + std::string(url));
  p.scheme = Lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 3);
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  const size_t q = rest.find('?');
  p.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) p.query = std::string(rest.substr(q + 1));
  if (p.path.empty()) p.path = "/";
  std::string host = Lower(authority);
  if ((p.scheme == "https" && host.size() > 4 && host.compare(host.size() - 4, 4, ":443") == 0) ||
      (p.scheme == "http" && host.size() > 3 && host.compare(host.size() - 3, 3, ":80") == 0)) {
    host.erase(host.rfind(':'));
  }
  p.host = std::move(host);
  return p;
}

// Removes "." and ".." segments and empty segments, keeping a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    start = end + 1;
  }
  std::string norm;
  for (auto seg : out) {
    norm += '/';
    norm += seg;
  }
  if (norm.empty()) return "/";
  if (path.size() > 1 && path.back() == '/') norm += '/';
  return norm;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view kv = query.substr(start, end - start);
    if (!kv.empty()) {
      const size_t eq = kv.find('=');
      std::string_view k = kv.substr(0, eq);
      std::string_view v = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
      params.emplace_back(UriEncode(UriDecode(k), true), UriEncode(UriDecode(v), true));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string Date8(std::string_view amz_date) { return std::string(amz_date.substr(0, 8)); }

std::string SigningKeySignature(const AwsCredentials& creds, std::string_view date8, const SigV4Scope& scope,
                                std::string_view string_to_sign) {
  const auto k_date = HmacSha256("AWS4" + creds.secret_access_key, date8);
  auto view = [](const Sha256Digest& d) { return std::string_view(reinterpret_cast<const char*>(d.data()), d.size()); };
  const auto k_region = HmacSha256(view(k_date), scope.region);
  const auto k_service = HmacSha256(view(k_region), scope.service);
  const auto k_signing = HmacSha256(view(k_service), "aws4_request");
  return HexLower(HmacSha256(view(k_signing), string_to_sign));
}

const std::string* FindHeader(const HttpHeaders& headers, std::string_view lower_name) {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == lower_name) return &v;
  }
  return nullptr;
}

}  // namespace

std::string PayloadSha256Hex(std::string_view payload) { return HexLower(Sha256(payload)); }

std::string UriEncode(std::string_view s, bool encode_slash) { return PercentEncode(s, encode_slash); }

std::string UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) && std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string AmzDate(int64_t time_micros) {
  const CivilTime t = CivilFromMicros(time_micros);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", t.year, t.month, t.day, t.hour, t.minute, t.second);
  return buf;
}

Result<SigV4Signature> ComputeSigV4(std::string_view method, std::string_view url, const HttpHeaders& headers,
                                    std::string_view payload_hash, const SigV4Scope& scope,
                                    const AwsCredentials& credentials, int64_t time_micros) {
  FLOE_ASSIGN_OR_RETURN(ParsedUrl u, ParseUrl(url));
  const std::string amz_date = AmzDate(time_micros);

  std::map<std::string, std::string> canon;  // lower-case name -> comma-joined trimmed values
  for (const auto& [k, v] : headers) {
    std::string name = Lower(k);
    if (name == "authorization" || name == "user-agent" || name == "expect" || name == "content-length") continue;
    auto [it, inserted] = canon.emplace(name, TrimAll(v));
    if (!inserted) it->second += "," + TrimAll(v);
  }
  if (!canon.count("host")) canon["host"] = u.host;

  SigV4Signature sig;
  std::string canonical_headers;
  for (const auto& [k, v] : canon) {
    canonical_headers += k + ":" + v + "\n";
    if (!sig.signed_headers.empty()) sig.signed_headers += ';';
    sig.signed_headers += k;
  }
  const std::string path = scope.s3_path_rules ? u.path : UriEncode(NormalizePath(u.path), false);
  sig.canonical_request = std::string(method) + "\n" + path + "\n" + CanonicalQuery(u.query) + "\n" +
                          canonical_headers + "\n" + sig.signed_headers + "\n" + std::string(payload_hash);
  const std::string credential_scope = Date8(amz_date) + "/" + scope.region + "/" + scope.service + "/aws4_request";
  sig.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + credential_scope + "\n" +
                       PayloadSha256Hex(sig.canonical_request);
  sig.signature = SigningKeySignature(credentials, Date8(amz_date), scope, sig.string_to_sign);
  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + credential_scope +
                      ", SignedHeaders=" + sig.signed_headers + ", Signature=" + sig.signature;
  return sig;
}

Status SignRequest(std::string_view method, std::string_view url, HttpHeaders& headers,
                   std::string_view payload_hash, const SigV4Scope& scope, const AwsCredentials& credentials,
                   int64_t time_micros) {
  if (!FindHeader(headers, "x-amz-date")) headers.emplace_back("X-Amz-Date", AmzDate(time_micros));
  if (!credentials.session_token.empty() && !FindHeader(headers, "x-amz-security-token")) {
    headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (scope.service == "s3" && !FindHeader(headers, "x-amz-content-sha256")) {
    headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  }
  FLOE_ASSIGN_OR_RETURN(SigV4Signature sig,
                        ComputeSigV4(method, url, headers, payload_hash, scope, credentials, time_micros));
  headers.emplace_back("Authorization", std::move(sig.authorization));
  return Status::Ok();
}

Result<std::string> PresignUrl(std::string_view method, std::string_view url, int64_t expires_seconds,
                               const SigV4Scope& scope, const AwsCredentials& credentials, int64_t time_micros) {
  if (expires_seconds < 1 || expires_seconds > 604800) {
    return Error(StoreError::kInvalidArgument, "presigned URL expiry must be 1..604800 seconds");
  }
  const std::string amz_date = AmzDate(time_micros);
  const std::string credential = credentials.access_key_id + "/" + Date8(amz_date) + "/" + scope.region + "/" +
                                 scope.service + "/aws4_request";
  std::string presigned(url);
  presigned += presigned.find('?') == std::string::npos ? '?' : '&';
  presigned += "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + UriEncode(credential, true) +
               "&X-Amz-Date=" + amz_date + "&X-Amz-Expires=" + std::to_string(expires_seconds) +
               "&X-Amz-SignedHeaders=host";
  if (!credentials.session_token.empty()) {
    presigned += "&X-Amz-Security-Token=" + UriEncode(credentials.session_token, true);
  }
  const std::string payload = scope.service == "s3" ? std::string(kUnsignedPayload) : PayloadSha256Hex("");
  FLOE_ASSIGN_OR_RETURN(SigV4Signature sig,
                        ComputeSigV4(method, presigned, {}, payload, scope, credentials, time_micros));
  return presigned + "&X-Amz-Signature=" + sig.signature;
}

}  // namespace floe::storage
