// ConfluentAvroDecoder: Confluent-framed Avro values (magic 0, 4-byte schema id, Avro binary body),
// resolved through the Schema Registry.
//
// The writer schema comes from the registry by id (cached by the client and, parsed, here); the partition
// path's schema version is the id's version under the topic's subject. Two output forms:
// - kColumns (Parquet): a decoder compiled once per schema id writes the datum straight into a one-record
//   ColumnarBatch, followed by the Kafka metadata columns; the business time is captured while decoding.
//   Given RecordContext::append_to of this schema (the waiting rows of a file of it), it appends the record
//   there instead, and says so (DecodedRecord::in_place).
// - kJson (JSON lines): the datum is rendered as a JSON object and the business time found in it.
//
// Errors keep the Avro module's named codes (avro.bad_magic, avro.truncated, avro.unknown_schema_id,
// avro.trailing_bytes, avro.invalid_utf8, ...); a registry that cannot be reached is retryable.
#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <string>

#include "archive/field_transforms.h"
#include "archive/kafka_columns.h"
#include "archive/record.h"
#include "avro/decoder.h"
#include "avro/schema.h"
#include "registry/registry_client.h"

namespace floe::archive {

class ConfluentAvroDecoder final : public RecordDecoder {
 public:
  enum class Output { kJson, kColumns };
  ConfluentAvroDecoder(const BusinessTimeExtractor& times, registry::SchemaRegistryClient& registry, Output output,
                       KafkaColumnOptions kafka_columns = {}, const FieldTransforms* transforms = nullptr);
  ~ConfluentAvroDecoder() override;
  Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) override;
  // JSON output: a row with no value fields. Columnar output refuses: a tombstone carries no schema id, and
  // Avro records usually have non-null fields a Parquet row cannot leave empty.
  Result<DecodedRecord> DecodeTombstone(const RecordContext& context) override;

 private:
  struct Writer;
  Result<Writer*> WriterFor(uint32_t id);
  Result<DecodedRecord> DecodeColumns(const RecordContext& context, Writer& writer, std::string_view body);
  BusinessTime TimeFromCapture(const avro::CapturedValue& captured, int64_t kafka_timestamp_ms) const;

  const BusinessTimeExtractor& times_;
  registry::SchemaRegistryClient& registry_;
  Output output_;
  KafkaColumnOptions kafka_columns_;
  const FieldTransforms* transforms_;  // columnar output only: applied through a reader schema
  std::map<uint32_t, std::unique_ptr<Writer>> writers_;
  std::string json_;
  std::string version_;
  simdjson::dom::parser parser_;
};

}  // namespace floe::archive
