// Where S3 credentials and region come from, in order: explicit options (s3.access.key.id, ...), the
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN environment variables, then the shared
// credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) and the config file
// (AWS_CONFIG_FILE, default ~/.aws/config) for the profile s3.profile / AWS_PROFILE / "default".
// floe never calls the instance metadata service.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "storage/sigv4.h"
#include "storage/store_options.h"

namespace floe::storage {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
// Reads the process environment.
std::optional<std::string> ProcessEnv(const std::string& name);

// section -> key -> value, keys and section names as written (the config file's "[profile x]" included).
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

// kAccessDenied when no source provides both key id and secret; the message names the places searched
// but never a secret.
Result<AwsCredentials> ResolveAwsCredentials(const S3Options& options, const EnvLookup& env = ProcessEnv);
// s3.region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region in the config file, else "us-east-1".
std::string ResolveAwsRegion(const S3Options& options, const EnvLookup& env = ProcessEnv);

}  // namespace floe::storage
