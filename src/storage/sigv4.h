// AWS Signature Version 4: signs HTTP requests for S3 and for any other AWS service (the catalog signs AWS
// Glue requests with service "glue"). Pure functions of their inputs, so they are testable against AWS's
// published test suite and botocore.
//
// Spec: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace floe::storage {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct SigV4Scope {
  std::string service;  // "s3", "glue", ...
  std::string region;   // "us-east-1"
  // S3 signs the path exactly as sent; every other service URI-encodes the normalised path once more.
  bool s3_path_rules = false;
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Hex SHA-256 of a payload, for payload_hash.
std::string PayloadSha256Hex(std::string_view payload);

// The intermediate values, exposed for tests and debugging (never log them with a secret-bearing request).
struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string signed_headers; // "host;x-amz-date"
  std::string authorization;  // the Authorization header value
};

// url: "https://host[:port]/path?query" in wire form (path and query percent-encoded as sent).
// headers: the headers that will be sent; names are case-insensitive. Host is taken from the URL when
// absent. X-Amz-Date must be present (SignRequest adds it).
// payload_hash: hex SHA-256 of the body, or kUnsignedPayload.
Result<SigV4Signature> ComputeSigV4(std::string_view method, std::string_view url, const HttpHeaders& headers,
                                    std::string_view payload_hash, const SigV4Scope& scope,
                                    const AwsCredentials& credentials, int64_t time_micros);

// Adds X-Amz-Date, X-Amz-Security-Token (with a session token), x-amz-content-sha256 (for S3) and
// Authorization to headers.
Status SignRequest(std::string_view method, std::string_view url, HttpHeaders& headers,
                   std::string_view payload_hash, const SigV4Scope& scope, const AwsCredentials& credentials,
                   int64_t time_micros);

// A presigned URL valid for expires_seconds (1..604800) from time_micros; signs only the host header.
Result<std::string> PresignUrl(std::string_view method, std::string_view url, int64_t expires_seconds,
                               const SigV4Scope& scope, const AwsCredentials& credentials, int64_t time_micros);

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters kept, everything else %XX (upper
// case); '/' kept unless encode_slash.
std::string UriEncode(std::string_view s, bool encode_slash);
// Reverses %XX escapes (invalid escapes are kept literally).
std::string UriDecode(std::string_view s);
// "20150830T123600Z".
std::string AmzDate(int64_t time_micros);

}  // namespace floe::storage
