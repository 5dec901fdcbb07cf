// floe version, floe dev-kafka, floe config (check, docs, from-connect).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <librdkafka/rdkafka.h>
#include <thread>

#include "cli/commands.h"
#include "config/config.h"
#include "config/connect_import.h"
#include "config/settings.h"
#include "kafka/dev_cluster.h"

#ifndef FLOE_VERSION
#define FLOE_VERSION "0.0.0"
#endif

namespace floe::cli {

void AddVersionCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("version", "Print floe's version and the versions of its key libraries");
  cmd->callback([] {
    std::cout << "floe " << FLOE_VERSION << "\nlibrdkafka " << rd_kafka_version_str() << "\n";
  });
}

void AddDevKafkaCommand(CLI::App& app) {
  struct Options {
    int brokers = 1;
    std::vector<std::string> topics;
    std::string bootstrap_file;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "dev-kafka",
      "Run librdkafka's mock Kafka cluster as a standalone process (development and tests). It keeps only "
      "the newest ~5 MiB of each partition. Runs until SIGTERM.");
  cmd->add_option("--brokers", opts->brokers, "Number of brokers")->check(CLI::Range(1, 32));
  cmd->add_option("--topic", opts->topics, "Topic to create, NAME:PARTITIONS (repeatable)");
  cmd->add_option("--bootstrap-file", opts->bootstrap_file,
                  "Write the bootstrap server list to this file once the cluster is up");
  cmd->callback([opts] {
    const auto& stop = InstallStopSignals();
    std::vector<kafka::TopicSpec> specs;
    for (const auto& t : opts->topics) {
      auto spec = kafka::ParseTopicSpec(t);
      if (!spec.ok()) {
        std::cerr << spec.status().ToString() << "\n";
        throw ExitCode{2};
      }
      specs.push_back(*spec);
    }
    auto cluster = kafka::DevKafkaCluster::Start(opts->brokers, specs);
    if (!cluster.ok()) {
      std::cerr << cluster.status().ToString() << "\n";
      throw ExitCode{1};
    }
    const std::string bootstrap = (*cluster)->bootstrap_servers();
    if (!opts->bootstrap_file.empty()) {
      // Written to a temp name and renamed, so a reader polling for the file never sees it half written.
      const std::string tmp = opts->bootstrap_file + ".tmp";
      std::ofstream(tmp) << bootstrap << "\n";
      if (std::rename(tmp.c_str(), opts->bootstrap_file.c_str()) != 0) {
        std::cerr << "cannot write " << opts->bootstrap_file << "\n";
        throw ExitCode{1};
      }
    }
    spdlog::info("dev-kafka: {} broker(s) at {}", opts->brokers, bootstrap);
    std::cout << bootstrap << std::endl;
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    spdlog::info("dev-kafka: stopping");
  });
}

void AddConfigCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("config", "Validate configuration files and document the settings");
  cmd->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* check = cmd->add_subcommand("check", "Validate a configuration file and print the effective settings");
  check->add_option("file", *file, "YAML configuration file")->required();
  check->callback([file] {
    auto config = config::LoadConfigFile(*file);
    if (!config.ok()) {
      std::cerr << "invalid configuration: " << config.status().ToString() << "\n";
      throw ExitCode{2};
    }
    std::cout << config::RenderEffectiveConfig(*config);
  });
  auto* docs = cmd->add_subcommand("docs", "Print docs/CONFIGURATION.md, generated from the settings table");
  docs->callback([] { std::cout << config::RenderConfigurationMarkdown(); });

  struct FromConnect {
    std::string input, output;
    config::ConnectImportOptions options;
  };
  auto fc = std::make_shared<FromConnect>();
  auto* from = cmd->add_subcommand("from-connect",
                                   "Convert a Kafka Connect S3 sink connector's JSON into a floe configuration "
                                   "(YAML on stdout, notes on stderr); see docs/FROM_CONNECT.md");
  from->add_option("connector", fc->input, "Connector JSON (bare config map or the REST {name, config} shape); - for stdin")
      ->required();
  from->add_option("-o,--output", fc->output, "Write the YAML to this file instead of stdout");
  from->add_option("--bootstrap-servers", fc->options.bootstrap_servers,
                   "Kafka brokers (the Connect worker's bootstrap.servers, which the connector JSON lacks)");
  from->callback([fc] {
    std::stringstream text;
    if (fc->input == "-") {
      text << std::cin.rdbuf();
    } else {
      std::ifstream in(fc->input);
      if (!in) {
        std::cerr << "cannot read " << fc->input << "\n";
        throw ExitCode{2};
      }
      text << in.rdbuf();
    }
    auto converted = config::ImportConnectConfig(text.str(), fc->options);
    if (!converted.ok()) {
      std::cerr << "cannot convert " << fc->input << ": " << converted.status().ToString() << "\n";
      throw ExitCode{2};
    }
    for (const auto& n : converted->notes)
      std::cerr << (n.level == config::ConnectImportNote::Level::kWarning ? "warning: " : "note: ") << n.key << ": "
                << n.message << "\n";
    if (fc->output.empty()) {
      std::cout << converted->yaml;
      return;
    }
    std::ofstream out(fc->output);
    out << converted->yaml;
    if (!out.flush()) {
      std::cerr << "cannot write " << fc->output << "\n";
      throw ExitCode{1};
    }
  });
}

}  // namespace floe::cli
