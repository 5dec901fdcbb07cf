#include "common/status.h"

#include <gtest/gtest.h>

namespace floe {
namespace {

enum class SampleError { kBroken, kFlaky };

}  // namespace

template <>
struct ErrorTraits<SampleError> {
  static std::string_view Domain() { return "sample"; }
  static std::string_view Name(SampleError e) { return e == SampleError::kBroken ? "broken" : "flaky"; }
  static bool DefaultRetryable(SampleError e) { return e == SampleError::kFlaky; }
};

namespace {

Result<int> Half(int x) {
  if (x % 2) return Error(SampleError::kBroken, "odd input " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  FLOE_ASSIGN_OR_RETURN(int half, Half(x));
  return Half(half);
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesDomainCodeAndRetryability) {
  Status broken = Error(SampleError::kBroken, "wheel off");
  EXPECT_FALSE(broken.ok());
  EXPECT_FALSE(broken.retryable());
  EXPECT_EQ(broken.qualified_name(), "sample.broken");
  EXPECT_EQ(broken.ToString(), "sample.broken: wheel off");
  EXPECT_TRUE(broken.Is(SampleError::kBroken));
  EXPECT_FALSE(broken.Is(SampleError::kFlaky));
  EXPECT_FALSE(broken.Is(CommonError::kIo));
  EXPECT_TRUE(Error(SampleError::kFlaky, "x").retryable());
  EXPECT_TRUE(broken.Retryable(true).retryable());
  EXPECT_EQ(broken.WithContext("topic ads partition 1 offset 7").message(),
            "topic ads partition 1 offset 7: wheel off");
}

TEST(StatusTest, ResultPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd input 3");
}

TEST(StatusTest, ErrnoStatusNamesPathAndKind) {
  Status s = ErrnoStatus("open", "/nope", ENOENT);
  EXPECT_TRUE(s.Is(CommonError::kNotFound));
  EXPECT_NE(s.message().find("/nope"), std::string::npos);
}

}  // namespace
}  // namespace floe
