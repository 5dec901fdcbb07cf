#include "storage/sigv4.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "common/time_util.h"
#include "storage/botocore_signer.h"

namespace floe::storage {
namespace {

const AwsCredentials kSuiteCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const int64_t kSuiteTime = *ParseIso8601Micros("2015-08-30T12:36:00Z");

struct SuiteVector {
  const char* name;
  const char* method;
  const char* path;                                    // raw, as in the suite's request line
  std::vector<std::pair<std::string, std::string>> query;  // raw key/value pairs
  HttpHeaders extra_headers;
  const char* body;
  const char* signature;
};

// Request/signature pairs from the AWS Signature Version 4 test suite
// (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html: aws-sig-v4-test-suite),
// region us-east-1, service "service", 2015-08-30T12:36:00Z, credentials AKIDEXAMPLE. Test data, not code.
const std::vector<SuiteVector>& SuiteVectors() {
  static const std::vector<SuiteVector> v = {
      {"get-vanilla", "GET", "/", {}, {}, "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-vanilla-query-order-key-case", "GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}, {}, "",
       "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
      {"get-vanilla-query-unreserved", "GET", "/",
       {{"-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
         "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"}},
       {}, "", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
      {"get-vanilla-utf8-query", "GET", "/", {{"\xe1\x88\xb4", "bar"}}, {}, "",
       "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
      {"get-vanilla-empty-query-key", "GET", "/", {{"Param1", "value1"}}, {}, "",
       "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"},
      {"get-header-key-duplicate", "GET", "/", {}, {{"My-Header1", "value2"}, {"My-Header1", "value2"},
       {"My-Header1", "value1"}}, "", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
      {"get-header-value-order", "GET", "/", {}, {{"My-Header1", "value4"}, {"My-Header1", "value1"},
       {"My-Header1", "value3"}, {"My-Header1", "value2"}}, "",
       "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
      {"get-header-value-trim", "GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}}, "",
       "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
      {"get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, {}, "",
       "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
      {"get-utf8", "GET", "/\xe1\x88\xb4", {}, {}, "", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
      {"get-relative-relative", "GET", "/example1/example2/../..", {}, {}, "",
       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
      {"get-slashes", "GET", "//example//", {}, {}, "", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
      {"get-space", "GET", "/example space/", {}, {}, "", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
      {"post-vanilla", "POST", "/", {}, {}, "", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
      {"post-vanilla-query", "POST", "/", {{"Param1", "value1"}}, {}, "",
       "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
      {"post-vanilla-query-nonunreserved", "POST", "/", {{"@#$%^", ""}, {"+", "/,?><`\";:\\|][{}"}}, {}, "",
       "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e"},
      {"post-header-key-sort", "POST", "/", {}, {{"My-Header1", "value1"}}, "",
       "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
      {"post-header-value-case", "POST", "/", {}, {{"My-Header1", "VALUE1"}}, "",
       "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
      {"post-x-www-form-urlencoded", "POST", "/", {}, {{"Content-Type", "application/x-www-form-urlencoded"}},
       "Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
      {"post-x-www-form-urlencoded-parameters", "POST", "/", {},
       {{"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}}, "Param1=value1",
       "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"},
      {"post-sts-header-before", "POST", "/", {},
       {{"X-Amz-Security-Token",
         "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8"
         "YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6"
         "q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJ"
         "abIQwj2ICCR/oLxBA=="}},
       "", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"},
  };
  return v;
}

TEST(SigV4SuiteTest, MatchesPublishedSignatures) {
  const SigV4Scope scope{"service", "us-east-1", false};
  for (const auto& v : SuiteVectors()) {
    std::string url = std::string("https://example.amazonaws.com") + v.path;
    for (size_t i = 0; i < v.query.size(); ++i) {
      url += i == 0 ? '?' : '&';
      url += UriEncode(v.query[i].first, true) + "=" + UriEncode(v.query[i].second, true);
    }
    HttpHeaders headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
    for (const auto& h : v.extra_headers) headers.push_back(h);
    auto sig = ComputeSigV4(v.method, url, headers, PayloadSha256Hex(v.body), scope, kSuiteCreds, kSuiteTime);
    ASSERT_TRUE(sig.ok()) << v.name << ": " << sig.status().ToString();
    EXPECT_EQ(sig->signature, v.signature) << v.name << "\n" << sig->canonical_request;
  }
}

TEST(SigV4SuiteTest, CanonicalRequestOfGetVanilla) {
  auto sig = ComputeSigV4("GET", "https://example.amazonaws.com/", {{"X-Amz-Date", "20150830T123600Z"}},
                          PayloadSha256Hex(""), {"service", "us-east-1", false}, kSuiteCreds, kSuiteTime);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig->string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(sig->authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The same requests signed by floe and by botocore must carry identical Authorization headers / URLs.
TEST(SigV4BotocoreTest, MatchesBotocore) {
  const int64_t t = *ParseIso8601Micros("2024-03-05T06:07:08Z");
  const AwsCredentials creds{"AKIAFLOETEST", "s3cr3t/K3y+with/slashes", ""};
  const AwsCredentials temp{"ASIAFLOETEST", "tempSecret", "FwoGZXIvYXdzE//token+with/specials=="};
  struct Case {
    std::string name, kind, service, method, url;
    HttpHeaders headers;
    std::string body;
    bool unsigned_payload;
    const AwsCredentials* creds;
    int expires;
  };
  const std::vector<Case> cases = {
      {"s3-get-range", "header", "s3", "GET", "https://bucket.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc%C3%A9.parquet",
       {{"Range", "bytes=0-99"}}, "", false, &creds, 0},
      {"s3-put-md5-session", "header", "s3", "PUT", "https://s3.eu-west-1.amazonaws.com/bucket/t/p%3D1/part-0.parquet",
       {{"Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="}, {"Content-Type", "application/octet-stream"}}, "hello", true,
       &temp, 0},
      {"s3-list", "header", "s3", "GET",
       "http://127.0.0.1:9000/bucket?list-type=2&prefix=t%2Fp%3D1%2F&delimiter=%2F&max-keys=1000", {}, "", false,
       &creds, 0},
      {"s3-complete-signed", "header", "s3", "POST", "http://127.0.0.1:9000/bucket/key?uploadId=abc%2Bdef",
       {{"Content-Type", "application/xml"}}, "<CompleteMultipartUpload></CompleteMultipartUpload>", false, &creds, 0},
      {"glue-get-table", "header", "glue", "POST", "https://glue.us-west-2.amazonaws.com/",
       {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", "AWSGlue.GetTable"}},
       R"({"DatabaseName":"db","Name":"events"})", false, &creds, 0},
      {"s3-presign-get", "presign", "s3", "GET", "https://bucket.s3.us-east-1.amazonaws.com/a/b%20c.txt", {}, "",
       true, &creds, 3600},
      {"s3-presign-put-session", "presign", "s3", "PUT", "https://s3.us-east-1.amazonaws.com/bucket/k", {}, "", true,
       &temp, 600},
  };
  nlohmann::json j = nlohmann::json::array();
  for (const auto& c : cases) {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& [k, v] : c.headers) h[k] = v;
    j.push_back({{"name", c.name}, {"kind", c.kind}, {"service", c.service}, {"region", c.url.find("eu-west-1") != std::string::npos ? "eu-west-1" : c.service == "glue" ? "us-west-2" : "us-east-1"},
                 {"method", c.method}, {"url", c.url}, {"headers", h}, {"body", c.body},
                 {"unsigned", c.unsigned_payload}, {"access_key", c.creds->access_key_id},
                 {"secret_key", c.creds->secret_access_key}, {"session_token", c.creds->session_token},
                 {"expires", c.expires}, {"time", t / 1000000}});
  }
  std::map<std::string, std::string> expected;
  ASSERT_TRUE(testing::SignWithBotocore(j, expected));

  for (const auto& c : cases) {
    const SigV4Scope scope{c.service, j[&c - &cases[0]]["region"], c.service == "s3"};
    if (c.kind == "presign") {
      auto url = PresignUrl(c.method, c.url, c.expires, scope, *c.creds, t);
      ASSERT_TRUE(url.ok()) << url.status().ToString();
      // botocore orders the query differently; compare the signature and the parameter set.
      auto params = [](const std::string& u) {
        std::map<std::string, std::string> m;
        std::string q = u.substr(u.find('?') + 1);
        size_t start = 0;
        while (start <= q.size()) {
          size_t end = q.find('&', start);
          if (end == std::string::npos) end = q.size();
          std::string kv = q.substr(start, end - start);
          m[UriDecode(kv.substr(0, kv.find('=')))] = UriDecode(kv.substr(kv.find('=') + 1));
          start = end + 1;
        }
        return m;
      };
      EXPECT_EQ(params(*url), params(expected[c.name])) << c.name << "\nfloe:     " << *url
                                                       << "\nbotocore: " << expected[c.name];
      EXPECT_EQ(url->substr(0, url->find('?')), c.url.substr(0, c.url.find('?')));
    } else {
      HttpHeaders headers = c.headers;
      const std::string hash = c.unsigned_payload ? std::string(kUnsignedPayload) : PayloadSha256Hex(c.body);
      ASSERT_TRUE(SignRequest(c.method, c.url, headers, hash, scope, *c.creds, t).ok());
      EXPECT_EQ(headers.back().first, "Authorization");
      EXPECT_EQ(headers.back().second, expected[c.name]) << c.name;
    }
  }
}

TEST(SigV4Test, SessionTokenAndContentHashHeadersAreAdded) {
  HttpHeaders headers;
  const AwsCredentials temp{"ASIA", "secret", "tok"};
  ASSERT_TRUE(SignRequest("GET", "https://s3.amazonaws.com/b/k", headers, kUnsignedPayload, {"s3", "us-east-1", true},
                          temp, kSuiteTime).ok());
  std::map<std::string, std::string> m(headers.begin(), headers.end());
  EXPECT_EQ(m["X-Amz-Date"], "20150830T123600Z");
  EXPECT_EQ(m["X-Amz-Security-Token"], "tok");
  EXPECT_EQ(m["x-amz-content-sha256"], "UNSIGNED-PAYLOAD");
  EXPECT_NE(m["Authorization"].find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
            std::string::npos) << m["Authorization"];
  EXPECT_EQ(m["Authorization"].find("secret"), std::string::npos);
}

TEST(SigV4Test, UriEncoding) {
  EXPECT_EQ(UriEncode("a b/c+d~e", false), "a%20b/c%2Bd~e");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriDecode("a%20b%2fc%zz"), "a b/c%zz");
  EXPECT_EQ(AmzDate(kSuiteTime), "20150830T123600Z");
}

}  // namespace
}  // namespace floe::storage
