#include "avro/confluent.h"

namespace floe::avro {

Result<ConfluentFrame> ParseConfluentFrame(std::string_view payload) {
  if (payload.empty()) return Error(AvroError::kTruncated, "empty payload");
  if (payload[0] != 0)
    return Error(AvroError::kBadMagic, "first byte is " + std::to_string(static_cast<uint8_t>(payload[0])) +
                                           ", the Confluent framing needs 0");
  if (payload.size() < 5)
    return Error(AvroError::kTruncated, "payload of " + std::to_string(payload.size()) + " bytes has no schema id");
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  ConfluentFrame f;
  f.schema_id = uint32_t{p[1]} << 24 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 8 | p[4];
  f.body = payload.substr(5);
  return f;
}

void AppendConfluentHeader(std::string& out, uint32_t schema_id) {
  out.push_back(0);
  out.push_back(static_cast<char>(schema_id >> 24));
  out.push_back(static_cast<char>(schema_id >> 16));
  out.push_back(static_cast<char>(schema_id >> 8));
  out.push_back(static_cast<char>(schema_id));
}

Status UnknownSchemaId(uint32_t schema_id) {
  return Error(AvroError::kUnknownSchemaId, "schema id " + std::to_string(schema_id) + " is not registered");
}

}  // namespace floe::avro
