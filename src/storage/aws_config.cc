#include "storage/aws_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "storage/object_store.h"

namespace floe::storage {
namespace {

std::string Trim(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<IniFile> ReadIni(const std::string& path) {
  std::ifstream f(path);
  if (!f) return std::nullopt;
  std::stringstream ss;
  ss << f.rdbuf();
  return ParseIni(ss.str());
}

std::string Home(const EnvLookup& env) { return env("HOME").value_or(""); }

std::string ProfileName(const S3Options& options, const EnvLookup& env) {
  if (!options.profile.empty()) return options.profile;
  return env("AWS_PROFILE").value_or("default");
}

const std::map<std::string, std::string>* Section(const IniFile& ini, const std::string& name) {
  auto it = ini.find(name);
  return it == ini.end() ? nullptr : &it->second;
}

// The config file names profiles "[profile x]" except "[default]".
const std::map<std::string, std::string>* ConfigProfile(const IniFile& ini, const std::string& profile) {
  if (profile == "default") return Section(ini, "default");
  auto s = Section(ini, "profile " + profile);
  return s ? s : Section(ini, profile);
}

std::string Get(const std::map<std::string, std::string>* section, const std::string& key) {
  if (section == nullptr) return "";
  auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

IniFile ParseIni(std::string_view text) {
  IniFile ini;
  std::string section;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string line = Trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = Trim(std::string_view(line).substr(1, line.size() - 2));
      ini[section];
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    ini[section][Trim(std::string_view(line).substr(0, eq))] = Trim(std::string_view(line).substr(eq + 1));
  }
  return ini;
}

Result<AwsCredentials> ResolveAwsCredentials(const S3Options& options, const EnvLookup& env) {
  if (!options.access_key_id.empty() || !options.secret_access_key.empty()) {
    if (options.access_key_id.empty() || options.secret_access_key.empty()) {
      return Error(StoreError::kAccessDenied, "s3.access.key.id and s3.secret.access.key must be set together");
    }
    return AwsCredentials{options.access_key_id, options.secret_access_key, options.session_token};
  }
  auto id = env("AWS_ACCESS_KEY_ID");
  auto secret = env("AWS_SECRET_ACCESS_KEY");
  if (id && secret) return AwsCredentials{*id, *secret, env("AWS_SESSION_TOKEN").value_or("")};

  const std::string profile = ProfileName(options, env);
  const std::string creds_path =
      env("AWS_SHARED_CREDENTIALS_FILE").value_or(Home(env) + "/.aws/credentials");
  const std::string config_path = env("AWS_CONFIG_FILE").value_or(Home(env) + "/.aws/config");
  for (const auto& [path, is_config] : {std::pair{creds_path, false}, std::pair{config_path, true}}) {
    auto ini = ReadIni(path);
    if (!ini) continue;
    const auto* s = is_config ? ConfigProfile(*ini, profile) : Section(*ini, profile);
    AwsCredentials c{Get(s, "aws_access_key_id"), Get(s, "aws_secret_access_key"), Get(s, "aws_session_token")};
    if (!c.access_key_id.empty() && !c.secret_access_key.empty()) return c;
  }
  return Error(StoreError::kAccessDenied,
               "no S3 credentials: set s3.access.key.id/s3.secret.access.key, AWS_ACCESS_KEY_ID/"
               "AWS_SECRET_ACCESS_KEY, or profile '" + profile + "' in " + creds_path + " or " + config_path);
}

std::string ResolveAwsRegion(const S3Options& options, const EnvLookup& env) {
  if (!options.region.empty()) return options.region;
  if (auto r = env("AWS_REGION")) return *r;
  if (auto r = env("AWS_DEFAULT_REGION")) return *r;
  const std::string config_path = env("AWS_CONFIG_FILE").value_or(Home(env) + "/.aws/config");
  if (auto ini = ReadIni(config_path)) {
    std::string region = Get(ConfigProfile(*ini, ProfileName(options, env)), "region");
    if (!region.empty()) return region;
  }
  return "us-east-1";
}

}  // namespace floe::storage
