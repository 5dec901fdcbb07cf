#include "cli/event_producer.h"

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "avro/confluent.h"
#include "avro/json_codec.h"
#include "avro/schema.h"
#include "registry/registry_client.h"

namespace floe::cli {

Status ProduceEvents(kafka::KafkaProducer& producer, const EventProduction& spec, const std::atomic<bool>* stop,
                     uint64_t* produced) {
  struct AvroVersion {
    avro::Schema schema;
    uint32_t id = 0;
  };
  std::vector<AvroVersion> versions;
  if (!spec.registry_url.empty()) {
    registry::RegistryClientOptions ro;
    ro.url = spec.registry_url;
    FLOE_ASSIGN_OR_RETURN(auto client, registry::SchemaRegistryClient::Create(ro));
    for (int v = 1; v <= 2; ++v) {
      const std::string text = loadgen::EventAvroSchema(spec.generator.time_field, v);
      FLOE_ASSIGN_OR_RETURN(avro::Schema schema, avro::Schema::Parse(text));
      auto id = client->Register(spec.topic + "-value", registry::SchemaText(text));
      if (!id.ok()) return id.status().WithContext("registering schema v" + std::to_string(v));
      versions.push_back({std::move(schema), static_cast<uint32_t>(*id)});
    }
  }
  loadgen::EventGenerator generator(spec.generator);
  const uint64_t count = spec.generator.count;
  const uint64_t evolve_index = static_cast<uint64_t>(spec.evolve_at * static_cast<double>(count));
  const auto start = std::chrono::steady_clock::now();
  loadgen::GeneratedEvent event;
  std::string payload;
  uint64_t i = 0;
  for (; i < count && !(stop && stop->load()); ++i) {
    const bool v2 = !versions.empty() && spec.evolve_at < 1.0 && i >= evolve_index;
    generator.Next(i, event, v2);
    std::string_view value = event.json;
    if (!versions.empty()) {
      const AvroVersion& version = versions[v2 ? 1 : 0];
      payload.clear();
      avro::AppendConfluentHeader(payload, version.id);
      if (Status st = avro::EncodeJson(version.schema, nlohmann::json::parse(event.json), payload); !st.ok())
        return st.WithContext("encoding event " + std::to_string(i));
      value = payload;
    }
    FLOE_RETURN_IF_ERROR(producer.Produce(spec.topic, -1, event.key, value));
    if (spec.tombstone_every > 0 && i % spec.tombstone_every == spec.tombstone_every - 1)
      FLOE_RETURN_IF_ERROR(producer.Produce(spec.topic, -1, event.key, std::nullopt));
    if (spec.rate > 0) {
      const auto due = start + std::chrono::duration<double>(static_cast<double>(i + 1) / spec.rate);
      std::this_thread::sleep_until(std::chrono::time_point_cast<std::chrono::steady_clock::duration>(due));
    }
  }
  if (produced) *produced = i;
  return producer.Flush(60'000);
}

}  // namespace floe::cli
