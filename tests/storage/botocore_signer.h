// SigV4 signatures computed by botocore, the reference implementation floe's signer is checked against
// (tests/storage/botocore_sign.py under Debian's /usr/bin/python3, python3-botocore).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace floe::storage::testing {

// Signs every case of `cases`, a JSON array of objects as botocore_sign.py reads them: name, kind ("header"
// or "presign"), service, region, method, url, headers, body, unsigned, access_key, secret_key,
// session_token, expires, time (epoch seconds). On success `signatures` maps each case's name to its
// Authorization header (the presigned URL for kind "presign"). A failure says what is missing
// (/usr/bin/python3, botocore) or how the script failed; callers ASSERT_TRUE on it, since a signer test
// without its reference would prove nothing.
::testing::AssertionResult SignWithBotocore(const nlohmann::json& cases,
                                            std::map<std::string, std::string>& signatures);

}  // namespace floe::storage::testing
