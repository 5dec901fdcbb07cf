// SqlDb: the two SQL engines the catalog runs on (SQLite embedded, PostgreSQL for many workers) behind one
// small interface, so the catalog store is one body of SQL for both.
//
// Statements use '?' placeholders (rewritten to $n for PostgreSQL) and only SQL both engines accept:
// TEXT/BIGINT columns, composite primary keys, INSERT .. ON CONFLICT .. DO NOTHING / DO UPDATE.
// Not thread-safe: one connection, used by one thread at a time (the catalog serialises its users).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace floe::catalog {

using SqlValue = std::variant<std::nullptr_t, int64_t, std::string>;
using SqlRow = std::vector<std::optional<std::string>>;

class SqlDb {
 public:
  virtual ~SqlDb() = default;
  virtual Status Exec(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params = {}) = 0;
  // Statements sent so far (the catalog's cost measure: one per round trip to PostgreSQL).
  uint64_t requests() const { return requests_; }
  virtual std::string_view engine() const = 0;  // "sqlite" | "postgresql"

 protected:
  uint64_t requests_ = 0;
};

// sqlite:///abs/path.db, sqlite://relative/path.db, sqlite::memory:, postgresql://... or postgres://...
// SQLite databases are created (with their directory) when missing and run in WAL mode.
Result<std::unique_ptr<SqlDb>> OpenSqlDb(const std::string& url);

}  // namespace floe::catalog
