// The avro module's error codes. Every failure of schema parsing, resolution, decoding, encoding and
// container-file handling is one of these, so callers (the archiver's dead-letter path, metrics) can tell a
// hostile payload from a schema mistake by code, not by message text.
#pragma once

#include <string_view>

#include "common/status.h"

namespace floe::avro {

enum class AvroError {
  // Schemas.
  kInvalidSchema,       // not a valid Avro schema (bad JSON, unknown type, bad name, bad default...)
  kIncompatibleSchema,  // writer data cannot be read with the reader schema (resolution failed)
  kUnsupported,         // valid Avro, but outside what this API offers (e.g. a capture path through an array)
  // Framing (Confluent wire format).
  kBadMagic,            // first byte is not 0
  kUnknownSchemaId,     // the framed schema id is not known to the caller's registry
  // Binary bodies.
  kTruncated,           // the body ends before the datum does (or a length points past its end)
  kTrailingBytes,       // bytes left after the datum
  kNegativeLength,      // a negative string/bytes length
  kLengthTooLarge,      // a length or item count no sane payload has (or larger than the bytes left)
  kBadBlockSize,        // an array/map block whose declared byte size differs from its items' size
  kVarintOverflow,      // a varint longer than 10 bytes, or an int that does not fit 32 bits
  kInvalidUtf8,         // a string that is not UTF-8
  kBadUnionIndex,       // a union branch index outside the writer's union
  kBadEnumIndex,        // an enum index outside the writer's symbols
  kUnresolvedValue,     // a writer union branch / enum symbol that the reader schema cannot represent
  kInvalidLogicalValue, // e.g. a uuid string that is not a UUID
  kDecimalOverflow,     // a decimal whose unscaled value has more digits than its declared precision
  kTooDeep,             // nesting beyond the decoder's depth limit
  // Encoding and container files.
  kEncode,              // a JSON value does not match the schema it is encoded with
  kBadContainer,        // an object container file with a bad header, sync marker or block
  kCodec,               // compression/decompression failure or unknown codec
};

}  // namespace floe::avro

template <>
struct floe::ErrorTraits<floe::avro::AvroError> {
  static std::string_view Domain() { return "avro"; }
  static std::string_view Name(floe::avro::AvroError e);
  // Nothing in this module is transient: the same bytes and schemas fail the same way every time.
  static bool DefaultRetryable(floe::avro::AvroError) { return false; }
};
