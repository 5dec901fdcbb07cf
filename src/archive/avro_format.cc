#include "archive/avro_format.h"

#include <array>
#include <cstring>

#include <nlohmann/json.hpp>

#include "archive/archive_error.h"
#include "avro/binary.h"

namespace floe::archive {
namespace {

using nlohmann::ordered_json;

constexpr const char* kMetadataFields[] = {"_kafka_partition", "_kafka_offset", "_kafka_timestamp", "_kafka_key",
                                           "_kafka_headers"};

class AvroFileWriter final : public FileFormatWriter {
 public:
  AvroFileWriter(std::unique_ptr<ByteSink> sink, std::string_view writer_schema, KafkaColumnOptions kafka_columns)
      : sink_(std::move(sink)), writer_schema_(writer_schema), kafka_columns_(kafka_columns) {}

  Status Open(const avro::Schema& file_schema, avro::OcfCodec codec, std::string_view first_datum) {
    avro::OcfWriterOptions options;
    options.codec = codec;
    options.block_bytes = AvroFormat::kBlockBytes;
    // Not random: a file re-created after a crash (same first record) must be byte for byte the object a
    // zombie's in-flight upload may still write (docs/EXACTLY_ONCE.md).
    const uint64_t a = avro::Rabin64(writer_schema_);
    const uint64_t b = avro::Rabin64(std::string(first_datum) + writer_schema_);
    std::array<uint8_t, 16> sync;
    std::memcpy(sync.data(), &a, 8);
    std::memcpy(sync.data() + 8, &b, 8);
    options.sync = sync;
    FLOE_ASSIGN_OR_RETURN(avro::OcfWriter w, avro::OcfWriter::Open(sink_.get(), file_schema, options));
    writer_.emplace(std::move(w));
    return Status::Ok();
  }

  Status Append(const RecordContext& context, DecodedRecord& record) override {
    if (record.avro_datum.data() == nullptr)
      return Error(ArchiveError::kConfig, "format avro needs Avro input (input.format avro)");
    if (record.writer_schema != writer_schema_)
      return Error(ArchiveError::kConfig, "record's Avro writer schema differs from its file's (one schema version, "
                                          "two schemas: check the topic's subject naming)");
    datum_.assign(record.avro_datum);
    avro::WriteLong(datum_, context.partition);
    avro::WriteLong(datum_, context.offset);
    if (context.kafka_timestamp_ms >= 0) {
      avro::WriteLong(datum_, 1);
      avro::WriteLong(datum_, context.kafka_timestamp_ms);
    } else {
      avro::WriteLong(datum_, 0);
    }
    if (kafka_columns_.key) {
      if (context.key) {
        avro::WriteLong(datum_, 1);
        avro::WriteBytes(datum_, *context.key);
      } else {
        avro::WriteLong(datum_, 0);
      }
    }
    if (kafka_columns_.headers) {
      if (!context.headers.empty()) {
        avro::WriteLong(datum_, static_cast<int64_t>(context.headers.size()));
        for (const auto& [name, value] : context.headers) {
          avro::WriteBytes(datum_, name);
          if (value) {
            avro::WriteLong(datum_, 1);
            avro::WriteBytes(datum_, *value);
          } else {
            avro::WriteLong(datum_, 0);
          }
        }
      }
      avro::WriteLong(datum_, 0);
    }
    return writer_->Append(datum_);
  }

  uint64_t records() const override { return writer_->datums_written(); }
  uint64_t bytes() const override { return sink_->position() + writer_->pending_bytes(); }

  Result<WrittenFile> Finish() override {
    FLOE_RETURN_IF_ERROR(writer_->Finish());
    FLOE_RETURN_IF_ERROR(sink_->Close());
    return WrittenFile{writer_->datums_written(), sink_->position()};
  }

 private:
  std::unique_ptr<ByteSink> sink_;
  std::string writer_schema_;
  KafkaColumnOptions kafka_columns_;
  std::optional<avro::OcfWriter> writer_;
  std::string datum_;
};

}  // namespace

Result<std::unique_ptr<AvroFormat>> AvroFormat::FromSettings(const config::SettingValues& values,
                                                             KafkaColumnOptions kafka_columns, bool has_transforms) {
  if (values.GetString("input.format") != "avro")
    return Error(ArchiveError::kConfig, "format avro writes Avro input as it came (input.format avro); JSON and "
                                        "bytes topics go to parquet or json");
  if (has_transforms)
    return Error(ArchiveError::kConfig, "format avro copies datums unchanged: fields.exclude and fields.rename "
                                        "apply to parquet and json output only");
  const std::string name = values.GetString("avro.codec");
  const auto codec = avro::ParseOcfCodec(name);
  if (!codec) return Error(ArchiveError::kConfig, "avro.codec: unknown codec '" + name + "'");
  return std::make_unique<AvroFormat>(*codec, kafka_columns);
}

Result<std::string> AvroFormat::FileSchemaFor(std::string_view writer_schema, KafkaColumnOptions kafka_columns) {
  ordered_json schema = ordered_json::parse(writer_schema, nullptr, false);
  if (schema.is_discarded()) return Error(ArchiveError::kConfig, "writer schema is not JSON");
  if (!schema.is_object() || schema.value("type", "") != "record") {
    schema = ordered_json{{"type", "record"},
                          {"name", "Value"},
                          {"namespace", "floe"},
                          {"fields", ordered_json::array({ordered_json{{"name", "value"}, {"type", std::move(schema)}}})}};
  }
  ordered_json& fields = schema["fields"];
  for (const auto& f : fields) {
    for (const char* reserved : kMetadataFields)
      if (f.value("name", "") == reserved)
        return Error(ArchiveError::kConfig, std::string("writer schema already has a field ") + reserved +
                                                " (format avro appends the Kafka metadata under that name)");
  }
  const auto nullable = [](ordered_json t) { return ordered_json::array({"null", std::move(t)}); };
  fields.push_back({{"name", "_kafka_partition"}, {"type", "int"}});
  fields.push_back({{"name", "_kafka_offset"}, {"type", "long"}});
  fields.push_back({{"name", "_kafka_timestamp"},
                    {"type", nullable({{"type", "long"}, {"logicalType", "timestamp-millis"}})}});
  if (kafka_columns.key) fields.push_back({{"name", "_kafka_key"}, {"type", nullable("bytes")}});
  if (kafka_columns.headers) {
    ordered_json header = {{"type", "record"},
                           {"name", "KafkaHeader"},
                           {"namespace", "floe"},
                           {"fields", ordered_json::array({ordered_json{{"name", "key"}, {"type", "string"}},
                                                           ordered_json{{"name", "value"}, {"type", nullable("bytes")}}})}};
    fields.push_back({{"name", "_kafka_headers"}, {"type", {{"type", "array"}, {"items", std::move(header)}}}});
  }
  return schema.dump();
}

Result<std::unique_ptr<FileFormatWriter>> AvroFormat::Open(std::unique_ptr<ByteSink> sink, const DecodedRecord& first) {
  if (first.avro_datum.data() == nullptr || first.writer_schema.empty())
    return Error(ArchiveError::kConfig, "format avro needs Avro input (input.format avro)");
  auto it = file_schemas_.find(first.writer_schema);
  if (it == file_schemas_.end()) {
    FLOE_ASSIGN_OR_RETURN(std::string text, FileSchemaFor(first.writer_schema, kafka_columns_));
    auto parsed = avro::Schema::Parse(text);
    if (!parsed.ok()) return parsed.status().WithContext("format avro file schema");
    it = file_schemas_.emplace(std::string(first.writer_schema), std::move(parsed).value()).first;
  }
  auto writer = std::make_unique<AvroFileWriter>(std::move(sink), first.writer_schema, kafka_columns_);
  FLOE_RETURN_IF_ERROR(writer->Open(it->second, codec_, first.avro_datum));
  return std::unique_ptr<FileFormatWriter>(std::move(writer));
}

}  // namespace floe::archive
