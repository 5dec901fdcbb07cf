// Percent-encoding of URL components (RFC 3986): unreserved characters stay, every other byte becomes %XX
// with upper-case hex — the form AWS Signature V4 requires and every HTTP server accepts.
#pragma once

#include <string>
#include <string_view>

namespace floe {

// With encode_slash=false, '/' is kept (for paths); with true it is encoded (for a single path segment or a
// query value).
std::string PercentEncode(std::string_view s, bool encode_slash);

}  // namespace floe
