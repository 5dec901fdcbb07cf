// floe demo: the whole path on the embedded defaults, in one process.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "archive/archiver.h"
#include "catalog/worker_catalog.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "config/config.h"
#include "kafka/dev_cluster.h"
#include "kafka/producer.h"
#include "cli/event_producer.h"
#include "loadgen/event_generator.h"
#include "registry/avro_compatibility.h"
#include "registry/registry_server.h"

namespace floe::cli {
namespace {

namespace fs = std::filesystem;

struct DemoTopic {
  std::string name;
  int partitions;
  uint64_t events;
  std::string time_field;
  loadgen::TimeFormat format;
};

class FileTally final : public archive::FileEventListener {
 public:
  void OnFileCommitted(const archive::FileCommittedEvent& e) override {
    auto& t = tables[e.table];
    ++t.files;
    t.rows += e.records;
    t.bytes += e.bytes;
    std::string path;
    for (const auto& [k, v] : e.partition_values) path += (path.empty() ? "" : "/") + k + "=" + v;
    t.partitions.insert(path);
  }
  struct Table {
    uint64_t files = 0, rows = 0, bytes = 0;
    std::set<std::string> partitions;
  };
  std::map<std::string, Table> tables;
};

[[noreturn]] void Fail(const Status& st, const char* what) {
  std::cerr << "floe demo: " << what << ": " << st.ToString() << "\n";
  throw ExitCode{1};
}

}  // namespace

void AddDemoCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>("./floe-demo");
  auto* cmd = app.add_subcommand(
      "demo", "Start an embedded Kafka, produce events to two topics, archive them into a local lake and show "
              "how to query it");
  cmd->add_option("--dir", *dir, "Lake directory (replaced if it holds an earlier demo)");
  cmd->callback([dir] {
    const fs::path lake = fs::absolute(*dir).lexically_normal();
    const fs::path marker = lake / ".floe-demo";
    std::error_code ec;
    if (fs::exists(lake) && !fs::is_empty(lake, ec)) {
      if (!fs::exists(marker)) {
        std::cerr << "floe demo: " << lake << " exists and was not made by floe demo; choose another --dir\n";
        throw ExitCode{2};
      }
      fs::remove_all(lake);
    }
    fs::create_directories(lake);
    std::ofstream(marker) << "made by floe demo\n";

    // Ads arrive as Confluent Avro through an embedded Schema Registry, with a schema change halfway; payments
    // as JSON whose table schema floe infers. Both carry late events and deleted users (tombstones); one
    // poison record goes to the dead-letter topic instead of stopping the archive.
    const std::vector<DemoTopic> topics = {
        {"ads", 4, 6000, "occurred_at", loadgen::TimeFormat::kRfc3339Offset},
        {"payments", 2, 3000, "created_at", loadgen::TimeFormat::kEpochMillis},
    };
    std::vector<kafka::TopicSpec> specs;
    for (const auto& t : topics) specs.push_back({t.name, t.partitions});
    specs.push_back({"floe.dead-letters", 1});
    auto cluster = kafka::DevKafkaCluster::Start(1, specs);
    if (!cluster.ok()) Fail(cluster.status(), "starting the embedded Kafka");
    const std::string bootstrap = (*cluster)->bootstrap_servers();
    std::cout << "embedded Kafka at " << bootstrap << "\n";
    registry::RegistryServerOptions ro;
    ro.port = 0;
    auto registry = registry::RegistryServer::Start(ro, std::make_shared<registry::AvroSchemaCompatibility>());
    if (!registry.ok()) Fail(registry.status(), "starting the embedded Schema Registry");
    std::cout << "embedded Schema Registry at " << (*registry)->url() << "\n";

    auto producer = kafka::KafkaProducer::Create({{"bootstrap.servers", bootstrap}, {"compression.type", "lz4"},
                                                  {"linger.ms", "10"}});
    if (!producer.ok()) Fail(producer.status(), "creating a producer");
    uint64_t tombstones = 0;
    for (const auto& t : topics) {
      EventProduction spec;
      spec.topic = t.name;
      spec.generator.count = t.events;
      spec.generator.spread_hours = 4;
      spec.generator.late_fraction = 0.03;
      spec.generator.time_field = t.time_field;
      spec.generator.time_format = t.format;
      spec.generator.now_micros = SystemClock::Instance().NowMicros();
      spec.tombstone_every = 1000;  // deleted users: tombstones the archiver skips and counts
      if (t.name == "ads") {
        spec.registry_url = (*registry)->url();
        spec.evolve_at = 0.5;  // schema v2 adds `channel` (with a default) halfway
      }
      if (Status st = ProduceEvents(**producer, spec, nullptr, nullptr); !st.ok()) Fail(st, "producing");
      tombstones += t.events / 1000;
      std::cout << "produced " << t.events << " events to '" << t.name << "' (" << t.partitions << " partitions, "
                << (t.name == "ads" ? "Avro, schema v1 then v2" : "JSON") << ")\n";
    }
    if (Status st = (*producer)->Produce("payments", 0, std::nullopt, std::string_view("{\"amount\": 12.5, oops")); !st.ok())
      Fail(st, "producing");
    if (Status st = (*producer)->Flush(30'000); !st.ok()) Fail(st, "producing");
    std::cout << "produced 1 poison record to 'payments' (not JSON)\n";

    const std::string yaml = "kafka: { bootstrap.servers: \"" + bootstrap +
                             "\", group.id: floe-demo }\n"
                             "store.url: \"file://" + lake.string() + "\"\n"
                             "schema.registry.url: \"" + (*registry)->url() + "\"\n"
                             "log.level: warn\n"
                             "defaults: { format: parquet, flush.size: 1000, errors.tolerance: all,\n"
                             "            errors.deadletterqueue.topic.name: floe.dead-letters }\n"
                             "connectors:\n"
                             "  - { name: ads, topics: [ads], input.format: avro, timestamp.fields: [occurred_at] }\n"
                             "  - { name: payments, topics: [payments], timestamp.fields: [created_at] }\n";
    auto config = config::ParseConfig(yaml);
    if (!config.ok()) Fail(config.status(), "configuring");
    spdlog::set_level(spdlog::level::warn);
    FileTally tally;
    auto catalog = catalog::OpenWorkerCatalog(*config);
    if (!catalog.ok()) Fail(catalog.status(), "opening the catalog");
    catalog::FanOutListener listeners({&tally, *catalog ? (*catalog)->catalog.get() : nullptr});
    archive::ArchiverOptions options;
    options.exit_when_idle = true;
    options.listener = &listeners;
    options.stop = &InstallStopSignals();
    auto archiver = archive::Archiver::Create(*config, options);
    if (!archiver.ok()) Fail(archiver.status(), "starting the archiver");
    if (Status st = (*archiver)->Run(); !st.ok()) Fail(st, "archiving");
    if (*catalog) {
      if (Status st = (*catalog)->catalog->Stop(); !st.ok()) Fail(st, "updating the catalog");
    }

    uint64_t dead = 0;
    for (const auto& [name, st] : (*archiver)->stats()) dead += st.dead_lettered;
    std::cout << "\narchived into " << lake.string() << "  (" << tombstones << " tombstones skipped, " << dead
              << " record(s) dead-lettered to floe.dead-letters)\n";
    std::cout << "  table        files   rows     bytes      partitions\n";
    for (const auto& [name, t] : tally.tables) {
      std::printf("  %-12s %5llu %6llu %9llu  %zu\n", name.c_str(), static_cast<unsigned long long>(t.files),
                  static_cast<unsigned long long>(t.rows), static_cast<unsigned long long>(t.bytes),
                  t.partitions.size());
    }
    std::cout << "\nquery it with DuckDB (both schema versions at once; v=1 rows have no channel):\n"
              << "  SELECT v, dt, hour, channel, count(*) AS events\n"
              << "  FROM read_parquet('" << lake.string()
              << "/default/ads/*/*/*/*.parquet', hive_partitioning = true, union_by_name = true)\n"
              << "  GROUP BY ALL ORDER BY ALL;\n";
    std::cout << "\nor through the catalog (views over the exact committed files):\n"
              << "  floe catalog tables --store file://" << lake.string() << "\n"
              << "  floe catalog ddl --dialect duckdb --store file://" << lake.string() << "\n";
  });
}

}  // namespace floe::cli
