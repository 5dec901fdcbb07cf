// Inference, widening, the Avro round trip and shredding on arbitrary input. Invariants checked:
// - a record always fits the schema inferred from it, and the schema widened by any other record;
// - ToAvroSchema/FromAvroSchema round-trips every inferred schema;
// - QuoteBigIntegers never breaks a document;
// - the shredded batch has one entry per leaf at least, and levels within the leaves' maxima.
#include <simdjson.h>

#include <cstdlib>
#include <cstring>

#include "json/column_writer.h"
#include "json/inferred_schema.h"

using namespace floe;

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void ShredAndCheck(const columnar::NodePtr& schema, const simdjson::dom::object& object) {
  columnar::ColumnarBatch batch{columnar::Schema(schema)};
  json::ColumnWriter writer(*schema, json::SchemaMode::kInferred);
  Check(writer.Write(object, batch));
  for (size_t i = 0; i < batch.num_columns(); ++i) {
    const auto& col = batch.column(i);
    Check(col.num_entries() >= 1);
    for (int16_t d : col.def_levels()) Check(d >= 0 && d <= col.max_definition_level());
    for (int16_t r : col.rep_levels()) Check(r >= 0 && r <= col.max_repetition_level());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Two documents: the input split at its first NUL byte (or the input twice).
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  std::string_view first = input.substr(0, split);
  std::string_view second = split == std::string_view::npos ? first : input.substr(split + 1);

  simdjson::dom::parser p1, p2;
  simdjson::dom::element e1, e2;
  // Integers beyond 64 bits: quoted, as the decoder does when simdjson rejects them.
  std::string quoted;
  const bool rewritten = json::QuoteBigIntegers(first, quoted);
  auto err = p1.parse(first.data(), first.size()).get(e1);
  if (err == simdjson::NUMBER_ERROR && rewritten) err = p1.parse(quoted).get(e1);
  if (err != simdjson::SUCCESS || !e1.is_object()) return 0;
  if (p2.parse(second.data(), second.size()).get(e2) != simdjson::SUCCESS || !e2.is_object()) return 0;
  simdjson::dom::object o1 = e1.get_object().value_unsafe();
  simdjson::dom::object o2 = e2.get_object().value_unsafe();

  columnar::NodePtr s1 = json::InferRecord(o1, "r", {});
  ShredAndCheck(s1, o1);
  columnar::NodePtr both = json::Widen(s1, json::InferRecord(o2, "r", {}));
  ShredAndCheck(both, o1);
  ShredAndCheck(both, o2);

  auto back = json::FromAvroSchema(json::ToAvroSchema(*both));
  Check(back.ok() && json::SameType(**back, *both));
  return 0;
}
