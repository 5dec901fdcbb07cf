// Fuzzes the object container file reader: header, metadata, codecs, sync markers, block splitting.
#include <cstdint>
#include <string_view>

#include "avro/container.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = floe::avro::OcfReader::Open(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20);
  if (!reader.ok()) return 0;
  std::string_view datum;
  for (int i = 0; i < 100000; ++i) {
    auto more = reader->NextDatum(datum);
    if (!more.ok() || !*more) break;
  }
  return 0;
}
