// Page compression codecs (spec: parquet-format Compression.md): UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW.
// The writer compresses with per-thread codec contexts so thousands of open writers do not each hold one.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "parquet/format.h"

namespace floe::parquet {

// Appends the compressed form of [data, data+size) to out. level is used by ZSTD and GZIP only.
Status Compress(format::Codec codec, int level, const uint8_t* data, size_t size, std::string* out);

// Appends [data, data+size) to out in the codec's stored (uncompressed) form, when the codec has one that
// costs only a copy: ZSTD's raw blocks (RFC 8878 3.1.1.2), a frame any ZSTD decoder reads. The writer uses
// it for pages that would not shrink: trying costs a compressor call whose fixed part dominates small pages.
// Returns false, appending nothing, for codecs without such a form.
bool AppendStored(format::Codec codec, const uint8_t* data, size_t size, std::string* out);

// Decompresses exactly `uncompressed_size` bytes into out (resized). Fails when the stream decodes to a
// different size or the codec is not supported.
Status Decompress(format::Codec codec, const uint8_t* data, size_t size, size_t uncompressed_size,
                  std::string* out);

bool CodecSupported(format::Codec codec);

}  // namespace floe::parquet
