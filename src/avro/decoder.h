// RecordDecoder: Avro binary datums → rows of a columnar::ColumnarBatch.
//
// A decoder is compiled once per (writer schema, reader schema) pair into a flat instruction array: field
// order, schema resolution (promotions, skipped writer fields, reader defaults, enum and union mapping) and
// every leaf's column index and Dremel definition level are decided at compile time, so decoding a datum is
// one pass over the bytes with a switch per value, no lookups, no virtual calls and no allocation once the
// batch's buffers have grown (the columnar schema is the READER's, see ToColumnarSchema).
//
// Hostile input: every read is bounds-checked; lengths and item counts larger than the bytes left are
// errors (so a length of 2^62 never allocates); nesting depth and zero-width items are bounded per datum
// (DatumBudget in binary.h: kTooDeep, kLengthTooLarge); a datum that fails is rolled back from the batch,
// leaving no partial row. Errors are AvroError codes (truncated, trailing_bytes, negative_length, invalid_utf8,
// bad_union_index, bad_enum_index, ...) with the byte offset in the message.
//
// Avro → columnar mapping (the reader schema decides):
//   record → group (the top-level record's fields are the table's columns; a top-level non-record schema
//            becomes one column named "value")
//   array  → LIST, map → MAP with a required UTF-8 string key
//   ["null",T] / [T,"null"] → optional T; ["null"] or "null" → optional int32 that is always null
//   union of several non-null branches → optional-or-required group with one optional member per non-null
//            branch, named after the branch type: "int", "string", "array", "map", ... and, for named types,
//            the simple name (e.g. ["null","string","Ad"] → group {string, Ad}); exactly one member is set
//   enum → byte array (ENUM) holding the symbol; fixed → FIXED_LEN_BYTE_ARRAY
//   logical types → decimal (bytes or fixed alike: int32 for precision ≤ 9, int64 ≤ 18, else the shortest
//            FIXED_LEN_BYTE_ARRAY; more digits than the precision is kDecimalOverflow), uuid (string → FIXED(16), parsed from the 36-char text), date,
//            time-millis/micros, timestamp-millis/micros (UTC), local-timestamp-* (not UTC), duration (FIXED 12)
//   recursive types: where a named type is reached again inside its own definition, that value is stored as
//            JSON text (LogicalKind::kJson, form of json_codec.h) in one column, rendered from the writer's
//            schema; e.g. LinkedList{value, next: ["null", LinkedList]} → columns value, next (json).
//
// Business time: DecoderOptions::capture_paths lists candidate reader fields ("ts", "meta.event_time"; a
// path walks record fields, through nullable unions, never through arrays/maps). After each Decode,
// captured() reports the first candidate present in that record (null or absent ones are skipped) with its
// value as a long (int/long, with the field's logical type) or a string, at no extra pass over the data.
//
// A decoder is not thread-safe (it holds per-datum scratch state); compile one per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "avro/binary.h"
#include "avro/schema.h"
#include "columnar/column_buffer.h"
#include "columnar/schema.h"
#include "common/status.h"

namespace floe::avro {

// The columnar schema a reader schema maps to (rules above).
Result<columnar::Schema> ToColumnarSchema(const Schema& reader);

struct DecoderOptions {
  // Candidate dotted reader field paths for business time, most preferred first.
  std::vector<std::string> capture_paths;
};

// The business-time candidate found in the last decoded record.
struct CapturedValue {
  enum class Kind : uint8_t { kNone, kLong, kString };
  int candidate = -1;  // index into DecoderOptions::capture_paths; -1 when no candidate was present
  Kind kind = Kind::kNone;
  int64_t long_value = 0;                    // kLong (int fields widened)
  LogicalType logical = LogicalType::kNone;  // the reader field's logical type (timestamp-millis, date, ...)
  std::string_view string_value;             // kString; valid until the batch or decoder is next used
};

class RecordDecoder {
 public:
  // Fails with kIncompatibleSchema (with the resolution problem) when writer data can never be read as the
  // reader schema, kUnsupported for capture paths that do not name an int/long/string field outside arrays
  // and maps. Writer union branches or enum symbols the reader cannot represent are not compile errors: the
  // spec makes them errors only when such a value occurs (kUnresolvedValue at decode time).
  static Result<RecordDecoder> Compile(const Schema& writer, const Schema& reader, const DecoderOptions& options = {});

  RecordDecoder(RecordDecoder&&) noexcept;
  RecordDecoder& operator=(RecordDecoder&&) noexcept;
  ~RecordDecoder();

  // The schema of the batches this decoder appends to: make them with ColumnarBatch(columnar_schema()). A
  // batch may have further leaves after these (e.g. Kafka metadata columns); the decoder leaves them to the
  // caller, who appends one entry to each per decoded record.
  const columnar::Schema& columnar_schema() const;

  // Decodes one datum that spans exactly `size` bytes and appends it as one record. On error nothing is
  // left in the batch.
  Status Decode(const uint8_t* data, size_t size, columnar::ColumnarBatch& batch);
  Status Decode(std::string_view datum, columnar::ColumnarBatch& batch) {
    return Decode(reinterpret_cast<const uint8_t*>(datum.data()), datum.size(), batch);
  }
  // Decodes the datum at the front of `reader` (e.g. the next one of an object container block) and leaves
  // the cursor after it.
  Status DecodeNext(BinaryReader& reader, columnar::ColumnarBatch& batch);

  // Business time of the last successfully decoded record.
  CapturedValue captured() const;
  // Where the last successfully decoded record starts in the batch it was appended to (a mark of the batch
  // as it was before it), until the next decode.
  const columnar::ColumnarBatch::Mark& last_record_start() const;

  // A readable listing of the compiled program, for tests and debugging.
  std::string Disassemble() const;

  struct Program;

 private:
  explicit RecordDecoder(std::unique_ptr<Program> program);
  std::unique_ptr<Program> program_;
};

// Finds where one datum of `writer` ends without decoding it into anything (how the container-file reader
// splits blocks into datums). Applies the same bounds checks as the decoder.
class DatumSkipper {
 public:
  static Result<DatumSkipper> Compile(const Schema& writer);
  // Advances the cursor past one datum. Returns false with reader.error set on malformed data.
  bool Skip(BinaryReader& reader) const;

 private:
  std::shared_ptr<const RecordDecoder::Program> program_;
};

}  // namespace floe::avro
