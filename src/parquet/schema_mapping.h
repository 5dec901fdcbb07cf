// Mapping between floe's type model (columnar::Schema) and Parquet schemas (docs/PARQUET_TYPES.md).
//
// Writing: records become groups, lists the standard three-level LIST, maps MAP/key_value; every annotated
// leaf gets its LogicalType and, where one exists, the legacy ConvertedType for old readers.
// Reading: also accepts the legacy two-level list forms and bare repeated fields, MAP_KEY_VALUE, INT96
// timestamps and ConvertedType-only files. The reconstructed columnar leaves must have exactly the Dremel
// levels the file's schema implies; leaves are matched to column chunks by depth-first position.
#pragma once

#include <vector>

#include "columnar/schema.h"
#include "common/status.h"
#include "parquet/format.h"

namespace floe::parquet {

// Validates the schema for Parquet output and flattens it (root first, depth-first).
Result<std::vector<format::SchemaElement>> ToParquetSchema(const columnar::Schema& schema);

// The schema element written for one leaf (type, logical and converted annotations), for tests and stats.
format::SchemaElement LeafElement(const columnar::Node& leaf);

struct FileSchema {
  columnar::Schema schema;
  std::vector<format::Type> leaf_types;  // physical type as stored; INT96 leaves surface as int64 micros
  std::vector<const format::SchemaElement*> leaf_elements;
};

Result<FileSchema> FromParquetSchema(const std::vector<format::SchemaElement>& elements);

// Whether min/max statistics of this leaf compare as signed / unsigned / bytes, or have no defined order.
enum class SortOrder { kSigned, kUnsigned, kBytes, kDecimalBytes, kNone };
SortOrder SortOrderOf(const columnar::Node& leaf);

}  // namespace floe::parquet
