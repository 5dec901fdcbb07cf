#include "archive/avro_json_decoder.h"

#include "archive/archive_error.h"
#include "avro/confluent.h"
#include "avro/decoder.h"
#include "avro/error.h"
#include "avro/json_codec.h"
#include "registry/registry_error.h"

namespace floe::archive {

// Everything cached per writer schema id.
struct ConfluentAvroDecoder::Writer {
  avro::Schema schema;
  std::string schema_json;
  std::optional<avro::RecordDecoder> decoder;  // kColumns
  std::optional<columnar::ColumnarBatch> batch;  // kColumns: one record at a time
};

ConfluentAvroDecoder::ConfluentAvroDecoder(const BusinessTimeExtractor& times,
                                           registry::SchemaRegistryClient& registry, Output output,
                                           KafkaColumnOptions kafka_columns, const FieldTransforms* transforms)
    : times_(times),
      registry_(registry),
      output_(output),
      kafka_columns_(kafka_columns),
      transforms_(transforms && !transforms->empty() ? transforms : nullptr) {}

ConfluentAvroDecoder::~ConfluentAvroDecoder() = default;

Result<ConfluentAvroDecoder::Writer*> ConfluentAvroDecoder::WriterFor(uint32_t id) {
  if (auto it = writers_.find(id); it != writers_.end()) return it->second.get();
  auto text = registry_.GetSchemaById(static_cast<int>(id));
  if (!text.ok()) {
    if (text.status().Is(registry::RegistryError::kSchemaNotFound)) return avro::UnknownSchemaId(id);
    return text.status();
  }
  auto parsed = avro::Schema::Parse((*text)->schema);
  if (!parsed.ok()) return parsed.status().WithContext("registry schema id " + std::to_string(id));
  auto writer = std::make_unique<Writer>();
  writer->schema = std::move(parsed).value();
  writer->schema_json = (*text)->schema;
  if (output_ == Output::kColumns) {
    avro::DecoderOptions options;
    options.capture_paths = times_.options().candidate_fields;
    std::optional<avro::Schema> reader;
    if (transforms_) {
      FLOE_ASSIGN_OR_RETURN(std::string reader_json, transforms_->ApplyToAvroSchema(writer->schema_json));
      auto parsed_reader = avro::Schema::Parse(reader_json);
      if (!parsed_reader.ok()) return parsed_reader.status().WithContext("transformed schema id " + std::to_string(id));
      reader.emplace(std::move(parsed_reader).value());
      writer->schema_json = std::move(reader_json);  // the files hold the transformed shape
    }
    auto decoder = avro::RecordDecoder::Compile(writer->schema, reader ? *reader : writer->schema, options);
    if (!decoder.ok()) return decoder.status().WithContext("schema id " + std::to_string(id));
    writer->batch.emplace(WithKafkaColumns(decoder->columnar_schema(), kafka_columns_));
    writer->decoder.emplace(std::move(decoder).value());
  }
  Writer* raw = writer.get();
  writers_.emplace(id, std::move(writer));
  return raw;
}

BusinessTime ConfluentAvroDecoder::TimeFromCapture(const avro::CapturedValue& c, int64_t kafka_timestamp_ms) const {
  std::optional<int64_t> micros;
  if (c.kind == avro::CapturedValue::Kind::kLong) {
    switch (c.logical) {
      case avro::LogicalType::kTimestampMillis:
      case avro::LogicalType::kLocalTimestampMillis: micros = times_.FromMicros(c.long_value * 1000); break;
      case avro::LogicalType::kTimestampMicros:
      case avro::LogicalType::kLocalTimestampMicros: micros = times_.FromMicros(c.long_value); break;
      case avro::LogicalType::kDate: micros = times_.FromMicros(c.long_value * 86'400'000'000LL); break;
      default: micros = times_.FromNumber(c.long_value); break;
    }
  } else if (c.kind == avro::CapturedValue::Kind::kString) {
    micros = times_.FromString(c.string_value);
  }
  if (micros) return BusinessTime{*micros, TimeSource::kField, c.candidate};
  return BusinessTime{kafka_timestamp_ms * 1000, TimeSource::kKafkaTimestamp, -1};
}

Result<DecodedRecord> ConfluentAvroDecoder::DecodeColumns(const RecordContext& context, Writer& writer,
                                                          std::string_view body) {
  columnar::ColumnarBatch& own = *writer.batch;
  const bool in_place = context.append_to && context.append_to->schema().SameAs(own.schema());
  columnar::ColumnarBatch& batch = in_place ? *context.append_to : own;
  if (!in_place) batch.Clear();
  FLOE_RETURN_IF_ERROR(writer.decoder->Decode(body, batch));
  AppendKafkaColumns(batch, context, kafka_columns_);
  DecodedRecord record;
  record.time = TimeFromCapture(writer.decoder->captured(), context.kafka_timestamp_ms);
  record.columns = &batch;
  record.own = &own;
  if (in_place) record.in_place = &writer.decoder->last_record_start();
  record.writer_schema = writer.schema_json;
  if (!transforms_) record.avro_datum = body;  // transformed files hold another schema than the body's
  return record;
}

Result<DecodedRecord> ConfluentAvroDecoder::DecodeTombstone(const RecordContext& context) {
  if (output_ == Output::kColumns)
    return Error(ArchiveError::kTombstone,
                 "behavior.on.null.values=write cannot write a tombstone into Avro-typed Parquet columns (no "
                 "schema id, required fields); use ignore, or fail with a dead-letter topic");
  return RecordDecoder::DecodeTombstone(context);
}

Result<DecodedRecord> ConfluentAvroDecoder::Decode(const RecordContext& context, std::string_view value) {
  FLOE_ASSIGN_OR_RETURN(avro::ConfluentFrame frame, avro::ParseConfluentFrame(value));
  FLOE_ASSIGN_OR_RETURN(Writer * writer, WriterFor(frame.schema_id));
  FLOE_ASSIGN_OR_RETURN(int version, registry_.ResolveTopicVersion(static_cast<int>(frame.schema_id), context.topic));
  version_ = std::to_string(version);
  if (output_ == Output::kColumns) {
    FLOE_ASSIGN_OR_RETURN(DecodedRecord record, DecodeColumns(context, *writer, frame.body));
    record.schema_version = version_;
    return record;
  }
  json_.clear();
  size_t consumed = 0;
  FLOE_RETURN_IF_ERROR(avro::DatumToJson(writer->schema.root(), frame.body, json_, &consumed));
  if (consumed != frame.body.size())
    return Error(avro::AvroError::kTrailingBytes, std::to_string(frame.body.size() - consumed) +
                                                      " bytes after the datum (schema id " +
                                                      std::to_string(frame.schema_id) + ")");
  simdjson::dom::element doc;
  if (parser_.parse(json_).get(doc) != simdjson::SUCCESS || !doc.is_object())
    return Error(ArchiveError::kMalformedPayload, "Avro value is not a record (top-level type " +
                                                      std::string(avro::TypeName(writer->schema.root().type)) + ")");
  DecodedRecord record;
  record.time = times_.FromJson(doc, context.kafka_timestamp_ms);
  record.schema_version = version_;
  record.raw_json = json_;
  return record;
}

}  // namespace floe::archive
