// floe store, floe parquet, floe registry: operator tools over the storage, Parquet and registry modules.
#include <iostream>

#include "archive/store_settings.h"
#include "cli/commands.h"
#include "config/config.h"
#include "parquet/tools.h"
#include "registry/avro_compatibility.h"
#include "registry/registry_server.h"
#include "storage/store_commands.h"

namespace floe::cli {
namespace {

void ExitOnError(const Status& st, const char* what) {
  if (st.ok()) return;
  std::cerr << what << ": " << st.ToString() << "\n";
  throw ExitCode{1};
}

}  // namespace

void AddStoreCommand(CLI::App& app) {
  struct Options {
    std::string config_file;
    std::string url;
    std::string a, b;
    bool recursive = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("store", "Inspect and change an object store (a lake's file:// or s3:// store)");
  cmd->require_subcommand(1);
  cmd->add_option("--config", o->config_file, "Take store.url and s3.* settings from this floe configuration");
  cmd->add_option("--url", o->url, "Store URL (file:///path or s3://bucket/prefix); overrides --config's");
  auto open = [o]() {
    config::SettingValues worker;
    if (!o->config_file.empty()) {
      auto c = config::LoadConfigFile(o->config_file);
      ExitOnError(c.status(), "invalid configuration");
      worker = c->worker;
    }
    if (!o->url.empty()) ExitOnError(worker.Set("store.url", o->url, config::SettingScope::kWorker), "--url");
    if (o->config_file.empty() && o->url.empty()) {
      std::cerr << "floe store: give --url or --config\n";
      throw ExitCode{2};
    }
    auto store = archive::OpenStoreFromSettings(worker);
    ExitOnError(store.status(), "cannot open store");
    return std::move(store).value();
  };
  auto* ls = cmd->add_subcommand("ls", "List keys under a prefix");
  ls->add_option("prefix", o->a, "Key prefix");
  ls->add_flag("-r,--recursive", o->recursive, "List every key instead of one level");
  ls->callback([o, open] { ExitOnError(storage::RunStoreLs(*open(), o->a, o->recursive, std::cout), "ls"); });
  auto* cat = cmd->add_subcommand("cat", "Write an object to standard output");
  cat->add_option("key", o->a, "Object key")->required();
  cat->callback([o, open] { ExitOnError(storage::RunStoreCat(*open(), o->a, std::cout), "cat"); });
  auto* put = cmd->add_subcommand("put", "Upload a local file (- for standard input) under a key, atomically");
  put->add_option("file", o->b, "Local file")->required();
  put->add_option("key", o->a, "Object key")->required();
  put->callback([o, open] { ExitOnError(storage::RunStorePut(*open(), o->a, o->b, std::cout), "put"); });
}

void AddParquetCommand(CLI::App& app) {
  struct Options {
    std::string file;
    std::vector<std::string> columns;
    uint64_t limit = UINT64_MAX;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("parquet", "Look inside Parquet files");
  cmd->require_subcommand(1);
  auto* inspect = cmd->add_subcommand("inspect", "Schema, row groups, encodings, sizes, statistics, metadata");
  inspect->add_option("file", o->file, "Parquet file")->required();
  inspect->callback([o] { ExitOnError(parquet::InspectParquet(o->file, std::cout), "inspect"); });
  auto* cat = cmd->add_subcommand("cat", "Rows as JSON lines");
  cat->add_option("file", o->file, "Parquet file")->required();
  cat->add_option("--columns", o->columns, "Top-level columns to print (default: all)")->delimiter(',');
  cat->add_option("--limit", o->limit, "At most this many rows");
  cat->callback([o] {
    parquet::CatOptions options;
    options.columns = o->columns;
    options.limit = o->limit;
    ExitOnError(parquet::CatParquet(o->file, std::cout, options), "cat");
  });
}

void AddRegistryCommand(CLI::App& app) {
  auto options = std::make_shared<registry::RegistryServerOptions>();
  auto* cmd = app.add_subcommand("registry", "The embedded Confluent-compatible Schema Registry");
  cmd->require_subcommand(1);
  auto* serve = cmd->add_subcommand("serve", "Serve the Schema Registry REST API (SQLite-backed) until SIGTERM");
  serve->add_option("--host", options->host, "Address to listen on");
  serve->add_option("--port", options->port, "Port (0: any free port, printed on start)");
  serve->add_option("--data", options->data_file, "SQLite file holding the schemas (default: in memory)");
  serve->add_option("--default-compatibility", options->default_compatibility,
                    "Global compatibility level until PUT /config sets one");
  serve->callback([options] {
    ExitOnError(registry::RunRegistryServer(*options, std::make_shared<registry::AvroSchemaCompatibility>(),
                                            [&](int port) {
                                              std::cout << "schema registry listening on http://" << options->host
                                                        << ":" << port << std::endl;
                                            }),
                "registry");
  });
}

}  // namespace floe::cli
