// EventGenerator: realistic classified-ads events for load tests, demos and benchmarks.
//
// Each event has ids, a business-time field, strings, numbers, a nested object and an array. Business
// times sweep forward over the last `spread_hours` hours as events are generated (so a topic reads as a
// stream moving through hours); a `late_fraction` of events carries a time 1 to 6 hours behind the sweep,
// and a `missing_time_fraction` has no time field at all (the archiver falls back to Kafka time).
// Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace floe::loadgen {

enum class TimeFormat { kRfc3339, kRfc3339Offset, kEpochMillis, kEpochSeconds, kEpochMicros };

struct EventGeneratorOptions {
  uint64_t count = 1000;
  double spread_hours = 6;
  double late_fraction = 0.02;
  double missing_time_fraction = 0.01;
  std::string time_field = "occurred_at";
  TimeFormat time_format = TimeFormat::kRfc3339;
  int64_t now_micros = 0;  // end of the sweep; the caller passes the clock's now
  uint64_t seed = 42;
};

struct GeneratedEvent {
  std::string key;   // the user id: events of one user go to one partition
  std::string json;  // the event as a JSON object
  int64_t business_time_micros;  // -1 when the time field was left out
};

// The Avro schema of the generated events (as JSON text). Version 1 has every field the generator writes;
// version 2 adds `channel` (string, default "web"): a backward-compatible evolution. Generated events carry
// `channel` only when `with_channel` is set in Next(). The business-time field is an optional
// timestamp-millis under `time_field`.
std::string EventAvroSchema(const std::string& time_field, int version);

class EventGenerator {
 public:
  explicit EventGenerator(EventGeneratorOptions options);
  // Fills `out` with event number `index` (0-based, < count). Reuses `out`'s buffers. With `with_channel`
  // the event also has the schema-v2 field `channel`.
  void Next(uint64_t index, GeneratedEvent& out, bool with_channel = false);
  const EventGeneratorOptions& options() const { return options_; }

 private:
  EventGeneratorOptions options_;
  std::mt19937_64 rng_;
};

}  // namespace floe::loadgen
