// Ordering and rendering of PLAIN-encoded statistic values (min/max in Statistics and ColumnIndex), per the
// column's sort order (parquet.thrift ColumnOrder: signed/unsigned integers, IEEE floats, unsigned
// lexicographic bytes, signed two's-complement decimals in bytes, none for INTERVAL).
#pragma once

#include <string>
#include <string_view>

#include "columnar/schema.h"
#include "parquet/schema_mapping.h"

namespace floe::parquet {

// <0, 0, >0. Values must have the leaf's PLAIN width (fixed types).
int CompareStatValues(const columnar::Node& leaf, std::string_view a, std::string_view b);

// Signed comparison of big-endian two's-complement integers of any lengths.
int CompareDecimalBytes(std::string_view a, std::string_view b);

// Truncation for byte-array statistics: a shorter lower bound / upper bound, keeping UTF-8 valid for
// string-like leaves. Returns false when no shorter bound exists (the value is kept whole).
bool TruncateMin(std::string_view v, size_t max_bytes, bool utf8, std::string* out);
bool TruncateMax(std::string_view v, size_t max_bytes, bool utf8, std::string* out);

// Human-readable rendering of a statistic value for `floe parquet inspect`.
std::string RenderStatValue(const columnar::Node& leaf, std::string_view v);

}  // namespace floe::parquet
