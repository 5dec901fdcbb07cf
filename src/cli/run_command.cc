// floe run: the archiver.
#include <spdlog/spdlog.h>

#include <iostream>

#include "archive/archiver.h"
#include "catalog/file_event_publisher.h"
#include "catalog/worker_catalog.h"
#include "cli/commands.h"
#include "config/config.h"

namespace floe::cli {

void AddRunCommand(CLI::App& app) {
  struct Options {
    std::string config_file;
    bool exit_when_idle = false;
    std::string status_file;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "Archive the configured topics (the archiver). Stops cleanly on SIGTERM.");
  cmd->add_option("--config", o->config_file, "YAML configuration file")->required();
  cmd->add_flag("--exit-when-idle", o->exit_when_idle,
                "Exit once every assigned partition is at its high watermark (or belongs to a failed topic) and "
                "every file is durable and committed: 0, or 1 when a topic is failed");
  cmd->add_option("--status-file", o->status_file,
                  "Keep a JSON document of every connector's and each of its topics' state (running, paused, "
                  "retrying, failed + reason, restart countdown) and counters at this path, rewritten atomically "
                  "about once a second");
  cmd->callback([o] {
    auto config = config::LoadConfigFile(o->config_file);
    if (!config.ok()) {
      std::cerr << "invalid configuration: " << config.status().ToString() << "\n";
      throw ExitCode{2};
    }
    spdlog::set_level(spdlog::level::from_str(config->worker.GetString("log.level")));
    if (const char* level = std::getenv("FLOE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
    archive::ArchiverOptions options;
    options.exit_when_idle = o->exit_when_idle;
    options.status_file = o->status_file;
    options.stop = &InstallStopSignals();
    // The catalog follows the archiver's file events in-process (none for a remote store without catalog.url,
    // nor with catalog.in.process off: then a `floe catalog serve` keeps it from file.events.topic).
    auto catalog = config->worker.GetBool("catalog.in.process")
                       ? catalog::OpenWorkerCatalog(*config)
                       : Result<std::unique_ptr<catalog::WorkerCatalog>>(std::unique_ptr<catalog::WorkerCatalog>());
    if (!catalog.ok()) {
      std::cerr << "cannot open the catalog: " << catalog.status().ToString() << "\n";
      throw ExitCode{2};
    }
    std::unique_ptr<catalog::KafkaFileEventPublisher> publisher;
    if (const std::string topic = config->worker.GetString("file.events.topic"); !topic.empty()) {
      auto created = catalog::KafkaFileEventPublisher::Create(config->kafka, topic);
      if (!created.ok()) {
        std::cerr << "cannot publish file events: " << created.status().ToString() << "\n";
        throw ExitCode{2};
      }
      publisher = std::move(created).value();
    }
    catalog::FanOutListener listeners({*catalog ? (*catalog)->catalog.get() : nullptr, publisher.get()});
    options.listener = &listeners;
    auto archiver = archive::Archiver::Create(*config, options);
    if (!archiver.ok()) {
      std::cerr << "cannot start: " << archiver.status().ToString() << "\n";
      throw ExitCode{2};
    }
    Status run = (*archiver)->Run();
    if (*catalog) {
      if (Status st = (*catalog)->catalog->Stop(); !st.ok()) {
        std::cerr << "floe run: catalog: " << st.ToString() << "\n";
        if (run.ok()) throw ExitCode{1};
      }
    }
    if (!run.ok()) {
      std::cerr << "floe run: " << run.ToString() << "\n";
      throw ExitCode{1};
    }
  });
}

}  // namespace floe::cli
