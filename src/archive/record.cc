#include "archive/record.h"

#include <cstring>

namespace floe::archive {
namespace {

std::optional<std::string> FromJson(std::string_view json, std::string_view dotted) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element node;
  if (parser.parse(json.data(), json.size()).get(node) != simdjson::SUCCESS) return std::nullopt;
  size_t start = 0;
  while (true) {
    const size_t dot = dotted.find('.', start);
    const std::string_view name = dotted.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!node.is_object() || node.at_key(name).get(node) != simdjson::SUCCESS) return std::nullopt;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  switch (node.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return std::nullopt;
    case simdjson::dom::element_type::STRING: return std::string(node.get_string().value());
    default: return simdjson::minify(node);
  }
}

// The record's value of a non-repeated leaf: its entry at `entry`, value `value` (past the batch's earlier
// records when the record was appended in place).
std::optional<std::string> FromColumns(const columnar::ColumnarBatch& batch, const columnar::ColumnarBatch::Mark* at,
                                       std::string_view dotted) {
  for (size_t i = 0; i < batch.num_columns(); ++i) {
    const columnar::ColumnBuffer& c = batch.column(i);
    if (c.max_repetition_level() > 0 || c.leaf().dotted_path() != dotted) continue;
    const auto [entry, value] = at ? at->entries_values[i] : std::pair<size_t, size_t>{0, 0};
    if (c.num_entries() <= entry) return std::nullopt;
    if (c.max_definition_level() > 0 && c.def_levels()[entry] < c.max_definition_level()) return std::nullopt;
    const uint8_t* v = c.fixed().data() + value * c.FixedWidth();
    switch (c.physical()) {
      case columnar::PhysicalType::kBoolean: return std::string(v[0] ? "true" : "false");
      case columnar::PhysicalType::kInt32: {
        int32_t x;
        std::memcpy(&x, v, sizeof x);
        return std::to_string(x);
      }
      case columnar::PhysicalType::kInt64: {
        int64_t x;
        std::memcpy(&x, v, sizeof x);
        return std::to_string(x);
      }
      case columnar::PhysicalType::kFloat: {
        float x;
        std::memcpy(&x, v, sizeof x);
        return std::to_string(x);
      }
      case columnar::PhysicalType::kDouble: {
        double x;
        std::memcpy(&x, v, sizeof x);
        return std::to_string(x);
      }
      case columnar::PhysicalType::kByteArray: return std::string(c.bytes_value(value));
      default: return std::nullopt;  // fixed-length bytes and INT96 make no sensible directory names
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> DecodedRecord::FieldValue(std::string_view dotted_path) const {
  if (columns) return FromColumns(*columns, in_place, dotted_path);
  if (!raw_json.empty()) return FromJson(raw_json, dotted_path);
  return std::nullopt;
}

void MoveInPlaceRecordToOwnBatch(DecodedRecord& record) {
  if (!record.in_place) return;
  record.own->Clear();
  record.own->AppendRecordsFrom(*record.columns, record.in_place);
  record.columns->Rollback(*record.in_place);
  record.columns = record.own;
  record.in_place = nullptr;
}

void DropInPlaceRecord(DecodedRecord& record) {
  if (!record.in_place) return;
  record.columns->Rollback(*record.in_place);
  record.columns = record.own;
  record.own->Clear();
  record.in_place = nullptr;
}

Result<DecodedRecord> RecordDecoder::DecodeTombstone(const RecordContext& context) {
  DecodedRecord record;
  record.time = BusinessTime{context.kafka_timestamp_ms * 1000, TimeSource::kKafkaTimestamp, -1};
  record.raw_json = "{}";
  return record;
}

}  // namespace floe::archive
