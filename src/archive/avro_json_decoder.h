// ConfluentAvroDecoder: Confluent-framed Avro values (magic 0, 4-byte schema id, Avro binary body),
// resolved through the Schema Registry.
//
// The writer schema comes from the registry by id (cached by the client and, parsed, here); the partition
// path's schema version is the id's version under the topic's subject. Until the Parquet output path lands,
// the decoded datum is rendered as a JSON object for the JSON-lines writer, and the business time is found
// in that object like for JSON input.
//
// Errors keep the Avro module's named codes (avro.bad_magic, avro.truncated, avro.unknown_schema_id,
// avro.trailing_bytes, avro.invalid_utf8, ...); a registry that cannot be reached is retryable.
#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <string>

#include "archive/record.h"
#include "avro/schema.h"
#include "registry/registry_client.h"

namespace floe::archive {

class ConfluentAvroDecoder final : public RecordDecoder {
 public:
  ConfluentAvroDecoder(const BusinessTimeExtractor& times, registry::SchemaRegistryClient& registry)
      : times_(times), registry_(registry) {}
  Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) override;

 private:
  Result<const avro::Schema*> WriterSchema(uint32_t id);

  const BusinessTimeExtractor& times_;
  registry::SchemaRegistryClient& registry_;
  std::map<uint32_t, std::unique_ptr<avro::Schema>> schemas_;
  std::string json_;
  std::string version_;
  simdjson::dom::parser parser_;
};

}  // namespace floe::archive
