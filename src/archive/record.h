// The records flowing through the archive pipeline, and the two seams every input and output format plugs
// into:
//
//   Kafka message ──RecordDecoder──▶ DecodedRecord ──(partitioner picks a file)──▶ FileFormatWriter
//
// A RecordDecoder understands one input format (JSON now; Confluent Avro and raw bytes plug in beside it).
// A FileFormatWriter writes one output file in one format (JSON lines now; Parquet and Avro beside it).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "archive/business_time.h"
#include "common/byte_sink.h"
#include "common/status.h"
#include "columnar/column_buffer.h"

namespace floe::archive {

// Where a record came from. Views stay valid while the Kafka message is alive.
struct RecordContext {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t kafka_timestamp_ms = -1;
  std::optional<std::string_view> key;
  // Filled only when the connector stores headers (store.kafka.headers).
  std::span<const std::pair<std::string_view, std::optional<std::string_view>>> headers;
  // A batch a columnar decoder may append the record to instead of its own one-record batch: the waiting
  // rows of the file the record most likely goes to (PartitionWriter::InPlaceBatch), which saves copying the
  // row there. A decoder uses it only when its schema is the batch's (Schema::SameAs); see
  // DecodedRecord::in_place.
  columnar::ColumnarBatch* append_to = nullptr;
};

// A decoded record: its business time, the schema version its partition path carries, and the decoded
// value in the form the matching writers understand. Valid until the decoder's next Decode() call.
struct DecodedRecord {
  BusinessTime time;
  std::string_view schema_version;  // "" when the input format has no schema versions
  std::string_view raw_json;        // JSON-lines output: the value as a JSON object
  // Columnar output: the decoder's batch holding exactly this record (Kafka metadata columns included), and
  // the writer schema the columns came from (stored in the file's metadata).
  columnar::ColumnarBatch* columns = nullptr;
  // Set when the decoder appended the record to RecordContext::append_to (then `columns`) rather than to its
  // own batch `own`: where the record starts there (it is the batch's last). The record is not taken yet.
  // Whoever takes it where it is (the file writer owning the batch) clears `in_place`; whoever routes it
  // elsewhere first moves it to `own` (MoveInPlaceRecordToOwnBatch); if neither happens, the caller removes
  // it (DropInPlaceRecord), so a batch never keeps a record nobody took.
  const columnar::ColumnarBatch::Mark* in_place = nullptr;
  columnar::ColumnarBatch* own = nullptr;
  std::string_view writer_schema;
  // Avro output: the value's Avro binary datum, in writer_schema (data() == nullptr when the input has none).
  std::string_view avro_datum;

  // The value of a top-level or nested field (dotted path) as text, for `{field:...}` partition values;
  // nullopt when absent or null. Numbers print as JSON does; strings are not quoted.
  std::optional<std::string> FieldValue(std::string_view dotted_path) const;
};

// DecodedRecord::in_place: moves the record out of the batch it was appended to into the decoder's own
// (emptied) batch, which `columns` then points at; or removes it from that batch. No-ops when not in place.
void MoveInPlaceRecordToOwnBatch(DecodedRecord& record);
void DropInPlaceRecord(DecodedRecord& record);

class RecordDecoder {
 public:
  virtual ~RecordDecoder() = default;
  // Decodes a non-null value. Errors name what is wrong with the payload; the caller adds the
  // topic/partition/offset context.
  virtual Result<DecodedRecord> Decode(const RecordContext& context, std::string_view value) = 0;
  // The row a tombstone becomes under behavior.on.null.values=write: placed by Kafka time, every value field
  // null. By default a JSON row with no value fields; a decoder whose columnar schema cannot hold an all-null
  // row says so with a non-retryable error (the connector's errors.tolerance then decides).
  virtual Result<DecodedRecord> DecodeTombstone(const RecordContext& context);
};

// Summary of a finished file, for the commit and the file event.
struct WrittenFile {
  uint64_t records = 0;
  uint64_t bytes = 0;
};

class FileFormatWriter {
 public:
  virtual ~FileFormatWriter() = default;
  // Takes the record. A refused record is not taken: when it was in place in this writer's batch
  // (DecodedRecord::in_place), it has been moved to the decoder's own batch, for the caller to retry.
  virtual Status Append(const RecordContext& context, DecodedRecord& record) = 0;
  // The batch a decoder may append the next record to (RecordContext::append_to), when this writer keeps
  // waiting rows in one (Parquet); null otherwise. Valid until the next call on this writer.
  virtual columnar::ColumnarBatch* InPlaceBatch() { return nullptr; }
  virtual uint64_t records() const = 0;
  virtual uint64_t bytes() const = 0;
  // A hint that Finish() follows soon: the writer may start that work in the background (the caller goes on
  // finishing other files meanwhile). Finish() must still be called; an Append in between is valid, though
  // the file may then come out differently (a Parquet file gets one more row group).
  virtual void PrepareFinish() {}
  // Writes what is buffered and makes the file durable. No Append afterwards.
  virtual Result<WrittenFile> Finish() = 0;
};

class FileFormat {
 public:
  virtual ~FileFormat() = default;
  virtual std::string_view extension() const = 0;  // "jsonl", "parquet", "avro"
  // Opens a file whose first record is `first` (columnar formats take their schema from it).
  virtual Result<std::unique_ptr<FileFormatWriter>> Open(std::unique_ptr<ByteSink> sink,
                                                         const DecodedRecord& first) = 0;
};

}  // namespace floe::archive
