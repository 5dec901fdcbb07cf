// JsonColumnarDecoder: JSON values into columns, for Parquet output of JSON topics.
//
// Each topic's table has a schema history (json/schema_history.h): version N is an Avro schema, and records
// land in `v=<N>`. A record that fits the table's current version is shredded into it (json/column_writer.h);
// one that does not (a new field, a wider type) makes a new version — the current one widened by the record
// (json/inferred_schema.h), or a newer version another worker already stored when the record fits that —
// so a file's schema never changes after it is opened. On the first record of a table the decoder resumes
// from the latest stored version, so after a restart records that fit keep landing in the same `v=`.
//
// With a declared JSON Schema (json/json_schema.h) nothing is inferred: the declared schema is the table's
// version (stored in the history like an inferred one; a changed declaration becomes the next version) and
// a record that does not fit it is archive.malformed_payload naming the field.
//
// DecodedRecord: `columns` holds exactly this record (or, decoded into RecordContext::append_to of the
// version's schema, ends with it: DecodedRecord::in_place) followed by _kafka_partition, _kafka_offset and
// _kafka_timestamp (and _kafka_key/_kafka_headers when asked; WithKafkaColumns); `writer_schema` is the version's Avro schema (the Parquet file's
// `avro.schema`); `time` comes from the candidate fields as for JsonRecordDecoder. Top-level members named
// like the Kafka metadata columns are left out (the metadata columns win).
//
// Single-threaded, like every RecordDecoder. Once a table's version is warm, decoding allocates nothing
// except JSON text for non-string values in widened string columns.
#pragma once

#include <simdjson.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "archive/kafka_columns.h"
#include "archive/record.h"
#include "json/column_writer.h"
#include "json/json_schema.h"
#include "json/schema_history.h"

namespace floe::archive {

struct JsonColumnarOptions {
  // "<database>/<table>" of a topic (TableLayout's DatabaseFor/TableFor): where its schema history lives.
  std::function<std::string(std::string_view topic)> table_dir;
  // Kafka key/header columns after the metadata columns (store.kafka.keys, store.kafka.headers).
  KafkaColumnOptions kafka_columns;
  // A declared schema fixes the table's schema instead of inference.
  std::optional<json::DeclaredSchema> declared;
};

class JsonColumnarDecoder final : public RecordDecoder {
 public:
  // `times` and `history` must outlive the decoder.
  JsonColumnarDecoder(const BusinessTimeExtractor& times, json::SchemaHistory& history, JsonColumnarOptions options);
  ~JsonColumnarDecoder() override;
  Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) override;
  // behavior.on.null.values=write: an all-null row in the table's current version (every inferred field is
  // nullable), placed by Kafka time; an error before the table has a version or under a declared schema
  // with required fields.
  Result<DecodedRecord> DecodeTombstone(const RecordContext& context) override;

 private:
  struct Version;
  struct Table;
  Result<Table*> TableFor(std::string_view topic);
  Status Load(Table& table);
  Status Adopt(Table& table, json::SchemaVersion stored);
  // Adopts or creates the schema versions the object needs; the batch it went into (WriteInto), or nullptr
  // when the history kept changing under it.
  Result<columnar::ColumnarBatch*> Evolve(Table& table, const simdjson::dom::object& object);
  // Shreds the object into the version's own batch (emptied first), or appends it to `append_to` when that
  // is a batch of the version's schema (RecordContext::append_to; mark_ then says where it starts). Returns
  // the batch written, or nullptr, leaving no partial record behind, when the object does not fit.
  columnar::ColumnarBatch* WriteInto(Version& version, const simdjson::dom::object& object,
                                     columnar::ColumnarBatch* append_to = nullptr);

  const BusinessTimeExtractor& times_;
  json::SchemaHistory& history_;
  JsonColumnarOptions options_;
  std::string declared_avsc_;
  std::map<std::string, std::unique_ptr<Table>, std::less<>> tables_;  // by topic
  Table* last_table_ = nullptr;  // the table of last_topic_: consecutive records mostly share a topic
  std::string last_topic_;
  simdjson::dom::parser parser_;
  simdjson::padded_string padded_;
  std::string rewritten_;  // the value with integers beyond 64 bits quoted (json::QuoteBigIntegers)
  columnar::ColumnarBatch::Mark mark_;
};

}  // namespace floe::archive
