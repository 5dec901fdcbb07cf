// The `floe` command line: one function per subcommand, registered on a CLI11 app by main.cc.
#pragma once

#include <CLI/CLI.hpp>

#include <atomic>

namespace floe::cli {

// Thrown by a subcommand to end the process with this exit code (main catches it).
struct ExitCode {
  int value;
};

void AddVersionCommand(CLI::App& app);
void AddDevKafkaCommand(CLI::App& app);
void AddProduceCommand(CLI::App& app);
void AddRunCommand(CLI::App& app);
void AddDemoCommand(CLI::App& app);
void AddConfigCommand(CLI::App& app);
void AddStoreCommand(CLI::App& app);
void AddParquetCommand(CLI::App& app);
void AddRegistryCommand(CLI::App& app);
void AddCatalogCommand(CLI::App& app);

// Installs SIGTERM/SIGINT handlers that set the returned flag (a second signal exits at once).
const std::atomic<bool>& InstallStopSignals();

}  // namespace floe::cli
