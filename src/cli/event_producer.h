// ProduceEvents: the load generator's production loop, shared by `floe produce` and `floe demo` — realistic
// events as JSON or as Confluent-framed Avro (both schema versions registered in the topic's subject up
// front; v2 from `evolve_at` on), at an optional rate.
#pragma once

#include <atomic>
#include <string>

#include "common/status.h"
#include "kafka/producer.h"
#include "loadgen/event_generator.h"

namespace floe::cli {

struct EventProduction {
  std::string topic;
  loadgen::EventGeneratorOptions generator;  // count, times, seed
  std::string registry_url;                  // empty: JSON values
  double evolve_at = 1.0;                    // Avro: fraction of the events after which v2 is used
  double rate = 0;                           // events per second; 0: as fast as possible
  uint64_t tombstone_every = 0;              // a tombstone (null value, same key) after every N-th event; 0: none
};

// Produces and flushes. `produced` counts events (tombstones excluded) even when stopped early.
Status ProduceEvents(kafka::KafkaProducer& producer, const EventProduction& spec, const std::atomic<bool>* stop,
                     uint64_t* produced);

}  // namespace floe::cli
