// Fuzzes the schema parser and everything derived from a parsed schema: canonical form, JSON output (which
// must parse again to the same canonical form), the columnar mapping, and decoder/skipper compilation.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "avro/decoder.h"
#include "avro/schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace floe::avro;
  auto schema = Schema::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!schema.ok()) return 0;
  auto again = Schema::Parse(schema->ToJson());
  if (!again.ok() || again->CanonicalForm() != schema->CanonicalForm()) std::abort();
  (void)ToColumnarSchema(*schema);
  (void)RecordDecoder::Compile(*schema, *schema);
  (void)DatumSkipper::Compile(*schema);
  return 0;
}
