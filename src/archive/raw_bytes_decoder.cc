#include "archive/raw_bytes_decoder.h"

#include <simdjson.h>

#include "storage/digest.h"

namespace floe::archive {
namespace {

constexpr std::string_view kSchema =
    R"({"type":"record","name":"raw","namespace":"floe","fields":[{"name":"value","type":["null","bytes"]}]})";

columnar::Schema RawSchema(KafkaColumnOptions options) {
  using columnar::Node;
  auto value = Node::Primitive("value", columnar::PhysicalType::kByteArray, true);
  return WithKafkaColumns(columnar::Schema(Node::Record("raw", {value}, false)), options);
}

BusinessTime KafkaTime(const RecordContext& context) {
  return BusinessTime{context.kafka_timestamp_ms * 1000, TimeSource::kKafkaTimestamp, -1};
}

}  // namespace

RawBytesDecoder::RawBytesDecoder(Output output, KafkaColumnOptions kafka_columns)
    : output_(output), kafka_columns_(kafka_columns), batch_(RawSchema(kafka_columns)) {}

Result<DecodedRecord> RawBytesDecoder::Decode(const RecordContext& context, std::string_view value) {
  DecodedRecord record;
  record.time = KafkaTime(context);
  if (output_ == Output::kColumns) {
    batch_.Clear();
    batch_.column(0).AppendBytes(value, 1, 0);
    batch_.EndRecord();
    AppendKafkaColumns(batch_, context, kafka_columns_);
    record.columns = &batch_;
    record.writer_schema = kSchema;
    return record;
  }
  json_.clear();
  if (simdjson::validate_utf8(value.data(), value.size())) {
    json_ = R"({"value":)";
    // simdjson's string escaping: the value is valid UTF-8, only quotes, backslashes and controls need care.
    json_ += '"';
    for (unsigned char c : value) {
      if (c == '"' || c == '\\') {
        json_ += '\\';
        json_ += static_cast<char>(c);
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        json_ += buf;
      } else {
        json_ += static_cast<char>(c);
      }
    }
    json_ += "\"}";
  } else {
    json_ = R"({"value_base64":")" + storage::Base64(reinterpret_cast<const uint8_t*>(value.data()), value.size()) +
            "\"}";
  }
  record.raw_json = json_;
  return record;
}

Result<DecodedRecord> RawBytesDecoder::DecodeTombstone(const RecordContext& context) {
  DecodedRecord record;
  record.time = KafkaTime(context);
  if (output_ == Output::kColumns) {
    batch_.Clear();
    batch_.column(0).AppendNull(0, 0);
    batch_.EndRecord();
    AppendKafkaColumns(batch_, context, kafka_columns_);
    record.columns = &batch_;
    record.writer_schema = kSchema;
    return record;
  }
  record.raw_json = "{}";
  return record;
}

}  // namespace floe::archive
