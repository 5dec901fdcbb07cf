#include "archive/json_format.h"

#include <fmt/format.h>

#include "archive/archive_error.h"
#include "common/time_util.h"
#include "storage/digest.h"

namespace floe::archive {

Result<DecodedRecord> JsonRecordDecoder::Decode(const RecordContext& context, std::string_view value) {
  // simdjson needs SIMDJSON_PADDING readable bytes past the end; copy into a reused padded buffer.
  if (padded_.size() < value.size() || padded_.size() > 4 * value.size() + 4096) {
    padded_ = simdjson::padded_string(value.size());
  }
  std::memcpy(padded_.data(), value.data(), value.size());
  simdjson::dom::element doc;
  if (auto err = parser_.parse(padded_.data(), value.size(), false).get(doc); err != simdjson::SUCCESS)
    return Error(ArchiveError::kMalformedPayload, std::string("value is not valid JSON: ") + simdjson::error_message(err));
  if (!doc.is_object())
    return Error(ArchiveError::kMalformedPayload, "value is JSON but not an object");
  DecodedRecord record;
  record.time = times_.FromJson(doc, context.kafka_timestamp_ms);
  record.raw_json = value;
  return record;
}

namespace {

bool IsValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void AppendJsonString(std::string_view s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string Base64Encode(std::string_view in) {
  return storage::Base64(reinterpret_cast<const uint8_t*>(in.data()), in.size());
}

class JsonLinesWriter final : public FileFormatWriter {
 public:
  JsonLinesWriter(std::unique_ptr<ByteSink> sink, KafkaColumnOptions kafka_columns)
      : sink_(std::move(sink)), kafka_columns_(kafka_columns) {}

  Status Append(const RecordContext& context, DecodedRecord& record) override {
    line_.clear();
    const std::string ts =
        context.kafka_timestamp_ms >= 0 ? '"' + FormatRfc3339Micros(context.kafka_timestamp_ms * 1000) + '"' : "null";
    fmt::format_to(std::back_inserter(line_), R"({{"_kafka_partition":{},"_kafka_offset":{},"_kafka_timestamp":{})",
                   context.partition, context.offset, ts);
    if (kafka_columns_.key && context.key) {
      if (IsValidUtf8(*context.key)) {
        line_ += R"(,"_kafka_key":)";
        AppendJsonString(*context.key, line_);
      } else {
        line_ += R"(,"_kafka_key_base64":")";
        line_ += Base64Encode(*context.key);
        line_ += '"';
      }
    }
    if (kafka_columns_.headers) {
      line_ += R"(,"_kafka_headers":[)";
      bool first = true;
      for (const auto& [name, value] : context.headers) {
        line_ += first ? R"({"key":)" : R"(,{"key":)";
        first = false;
        AppendJsonString(name, line_);
        line_ += R"(,"value":)";
        if (value)
          AppendJsonString(IsValidUtf8(*value) ? *value : Base64Encode(*value), line_);
        else
          line_ += "null";
        line_ += '}';
      }
      line_ += ']';
    }
    // Splice the event's own members after ours: skip its opening brace, keep the rest verbatim.
    std::string_view body = record.raw_json;
    const size_t brace = body.find('{');
    body.remove_prefix(brace + 1);
    const size_t first = body.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && body[first] != '}') line_ += ',';
    line_.append(body.data(), body.size());
    // A JSON line must not contain raw newlines; JSON allows them only as whitespace between tokens.
    for (char& c : line_)
      if (c == '\n' || c == '\r') c = ' ';
    line_ += '\n';
    ++records_;
    return sink_->Write(line_);
  }
  uint64_t records() const override { return records_; }
  uint64_t bytes() const override { return sink_->position(); }
  Result<WrittenFile> Finish() override {
    FLOE_RETURN_IF_ERROR(sink_->Close());
    return WrittenFile{records_, sink_->position()};
  }

 private:
  std::unique_ptr<ByteSink> sink_;
  KafkaColumnOptions kafka_columns_;
  std::string line_;
  uint64_t records_ = 0;
};

}  // namespace

Result<std::unique_ptr<FileFormatWriter>> JsonLinesFormat::Open(std::unique_ptr<ByteSink> sink, const DecodedRecord&) {
  return std::unique_ptr<FileFormatWriter>(new JsonLinesWriter(std::move(sink), kafka_columns_));
}

}  // namespace floe::archive
