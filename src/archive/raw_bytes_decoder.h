// RawBytesDecoder: `input.format: bytes` — values archived as opaque bytes, placed by Kafka time.
//
// Columnar output: one `value` BYTES column (then the Kafka metadata columns). JSON lines: `"value"` as a
// string when the bytes are UTF-8, else `"value_base64"`. There is no schema, hence no `v=` directory.
#pragma once

#include "archive/kafka_columns.h"
#include "archive/record.h"

namespace floe::archive {

class RawBytesDecoder final : public RecordDecoder {
 public:
  enum class Output { kJson, kColumns };
  RawBytesDecoder(Output output, KafkaColumnOptions kafka_columns);
  Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) override;
  Result<DecodedRecord> DecodeTombstone(const RecordContext& context) override;

 private:
  Output output_;
  KafkaColumnOptions kafka_columns_;
  columnar::ColumnarBatch batch_;
  std::string json_;
};

}  // namespace floe::archive
