// JSON input and JSON-lines output.
//
// JsonRecordDecoder validates that a value is one JSON object (simdjson, one reused parser: no per-record
// allocation once warm) and finds its business time. JsonLinesFormat writes each record as one line: the
// Kafka metadata fields first, then the event's own fields exactly as produced:
//   {"_kafka_partition":3,"_kafka_offset":17,"_kafka_timestamp":"2024-05-01T12:00:00.000000Z", ...event...}
#pragma once

#include <simdjson.h>

#include "archive/kafka_columns.h"
#include "archive/record.h"

namespace floe::archive {

class JsonRecordDecoder final : public RecordDecoder {
 public:
  explicit JsonRecordDecoder(const BusinessTimeExtractor& times) : times_(times) {}
  Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) override;

 private:
  const BusinessTimeExtractor& times_;
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
};

class JsonLinesFormat final : public FileFormat {
 public:
  explicit JsonLinesFormat(KafkaColumnOptions kafka_columns = {}) : kafka_columns_(kafka_columns) {}
  std::string_view extension() const override { return "jsonl"; }
  Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) override;

 private:
  KafkaColumnOptions kafka_columns_;
};

}  // namespace floe::archive
