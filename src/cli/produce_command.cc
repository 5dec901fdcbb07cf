// floe produce: the load generator.
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "common/clock.h"
#include "kafka/producer.h"
#include "loadgen/event_generator.h"
#include "cli/event_producer.h"

namespace floe::cli {

void AddProduceCommand(CLI::App& app) {
  struct Options {
    std::string bootstrap;
    std::string topic;
    uint64_t count = 1000;
    double rate = 0;
    double spread_hours = 6;
    double late_fraction = 0.02;
    double missing_fraction = 0.01;
    std::string time_field = "occurred_at";
    std::string time_format = "rfc3339";
    std::string compression = "lz4";
    uint64_t seed = 42;
    std::string format = "json";
    std::string registry;
    double evolve_at = 0.5;
    int linger_ms = 20;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("produce", "Produce realistic events (JSON or Confluent Avro) to a topic (a load generator)");
  cmd->add_option("--bootstrap", o->bootstrap, "Kafka bootstrap servers")->required();
  cmd->add_option("--topic", o->topic, "Topic to produce to")->required();
  cmd->add_option("--count", o->count, "Number of events");
  cmd->add_option("--rate", o->rate, "Events per second (0: as fast as possible)");
  cmd->add_option("--spread-hours", o->spread_hours, "Business times sweep over the last H hours");
  cmd->add_option("--late-fraction", o->late_fraction, "Fraction of events 1-6 hours late")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--missing-time-fraction", o->missing_fraction, "Fraction of events without a time field")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--time-field", o->time_field, "Name of the business-time field");
  cmd->add_option("--time-format", o->time_format, "rfc3339 | rfc3339-offset | millis | seconds | micros")
      ->check(CLI::IsMember({"rfc3339", "rfc3339-offset", "millis", "seconds", "micros"}));
  cmd->add_option("--compression", o->compression, "Producer compression (none, gzip, snappy, lz4, zstd)");
  cmd->add_option("--linger-ms", o->linger_ms,
                  "Producer linger.ms: longer lingers make larger batches (the mock cluster returns one batch per "
                  "partition per fetch, so small batches over many partitions make reading slow)")
      ->check(CLI::Range(0, 60'000));
  cmd->add_option("--seed", o->seed, "Random seed (same seed, same events)");
  cmd->add_option("--format", o->format, "json, or avro (Confluent framing, schema registered in --registry)")
      ->check(CLI::IsMember({"json", "avro"}));
  cmd->add_option("--registry", o->registry, "Schema Registry URL (with --format avro)");
  cmd->add_option("--evolve-at", o->evolve_at,
                  "With --format avro: fraction of the events after which schema v2 (a new field with a default) "
                  "is registered and used; 1 keeps v1 throughout")
      ->check(CLI::Range(0.0, 1.0));
  cmd->callback([o] {
    const auto& stop = InstallStopSignals();
    loadgen::EventGeneratorOptions g;
    g.count = o->count;
    g.spread_hours = o->spread_hours;
    g.late_fraction = o->late_fraction;
    g.missing_time_fraction = o->missing_fraction;
    g.time_field = o->time_field;
    g.time_format = o->time_format == "millis"           ? loadgen::TimeFormat::kEpochMillis
                    : o->time_format == "seconds"        ? loadgen::TimeFormat::kEpochSeconds
                    : o->time_format == "micros"         ? loadgen::TimeFormat::kEpochMicros
                    : o->time_format == "rfc3339-offset" ? loadgen::TimeFormat::kRfc3339Offset
                                                         : loadgen::TimeFormat::kRfc3339;
    g.now_micros = SystemClock::Instance().NowMicros();
    g.seed = o->seed;
    loadgen::EventGenerator generator(g);
    auto producer = kafka::KafkaProducer::Create({{"bootstrap.servers", o->bootstrap},
                                                  {"compression.type", o->compression},
                                                  {"linger.ms", std::to_string(o->linger_ms)},
                                                  {"batch.size", "1000000"},
                                                  {"enable.idempotence", "true"}});
    if (!producer.ok()) {
      std::cerr << producer.status().ToString() << "\n";
      throw ExitCode{2};
    }
    if (o->format == "avro" && o->registry.empty()) {
      std::cerr << "--format avro needs --registry\n";
      throw ExitCode{2};
    }
    EventProduction spec;
    spec.topic = o->topic;
    spec.generator = g;
    spec.registry_url = o->format == "avro" ? o->registry : "";
    spec.evolve_at = o->evolve_at;
    spec.rate = o->rate;
    const auto start = std::chrono::steady_clock::now();
    uint64_t i = 0;
    if (Status st = ProduceEvents(**producer, spec, &stop, &i); !st.ok()) {
      std::cerr << st.ToString() << "\n";
      throw ExitCode{1};
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info("produced {} events to {} in {:.2f}s ({:.0f}/s)", i, o->topic, secs, static_cast<double>(i) / secs);
  });
}

}  // namespace floe::cli
