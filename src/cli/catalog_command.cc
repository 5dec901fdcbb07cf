// floe catalog: look at the table catalog, print DDL, rebuild it from the lake, run it as a service.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "catalog/catalog.h"
#include "catalog/catalog_service.h"
#include "catalog/ddl.h"
#include "catalog/rebuild.h"
#include "catalog/s3_event.h"
#include "catalog/worker_catalog.h"
#include "cli/commands.h"
#include "common/time_util.h"
#include "config/config.h"

namespace floe::cli {
namespace {

struct CatalogArgs {
  std::string config_file;
  std::string store_url;
  std::string catalog_url;
};

void AddCommonOptions(CLI::App* cmd, CatalogArgs& a) {
  cmd->add_option("--config", a.config_file, "YAML configuration file (store.url, catalog.url, path.format, ...)");
  cmd->add_option("--store", a.store_url, "The lake's store.url (overrides the configuration)");
  cmd->add_option("--catalog", a.catalog_url,
                  "catalog.url (overrides the configuration; default: _floe/catalog.db in a local lake)");
}

[[noreturn]] void Fail(const Status& st, int code = 1) {
  std::cerr << "floe catalog: " << st.ToString() << "\n";
  throw ExitCode{code};
}

config::Config LoadConfig(const CatalogArgs& a) {
  // Without a file: the defaults (no connectors: the default path.format).
  Result<config::Config> config = config::Config{};
  if (!a.config_file.empty()) config = config::LoadConfigFile(a.config_file);
  if (!config.ok()) Fail(config.status(), 2);
  if (!a.store_url.empty()) {
    if (Status st = config->worker.Set("store.url", a.store_url, config::SettingScope::kWorker); !st.ok()) Fail(st, 2);
  }
  if (!a.catalog_url.empty()) {
    if (Status st = config->worker.Set("catalog.url", a.catalog_url, config::SettingScope::kWorker); !st.ok()) {
      Fail(st, 2);
    }
  }
  return std::move(*config);
}

std::unique_ptr<catalog::WorkerCatalog> Open(const CatalogArgs& a) {
  config::Config config = LoadConfig(a);
  if (catalog::ResolveCatalogUrl(config.worker).empty()) {
    std::cerr << "floe catalog: no catalog: set catalog.url (or --catalog), or point --store at a local lake\n";
    throw ExitCode{2};
  }
  auto wc = catalog::OpenWorkerCatalog(config, /*start=*/false);
  if (!wc.ok()) Fail(wc.status());
  return std::move(*wc);
}

catalog::TableInfo FindTable(catalog::CatalogStore& store, const std::string& name) {
  auto tables = store.ListTables();
  if (!tables.ok()) Fail(tables.status());
  for (auto& t : *tables) {
    if (name == t.name || name == t.database + "." + t.name) return t;
  }
  std::cerr << "floe catalog: no table '" << name << "'\n";
  throw ExitCode{1};
}

std::string Time(int64_t micros) { return micros ? FormatRfc3339Micros(micros) : "-"; }

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

}  // namespace

void AddCatalogCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("catalog", "The table catalog: tables, schemas, partitions, DDL, rebuild");
  cmd->require_subcommand(1);
  auto args = std::make_shared<CatalogArgs>();

  auto* tables = cmd->add_subcommand("tables", "List the tables");
  AddCommonOptions(tables, *args);
  tables->callback([args] {
    auto wc = Open(*args);
    wc->catalog->WithStore([](catalog::CatalogStore& s) {
      auto list = s.ListTables();
      if (!list.ok()) Fail(list.status());
      std::printf("%-32s %-8s %8s %10s %8s %12s %14s\n", "table", "format", "versions", "partitions", "files", "rows",
                  "bytes");
      for (const auto& t : *list) {
        auto versions = s.ListSchemaVersions(t.database, t.name);
        auto parts = s.ListPartitions(t.database, t.name);
        if (!versions.ok()) Fail(versions.status());
        if (!parts.ok()) Fail(parts.status());
        uint64_t files = 0, rows = 0, bytes = 0;
        for (const auto& p : *parts) {
          files += p.files;
          rows += p.records;
          bytes += p.bytes;
        }
        std::printf("%-32s %-8s %8zu %10zu %8llu %12llu %14llu%s\n", (t.database + "." + t.name).c_str(),
                    t.format.c_str(), versions->size(), parts->size(), static_cast<unsigned long long>(files),
                    static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes),
                    t.conflicts.empty() ? "" : "  (schema conflicts: see describe)");
      }
    });
  });

  auto table_name = std::make_shared<std::string>();
  auto* describe = cmd->add_subcommand("describe", "Show a table: location, columns, schema versions, conflicts");
  AddCommonOptions(describe, *args);
  describe->add_option("table", *table_name, "table or database.table")->required();
  describe->callback([args, table_name] {
    auto wc = Open(*args);
    wc->catalog->WithStore([&](catalog::CatalogStore& s) {
      catalog::TableInfo t = FindTable(s, *table_name);
      std::cout << "table      " << t.database << "." << t.name << "\n"
                << "location   " << t.location << "\n"
                << "format     " << t.format << "\n"
                << "partitions " << Join(t.partition_keys, ", ") << "\n"
                << "created    " << Time(t.created_at) << "\n"
                << "updated    " << Time(t.updated_at) << "\n"
                << "columns\n";
      for (const auto& c : t.columns) std::cout << "  " << c.name << " " << c.type.ToString() << "\n";
      auto versions = s.ListSchemaVersions(t.database, t.name);
      if (!versions.ok()) Fail(versions.status());
      std::cout << "schema versions\n";
      for (const auto& v : *versions) {
        std::cout << "  v=" << v.version << "  " << v.source << "  " << v.columns.size() << " columns";
        if (!v.added.empty()) std::cout << "  added: " << Join(v.added, ", ");
        if (!v.widened.empty()) std::cout << "  widened: " << Join(v.widened, ", ");
        if (!v.conflicts.empty()) std::cout << "  CONFLICTS (kept apart): " << Join(v.conflicts, ", ");
        std::cout << "\n";
      }
      if (!t.conflicts.empty()) std::cout << "conflicts\n  " << Join(t.conflicts, "\n  ") << "\n";
    });
  });

  auto part_table = std::make_shared<std::string>();
  auto* partitions = cmd->add_subcommand("partitions", "List a table's partitions with their files, rows and state");
  AddCommonOptions(partitions, *args);
  partitions->add_option("table", *part_table, "table or database.table")->required();
  partitions->callback([args, part_table] {
    auto wc = Open(*args);
    wc->catalog->WithStore([&](catalog::CatalogStore& s) {
      catalog::TableInfo t = FindTable(s, *part_table);
      auto parts = s.ListPartitions(t.database, t.name);
      if (!parts.ok()) Fail(parts.status());
      std::printf("%-40s %6s %10s %12s  %-27s %-27s %s\n", "partition", "files", "rows", "bytes", "min time",
                  "max time", "state");
      for (const auto& p : *parts) {
        std::string state = p.complete ? "complete" : "open";
        if (p.dirty) state += ",dirty";
        std::printf("%-40s %6llu %10llu %12llu  %-27s %-27s %s\n", p.spec.c_str(),
                    static_cast<unsigned long long>(p.files), static_cast<unsigned long long>(p.records),
                    static_cast<unsigned long long>(p.bytes), Time(p.min_time).c_str(), Time(p.max_time).c_str(),
                    state.c_str());
      }
    });
  });

  auto dialect = std::make_shared<std::string>();
  auto ddl_table = std::make_shared<std::string>();
  auto* ddl = cmd->add_subcommand("ddl", "Print DDL that makes the catalog's tables queryable in an engine");
  AddCommonOptions(ddl, *args);
  ddl->add_option("--dialect", *dialect, "athena | hive | spark | trino | duckdb")->required();
  ddl->add_option("--table", *ddl_table, "Only this table (table or database.table)");
  ddl->callback([args, dialect, ddl_table] {
    auto d = catalog::ParseDialect(*dialect);
    if (!d.ok()) Fail(d.status(), 2);
    auto wc = Open(*args);
    auto text = wc->catalog->WithStore(
        [&](catalog::CatalogStore& s) { return catalog::GenerateDdl(s, *d, *ddl_table); });
    if (!text.ok()) Fail(text.status());
    std::cout << *text;
  });

  auto* rebuild = cmd->add_subcommand(
      "rebuild", "Rebuild the catalog from a listing of the lake (for a lost catalog or files written without one)");
  AddCommonOptions(rebuild, *args);
  rebuild->callback([args] {
    auto wc = Open(*args);
    auto stats = catalog::RebuildFromListing(*wc->store, wc->patterns, *wc->catalog);
    if (!stats.ok()) Fail(stats.status());
    const auto cs = wc->catalog->stats();
    std::cout << "listed " << stats->objects_listed << " objects, registered " << stats->files_registered
              << " files, skipped " << stats->skipped << " (not matching the key pattern); " << cs.sql_statements
              << " catalog statements\n";
  });

  auto exit_when_idle = std::make_shared<bool>(false);
  auto* serve = cmd->add_subcommand(
      "serve", "Run the catalog as its own process, from file.events.topic and/or catalog.s3.events.topic on Kafka");
  AddCommonOptions(serve, *args);
  serve->add_flag("--exit-when-idle", *exit_when_idle,
                  "Exit 0 once every assigned partition is at its end and everything consumed is flushed and "
                  "committed");
  serve->callback([args, exit_when_idle] {
    config::Config config = LoadConfig(*args);
    spdlog::set_level(spdlog::level::from_str(config.worker.GetString("log.level")));
    if (const char* level = std::getenv("FLOE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
    auto wc = Open(*args);
    catalog::CatalogServiceOptions options;
    options.file_events_topic = config.worker.GetString("file.events.topic");
    options.s3_events_topic = config.worker.GetString("catalog.s3.events.topic");
    options.consumer_properties = config.kafka;
    options.consumer_properties["group.id"] = config.worker.GetString("catalog.group.id");
    // A worker's static membership id names that worker, not this process.
    options.consumer_properties.erase("group.instance.id");
    options.lake = catalog::LakeLocation::FromStoreUrl(config.worker.GetString("store.url"));
    options.flush_interval_ms = config.worker.GetInt("catalog.flush.interval.ms");
    options.exit_when_idle = *exit_when_idle;
    options.stop = &InstallStopSignals();
    auto service = catalog::CatalogService::Create(*wc->catalog, *wc->store, wc->patterns, options);
    if (!service.ok()) Fail(service.status(), 2);
    Status run = (*service)->Run();
    const auto s = (*service)->stats();
    std::cout << "consumed " << s.messages << " messages: " << s.file_events << " file events, " << s.s3_created
              << " S3 objects registered, " << s.s3_removed << " removed, " << s.ignored << " ignored (not data "
              << "files of the lake), " << s.unreadable << " unreadable, " << s.malformed << " malformed; "
              << s.retries << " retries, " << s.commits << " commits\n";
    if (!run.ok()) Fail(run);
  });
}

}  // namespace floe::cli
