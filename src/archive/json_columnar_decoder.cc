#include "archive/json_columnar_decoder.h"

#include "archive/archive_error.h"
#include "archive/avro_json_decoder.h"
#include "json/inferred_schema.h"
#include "json/json_error.h"

namespace floe::archive {

namespace {

const std::vector<std::string>& KafkaColumnNames() {
  static const std::vector<std::string> names = {"_kafka_partition", "_kafka_offset", "_kafka_timestamp",
                                                 "_kafka_key", "_kafka_headers"};
  return names;
}

// The root record's name: the table name as an Avro name, so it survives the .avsc round trip.
std::string RootName(std::string_view table_dir) {
  std::string_view table = table_dir.substr(table_dir.rfind('/') + 1);
  std::string name;
  for (char c : table) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name.insert(name.begin(), '_');
  return name;
}

// How many times a record may find the history moved on under it before the decoder gives up.
constexpr int kEvolveAttempts = 8;

}  // namespace

struct JsonColumnarDecoder::Version {
  int64_t number = 0;
  std::string text;  // the `v=` value
  std::string avsc;
  columnar::NodePtr event;
  std::unique_ptr<json::ColumnWriter> writer;
  columnar::ColumnarBatch batch;
};

struct JsonColumnarDecoder::Table {
  std::string dir;
  std::string root_name;
  Version* current = nullptr;
  // Every version this process used, kept alive: a previous DecodedRecord's batch may still be referenced.
  std::vector<std::unique_ptr<Version>> versions;
};

JsonColumnarDecoder::JsonColumnarDecoder(const BusinessTimeExtractor& times, json::SchemaHistory& history,
                                         JsonColumnarOptions options)
    : times_(times), history_(history), options_(std::move(options)) {
  if (options_.declared) declared_avsc_ = json::ToAvroSchema(*options_.declared->root);
}

JsonColumnarDecoder::~JsonColumnarDecoder() = default;

Status JsonColumnarDecoder::Adopt(Table& table, json::SchemaVersion stored) {
  auto v = std::make_unique<Version>();
  v->number = stored.version;
  v->text = std::to_string(stored.version);
  if (options_.declared && stored.avsc == declared_avsc_) {
    v->event = options_.declared->root;
    v->writer = std::make_unique<json::ColumnWriter>(*v->event, json::SchemaMode::kDeclared, KafkaColumnNames(),
                                                     options_.declared->closed);
  } else {
    auto parsed = json::FromAvroSchema(stored.avsc);
    if (!parsed.ok())
      return parsed.status().WithContext(json::ObjectStoreSchemaHistory::KeyOf(table.dir, stored.version));
    v->event = std::move(parsed).value();
    v->writer = std::make_unique<json::ColumnWriter>(*v->event, json::SchemaMode::kInferred, KafkaColumnNames());
  }
  v->avsc = std::move(stored.avsc);
  v->batch.Reset(WithKafkaColumns(columnar::Schema(v->event), options_.kafka_columns));
  table.current = v.get();
  table.versions.push_back(std::move(v));
  return Status::Ok();
}

Status JsonColumnarDecoder::Load(Table& table) {
  FLOE_ASSIGN_OR_RETURN(std::optional<json::SchemaVersion> latest, history_.Latest(table.dir));
  if (!options_.declared) {
    if (latest) return Adopt(table, std::move(*latest));
    return Status::Ok();  // the first record creates version 1
  }
  // Declared: the latest version when it is the declaration, else the declaration as the next version.
  for (int attempt = 0; attempt < kEvolveAttempts; ++attempt) {
    if (latest && latest->avsc == declared_avsc_) return Adopt(table, std::move(*latest));
    FLOE_ASSIGN_OR_RETURN(json::SchemaVersion stored,
                          history_.Create(table.dir, latest ? latest->version + 1 : 1, declared_avsc_));
    latest = std::move(stored);
  }
  return Error(json::JsonError::kHistory, "could not store the declared schema as a version of " + table.dir);
}

Result<JsonColumnarDecoder::Table*> JsonColumnarDecoder::TableFor(std::string_view topic) {
  if (auto it = tables_.find(topic); it != tables_.end()) return it->second.get();
  auto table = std::make_unique<Table>();
  table->dir = options_.table_dir(topic);
  table->root_name = RootName(table->dir);
  FLOE_RETURN_IF_ERROR(Load(*table));
  Table* raw = table.get();
  tables_.emplace(std::string(topic), std::move(table));
  return raw;
}

columnar::ColumnarBatch* JsonColumnarDecoder::WriteInto(Version& version, const simdjson::dom::object& object,
                                                        columnar::ColumnarBatch* append_to) {
  if (!append_to || !append_to->schema().SameAs(version.batch.schema())) {
    version.batch.Clear();
    return version.writer->Write(object, version.batch) ? &version.batch : nullptr;
  }
  append_to->SetMark(mark_);
  if (version.writer->Write(object, *append_to)) return append_to;
  append_to->Rollback(mark_);
  return nullptr;
}

Result<columnar::ColumnarBatch*> JsonColumnarDecoder::Evolve(Table& table, const simdjson::dom::object& object) {
  for (int attempt = 0; attempt < kEvolveAttempts; ++attempt) {
    FLOE_ASSIGN_OR_RETURN(std::optional<json::SchemaVersion> latest, history_.Latest(table.dir));
    const int64_t current = table.current ? table.current->number : 0;
    columnar::NodePtr base = table.current ? table.current->event : json::EmptyRecord(table.root_name);
    int64_t next = current + 1;
    if (latest && latest->version > current) {
      // Another worker (or an earlier run) moved on: that version may already fit.
      FLOE_RETURN_IF_ERROR(Adopt(table, std::move(*latest)));
      if (columnar::ColumnarBatch* batch = WriteInto(*table.current, object)) return batch;
      base = table.current->event;
      next = table.current->number + 1;
    } else if (latest && latest->version == current && latest->avsc != table.current->avsc) {
      // This process's version lost a write race: the store holds another schema under the same number.
      // Never reuse the number (our files under it have our schema); the next version covers both.
      FLOE_ASSIGN_OR_RETURN(columnar::NodePtr theirs, json::FromAvroSchema(latest->avsc));
      base = json::Widen(base, theirs);
    }
    columnar::NodePtr widened = json::Widen(base, json::InferRecord(object, table.root_name, KafkaColumnNames()));
    FLOE_ASSIGN_OR_RETURN(json::SchemaVersion stored, history_.Create(table.dir, next, json::ToAvroSchema(*widened)));
    FLOE_RETURN_IF_ERROR(Adopt(table, std::move(stored)));
    if (columnar::ColumnarBatch* batch = WriteInto(*table.current, object)) return batch;
  }
  return nullptr;
}

Result<DecodedRecord> JsonColumnarDecoder::Decode(const RecordContext& context, std::string_view value) {
  simdjson::dom::element doc;
  auto parse = [&](std::string_view text) {
    // simdjson needs SIMDJSON_PADDING readable bytes past the end; copy into a reused padded buffer.
    if (padded_.size() < text.size() || padded_.size() > 4 * text.size() + 4096)
      padded_ = simdjson::padded_string(text.size());
    std::memcpy(padded_.data(), text.data(), text.size());
    return parser_.parse(padded_.data(), text.size(), false).get(doc);
  };
  auto err = parse(value);
  if (err == simdjson::NUMBER_ERROR && json::QuoteBigIntegers(value, rewritten_))
    err = parse(rewritten_);
  if (err != simdjson::SUCCESS)
    return Error(ArchiveError::kMalformedPayload, std::string("value is not valid JSON: ") + simdjson::error_message(err));
  simdjson::dom::object object;
  if (doc.get(object) != simdjson::SUCCESS)
    return Error(ArchiveError::kMalformedPayload, "value is JSON but not an object");

  if (!last_table_ || context.topic != last_topic_) {
    FLOE_ASSIGN_OR_RETURN(last_table_, TableFor(context.topic));
    last_topic_.assign(context.topic);
  }
  Table* table = last_table_;
  columnar::ColumnarBatch* batch = table->current ? WriteInto(*table->current, object, context.append_to) : nullptr;
  if (!batch) {
    if (options_.declared)
      return Error(ArchiveError::kMalformedPayload,
                   "value does not fit the declared JSON Schema: " + table->current->writer->misfit());
    FLOE_ASSIGN_OR_RETURN(batch, Evolve(*table, object));
    if (!batch)
      return Error(json::JsonError::kHistory, "the schema history of " + table->dir +
                                                  " kept changing; last misfit: " + table->current->writer->misfit());
  }
  Version& v = *table->current;
  AppendKafkaColumns(*batch, context, options_.kafka_columns);
  batch->EndRecord();

  DecodedRecord record;
  record.time = times_.FromJson(doc, context.kafka_timestamp_ms);
  record.schema_version = v.text;
  record.columns = batch;
  record.own = &v.batch;
  if (batch != &v.batch) record.in_place = &mark_;
  record.writer_schema = v.avsc;
  return record;
}

Result<DecodedRecord> JsonColumnarDecoder::DecodeTombstone(const RecordContext& context) {
  if (!last_table_ || context.topic != last_topic_) {
    FLOE_ASSIGN_OR_RETURN(last_table_, TableFor(context.topic));
    last_topic_.assign(context.topic);
  }
  Table* table = last_table_;
  if (!table->current)
    return Error(ArchiveError::kTombstone, "a tombstone before any record of " + table->dir +
                                               ": no schema version to write its all-null row into");
  simdjson::dom::element empty;
  if (parser_.parse(std::string_view("{}")).get(empty) != simdjson::SUCCESS)
    return Error(ArchiveError::kTombstone, "internal: cannot parse {}");
  if (!WriteInto(*table->current, empty.get_object().value()))
    return Error(ArchiveError::kTombstone, "the declared JSON Schema has required fields a tombstone cannot fill: " +
                                               table->current->writer->misfit());
  Version& v = *table->current;
  AppendKafkaColumns(v.batch, context, options_.kafka_columns);
  v.batch.EndRecord();
  DecodedRecord record;
  record.time = BusinessTime{context.kafka_timestamp_ms * 1000, TimeSource::kKafkaTimestamp, -1};
  record.schema_version = v.text;
  record.columns = &v.batch;
  record.writer_schema = v.avsc;
  return record;
}

}  // namespace floe::archive
