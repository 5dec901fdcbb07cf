#include "catalog/rebuild.h"

#include <nlohmann/json.hpp>

#include <cstring>

#include "avro/container.h"
#include "avro/decoder.h"
#include "catalog/catalog_error.h"
#include "columnar/column_buffer.h"
#include "parquet/file_reader.h"

namespace floe::catalog {
namespace {

class RangeSource final : public parquet::RandomAccessSource {
 public:
  RangeSource(storage::ObjectStore& store, std::string key, uint64_t size)
      : store_(store), key_(std::move(key)), size_(size) {}
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    FLOE_ASSIGN_OR_RETURN(*out, store_.GetRange(key_, offset, n));
    if (out->size() != n) return Error(CatalogError::kParse, "short read of " + key_);
    return Status::Ok();
  }

 private:
  storage::ObjectStore& store_;
  std::string key_;
  uint64_t size_;
};

std::optional<int64_t> Int64Stat(const std::optional<std::string>& bytes) {
  if (!bytes || bytes->size() != 8) return std::nullopt;
  int64_t v;
  std::memcpy(&v, bytes->data(), 8);  // PLAIN int64: little-endian, as the machines floe runs on
  return v;
}

Status FromParquet(storage::ObjectStore& lake, const storage::ObjectMeta& object, archive::FileCommittedEvent& e) {
  auto reader = parquet::ParquetReader::Open(std::make_unique<RangeSource>(lake, object.key, object.size));
  if (!reader.ok()) return Error(CatalogError::kParse, object.key + ": " + reader.status().ToString());
  const auto& meta = (*reader)->metadata();
  e.records = static_cast<uint64_t>(meta.num_rows);
  e.last_offset = e.first_offset + static_cast<int64_t>(e.records) - 1;
  const auto& leaves = (*reader)->schema().leaves();
  for (size_t leaf = 0; leaf < leaves.size(); ++leaf) {
    if (leaves[leaf].dotted_path() != "_kafka_offset") continue;
    std::optional<int64_t> max;
    for (const auto& rg : meta.row_groups) {
      if (leaf >= rg.columns.size() || !rg.columns[leaf].meta_data || !rg.columns[leaf].meta_data->statistics) {
        continue;
      }
      if (auto v = Int64Stat(rg.columns[leaf].meta_data->statistics->max_value)) max = max ? std::max(*max, *v) : *v;
    }
    if (max) e.last_offset = *max;
  }
  for (const auto& kv : meta.key_value_metadata) {
    if (!kv.value) continue;
    if (kv.key == "floe.business_time.min") e.min_business_time_micros = std::stoll(*kv.value);
    if (kv.key == "floe.business_time.max") e.max_business_time_micros = std::stoll(*kv.value);
  }
  return Status::Ok();
}

Status FromJsonLines(storage::ObjectStore& lake, const storage::ObjectMeta& object, archive::FileCommittedEvent& e) {
  FLOE_ASSIGN_OR_RETURN(std::string text, lake.Get(object.key));
  uint64_t lines = 0;
  size_t start = 0, last_start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start) {
      ++lines;
      last_start = start;
    }
    start = nl + 1;
  }
  e.records = lines;
  e.last_offset = e.first_offset + static_cast<int64_t>(lines) - 1;
  if (lines > 0) {
    size_t end = text.find('\n', last_start);
    auto j = nlohmann::json::parse(std::string_view(text).substr(last_start, end == std::string::npos
                                                                                ? std::string::npos
                                                                                : end - last_start),
                                   nullptr, false);
    if (j.is_object() && j.contains("_kafka_offset") && j["_kafka_offset"].is_number_integer()) {
      e.last_offset = j["_kafka_offset"].get<int64_t>();
    }
  }
  return Status::Ok();
}

// The `_kafka_offset` of one datum of an Avro file of floe's, decoded through a reader schema holding only
// that field (schema resolution skips the others).
Result<int64_t> KafkaOffsetOf(const avro::Schema& writer, std::string_view datum) {
  const nlohmann::json reader_json = {
      {"type", "record"},
      {"name", writer.root().full_name},
      {"fields", nlohmann::json::array({{{"name", "_kafka_offset"}, {"type", "long"}}})}};
  FLOE_ASSIGN_OR_RETURN(avro::Schema reader, avro::Schema::FromJson(reader_json));
  FLOE_ASSIGN_OR_RETURN(avro::RecordDecoder decoder,
                        avro::RecordDecoder::Compile(writer, reader, {.capture_paths = {"_kafka_offset"}}));
  columnar::ColumnarBatch batch(decoder.columnar_schema());
  FLOE_RETURN_IF_ERROR(decoder.Decode(datum, batch));
  return decoder.captured().long_value;
}

Status FromAvro(storage::ObjectStore& lake, const storage::ObjectMeta& object, archive::FileCommittedEvent& e) {
  FLOE_ASSIGN_OR_RETURN(std::string bytes, lake.Get(object.key));
  auto reader = avro::OcfReader::Open(bytes);
  if (!reader.ok()) return Error(CatalogError::kParse, object.key + ": " + reader.status().ToString());
  uint64_t datums = 0;
  std::string last;  // a copy: the reader's view of a datum ends with the next call
  std::string_view datum;
  for (;;) {
    auto more = reader->NextDatum(datum);
    if (!more.ok()) return Error(CatalogError::kParse, object.key + ": " + more.status().ToString());
    if (!*more) break;
    ++datums;
    last.assign(datum);
  }
  e.records = datums;
  e.last_offset = e.first_offset + static_cast<int64_t>(datums) - 1;
  if (datums > 0 && reader->schema().root().type == avro::Type::kRecord &&
      reader->schema().root().FindField("_kafka_offset")) {
    auto offset = KafkaOffsetOf(reader->schema(), last);
    if (!offset.ok()) return Error(CatalogError::kParse, object.key + ": " + offset.status().ToString());
    e.last_offset = *offset;
  }
  return Status::Ok();
}

}  // namespace

Result<archive::FileCommittedEvent> EventFromObject(storage::ObjectStore& lake, const KeyPattern& pattern,
                                                    const storage::ObjectMeta& object) {
  FLOE_ASSIGN_OR_RETURN(auto e, pattern.Parse(object.key));
  e.bytes = object.size;
  if (e.format == "parquet") {
    FLOE_RETURN_IF_ERROR(FromParquet(lake, object, e));
  } else if (e.format == "jsonl" || e.format == "json") {
    FLOE_RETURN_IF_ERROR(FromJsonLines(lake, object, e));
  } else if (e.format == "avro") {
    FLOE_RETURN_IF_ERROR(FromAvro(lake, object, e));
  }
  return e;
}

Result<RebuildStats> RebuildFromListing(storage::ObjectStore& lake, const std::vector<KeyPattern>& patterns,
                                        Catalog& catalog) {
  RebuildStats stats;
  FLOE_ASSIGN_OR_RETURN(auto objects, storage::ListAll(lake, ""));
  stats.objects_listed = objects.size();
  std::vector<archive::FileCommittedEvent> batch;
  for (const auto& o : objects) {
    bool matched = false;
    for (const auto& p : patterns) {
      if (!p.Parse(o.key).ok()) continue;
      FLOE_ASSIGN_OR_RETURN(auto e, EventFromObject(lake, p, o));
      batch.push_back(std::move(e));
      matched = true;
      break;
    }
    if (!matched) ++stats.skipped;
    if (batch.size() >= 1000) {
      FLOE_RETURN_IF_ERROR(catalog.Ingest(batch));
      stats.files_registered += batch.size();
      batch.clear();
    }
  }
  FLOE_RETURN_IF_ERROR(catalog.Ingest(batch));
  stats.files_registered += batch.size();
  return stats;
}

}  // namespace floe::catalog
