#include "catalog/test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "avro/container.h"
#include "avro/json_codec.h"
#include "columnar/column_buffer.h"
#include "common/byte_sink.h"
#include "parquet/file_writer.h"

namespace floe::catalog::testing {
namespace fs = std::filesystem;
namespace {

int FreePort() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(s);
  return port;
}

std::string PgBin() {
  for (const char* v : {"17", "16", "15", "14", "13"}) {
    std::string dir = std::string("/usr/lib/postgresql/") + v + "/bin";
    if (fs::exists(dir + "/initdb") && fs::exists(dir + "/pg_ctl")) return dir;
  }
  return "";
}

struct PostgresServer {
  std::string dir;
  std::string bin;
  int port = 0;
  bool as_postgres = false;
  std::string error;

  std::string Run(const std::string& cmd) const {
    return as_postgres ? "runuser -u postgres -- " + cmd : cmd;
  }
  bool Start() {
    bin = PgBin();
    if (bin.empty()) {
      error = "PostgreSQL server binaries (initdb, pg_ctl) are not installed (apt-get install postgresql-15)";
      return false;
    }
    as_postgres = ::geteuid() == 0;
    dir = (fs::temp_directory_path() / ("floe-catalog-pg-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir);
    fs::create_directories(dir);
    if (as_postgres && std::system(("chown postgres " + dir).c_str()) != 0) {
      error = "cannot chown " + dir + " to postgres";
      return false;
    }
    port = FreePort();
    const std::string data = dir + "/data";
    if (std::system(Run(bin + "/initdb -D " + data + " -U postgres --auth=trust -E UTF8 >" + dir +
                        "/initdb.log 2>&1").c_str()) != 0) {
      error = "initdb failed, see " + dir + "/initdb.log";
      return false;
    }
    const std::string opts = "-p " + std::to_string(port) + " -k " + dir +
                             " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
    if (std::system(Run(bin + "/pg_ctl -D " + data + " -o '" + opts + "' -l " + dir + "/server.log -w start >" +
                        dir + "/pg_ctl.log 2>&1").c_str()) != 0) {
      error = "pg_ctl start failed, see " + dir + "/server.log";
      return false;
    }
    return true;
  }
  ~PostgresServer() {
    if (port && !bin.empty()) {
      int rc = std::system(Run(bin + "/pg_ctl -D " + dir + "/data -m immediate stop >/dev/null 2>&1").c_str());
      (void)rc;
    }
    if (!dir.empty()) fs::remove_all(dir);
  }
};

}  // namespace

bool PostgresInstalled() { return !PgBin().empty(); }

std::string TempDir() {
  static const std::string dir = [] {
    auto p = fs::temp_directory_path() / ("floe-catalog-test-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return p.string();
  }();
  return dir;
}

std::string FreshSqliteUrl() {
  static std::atomic<int> n{0};
  return "sqlite://" + TempDir() + "/catalog-" + std::to_string(++n) + ".db";
}

std::string FreshPostgresUrl(std::string* why) {
  static std::mutex mu;
  static PostgresServer* server = nullptr;
  static bool tried = false;
  static int n = 0;
  std::lock_guard lock(mu);
  if (!tried) {
    tried = true;
    static PostgresServer instance;  // stopped at exit
    if (instance.Start()) server = &instance;
    else *why = instance.error;
  }
  if (!server) {
    if (why->empty()) *why = "PostgreSQL did not start";
    return "";
  }
  const std::string base = "postgresql://postgres@127.0.0.1:" + std::to_string(server->port);
  const std::string db = "catalog_" + std::to_string(++n);
  PGconn* conn = PQconnectdb((base + "/postgres").c_str());
  PGresult* res = PQexec(conn, ("CREATE DATABASE " + db).c_str());
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  if (!ok) *why = std::string("CREATE DATABASE failed: ") + PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  return ok ? base + "/" + db : "";
}

std::string ParquetBytes(const columnar::Schema& schema, int rows, int64_t first_offset,
                         const std::vector<std::pair<std::string, std::string>>& key_values) {
  parquet::WriterOptions options;
  options.key_value_metadata = key_values;
  auto w = parquet::ParquetFileWriter::Open(schema, options, TempDir(), nullptr);
  if (!w.ok()) return "";
  columnar::ColumnarBatch batch(schema);
  for (int i = 0; i < rows; ++i) {
    for (size_t c = 0; c < schema.num_leaves(); ++c) {
      const auto& leaf = schema.leaves()[c];
      auto& col = batch.column(c);
      const int16_t def = leaf.max_definition_level;
      switch (leaf.node->physical) {
        case columnar::PhysicalType::kInt32: col.AppendInt32(i, def, 0); break;
        case columnar::PhysicalType::kInt64:
          col.AppendInt64(leaf.node->name == "_kafka_offset" ? first_offset + i : i, def, 0);
          break;
        case columnar::PhysicalType::kDouble: col.AppendDouble(i * 0.5, def, 0); break;
        default: col.AppendBytes("s" + std::to_string(i), def, 0); break;
      }
    }
    batch.EndRecord();
  }
  if (!(*w)->Append(batch).ok()) return "";
  StringByteSink sink;
  if (!(*w)->Close(sink).ok()) return "";
  return sink.contents();
}

std::string AvroFileBytes(const std::string& schema_json, const std::vector<nlohmann::json>& datums) {
  auto schema = avro::Schema::Parse(schema_json);
  if (!schema.ok()) return "";
  StringByteSink sink;
  auto writer = avro::OcfWriter::Open(&sink, *schema, {.codec = avro::OcfCodec::kZstd});
  if (!writer.ok()) return "";
  std::string datum;
  for (const auto& d : datums) {
    datum.clear();
    if (!avro::EncodeJson(*schema, d, datum).ok() || !writer->Append(datum).ok()) return "";
  }
  if (!writer->Finish().ok()) return "";
  return sink.contents();
}

archive::FileCommittedEvent MakeEvent(const std::string& table, const std::string& version, const std::string& dt,
                                      const std::string& hour, int32_t partition, int64_t first_offset,
                                      uint64_t records, uint64_t bytes, const std::string& format) {
  archive::FileCommittedEvent e;
  e.topic = table;
  e.partition = partition;
  e.database = "default";
  e.table = table;
  e.schema_version = version;
  e.partition_values = {{"v", version}, {"dt", dt}, {"hour", hour}};
  e.key = "default/" + table + "/v=" + version + "/dt=" + dt + "/hour=" + hour + "/" + table + "+" +
          std::to_string(partition) + "+" + std::to_string(first_offset) + "." + format;
  e.format = format;
  e.records = records;
  e.bytes = bytes;
  e.first_offset = first_offset;
  e.last_offset = first_offset + static_cast<int64_t>(records) - 1;
  return e;
}

}  // namespace floe::catalog::testing
