// The Confluent Schema Registry wire format of a Kafka message value or key:
//   byte 0: magic 0; bytes 1-4: schema id, big-endian; then the Avro binary datum.
// (Protobuf/JSON Schema framings are not handled here.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "avro/error.h"
#include "common/status.h"

namespace floe::avro {

struct ConfluentFrame {
  uint32_t schema_id = 0;
  std::string_view body;  // points into the payload
};

// kBadMagic when the first byte is not 0, kTruncated when shorter than the 5-byte header.
Result<ConfluentFrame> ParseConfluentFrame(std::string_view payload);

// Appends the 5-byte header for `schema_id` (the body follows).
void AppendConfluentHeader(std::string& out, uint32_t schema_id);

// The error a caller returns when its registry does not know the frame's schema id.
Status UnknownSchemaId(uint32_t schema_id);

}  // namespace floe::avro
