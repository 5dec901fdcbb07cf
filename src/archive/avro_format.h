// AvroFormat: the archiver's Avro object container file output (`format: avro`), over avro::OcfWriter.
//
// Input: Confluent-framed Avro only (input.format avro). Each datum is copied as it came from Kafka — never
// re-encoded — and the Kafka metadata fields follow it, as in floe's Parquet and JSON-lines files:
//   file schema = the record's writer schema with, appended to its fields,
//     _kafka_partition int, _kafka_offset long, _kafka_timestamp ["null", long timestamp-millis],
//     _kafka_key ["null", bytes] (store.kafka.keys), _kafka_headers array<floe.KafkaHeader{key string,
//     value ["null", bytes]}> (store.kafka.headers);
//   a writer schema that is not a record becomes the field `value` of a record floe.Value first.
// Appending fields to a record appends their encodings to its datum, so a file datum is the Kafka body
// followed by the metadata's bytes. A file holds one writer schema (files are per schema version); a record
// of another writer schema is refused (ArchiveError::kConfig, not taken).
//
// Memory: each open file buffers at most kBlockBytes of datums, then writes a compressed block to its sink.
// Files are deterministic (the sync marker derives from the writer schema and the first datum), so a file
// re-created by recovery is the same object as the one it replaces.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "archive/kafka_columns.h"
#include "archive/record.h"
#include "avro/container.h"
#include "config/config.h"

namespace floe::archive {

class AvroFormat final : public FileFormat {
 public:
  static constexpr size_t kBlockBytes = 64 << 10;  // Avro's usual sync interval

  AvroFormat(avro::OcfCodec codec, KafkaColumnOptions kafka_columns) : codec_(codec), kafka_columns_(kafka_columns) {}
  // From a connector's settings: avro.codec; refuses what this format cannot write (input other than Avro,
  // field transforms, which would need the datums re-encoded).
  static Result<std::unique_ptr<AvroFormat>> FromSettings(const config::SettingValues& values,
                                                          KafkaColumnOptions kafka_columns, bool has_transforms);

  std::string_view extension() const override { return "avro"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override;

  // The file schema for a writer schema (rules above), as JSON text.
  static Result<std::string> FileSchemaFor(std::string_view writer_schema, KafkaColumnOptions kafka_columns);

 private:
  avro::OcfCodec codec_;
  KafkaColumnOptions kafka_columns_;
  std::map<std::string, avro::Schema, std::less<>> file_schemas_;  // by writer schema text
};

}  // namespace floe::archive
