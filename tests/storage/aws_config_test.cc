// Where S3 credentials and the region come from: explicit options, the AWS_* environment, then the shared
// credentials and config files with profiles — the order the AWS CLI and SDKs use.
#include "storage/aws_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "storage/object_store.h"
#include "storage/test_util.h"

namespace floe::storage {
namespace {

// An environment made of a map, so tests never depend on (or leak into) the process environment.
EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

TEST(ParseIni, SectionsKeysCommentsAndWhitespace) {
  const IniFile ini = ParseIni(
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKIDDEFAULT \r\n"
      "  aws_secret_access_key=secret=with=equals\n"
      "; another comment\n"
      "[profile dev]\n"
      "region = eu-west-1\n"
      "not a key value line\n");
  ASSERT_EQ(ini.size(), 2u);
  EXPECT_EQ(ini.at("default").at("aws_access_key_id"), "AKIDDEFAULT");
  EXPECT_EQ(ini.at("default").at("aws_secret_access_key"), "secret=with=equals");
  EXPECT_EQ(ini.at("profile dev").at("region"), "eu-west-1");
  EXPECT_EQ(ini.at("profile dev").size(), 1u);
}

TEST(ResolveAwsCredentials, ExplicitOptionsWinOverEverything) {
  S3Options o;
  o.access_key_id = "AKIDOPT";
  o.secret_access_key = "optsecret";
  o.session_token = "opttoken";
  auto c = ResolveAwsCredentials(o, FakeEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDOPT");
  EXPECT_EQ(c->secret_access_key, "optsecret");
  EXPECT_EQ(c->session_token, "opttoken");
}

TEST(ResolveAwsCredentials, HalfOfAnExplicitPairIsAnError) {
  S3Options o;
  o.access_key_id = "AKIDOPT";
  auto c = ResolveAwsCredentials(o, FakeEnv({}));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().Is(StoreError::kAccessDenied));
  EXPECT_NE(c.status().ToString().find("must be set together"), std::string::npos);
}

TEST(ResolveAwsCredentials, EnvironmentWithSessionToken) {
  testing::TempDir dir;  // no files there: the environment alone must do
  auto c = ResolveAwsCredentials(S3Options{}, FakeEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                      {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                                      {"AWS_SESSION_TOKEN", "envtoken"},
                                                      {"HOME", dir.path()}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->session_token, "envtoken");
}

TEST(ResolveAwsCredentials, SharedCredentialsFileProfiles) {
  testing::TempDir dir;
  const std::string creds = dir.path() + "/credentials";
  WriteFile(creds,
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = defaultsecret\n"
            "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prodsecret\n"
            "aws_session_token = prodtoken\n");
  const std::map<std::string, std::string> base{{"AWS_SHARED_CREDENTIALS_FILE", creds},
                                                {"AWS_CONFIG_FILE", dir.path() + "/none"}};
  auto def = ResolveAwsCredentials(S3Options{}, FakeEnv(base));
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  EXPECT_EQ(def->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(def->session_token, "");

  auto env_profile = base;
  env_profile["AWS_PROFILE"] = "prod";
  auto prod = ResolveAwsCredentials(S3Options{}, FakeEnv(env_profile));
  ASSERT_TRUE(prod.ok()) << prod.status().ToString();
  EXPECT_EQ(prod->access_key_id, "AKIDPROD");
  EXPECT_EQ(prod->session_token, "prodtoken");

  // s3.profile overrides AWS_PROFILE.
  S3Options o;
  o.profile = "default";
  auto opt = ResolveAwsCredentials(o, FakeEnv(env_profile));
  ASSERT_TRUE(opt.ok());
  EXPECT_EQ(opt->access_key_id, "AKIDDEFAULT");
}

TEST(ResolveAwsCredentials, ConfigFileUsesProfilePrefixAndHomeDefaults) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/.aws");
  // No credentials file; the config file holds keys under "[profile x]" (and "[default]" without prefix).
  WriteFile(dir.path() + "/.aws/config",
            "[default]\nregion = eu-central-1\n"
            "[profile analytics]\naws_access_key_id = AKIDCFG\naws_secret_access_key = cfgsecret\n"
            "region = ap-southeast-2\n");
  S3Options o;
  o.profile = "analytics";
  auto c = ResolveAwsCredentials(o, FakeEnv({{"HOME", dir.path()}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDCFG");
  EXPECT_EQ(ResolveAwsRegion(o, FakeEnv({{"HOME", dir.path()}})), "ap-southeast-2");
  EXPECT_EQ(ResolveAwsRegion(S3Options{}, FakeEnv({{"HOME", dir.path()}})), "eu-central-1");
}

TEST(ResolveAwsCredentials, NothingFoundNamesThePlacesButNoSecret) {
  testing::TempDir dir;
  const std::string creds = dir.path() + "/credentials";
  // A profile with only a key id (a half-written file) does not count as credentials.
  WriteFile(creds, "[default]\naws_access_key_id = AKIDHALF\n");
  auto c = ResolveAwsCredentials(S3Options{}, FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", creds},
                                                      {"AWS_CONFIG_FILE", dir.path() + "/config"},
                                                      {"AWS_SECRET_ACCESS_KEY", "onlythesecret"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().Is(StoreError::kAccessDenied));
  const std::string message = c.status().ToString();
  EXPECT_NE(message.find(creds), std::string::npos) << message;
  EXPECT_NE(message.find("'default'"), std::string::npos) << message;
  EXPECT_EQ(message.find("onlythesecret"), std::string::npos) << message;
}

TEST(ResolveAwsRegion, OptionThenEnvironmentThenProfileThenDefault) {
  testing::TempDir dir;
  const std::map<std::string, std::string> none{{"HOME", dir.path()}};
  S3Options o;
  o.region = "us-west-2";
  EXPECT_EQ(ResolveAwsRegion(o, FakeEnv({{"AWS_REGION", "eu-west-3"}})), "us-west-2");
  EXPECT_EQ(ResolveAwsRegion(S3Options{}, FakeEnv({{"AWS_REGION", "eu-west-3"}, {"AWS_DEFAULT_REGION", "sa-east-1"}})),
            "eu-west-3");
  EXPECT_EQ(ResolveAwsRegion(S3Options{}, FakeEnv({{"AWS_DEFAULT_REGION", "sa-east-1"}})), "sa-east-1");
  EXPECT_EQ(ResolveAwsRegion(S3Options{}, FakeEnv(none)), "us-east-1");
}

}  // namespace
}  // namespace floe::storage
