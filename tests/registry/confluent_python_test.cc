// Confluent's own Python clients (Debian python3-confluent-kafka, with python3-avro for the legacy path)
// against the embedded registry: proves wire compatibility with a real client, not just with floe's.
// Compatibility verdicts come from floe's Avro checker, as in `floe registry serve`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "registry/avro_compatibility.h"
#include "registry/registry_test_util.h"

namespace floe::registry {
namespace {

constexpr char kPython[] = "/usr/bin/python3";

std::string RunAndCapture(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return output;
  }
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

TEST(ConfluentPythonClientTest, RegistersLooksUpAndChecksCompatibility) {
  if (access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " is not installed";
  auto server = testing::StartRegistry({}, std::make_shared<AvroSchemaCompatibility>());
  ASSERT_NE(server, nullptr);
  const char* source_dir = std::getenv("FLOE_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr) << "FLOE_SOURCE_DIR is set by floe_add_gtest";
  const std::string script = std::string(source_dir) + "/tests/registry/confluent_client_check.py";

  int exit_code = 0;
  const std::string output = RunAndCapture(std::string(kPython) + " " + script + " " + server->url() + " 2>&1",
                                           &exit_code);
  ASSERT_EQ(exit_code, 0) << output;
  const size_t at = output.rfind("RESULT ");
  ASSERT_NE(at, std::string::npos) << output;
  nlohmann::json result = nlohmann::json::parse(output.substr(at + 7));

  // Cross-check what the Python clients registered with floe's own client.
  auto client = testing::MakeClient(testing::FastClientOptions(server->url()));
  const int v1 = result["clicks_v1"].get<int>();
  const int v2 = result["clicks_v2"].get<int>();
  EXPECT_EQ(*client->ResolveTopicVersion(v1, "clicks"), 1);
  EXPECT_EQ(*client->ResolveTopicVersion(v2, "clicks"), 2);
  EXPECT_EQ(*client->GetVersions("clicks-value"), (std::vector<int>{1, 2}));  // version 3 was soft-deleted
  // The legacy client sent the same record schema (re-serialised by python-avro): same global id.
  const int legacy = result["legacy_v1"].get<int>();
  EXPECT_EQ(legacy, v1);
  EXPECT_EQ(*client->ResolveTopicVersion(legacy, "legacy"), 1);
  EXPECT_EQ(*client->GetCompatibility("legacy-value"), "FULL");
  // The Confluent frame: magic byte 0, then the schema id big-endian.
  const std::string frame = result["legacy_frame_hex"].get<std::string>();
  char expected_prefix[16];
  std::snprintf(expected_prefix, sizeof(expected_prefix), "00%08x", legacy);
  EXPECT_EQ(frame.substr(0, 10), expected_prefix);
}

}  // namespace
}  // namespace floe::registry
