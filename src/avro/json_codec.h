// Avro datums ↔ JSON values: the encoder the `floe produce` load generator and test fixtures use, and the
// renderer that turns a binary datum back into JSON (for recursive subtrees stored as JSON text, and tools).
//
// JSON form of a datum (the spec's JSON encoding, with one convenience for unions):
//   null → null; boolean → true/false; int/long → integer; float/double → number or "NaN"/"Infinity"/
//   "-Infinity"; string → string; bytes/fixed → string whose code points U+0000..U+00FF are the bytes;
//   enum → symbol; array → array; map → object; record → object (a missing field takes its default).
//   Timestamp logical types (timestamp-*, local-timestamp-*) also accept an ISO-8601 string when encoding.
//   union → {"<branch name>": value} (branch name = full name of a named type, else the type name, e.g.
//     {"string": "x"}, {"com.acme.Ad": {...}}), or null for the null branch. As a convenience a plain value
//     is accepted too: for ["null",T]/[T,"null"] it is taken as T; for wider unions it goes to the first
//     branch whose JSON kind fits (number → int/long/float/double, string → string/bytes/enum/fixed, ...).
//   DatumToJson renders unions the same way: plain for null-unions, {"branch": value} otherwise.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "avro/binary.h"
#include "avro/schema.h"
#include "common/status.h"

namespace floe::avro {

// Appends the Avro binary encoding of `value` as type `type` to `out`. Errors are AvroError::kEncode with
// the JSON path of the offending value. On error `out` may hold a partial datum.
Status EncodeJson(const TypeNode& type, const nlohmann::json& value, std::string& out);
inline Status EncodeJson(const Schema& schema, const nlohmann::json& value, std::string& out) {
  return EncodeJson(schema.root(), value, out);
}

// Encodes a field default (spec: a union default is a plain value of the union's first branch).
Status EncodeDefault(const TypeNode& type, const nlohmann::json& value, std::string& out);

// Renders one binary datum of `type` as JSON text (form above), appending to `out`. Reads exactly one datum
// from the front of `data` and reports how many bytes it used in `consumed`.
Status DatumToJson(const TypeNode& type, std::string_view data, std::string& out, size_t* consumed = nullptr);

// The decoder's entry point for the above: renders the value at the cursor, charging its nesting and
// zero-width items to `budget` (the budget of the datum it is part of, see binary.h). Returns false with
// r.error set on malformed data (including kTooDeep and too many zero-width items).
bool RenderDatumJson(const TypeNode& type, BinaryReader& r, std::string& out, DatumBudget& budget);

}  // namespace floe::avro
