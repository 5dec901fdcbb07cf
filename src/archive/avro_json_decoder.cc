#include "archive/avro_json_decoder.h"

#include "archive/archive_error.h"
#include "avro/confluent.h"
#include "avro/error.h"
#include "avro/json_codec.h"
#include "registry/registry_error.h"

namespace floe::archive {

Result<const avro::Schema*> ConfluentAvroDecoder::WriterSchema(uint32_t id) {
  if (auto it = schemas_.find(id); it != schemas_.end()) return it->second.get();
  auto text = registry_.GetSchemaById(static_cast<int>(id));
  if (!text.ok()) {
    if (text.status().Is(registry::RegistryError::kSchemaNotFound)) return avro::UnknownSchemaId(id);
    return text.status();
  }
  auto parsed = avro::Schema::Parse((*text)->schema);
  if (!parsed.ok()) return parsed.status().WithContext("registry schema id " + std::to_string(id));
  auto owned = std::make_unique<avro::Schema>(std::move(parsed).value());
  const avro::Schema* raw = owned.get();
  schemas_.emplace(id, std::move(owned));
  return raw;
}

Result<DecodedRecord> ConfluentAvroDecoder::Decode(const RecordContext& context, std::string_view value) {
  FLOE_ASSIGN_OR_RETURN(avro::ConfluentFrame frame, avro::ParseConfluentFrame(value));
  FLOE_ASSIGN_OR_RETURN(const avro::Schema* schema, WriterSchema(frame.schema_id));
  FLOE_ASSIGN_OR_RETURN(int version, registry_.ResolveTopicVersion(static_cast<int>(frame.schema_id), context.topic));
  json_.clear();
  size_t consumed = 0;
  FLOE_RETURN_IF_ERROR(avro::DatumToJson(schema->root(), frame.body, json_, &consumed));
  if (consumed != frame.body.size())
    return Error(avro::AvroError::kTrailingBytes, std::to_string(frame.body.size() - consumed) +
                                                      " bytes after the datum (schema id " +
                                                      std::to_string(frame.schema_id) + ")");
  simdjson::dom::element doc;
  if (parser_.parse(json_).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return Error(ArchiveError::kMalformedPayload, "Avro value is not a record (top-level type " +
                                                      std::string(avro::TypeName(schema->root().type)) + ")");
  version_ = std::to_string(version);
  DecodedRecord record;
  record.time = times_.FromJson(doc, context.kafka_timestamp_ms);
  record.schema_version = version_;
  record.raw_json = json_;
  return record;
}

}  // namespace floe::archive
