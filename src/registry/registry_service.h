// SchemaRegistryService: the embedded registry's state and rules, independent of HTTP.
//
// Stores schemas under global ids and subject versions in SQLite and applies Confluent's semantics:
// - the same schema (equal normalised text per SchemaCompatibility::Canonicalize, same type and references)
//   always gets the same global id, in every subject;
// - registering a schema already live under a subject returns its id without a new version;
// - a new version must pass the compatibility check at the subject's level, else the global level
//   (default BACKWARD), against the subject's live versions;
// - deletes are soft unless permanent, and a permanent delete needs a soft delete first; version numbers are
//   never reused; schema ids stay resolvable after their versions are deleted (archived data still needs
//   them).
// Schema references are stored and returned but not resolved: the checker sees the schema text alone.
//
// Every method returns the JSON body Confluent's API answers with, or a RegistryError status the HTTP layer
// turns into {"error_code", "message"}. Thread-safe: calls are serialised on one SQLite connection.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "registry/registry_error.h"
#include "registry/schema_compatibility.h"

struct sqlite3;

namespace floe::registry {

class SchemaRegistryService {
 public:
  // `data_file` empty or ":memory:" keeps everything in memory.
  static Result<std::unique_ptr<SchemaRegistryService>> Open(const std::string& data_file,
                                                             std::shared_ptr<SchemaCompatibility> compatibility,
                                                             std::string default_compatibility = "BACKWARD");
  ~SchemaRegistryService();
  SchemaRegistryService(const SchemaRegistryService&) = delete;
  SchemaRegistryService& operator=(const SchemaRegistryService&) = delete;

  // `version` arguments are the URL segment: a positive number, "latest" or "-1".
  Result<nlohmann::json> GetSchemaById(int id);
  Result<nlohmann::json> GetSchemaVersionsById(int id);
  Result<nlohmann::json> GetSchemaSubjectsById(int id);
  Result<nlohmann::json> ListSubjects(bool include_deleted);
  Result<nlohmann::json> ListVersions(const std::string& subject, bool include_deleted);
  Result<nlohmann::json> GetVersion(const std::string& subject, std::string_view version, bool include_deleted);
  Result<nlohmann::json> Register(const std::string& subject, const nlohmann::json& request);
  Result<nlohmann::json> Lookup(const std::string& subject, const nlohmann::json& request, bool include_deleted);
  Result<nlohmann::json> DeleteSubject(const std::string& subject, bool permanent);
  Result<nlohmann::json> DeleteVersion(const std::string& subject, std::string_view version, bool permanent);
  // `version` nullopt: against all live versions as the level says; else against that one version.
  Result<nlohmann::json> TestCompatibility(const std::string& subject, std::optional<std::string_view> version,
                                           const nlohmann::json& request, bool verbose);
  // `subject` empty = global.
  Result<nlohmann::json> GetConfig(const std::string& subject, bool default_to_global);
  Result<nlohmann::json> SetConfig(const std::string& subject, const nlohmann::json& request);
  Result<nlohmann::json> DeleteConfig(const std::string& subject);

 private:
  struct Candidate;
  struct VersionRow;

  SchemaRegistryService(sqlite3* db, std::shared_ptr<SchemaCompatibility> compatibility,
                        std::string default_compatibility);

  Result<Candidate> ParseCandidate(const nlohmann::json& request);
  Result<std::string> EffectiveLevel(const std::string& subject);
  Result<std::vector<VersionRow>> Versions(const std::string& subject, bool include_deleted);
  Result<VersionRow> FindVersion(const std::string& subject, std::string_view version, bool include_deleted);
  Result<CompatVerdict> Check(const Candidate& candidate, const std::vector<VersionRow>& against,
                              std::string_view level);
  Status Exec(const char* sql);

  sqlite3* db_;
  std::shared_ptr<SchemaCompatibility> compatibility_;
  const std::string default_compatibility_;
  std::mutex mu_;
};

}  // namespace floe::registry
