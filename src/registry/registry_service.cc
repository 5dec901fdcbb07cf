#include "registry/registry_service.h"

#include <sqlite3.h>

#include <charconv>
#include <climits>

#include <nlohmann/json.hpp>

namespace floe::registry {

using nlohmann::json;

struct SchemaRegistryService::Candidate {
  std::string schema;
  std::string schema_type;
  std::string references_json;  // normalised (nlohmann dump), "[]" when none
  std::string canonical;
};

struct SchemaRegistryService::VersionRow {
  int version = 0;
  int schema_id = 0;
  bool deleted = false;
  std::string schema_type;
  std::string schema;
  std::string references_json;
  std::string canonical;
};

namespace {

Status StoreError(sqlite3* db, std::string_view what) {
  return Error(RegistryError::kStore, std::string(what) + ": " + sqlite3_errmsg(db));
}

// One prepared SQLite statement; errors surface as kStore statuses from Step().
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      prepare_error_ = StoreError(db, std::string("prepare ") + sql);
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value) {
    if (stmt_) sqlite3_bind_int64(stmt_, index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    if (stmt_) sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }

  // True when a row is available, false when done.
  Result<bool> Step() {
    if (!prepare_error_.ok()) return prepare_error_;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return StoreError(db_, "step");
  }
  Status Run() {
    Result<bool> r = Step();
    return r.ok() ? Status::Ok() : r.status();
  }

  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column))
                : std::string();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status prepare_error_;
};

// Rolls back unless committed: every early return inside a write leaves the store unchanged.
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {
    begun_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~Transaction() {
    if (begun_ && !committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status begin_status() const { return begun_ ? Status::Ok() : StoreError(db_, "begin"); }
  Status Commit() {
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return StoreError(db_, "commit");
    committed_ = true;
    return Status::Ok();
  }

 private:
  sqlite3* db_;
  bool begun_ = false;
  bool committed_ = false;
};

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS schemas (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  schema_type TEXT NOT NULL,
  canonical TEXT NOT NULL,
  references_json TEXT NOT NULL,
  schema TEXT NOT NULL,
  UNIQUE (schema_type, canonical, references_json)
);
CREATE TABLE IF NOT EXISTS subject_versions (
  subject TEXT NOT NULL,
  version INTEGER NOT NULL,
  schema_id INTEGER NOT NULL REFERENCES schemas(id),
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (subject, version)
);
CREATE INDEX IF NOT EXISTS subject_versions_by_schema ON subject_versions(schema_id);
-- subject '' holds the global level.
CREATE TABLE IF NOT EXISTS configs (
  subject TEXT PRIMARY KEY,
  compatibility TEXT NOT NULL
);
)sql";

void AddSchemaFields(json& out, const std::string& schema_type, const std::string& schema,
                     const std::string& references_json) {
  out["schema"] = schema;
  // Confluent leaves schemaType out for AVRO; clients default to AVRO when it is missing.
  if (schema_type != "AVRO") out["schemaType"] = schema_type;
  if (references_json != "[]") out["references"] = json::parse(references_json, nullptr, false);
}

Status SubjectNotFound(const std::string& subject) {
  return Error(RegistryError::kSubjectNotFound, "Subject '" + subject + "' not found.");
}

// Parses a version URL segment: a number in [1, 2^31-1], or "latest" / "-1" (returned as 0).
Result<int> ParseVersion(std::string_view version) {
  if (version == "latest" || version == "-1") return 0;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), value);
  if (ec != std::errc() || end != version.data() + version.size() || value < 1 || value > INT32_MAX) {
    return Error(RegistryError::kInvalidVersion,
                 "The specified version '" + std::string(version) +
                     "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }
  return static_cast<int>(value);
}

json RegisteredJson(const std::string& subject, const auto& row) {
  json out = {{"subject", subject}, {"version", row.version}, {"id", row.schema_id}};
  AddSchemaFields(out, row.schema_type, row.schema, row.references_json);
  return out;
}

}  // namespace

Result<std::unique_ptr<SchemaRegistryService>> SchemaRegistryService::Open(
    const std::string& data_file, std::shared_ptr<SchemaCompatibility> compatibility,
    std::string default_compatibility) {
  if (!compatibility) return Error(RegistryError::kInvalidArgument, "no SchemaCompatibility given");
  std::optional<std::string_view> level = ParseCompatibilityLevel(default_compatibility);
  if (!level) {
    return Error(RegistryError::kInvalidCompatibilityLevel,
                 "default compatibility '" + default_compatibility + "' is not a Confluent level");
  }
  const std::string path = data_file.empty() ? ":memory:" : data_file;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    Status st = Error(RegistryError::kStore, "open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close(db);
    return st;
  }
  auto service = std::unique_ptr<SchemaRegistryService>(
      new SchemaRegistryService(db, std::move(compatibility), std::string(*level)));
  sqlite3_busy_timeout(db, 5000);
  FLOE_RETURN_IF_ERROR(service->Exec("PRAGMA foreign_keys = ON"));
  if (path != ":memory:") FLOE_RETURN_IF_ERROR(service->Exec("PRAGMA journal_mode = WAL"));
  FLOE_RETURN_IF_ERROR(service->Exec(kSchemaSql).WithContext(path));
  return service;
}

SchemaRegistryService::SchemaRegistryService(sqlite3* db, std::shared_ptr<SchemaCompatibility> compatibility,
                                             std::string default_compatibility)
    : db_(db), compatibility_(std::move(compatibility)), default_compatibility_(std::move(default_compatibility)) {}

SchemaRegistryService::~SchemaRegistryService() { sqlite3_close(db_); }

Status SchemaRegistryService::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    Status st = Error(RegistryError::kStore, std::string("sqlite: ") + (message ? message : "error"));
    sqlite3_free(message);
    return st;
  }
  return Status::Ok();
}

Result<SchemaRegistryService::Candidate> SchemaRegistryService::ParseCandidate(const json& request) {
  if (!request.is_object() || !request.contains("schema") || !request["schema"].is_string()) {
    return Error(RegistryError::kInvalidSchema, "Request must be an object with a string field 'schema'");
  }
  Candidate candidate;
  candidate.schema = request["schema"].get<std::string>();
  candidate.schema_type = "AVRO";
  if (auto type = request.find("schemaType"); type != request.end() && !type->is_null()) {
    if (!type->is_string()) return Error(RegistryError::kInvalidSchema, "schemaType must be a string");
    candidate.schema_type = type->get<std::string>();
  }
  json references = json::array();
  if (auto refs = request.find("references"); refs != request.end() && !refs->is_null()) {
    if (!refs->is_array()) return Error(RegistryError::kInvalidSchema, "references must be an array");
    references = *refs;
  }
  candidate.references_json = references.dump();
  Result<std::string> canonical = compatibility_->Canonicalize(candidate.schema_type, candidate.schema);
  if (!canonical.ok()) {
    return Error(RegistryError::kInvalidSchema, "Invalid schema: " + canonical.status().ToString());
  }
  candidate.canonical = std::move(canonical).value();
  return candidate;
}

Result<std::string> SchemaRegistryService::EffectiveLevel(const std::string& subject) {
  Statement select(db_, "SELECT compatibility FROM configs WHERE subject = ?1 OR subject = '' "
                        "ORDER BY subject = '' LIMIT 1");
  select.Bind(1, subject);
  FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
  return row ? select.Text(0) : default_compatibility_;
}

Result<std::vector<SchemaRegistryService::VersionRow>> SchemaRegistryService::Versions(const std::string& subject,
                                                                                      bool include_deleted) {
  Statement select(db_,
                   "SELECT v.version, v.schema_id, v.deleted, s.schema_type, s.schema, s.references_json, s.canonical "
                   "FROM subject_versions v JOIN schemas s ON s.id = v.schema_id "
                   "WHERE v.subject = ?1 AND (?2 OR v.deleted = 0) ORDER BY v.version");
  select.Bind(1, subject).Bind(2, include_deleted ? 1 : 0);
  std::vector<VersionRow> rows;
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    rows.push_back(VersionRow{static_cast<int>(select.Int(0)), static_cast<int>(select.Int(1)), select.Int(2) != 0,
                              select.Text(3), select.Text(4), select.Text(5), select.Text(6)});
  }
  return rows;
}

Result<SchemaRegistryService::VersionRow> SchemaRegistryService::FindVersion(const std::string& subject,
                                                                            std::string_view version,
                                                                            bool include_deleted) {
  FLOE_ASSIGN_OR_RETURN(int wanted, ParseVersion(version));
  FLOE_ASSIGN_OR_RETURN(std::vector<VersionRow> rows, Versions(subject, include_deleted));
  if (rows.empty()) return SubjectNotFound(subject);
  if (wanted == 0) return rows.back();
  for (VersionRow& row : rows) {
    if (row.version == wanted) return std::move(row);
  }
  return Error(RegistryError::kVersionNotFound, "Version " + std::string(version) + " not found.");
}

Result<CompatVerdict> SchemaRegistryService::Check(const Candidate& candidate, const std::vector<VersionRow>& against,
                                                   std::string_view level) {
  std::vector<std::string> existing;
  existing.reserve(against.size());
  for (const VersionRow& row : against) {
    if (row.schema_type != candidate.schema_type && level != "NONE") {
      return CompatVerdict{false, {"Incompatible schema type: version " + std::to_string(row.version) + " is " +
                                   row.schema_type + ", the new schema is " + candidate.schema_type}};
    }
    existing.push_back(row.schema);
  }
  Result<CompatVerdict> verdict = compatibility_->Check(candidate.schema_type, candidate.schema, existing, level);
  if (!verdict.ok()) return Error(RegistryError::kInvalidSchema, "Invalid schema: " + verdict.status().ToString());
  return verdict;
}

Result<json> SchemaRegistryService::GetSchemaById(int id) {
  std::lock_guard lock(mu_);
  Statement select(db_, "SELECT schema_type, schema, references_json FROM schemas WHERE id = ?1");
  select.Bind(1, id);
  FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return Error(RegistryError::kSchemaNotFound, "Schema " + std::to_string(id) + " not found");
  json out = json::object();
  AddSchemaFields(out, select.Text(0), select.Text(1), select.Text(2));
  return out;
}

Result<json> SchemaRegistryService::GetSchemaVersionsById(int id) {
  std::lock_guard lock(mu_);
  Statement exists(db_, "SELECT 1 FROM schemas WHERE id = ?1");
  exists.Bind(1, id);
  FLOE_ASSIGN_OR_RETURN(bool found, exists.Step());
  if (!found) return Error(RegistryError::kSchemaNotFound, "Schema " + std::to_string(id) + " not found");
  Statement select(db_, "SELECT subject, version FROM subject_versions WHERE schema_id = ?1 AND deleted = 0 "
                        "ORDER BY subject, version");
  select.Bind(1, id);
  json out = json::array();
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    out.push_back({{"subject", select.Text(0)}, {"version", select.Int(1)}});
  }
  return out;
}

Result<json> SchemaRegistryService::GetSchemaSubjectsById(int id) {
  FLOE_ASSIGN_OR_RETURN(json versions, GetSchemaVersionsById(id));
  json out = json::array();
  for (const json& entry : versions) {
    if (out.empty() || out.back() != entry["subject"]) out.push_back(entry["subject"]);
  }
  return out;
}

Result<json> SchemaRegistryService::ListSubjects(bool include_deleted) {
  std::lock_guard lock(mu_);
  Statement select(db_, "SELECT DISTINCT subject FROM subject_versions WHERE ?1 OR deleted = 0 ORDER BY subject");
  select.Bind(1, include_deleted ? 1 : 0);
  json out = json::array();
  while (true) {
    FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    out.push_back(select.Text(0));
  }
  return out;
}

Result<json> SchemaRegistryService::ListVersions(const std::string& subject, bool include_deleted) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(std::vector<VersionRow> rows, Versions(subject, include_deleted));
  if (rows.empty()) return SubjectNotFound(subject);
  json out = json::array();
  for (const VersionRow& row : rows) out.push_back(row.version);
  return out;
}

Result<json> SchemaRegistryService::GetVersion(const std::string& subject, std::string_view version,
                                               bool include_deleted) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(VersionRow row, FindVersion(subject, version, include_deleted));
  return RegisteredJson(subject, row);
}

Result<json> SchemaRegistryService::Register(const std::string& subject, const json& request) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Candidate candidate, ParseCandidate(request));
  FLOE_ASSIGN_OR_RETURN(std::vector<VersionRow> live, Versions(subject, false));
  for (const VersionRow& row : live) {
    if (row.schema_type == candidate.schema_type && row.canonical == candidate.canonical &&
        row.references_json == candidate.references_json) {
      return json{{"id", row.schema_id}};
    }
  }
  if (!live.empty()) {
    FLOE_ASSIGN_OR_RETURN(std::string level, EffectiveLevel(subject));
    FLOE_ASSIGN_OR_RETURN(CompatVerdict verdict, Check(candidate, live, level));
    if (!verdict.compatible) {
      json details = verdict.messages;
      return Error(RegistryError::kIncompatibleSchema,
                   "Schema being registered is incompatible with an earlier schema for subject \"" + subject +
                       "\" (" + level + "), details: " + details.dump());
    }
  }

  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.begin_status());
  Statement insert_schema(db_,
                          "INSERT INTO schemas (schema_type, canonical, references_json, schema) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (schema_type, canonical, references_json) DO NOTHING");
  insert_schema.Bind(1, candidate.schema_type).Bind(2, candidate.canonical).Bind(3, candidate.references_json);
  insert_schema.Bind(4, candidate.schema);
  FLOE_RETURN_IF_ERROR(insert_schema.Run());
  Statement select_id(db_, "SELECT id FROM schemas WHERE schema_type = ?1 AND canonical = ?2 AND references_json = ?3");
  select_id.Bind(1, candidate.schema_type).Bind(2, candidate.canonical).Bind(3, candidate.references_json);
  FLOE_ASSIGN_OR_RETURN(bool found, select_id.Step());
  if (!found) return Error(RegistryError::kStore, "schema row vanished after insert");
  const int64_t id = select_id.Int(0);
  // Version numbers continue after deleted versions, as in Confluent: a number never names two schemas.
  Statement insert_version(db_,
                           "INSERT INTO subject_versions (subject, version, schema_id) "
                           "SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2 FROM subject_versions WHERE subject = ?1");
  insert_version.Bind(1, subject).Bind(2, id);
  FLOE_RETURN_IF_ERROR(insert_version.Run());
  FLOE_RETURN_IF_ERROR(txn.Commit());
  return json{{"id", id}};
}

Result<json> SchemaRegistryService::Lookup(const std::string& subject, const json& request, bool include_deleted) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Candidate candidate, ParseCandidate(request));
  FLOE_ASSIGN_OR_RETURN(std::vector<VersionRow> rows, Versions(subject, include_deleted));
  if (rows.empty()) return SubjectNotFound(subject);
  for (const VersionRow& row : rows) {
    if (row.schema_type == candidate.schema_type && row.canonical == candidate.canonical &&
        row.references_json == candidate.references_json) {
      return RegisteredJson(subject, row);
    }
  }
  return Error(RegistryError::kSchemaNotFound, "Schema not found under subject '" + subject + "'");
}

Result<json> SchemaRegistryService::DeleteSubject(const std::string& subject, bool permanent) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(std::vector<VersionRow> rows, Versions(subject, true));
  if (rows.empty()) return SubjectNotFound(subject);
  json deleted = json::array();
  Transaction txn(db_);
  FLOE_RETURN_IF_ERROR(txn.begin_status());
  if (permanent) {
    for (const VersionRow& row : rows) {
      if (!row.deleted) {
        return Error(RegistryError::kSubjectNotSoftDeleted,
                     "Subject '" + subject + "' was not deleted first before being permanently deleted");
      }
      deleted.push_back(row.version);
    }
    Statement remove(db_, "DELETE FROM subject_versions WHERE subject = ?1");
    remove.Bind(1, subject);
    FLOE_RETURN_IF_ERROR(remove.Run());
    Statement remove_config(db_, "DELETE FROM configs WHERE subject = ?1");
    remove_config.Bind(1, subject);
    FLOE_RETURN_IF_ERROR(remove_config.Run());
  } else {
    for (const VersionRow& row : rows) {
      if (!row.deleted) deleted.push_back(row.version);
    }
    if (deleted.empty()) return SubjectNotFound(subject);
    Statement mark(db_, "UPDATE subject_versions SET deleted = 1 WHERE subject = ?1");
    mark.Bind(1, subject);
    FLOE_RETURN_IF_ERROR(mark.Run());
  }
  FLOE_RETURN_IF_ERROR(txn.Commit());
  return deleted;
}

Result<json> SchemaRegistryService::DeleteVersion(const std::string& subject, std::string_view version,
                                                  bool permanent) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(VersionRow row, FindVersion(subject, version, /*include_deleted=*/permanent));
  if (permanent && !row.deleted) {
    return Error(RegistryError::kVersionNotSoftDeleted,
                 "Subject '" + subject + "' Version " + std::to_string(row.version) +
                     " was not deleted first before being permanently deleted");
  }
  Statement change(db_, permanent ? "DELETE FROM subject_versions WHERE subject = ?1 AND version = ?2"
                                  : "UPDATE subject_versions SET deleted = 1 WHERE subject = ?1 AND version = ?2");
  change.Bind(1, subject).Bind(2, row.version);
  FLOE_RETURN_IF_ERROR(change.Run());
  return json(row.version);
}

Result<json> SchemaRegistryService::TestCompatibility(const std::string& subject,
                                                      std::optional<std::string_view> version, const json& request,
                                                      bool verbose) {
  std::lock_guard lock(mu_);
  FLOE_ASSIGN_OR_RETURN(Candidate candidate, ParseCandidate(request));
  std::vector<VersionRow> against;
  if (version) {
    FLOE_ASSIGN_OR_RETURN(VersionRow row, FindVersion(subject, *version, false));
    against.push_back(std::move(row));
  } else {
    FLOE_ASSIGN_OR_RETURN(against, Versions(subject, false));
  }
  CompatVerdict verdict;
  if (!against.empty()) {
    FLOE_ASSIGN_OR_RETURN(std::string level, EffectiveLevel(subject));
    FLOE_ASSIGN_OR_RETURN(verdict, Check(candidate, against, level));
  }
  json out = {{"is_compatible", verdict.compatible}};
  if (verbose) out["messages"] = verdict.messages;
  return out;
}

Result<json> SchemaRegistryService::GetConfig(const std::string& subject, bool default_to_global) {
  std::lock_guard lock(mu_);
  if (!subject.empty() && !default_to_global) {
    Statement select(db_, "SELECT compatibility FROM configs WHERE subject = ?1");
    select.Bind(1, subject);
    FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) {
      return Error(RegistryError::kSubjectLevelConfigNotFound,
                   "Subject '" + subject + "' does not have subject-level compatibility configured");
    }
    return json{{"compatibilityLevel", select.Text(0)}};
  }
  FLOE_ASSIGN_OR_RETURN(std::string level, EffectiveLevel(subject));
  return json{{"compatibilityLevel", level}};
}

Result<json> SchemaRegistryService::SetConfig(const std::string& subject, const json& request) {
  std::lock_guard lock(mu_);
  std::optional<std::string_view> level;
  if (request.is_object() && request.contains("compatibility") && request["compatibility"].is_string()) {
    level = ParseCompatibilityLevel(request["compatibility"].get<std::string>());
  }
  if (!level) {
    return Error(RegistryError::kInvalidCompatibilityLevel,
                 "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, "
                 "forward_transitive, and full_transitive");
  }
  Statement upsert(db_, "INSERT INTO configs (subject, compatibility) VALUES (?1, ?2) "
                        "ON CONFLICT (subject) DO UPDATE SET compatibility = excluded.compatibility");
  upsert.Bind(1, subject).Bind(2, *level);
  FLOE_RETURN_IF_ERROR(upsert.Run());
  return json{{"compatibility", *level}};
}

Result<json> SchemaRegistryService::DeleteConfig(const std::string& subject) {
  std::lock_guard lock(mu_);
  Statement select(db_, "SELECT compatibility FROM configs WHERE subject = ?1");
  select.Bind(1, subject);
  FLOE_ASSIGN_OR_RETURN(bool row, select.Step());
  std::string previous = row ? select.Text(0) : std::string();
  if (!row) {
    if (!subject.empty()) return SubjectNotFound(subject);
    previous = default_compatibility_;
  }
  Statement remove(db_, "DELETE FROM configs WHERE subject = ?1");
  remove.Bind(1, subject);
  FLOE_RETURN_IF_ERROR(remove.Run());
  return json{{"compatibilityLevel", previous}};
}

}  // namespace floe::registry
