#include "storage/botocore_signer.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "storage/test_util.h"

namespace floe::storage::testing {

namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

::testing::AssertionResult SignWithBotocore(const nlohmann::json& cases,
                                            std::map<std::string, std::string>& signatures) {
  signatures.clear();
  if (::access(kPython, X_OK) != 0)
    return ::testing::AssertionFailure() << kPython << " not found: botocore signatures need Debian's python3 "
                                         << "and python3-botocore";
  TempDir dir;
  const std::string cases_path = dir.path() + "/cases.json";
  const std::string stderr_path = dir.path() + "/stderr";
  WriteLocalFile(cases_path, cases.dump());
  // The paths are ours (a mkdtemp directory and the source tree), quoted against spaces.
  const std::string cmd = std::string(kPython) + " '" + FLOE_STORAGE_TEST_DIR + "/botocore_sign.py' '" +
                          cases_path + "' 2>'" + stderr_path + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return ::testing::AssertionFailure() << "cannot run " << cmd;
  std::array<char, 8192> line{};
  while (std::fgets(line.data(), line.size(), p)) {
    std::string s(line.data());
    if (!s.empty() && s.back() == '\n') s.pop_back();
    const size_t space = s.find(' ');
    if (space == std::string::npos) continue;
    signatures[s.substr(0, space)] = s.substr(space + 1);
  }
  const int status = ::pclose(p);
  if (status != 0) {
    const std::string errors = ReadWholeFile(stderr_path);
    if (errors.find("No module named 'botocore'") != std::string::npos)
      return ::testing::AssertionFailure() << "botocore is not installed for " << kPython
                                           << " (Debian package python3-botocore)";
    return ::testing::AssertionFailure() << cmd << " failed ("
                                         << (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                               : "status " + std::to_string(status))
                                         << "):\n" << errors;
  }
  for (const auto& c : cases)
    if (!signatures.count(c.at("name").get<std::string>()))
      return ::testing::AssertionFailure() << "botocore_sign.py printed no signature for case " << c.at("name");
  return ::testing::AssertionSuccess();
}

}  // namespace floe::storage::testing
