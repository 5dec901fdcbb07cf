// Digests and encodings the stores need: MD5 (S3 part ETags, Content-MD5), SHA-256 and HMAC-SHA256
// (Signature V4), hex and base64.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace floe::storage {

using Md5Digest = std::array<uint8_t, 16>;
using Sha256Digest = std::array<uint8_t, 32>;

Md5Digest Md5(std::string_view data);
Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

std::string HexLower(const uint8_t* data, size_t size);
template <size_t N>
std::string HexLower(const std::array<uint8_t, N>& d) { return HexLower(d.data(), N); }
std::string Base64(const uint8_t* data, size_t size);
template <size_t N>
std::string Base64(const std::array<uint8_t, N>& d) { return Base64(d.data(), N); }

// Incremental MD5 for data that arrives in pieces (a file read in chunks).
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void Update(std::string_view data);
  Md5Digest Finish();

 private:
  void* ctx_;
};

}  // namespace floe::storage
