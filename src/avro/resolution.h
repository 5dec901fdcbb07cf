// Schema resolution (spec "Schema Resolution"): how data written with one schema is read with another.
// The decoder compiler and the compatibility checker both use these rules, so "the checker says compatible"
// and "the decoder can read it" cannot drift apart.
#pragma once

#include <string>
#include <vector>

#include "avro/schema.h"

namespace floe::avro {

// The named types match: same full name, same unqualified name, or the writer's full name is one of the
// reader's aliases.
bool NamesMatch(const TypeNode& writer, const TypeNode& reader);

// Whether a writer value of `writer` can be read as `reader` at the top level, ignoring what is inside
// records/arrays/maps: same primitive, a promotion (int→long/float/double, long→float/double, float→double,
// string↔bytes), or matching named types (fixed also needs the same size). Neither may be a union.
bool TopLevelMatch(const TypeNode& writer, const TypeNode& reader);

// The branch of a reader union that reads a (non-union) writer type: the first branch of the same type
// (same name for named types), else the first branch reachable by promotion. -1 when none.
int ReaderBranchFor(const TypeNode& writer, const TypeNode& reader_union);

// The writer field that feeds a reader field: same name, else one of the reader field's aliases.
const Field* WriterFieldFor(const TypeNode& writer_record, const Field& reader_field);

// Every reason data written with `writer` cannot be read with `reader`, in words like
// "field 'price' of record 'Ad': writer type string cannot be read as long". Empty when readable.
// Follows the Avro Java SchemaCompatibility rules (a writer union is readable only when each branch is; a
// reader field missing from the writer needs a default; a writer enum symbol missing from the reader needs
// the reader's enum default).
std::vector<std::string> ReadabilityProblems(const TypeNode& writer, const TypeNode& reader);

}  // namespace floe::avro
