#include "catalog/sql_db.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "catalog/catalog_error.h"

namespace floe::catalog {
namespace {

class SqliteDb final : public SqlDb {
 public:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  ~SqliteDb() override { sqlite3_close(db_); }
  std::string_view engine() const override { return "sqlite"; }

  Status Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Run(sql, params, nullptr);
  }
  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    FLOE_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

 private:
  Status Fail(std::string_view sql) const {
    const int code = sqlite3_errcode(db_);
    const bool busy = code == SQLITE_BUSY || code == SQLITE_LOCKED;
    return Error(busy ? CatalogError::kUnavailable : CatalogError::kDatabase,
                 std::string("sqlite: ") + sqlite3_errmsg(db_) + " in: " + std::string(sql.substr(0, 120)));
  }
  Status Run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
    ++requests_;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
      return Fail(sql);
    }
    for (size_t i = 0; i < params.size(); ++i) {
      const int idx = static_cast<int>(i + 1);
      if (auto* v = std::get_if<int64_t>(&params[i])) {
        sqlite3_bind_int64(stmt, idx, *v);
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(stmt, idx);
      }
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!rows) continue;
      SqlRow row;
      const int n = sqlite3_column_count(stmt);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
          row.emplace_back(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, c))));
        }
      }
      rows->push_back(std::move(row));
    }
    Status st = rc == SQLITE_DONE ? Status::Ok() : Fail(sql);
    sqlite3_finalize(stmt);
    return st;
  }
  sqlite3* db_;
};

// Switching a new database file to WAL takes an exclusive lock, and when two workers open a shared catalog at
// the same instant SQLite answers the loser SQLITE_BUSY at once instead of calling the busy handler (it would
// deadlock waiting). The mode is persistent, so the loser only has to ask again once the winner is done.
Status SwitchToWal(SqlDb& db) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (true) {
    Status st = db.Exec("PRAGMA journal_mode=WAL");
    if (st.ok() || !st.Is(CatalogError::kUnavailable) ||
        std::chrono::steady_clock::now() >= deadline) {
      return st;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

class PostgresDb final : public SqlDb {
 public:
  explicit PostgresDb(PGconn* conn) : conn_(conn) {}
  ~PostgresDb() override { PQfinish(conn_); }
  std::string_view engine() const override { return "postgresql"; }

  Status Exec(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Run(sql, params, nullptr);
  }
  Result<std::vector<SqlRow>> Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    FLOE_RETURN_IF_ERROR(Run(sql, params, &rows));
    return rows;
  }

 private:
  Status Run(std::string_view sql, const std::vector<SqlValue>& params, std::vector<SqlRow>* rows) {
    ++requests_;
    std::string text;
    text.reserve(sql.size() + params.size() * 3);
    int n = 0;
    for (char c : sql) {
      if (c == '?') {
        text += "$" + std::to_string(++n);
      } else {
        text += c;
      }
    }
    std::vector<std::string> storage(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto* v = std::get_if<int64_t>(&params[i])) {
        storage[i] = std::to_string(*v);
        values[i] = storage[i].c_str();
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        values[i] = s->c_str();
      }
    }
    PGresult* res = PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                 nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const bool down = PQstatus(conn_) != CONNECTION_OK;
      Status st = Error(down ? CatalogError::kUnavailable : CatalogError::kDatabase,
                        std::string("postgresql: ") + PQerrorMessage(conn_) + " in: " + text.substr(0, 120));
      PQclear(res);
      return st;
    }
    if (rows) {
      const int nrows = PQntuples(res), ncols = PQnfields(res);
      for (int r = 0; r < nrows; ++r) {
        SqlRow row;
        for (int c = 0; c < ncols; ++c) {
          if (PQgetisnull(res, r, c)) {
            row.emplace_back(std::nullopt);
          } else {
            row.emplace_back(std::string(PQgetvalue(res, r, c), static_cast<size_t>(PQgetlength(res, r, c))));
          }
        }
        rows->push_back(std::move(row));
      }
    }
    PQclear(res);
    return Status::Ok();
  }
  PGconn* conn_;
};

}  // namespace

Result<std::unique_ptr<SqlDb>> OpenSqlDb(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    PGconn* conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string msg = PQerrorMessage(conn);
      PQfinish(conn);
      return Error(CatalogError::kUnavailable, "postgresql: cannot connect: " + msg);
    }
    PGresult* res = PQexec(conn, "SET client_min_messages TO warning");
    PQclear(res);
    return std::unique_ptr<SqlDb>(new PostgresDb(conn));
  }
  std::string path;
  if (url == "sqlite::memory:") {
    path = ":memory:";
  } else if (url.rfind("sqlite://", 0) == 0) {
    path = url.substr(9);
  } else {
    return Error(CatalogError::kInvalidArgument,
                 "catalog.url '" + url + "': expected sqlite:///path or postgresql://...");
  }
  if (path.empty()) return Error(CatalogError::kInvalidArgument, "catalog.url '" + url + "': no path");
  if (path != ":memory:") {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error(CatalogError::kUnavailable, "sqlite: cannot open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10'000);
  auto out = std::unique_ptr<SqlDb>(new SqliteDb(db));
  if (path != ":memory:") FLOE_RETURN_IF_ERROR(SwitchToWal(*out));
  FLOE_RETURN_IF_ERROR(out->Exec("PRAGMA synchronous=NORMAL"));
  return out;
}

}  // namespace floe::catalog
