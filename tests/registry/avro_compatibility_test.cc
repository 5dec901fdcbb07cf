// The embedded registry with floe's real Avro checker: what `floe registry serve` runs.
#include "registry/avro_compatibility.h"

#include <gtest/gtest.h>

#include "registry/registry_client.h"
#include "registry/registry_error.h"
#include "registry/registry_server.h"

namespace floe::registry {
namespace {

constexpr const char* kV1 = R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"long"}]})";
constexpr const char* kV2 =
    R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"long"},{"name":"price","type":"double","default":0}]})";
constexpr const char* kBreaking = R"({"type":"record","name":"Ad","fields":[{"name":"id","type":"string"}]})";

TEST(AvroSchemaCompatibilityTest, ChecksWithTheAvroRules) {
  AvroSchemaCompatibility compat;
  auto ok = compat.Check("AVRO", kV2, {kV1}, "BACKWARD");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(ok->compatible);
  auto broken = compat.Check("AVRO", kBreaking, {kV1}, "BACKWARD");
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(broken->compatible);
  ASSERT_FALSE(broken->messages.empty());
  EXPECT_NE(broken->messages[0].find("id"), std::string::npos) << broken->messages[0];
  EXPECT_TRUE(compat.Check("AVRO", kBreaking, {kV1}, "NONE")->compatible);
  EXPECT_TRUE(compat.Check("AVRO", "{nope", {kV1}, "BACKWARD").status().Is(RegistryError::kInvalidSchema));
  EXPECT_TRUE(compat.Check("PROTOBUF", kV1, {kV1}, "BACKWARD").status().Is(RegistryError::kInvalidSchema));
  EXPECT_TRUE(compat.Check("AVRO", kV2, {kV1}, "SIDEWAYS").status().Is(RegistryError::kInvalidCompatibilityLevel));
}

TEST(AvroSchemaCompatibilityTest, EmbeddedServerEnforcesItOnRegister) {
  RegistryServerOptions options;
  options.port = 0;
  auto server = RegistryServer::Start(options, std::make_shared<AvroSchemaCompatibility>());
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  RegistryClientOptions client_options;
  client_options.url = (*server)->url();
  auto client = SchemaRegistryClient::Create(client_options);
  ASSERT_TRUE(client.ok());
  auto id1 = (*client)->Register("ads-value", SchemaText(kV1));
  ASSERT_TRUE(id1.ok()) << id1.status().ToString();
  auto id2 = (*client)->Register("ads-value", SchemaText(kV2));
  ASSERT_TRUE(id2.ok()) << id2.status().ToString();
  EXPECT_NE(*id1, *id2);
  auto rejected = (*client)->Register("ads-value", SchemaText(kBreaking));
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find("409"), std::string::npos) << rejected.status().ToString();
  (*server)->Stop();
}

}  // namespace
}  // namespace floe::registry
