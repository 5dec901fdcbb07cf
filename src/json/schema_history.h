// SchemaHistory: the durable, shared list of a table's JSON schema versions, so that every worker and every
// restart agrees on what `v=<N>` means.
//
// A version is an Avro schema (json/inferred_schema.h ToAvroSchema). Versions only grow: version N+1 is
// created when a record does not fit version N, and accepts everything N accepts.
//
// ObjectStoreSchemaHistory keeps `<table dir>/_schemas/v=<N>.avsc` in the lake's store (underscore
// directories are ignored by Hive, Athena, Spark and Trino). Create is create-if-absent by convention: it
// reads first, writes only a missing version and then reads back what the store holds, so a worker that
// loses a race adopts the winner's schema. ObjectStore has no conditional put, so two workers that both find
// version N missing and write within the same instant can still both believe they won (last writer wins in
// the store); src/json/README.md describes what that costs and how the decoder converges.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/object_store.h"

namespace floe::json {

struct SchemaVersion {
  int64_t version = 0;  // 1, 2, ...
  std::string avsc;
};

class SchemaHistory {
 public:
  virtual ~SchemaHistory() = default;
  // The highest stored version of the table (`table_dir` is "<database>/<table>"); nullopt when none.
  virtual Result<std::optional<SchemaVersion>> Latest(std::string_view table_dir) = 0;
  // Stores `avsc` as `version` unless that version exists; returns what the version holds afterwards: ours,
  // or the schema another worker stored first.
  virtual Result<SchemaVersion> Create(std::string_view table_dir, int64_t version, std::string_view avsc) = 0;
};

class ObjectStoreSchemaHistory final : public SchemaHistory {
 public:
  explicit ObjectStoreSchemaHistory(storage::ObjectStore& store) : store_(store) {}
  Result<std::optional<SchemaVersion>> Latest(std::string_view table_dir) override;
  Result<SchemaVersion> Create(std::string_view table_dir, int64_t version, std::string_view avsc) override;

  static std::string KeyOf(std::string_view table_dir, int64_t version);

 private:
  storage::ObjectStore& store_;
};

// In-memory history with true create-if-absent, for tests and single-process tools. Thread-safe.
class MemorySchemaHistory final : public SchemaHistory {
 public:
  Result<std::optional<SchemaVersion>> Latest(std::string_view table_dir) override;
  Result<SchemaVersion> Create(std::string_view table_dir, int64_t version, std::string_view avsc) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::map<int64_t, std::string>, std::less<>> tables_;
};

}  // namespace floe::json
