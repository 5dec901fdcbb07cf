#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("floe");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (const char* level = std::getenv("FLOE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));

  CLI::App app{"floe: archives Kafka topics into query-ready tables on object storage"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  floe::cli::AddVersionCommand(app);
  floe::cli::AddDevKafkaCommand(app);
  floe::cli::AddProduceCommand(app);
  floe::cli::AddRunCommand(app);
  floe::cli::AddDemoCommand(app);
  floe::cli::AddConfigCommand(app);
  floe::cli::AddStoreCommand(app);
  floe::cli::AddParquetCommand(app);
  floe::cli::AddRegistryCommand(app);
  floe::cli::AddCatalogCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const floe::cli::ExitCode& code) {
    return code.value;
  }
  return 0;
}
